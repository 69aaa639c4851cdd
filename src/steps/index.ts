/**
 * The wizard's steps in order, the presets that choose their defaults, and the
 * pure function that turns a posture and answers into a plan.
 */

import { randomUUID } from 'node:crypto';
import type { ControlId } from '../plan/audit/control-types.js';
import { composePlan } from '../plan/model/compose.js';
import { deepEqual } from '../plan/model/diff.js';
import type {
  BuildProvenance,
  Change,
  Plan,
  Posture,
  PostureValues,
  Preset,
  ResourceKey,
  SkippedStep,
} from '../plan/model/types.js';
import { isWritable, resourceLabel } from '../plan/resources/index.js';
import { accessAnalyzerStep } from './access-analyzer.js';
import { accessPointStep } from './access-point.js';
import { bucketPolicyStep } from './bucket-policy.js';
import { cloudTrailStep } from './cloudtrail.js';
import { encryptionStep } from './encryption.js';
import { keepingEncryption } from './encryption-answers.js';
import { STEP_ORDER } from './ids.js';
import { lifecycleStep } from './lifecycle.js';
import { loggingStep } from './logging.js';
import { withSharedLogBucket } from './logging-answers.js';
import { macieStep } from './macie.js';
import { type NewBucketAnswers, planNewBucket, validateNewBucket } from './new-bucket.js';
import { objectLockStep } from './object-lock.js';
import { objectOwnershipStep } from './object-ownership.js';
import {
  accountPublicAccessBlockStep,
  bucketPublicAccessBlockStep,
} from './public-access-block.js';
import type { AnswersOf, Step, StepId } from './types.js';
import { versioningStep } from './versioning.js';

export { STEP_ORDER };

/**
 * Every step, in wizard order (as ./ids.ts lists their ids for the command
 * line, which checks --skip and --only before any step loads). A step is
 * its module and one line here: its answers' type (StepAnswers) follows.
 */
export const STEPS = {
  'public-access-block': bucketPublicAccessBlockStep,
  encryption: encryptionStep,
  'object-ownership': objectOwnershipStep,
  versioning: versioningStep,
  'object-lock': objectLockStep,
  lifecycle: lifecycleStep,
  logging: loggingStep,
  'bucket-policy': bucketPolicyStep,
  'access-point': accessPointStep,
  'access-analyzer': accessAnalyzerStep,
  macie: macieStep,
  cloudtrail: cloudTrailStep,
  'account-public-access-block': accountPublicAccessBlockStep,
} as const;

/** The answers each step collects, by step id: derived from the registry above. */
export type StepAnswers = { [K in keyof typeof STEPS]: AnswersOf<(typeof STEPS)[K]> };

export type StepRegistry = { readonly [K in StepId]: Step<StepAnswers[K]> };

export const PRESET_DESCRIPTIONS: Record<Preset, string> = {
  baseline: "The S3 Security guide's checklist, without network limits or Object Lock.",
  strict: 'Baseline plus customer-managed KMS keys and a VPC endpoint limit.',
  worm: 'Strict plus Object Lock (write once, read many).',
  custom: 'Start from baseline and decide every step yourself.',
};

/** Which steps a preset turns on; every preset includes Block Public Access. */
export function stepsForPreset(_preset: Preset): readonly StepId[] {
  return STEP_ORDER;
}

/** Every resource the given steps need read. */
export function readsFor(stepIds: readonly StepId[]): ResourceKey[] {
  return [
    ...new Set(stepIds.flatMap((id) => [...STEPS[id].reads, ...(STEPS[id].optionalReads ?? [])])),
  ];
}

/** The reads whose failure only makes a step fall back (listings of keys, endpoints). */
export function optionalReadsFor(stepIds: readonly StepId[]): ResourceKey[] {
  return [...new Set(stepIds.flatMap((id) => STEPS[id].optionalReads ?? []))];
}

export type Answers = { [K in StepId]?: StepAnswers[K] };

/** What the command line chose that changes the steps' defaults. */
export interface DefaultChoices {
  /** One log bucket for every bucket's access logs (--log-bucket). */
  readonly logBucket?: string;
  /** The VPC endpoints the bucket policy restricts requests to (--restrict-vpce). */
  readonly vpceIds?: readonly string[];
  /** Controls an exception keeps as they are: the steps that set them leave them (./excepted-steps.ts). */
  readonly keep?: readonly ControlId[];
}

export function defaultAnswers(
  posture: Posture,
  preset: Preset,
  stepIds: readonly StepId[],
  choices: DefaultChoices = {},
): Answers {
  const answers: Answers = {};
  for (const id of stepIds) {
    (answers as Record<StepId, unknown>)[id] = STEPS[id].defaults(posture, preset);
  }
  if (choices.logBucket && answers.logging) {
    answers.logging = withSharedLogBucket(posture, answers.logging, choices.logBucket);
  }
  if (choices.keep && choices.keep.length > 0 && answers.encryption) {
    answers.encryption = keepingEncryption(posture, answers.encryption, choices.keep);
  }
  if (choices.vpceIds && choices.vpceIds.length > 0 && answers['bucket-policy']) {
    const { vpceSuggested: _asked, ...policy } = answers['bucket-policy'];
    answers['bucket-policy'] = { ...policy, vpceOnly: true, vpceIds: choices.vpceIds.join(', ') };
  }
  return answers;
}

