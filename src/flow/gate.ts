/**
 * The one gate every apply passes — `apply`, each section of a fleet apply,
 * and the wizard's `y` — before its first write:
 *
 * 1. the plan's resources read now as it saw them (else **stale**, with the
 *    drift), or as it leaves them (**already applied**: nothing to do); an
 *    empty plan is judged by the snapshot it carries, so a bucket changed
 *    by hand since "No changes" is stale, not "already matches";
 * 2. its policies pass IAM Access Analyzer's checks and the lockout guard
 *    (else **blocked**, with why);
 * 3. what needs the operator's word — changes that cannot be undone,
 *    security warnings — has it (else **needs confirmation**);
 * 4. **ready**.
 *
 * UI-free: the commands print the result, the wizard shows it.
 */
import type { AwsSession } from '../aws/session.js';
import { type Drift, describeDrift, findDrift, isApplied } from '../plan/apply/drift.js';
import type { Change, Plan, Posture, ResourceKey } from '../plan/model/types.js';
import {
  callerContext,
  type LockoutFinding,
  lockoutRefusal,
  planLockout,
} from '../plan/policy/lockout.js';
import {
  blocksApply,
  errorsLine,
  needsConfirmation,
  type PolicyValidation,
} from '../plan/policy/validation.js';
import { observeLive } from './observe.js';

/** Whether a plan may go ahead, given what its resources read now. */
export type PlanState =
  /** Everything reads as the plan saw it. */
  | { readonly state: 'ready' }
  /** Everything it writes already reads as it leaves it: nothing to do. */
  | { readonly state: 'applied' }
  /** Anything else: refused, with a one-line reason and the drift itself. */
  | { readonly state: 'stale'; readonly reason: string; readonly drift: readonly Drift[] };

/** For a change, other values that count as applied (a later fleet section's write). */
export type AlsoApplied = Parameters<typeof isApplied>[2];

/** Ready, already applied, or stale, from a fresh reading. */
export function planState(plan: Plan, live: Posture, alsoApplied?: AlsoApplied): PlanState {
  const drift = findDrift(plan, live);
  if (drift.length === 0) return { state: 'ready' };
  if (isApplied(plan, live, alsoApplied)) return { state: 'applied' };
  return { state: 'stale', reason: describeDrift(drift), drift };
}

/** Reads the plan's resources (and `extra` ones) now, and judges them. */
export async function currentState(
  session: Pick<AwsSession, 'observe' | 'observeLogTarget'>,
  plan: Plan,
  options: { readonly extra?: readonly ResourceKey[]; readonly alsoApplied?: AlsoApplied } = {},
): Promise<{ readonly state: PlanState; readonly live: Posture }> {
  const live = await observeLive(session, plan, options.extra);
  return { state: planState(plan, live, options.alsoApplied), live };
}

export interface GateOptions {
  /** The caller's context for the lockout guard beyond their identity. */
  readonly caller?: { readonly sourceIp?: string; readonly sourceVpce?: string };
  /** A Deny that would lock the caller out is accepted knowingly. */
  readonly allowLockout?: boolean;
  /** What the operator has already agreed to (a typed name, `a`, --allow-… flags). */
  readonly accepted?: {
    readonly irreversible?: boolean;
    readonly securityWarnings?: boolean;
  };
  /** Skip the drift check (a fleet checks each section right before it runs: stage 1 alone). */
  readonly checkState?: boolean;
  readonly alsoApplied?: AlsoApplied;
  /** The policy checks, when they were just made (the wizard's review): not asked again. */
  readonly validation?: PolicyValidation;
}

export type Gate =
  | {
      readonly status: 'ready';
      readonly validation: PolicyValidation;
      /** What the plan's resources read as, when the gate read them (not with checkState false). */
      readonly live?: Posture;
    }
  | { readonly status: 'already-applied' }
  | { readonly status: 'stale'; readonly reason: string; readonly drift: readonly Drift[] }
  | {
      readonly status: 'blocked';
      /** One line: why nothing may be applied. */
      readonly reason: string;
      readonly validation: PolicyValidation;
      readonly lockout: readonly LockoutFinding[];
    }
  | {
      readonly status: 'needs-confirmation';
      /** Changes that cannot be undone, not yet agreed to. */
      readonly irreversible: readonly Change[];
      /** IAM Access Analyzer security warnings, not yet agreed to. */
      readonly securityWarnings: boolean;
      readonly validation: PolicyValidation;
    };

export const irreversibleChanges = (plan: Plan): Change[] =>
  plan.changes.filter((change) => change.undo === null);

/** The gate; reads and checks through the session, writes nothing. */
export async function gate(
  plan: Plan,
  session: Pick<
    AwsSession,
    'observe' | 'observeLogTarget' | 'validatePolicies' | 'identity' | 'endpoint'
  > &
    Partial<Pick<AwsSession, 'verified'>>,
  options: GateOptions = {},
): Promise<Gate> {
  // The policy checks do not depend on the reading: asked beside it, one
  // round trip less before the first write (a stale plan's answers are
  // dropped; the checks only read).
  const checking = options.validation
    ? Promise.resolve(options.validation)
    : session.validatePolicies(plan);
  // Awaited below, or dropped with a stale plan: never an unhandled rejection.
  checking.catch(() => {});
  // Who the caller is may still be on its way (a session opened for the
  // plan's account): nothing is judged before it has answered.
  const caller = session.verified ?? Promise.resolve(session.identity);
  caller.catch(() => {});
  let live: Posture | undefined;
  if (options.checkState !== false) {
    // The caller's failure first: credentials for another account also
    // make the reads fail, and that is the line the operator needs.
    const [reading, who] = await Promise.allSettled([
      currentState(session, plan, {
        ...(options.alsoApplied ? { alsoApplied: options.alsoApplied } : {}),
      }),
      caller,
    ]);
    if (who.status === 'rejected') throw who.reason;
    if (reading.status === 'rejected') throw reading.reason;
    const current = reading.value;
    const { state } = current;
    if (state.state === 'applied') return { status: 'already-applied' };
    if (state.state === 'stale')
      return { status: 'stale', reason: state.reason, drift: state.drift };
    live = current.live;
  }
  const [validation, identity] = await Promise.all([checking, caller]);
  if (blocksApply(validation)) {
    return {
      status: 'blocked',
      reason: `${errorsLine(validation)}; nothing applied. Change the answers or fix the policy, then make a new plan.`,
      validation,
      lockout: [],
    };
  }
  // A Deny that stops the caller managing the policy or undoing the plan: refused before any write.
  const lockout = planLockout(
    plan,
    callerContext(identity.arn, session.endpoint, options.caller ?? {}),
  );
  if (lockout.length > 0 && !options.allowLockout) {
    return {
      status: 'blocked',
      reason: `${lockoutRefusal(lockout)}; nothing applied`,
      validation,
      lockout,
    };
  }
  const irreversible = options.accepted?.irreversible ? [] : irreversibleChanges(plan);
  const securityWarnings =
    needsConfirmation(validation) && options.accepted?.securityWarnings !== true;
  if (irreversible.length > 0 || securityWarnings) {
    return { status: 'needs-confirmation', irreversible, securityWarnings, validation };
  }
  return { status: 'ready', validation, ...(live ? { live } : {}) };
}
