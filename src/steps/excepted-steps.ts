/**
 * What an intended exception means for a plan: the steps that would change
 * an excepted control are left out, and the plan says so. Leaving a step out
 * only stops the tool from changing that control; it never removes a
 * protection the bucket has (no step runs, nothing is written). The steps are
 * left out before planning, so a saved plan's provenance records the steps
 * it was built from and apply derives the same plan again.
 */
import type { ControlId } from '../plan/audit/control-types.js';
import {
  type Excepted,
  type Exception,
  exceptedText,
  exceptionFor,
} from '../plan/exceptions/exceptions.js';
import type { Change } from '../plan/model/types.js';
import type { StepId } from './ids.js';

/** The step that would change each control (the `controls` each step's header names). */
export const CONTROL_STEPS: Readonly<Record<ControlId, readonly StepId[]>> = {
  'bpa-account': ['account-public-access-block'],
  'bpa-bucket': ['public-access-block'],
  'acls-disabled': ['object-ownership'],
  encryption: ['encryption'],
  // Kept through the encryption step's answers instead (KEPT_BY_ANSWERS).
  'encryption-kms': [],
  'sse-c-blocked': [],
  tls: ['bucket-policy'],
  versioning: ['versioning'],
  // The versioning step never turns MFA delete off, and turns it on only when
  // the root user asks (its answer defaults to off): excepting MFA delete
  // holds nothing back, and versioning is still planned.
  'mfa-delete': [],
  lifecycle: ['lifecycle'],
  'object-lock': ['object-lock'],
  replication: [],
  logging: ['logging'],
  'data-events': ['cloudtrail'],
  macie: ['macie'],
  'access-analyzer': ['access-analyzer'],
};

/**
 * Controls a step keeps as they are through its answers, rather than being
 * held back whole: excepting KMS leaves the algorithm and key as they are but
 * still blocks SSE-C; excepting the SSE-C block still sets the algorithm.
 * defaultAnswers takes them as `choices.keep` (./index.ts).
 */
export const KEPT_BY_ANSWERS: Readonly<Partial<Record<ControlId, StepId>>> = {
  'encryption-kms': 'encryption',
  'sse-c-blocked': 'encryption',
};

export interface LeftAsIs {
  readonly step: StepId;
  readonly control: ControlId;
  /** "left as is: excepted (public website), until 2027-06-30". */
  readonly reason: string;
}

export interface ExceptedPlan {
  /** The steps to plan: `stepIds` without those an exception holds back. */
  readonly stepIds: readonly StepId[];
  readonly leftAsIs: readonly LeftAsIs[];
  /** Controls a step that is planned keeps as they are (KEPT_BY_ANSWERS). */
  readonly kept: readonly LeftAsIs[];
  /** Expired exceptions that named a step's control: planned again, and said. */
  readonly expired: readonly string[];
  /** The bucket's exceptions in force, by control (for the account-BPA warning). */
  readonly excepted: Readonly<Partial<Record<ControlId, Excepted>>>;
}

/** `stepIds` for `bucket` with the excepted controls' steps left out. */
export function exceptSteps(
  stepIds: readonly StepId[],
  bucket: string,
  exceptions: readonly Exception[],
  now: Date,
): ExceptedPlan {
  const leftAsIs: LeftAsIs[] = [];
  const expired: string[] = [];
  const excepted: Partial<Record<ControlId, Excepted>> = {};
  for (const control of Object.keys(CONTROL_STEPS) as ControlId[]) {
    const found = exceptionFor(exceptions, bucket, control, now);
    if (!found) continue;
    if (found.expired) {
      expired.push(`${control} on ${bucket}: ${exceptedText(found)}, planned again`);
      continue;
    }
    excepted[control] = found;
    for (const step of CONTROL_STEPS[control]) {
      if (stepIds.includes(step) && !leftAsIs.some((entry) => entry.step === step)) {
        leftAsIs.push({ step, control, reason: `left as is: ${exceptedText(found)}` });
      }
    }
  }
  const held = new Set(leftAsIs.map((entry) => entry.step));
  const planned = stepIds.filter((id) => !held.has(id));
  const kept = (Object.keys(KEPT_BY_ANSWERS) as ControlId[]).flatMap((control): LeftAsIs[] => {
    const step = KEPT_BY_ANSWERS[control] as StepId;
    const found = excepted[control];
    return found && planned.includes(step)
      ? [{ step, control, reason: `kept as it is: ${exceptedText(found)}` }]
      : [];
  });
  return { stepIds: planned, leftAsIs, kept, expired, excepted };
}

/** The controls the planned steps' answers keep as they are (defaultAnswers' `choices.keep`). */
export function keptControls(plan: Pick<ExceptedPlan, 'kept'>): ControlId[] {
  return plan.kept.map((entry) => entry.control);
}

/** Does this change turn on a block of public access the account did not have? */
function blocksAccountPublicAccess(change: Change): boolean {
  if (change.resource !== 'account.publicAccessBlock') return false;
  const before = (change.before ?? {}) as Record<string, unknown>;
  const after = (change.after ?? {}) as Record<string, unknown>;
  return Object.keys(after).some((flag) => after[flag] === true && before[flag] !== true);
}

/**
 * Turning on account-wide Block Public Access overrides every bucket's own
 * setting: a bucket excepted to stay public (its Block Public Access, or the
 * account's, excepted) stops being public. Said on the plan, with the way
 * out, never left silent. One line per such bucket; none when it does not apply.
 */
export function accountBpaWarnings(
  changes: readonly Change[],
  buckets: readonly { readonly bucket: string; readonly excepted: ExceptedPlan['excepted'] }[],
): string[] {
  if (!changes.some(blocksAccountPublicAccess)) return [];
  return buckets.flatMap(({ bucket, excepted }) => {
    const found = excepted['bpa-bucket'] ?? excepted['bpa-account'];
    if (!found) return [];
    return [
      `Account Block Public Access: ${bucket} is ${exceptedText(found)}, but the account-wide block overrides it — ${bucket} stops being public when this applies. To keep serving it, put CloudFront in front with Origin Access Control (the bucket stays private; an S3 access point is no way round, S3 applies the account's block to requests through it too), or plan with --skip account-public-access-block.`,
    ];
  });
}