const NOT_AVAILABLE = / is not available at /;

/** A reason the step cannot be planned from this posture, or null. */
export function unavailableReason(id: StepId, posture: Posture): string | null {
  const own = (STEPS[id] as Step<unknown>).unavailable?.(posture);
  if (own) return own;
  for (const resource of STEPS[id].reads) {
    const reason = posture.unreadable[resource];
    // A service the endpoint lacks says so itself; anything else names what could not be read.
    if (reason)
      return NOT_AVAILABLE.test(reason)
        ? reason
        : `cannot read ${resourceLabel(resource)}: ${reason}`;
    if (!(resource in posture.values)) return `${resourceLabel(resource)} was not read`;
  }
  return null;
}

/**
 * The other bucket the plan needs read (the access-log target), given the
 * answers: steps declare it through `relatedBucket`.
 */
export function relatedBucketFor(stepIds: readonly StepId[], answers: Answers): string | undefined {
  for (const id of stepIds) {
    const step = STEPS[id] as Step<unknown>;
    const stepAnswers = answers[id];
    const related = stepAnswers === undefined ? undefined : step.relatedBucket?.(stepAnswers);
    if (related) return related;
  }
  return undefined;
}

/**
 * The steps' answers as a plan made without questions takes them (`plan`,
 * fleet plans): each step's `unattended` hook.
 */
export function unattendedAnswers(
  posture: Posture,
  stepIds: readonly StepId[],
  answers: Answers,
): Answers {
  const out: Answers = { ...answers };
  for (const id of stepIds) {
    const step = STEPS[id] as Step<unknown>;
    const current = out[id];
    if (current !== undefined && step.unattended) {
      (out as Record<StepId, unknown>)[id] = step.unattended(current, posture);
    }
  }
  return out;
}

/** The lockout reasons' flags, in the words of the steps that ask for them (the review's terms). */
export function callerContextLabels(stepIds: readonly StepId[]): {
  sourceIp?: string;
  sourceVpce?: string;
} {
  const labels: { sourceIp?: string; sourceVpce?: string } = {};
  for (const id of stepIds) {
    const own = (STEPS[id] as Step<unknown>).callerContextLabels;
    if (own?.sourceIp) labels.sourceIp = own.sourceIp;
    if (own?.sourceVpce) labels.sourceVpce = own.sourceVpce;
  }
  return labels;
}

/** What the steps' answers tell about the operator's own requests, for the lockout guard. */
export function callerContextFor(
  stepIds: readonly StepId[],
  answers: Answers,
): { sourceIp?: string; sourceVpce?: string } {
  const context: { sourceIp?: string; sourceVpce?: string } = {};
  for (const id of stepIds) {
    const stepAnswers = answers[id];
    const told =
      stepAnswers === undefined
        ? undefined
        : (STEPS[id] as Step<unknown>).callerContext?.(stepAnswers);
    if (told?.sourceIp) context.sourceIp = told.sourceIp;
    if (told?.sourceVpce) context.sourceVpce = told.sourceVpce;
  }
  return context;
}

/**
 * The answers that exempt the operator (the review's `e`): each step that
 * can, from its answers so far (or its defaults). Null when no step can.
 */
export function exemptingAnswers(
  stepIds: readonly StepId[],
  answers: Answers,
  posture: Posture,
  preset: Preset,
  principalArn: string,
): Answers | null {
  let next: Answers | null = null;
  for (const id of stepIds) {
    const step = STEPS[id] as Step<unknown>;
    if (!step.exempt) continue;
    const current = answers[id] ?? step.defaults(posture, preset);
    next = { ...(next ?? answers), [id]: step.exempt(current, principalArn) };
  }
  return next;
}

export class AnswerError extends Error {
  override name = 'AnswerError';
}

function planStep<K extends StepId>(
  id: K,
  posture: Posture,
  answers: StepAnswers[K],
  planned: Partial<PostureValues>,
): Change[] {
  const step = STEPS[id] as Step<StepAnswers[K]>;
  const problems = step.validate(answers);
  if (problems.length > 0) throw new AnswerError(`${step.title}: ${problems.join('; ')}`);
  return step.plan(posture, answers, planned);
}

/** What the plan leaves: the observed values with each change's after-state over them. */
export function plannedValues(
  values: Partial<PostureValues>,
  changes: readonly Change[],
): Partial<PostureValues> {
  const planned: Record<string, unknown> = { ...values };
  for (const change of changes) planned[change.resource] = change.after;
  return planned as Partial<PostureValues>;
}

/**
 * How many times the steps are planned at most before the plan settles.
 * Each round plans every step against what the previous round leaves; the
 * steps' dependencies on each other are one-way and at most three deep
 * (Object Ownership and Macie → the bucket policy → the access point and a
 * created key's policy), so the fourth round repeats the third.
 */
const MAX_ROUNDS = 5;

/** Every step planned once against `planned`, in step order. */
function planSteps(
  posture: Posture,
  stepIds: readonly StepId[],
  answers: Answers,
  planned: Partial<PostureValues>,
  create: NewBucketAnswers | undefined,
): { changes: Change[]; skipped: SkippedStep[] } {
  const changes: Change[] = [];
  const skipped: SkippedStep[] = [];
  // First in the list and depending on nothing, so it stays first in the plan.
  if (create && posture.values['bucket.exists'] === null) {
    changes.push(planNewBucket(posture, create));
  }
  for (const id of stepIds) {
    const reason = unavailableReason(id, posture);
    const stepAnswers = answers[id];
    if (reason) {
      skipped.push({ step: STEPS[id].title, reason });
    } else if (stepAnswers !== undefined) {
      changes.push(...planStep(id, posture, stepAnswers, planned));
      const leftAsIs = (STEPS[id] as Step<unknown>).leftAsIs?.(posture, stepAnswers);
      if (leftAsIs) skipped.push({ step: STEPS[id].title, reason: leftAsIs });
    }
  }
  return { changes, skipped };
}

/**
 * What the steps judged already right, for a plan with nothing to change:
 * each one's required reads that a plan could write, as read (the bucket's
 * own: the log target is another bucket, read only when a change needs it).
 */
function snapshotOf(posture: Posture, stepIds: readonly StepId[]): ResourceKey[] {
  const reads = new Set(stepIds.flatMap((id) => STEPS[id].reads));
  return [...reads].filter(
    (resource) =>
      isWritable(resource) &&
      !resource.startsWith('logTarget.') &&
      resource in posture.values &&
      !posture.unreadable[resource],
  );
}

export function buildPlan(
  posture: Posture,
  preset: Preset,
  stepIds: readonly StepId[],
  answers: Answers,
  now?: Date,
  /** The bucket does not exist yet: the plan starts by creating it. */
  create?: NewBucketAnswers,
): Plan {
  if (create) {
    const problems = validateNewBucket(create);
    if (problems.length > 0) throw new AnswerError(`New bucket: ${problems.join('; ')}`);
  }
  // The id is the reading's when it has one (a saved plan re-derived at
  // apply), else new: the steps tag what they create with it.
  const planId = posture.planId ?? randomUUID();
  posture = { ...posture, planId };
  let planned = posture.values;
  let round = planSteps(posture, stepIds, answers, planned, create);
  for (let count = 1; ; count++) {
    const next = plannedValues(posture.values, round.changes);
    if (deepEqual(next, planned)) break;
    if (count === MAX_ROUNDS) throw new Error('the steps do not settle on one plan');
    planned = next;
    round = planSteps(posture, stepIds, answers, planned, create);
  }
  const { skipped } = round;
  // What only the whole plan tells: each step orders its changes against the
  // others', then says whether a change it needs first is missing.
  let changes = round.changes;
  for (const id of stepIds) changes = (STEPS[id] as Step<unknown>).arrange?.(changes) ?? changes;
  for (const id of stepIds) {
    const prerequisite = (STEPS[id] as Step<unknown>).prerequisite?.(changes, posture);
    if (prerequisite) throw new AnswerError(prerequisite);
  }
  const { accountId, region, bucket, logBucket } = posture;
  // The log bucket belongs to the target only when the plan touches it.
  const touchesLogBucket = changes.some((change) => change.resource.startsWith('logTarget.'));
  return composePlan({
    id: planId,
    target: { accountId, region, bucket, ...(logBucket && touchesLogBucket ? { logBucket } : {}) },
    preset,
    values: posture.values,
    changes,
    skipped,
    ...(now ? { now } : {}),
    snapshot: snapshotOf(posture, stepIds),
    provenance: provenanceOf(posture, preset, stepIds, answers, create),
  });
}

/**
 * What buildPlan was given, as a plan file records it: enough to derive the
 * plan again at apply (./provenance.ts). A one-time MFA code is left out; a
 * plan that needs one is never saved.
 */
function provenanceOf(
  posture: Posture,
  preset: Preset,
  stepIds: readonly StepId[],
  answers: Answers,
  create: NewBucketAnswers | undefined,
): BuildProvenance {
  const { accountId, region, bucket, logBucket, observedAt, principalArn, values, unreadable } =
    posture;
  const recorded: Record<string, unknown> = { ...answers };
  if (answers.versioning) recorded.versioning = { ...answers.versioning, mfaCode: '' };
  return {
    preset,
    steps: [...stepIds],
    answers: recorded,
    ...(create ? { create } : {}),
    posture: {
      accountId,
      region,
      bucket,
      ...(logBucket ? { logBucket } : {}),
      observedAt,
      principalArn,
      values,
      unreadable,
    },
  };
}
