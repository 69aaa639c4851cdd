/**
 * What must hold before `apply` writes anything, shared by a single plan
 * (./apply.ts) and each section of a fleet plan (./fleet-apply.ts): the file
 * is valid, no earlier apply left an unfinished journal, the operator can
 * confirm (or passed the flags that stand in for it), the credentials are
 * for the plan's account and region, the plan is not stale, and its policies
 * pass IAM Access Analyzer's checks and the lockout guard.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { ConnectionOptions } from '../aws/clients.js';
import { type AwsSession, connect } from '../aws/index.js';
import { type Drift, describeDrift, findDrift, isApplied } from '../plan/apply/drift.js';
import { stateDir } from '../plan/apply/journal.js';
import { findUnfinishedJournals } from '../plan/apply/rollback.js';
import { type AnyPlan, parseAnyPlan } from '../plan/files/fleet-file.js';
import { PlanFileError } from '../plan/files/plan-file.js';
import type { Change, Plan, Posture, ResourceKey, Target } from '../plan/model/types.js';
import { callerContext, lockoutRefusal, planLockout } from '../plan/policy/lockout.js';
import {
  blocksApply,
  errorsLine,
  needsConfirmation,
  type PolicyValidation,
  renderValidation,
  securityWarningsLine,
} from '../plan/policy/validation.js';
import { CommandError } from './exit-codes.js';

export interface ApplyCommandOptions {
  readonly file: string;
  readonly yes: boolean;
  /** With --yes: also apply changes that cannot be undone. */
  readonly allowIrreversible: boolean;
  /** With --yes: also apply policies IAM Access Analyzer has security warnings about. */
  readonly allowSecurityWarnings?: boolean;
  /** The caller's context for the lockout check: their public IP, their VPC endpoint. */
  readonly sourceIp?: string;
  readonly vpce?: string;
  /** Apply even when a Deny in the plan's policies would lock the caller out. */
  readonly allowLockout?: boolean;
  /** Apply even though an earlier apply to this bucket left an unfinished journal. */
  readonly ignoreUnfinished?: boolean;
  /** Fleet plans: after a bucket fails (and is rolled back), stop (default) or go on. */
  readonly onError?: 'stop' | 'continue';
  /** Print the result as JSON on stdout (drift with its values); the rest goes to stderr. */
  readonly json?: boolean;
  readonly connection: ConnectionOptions;
}

/** Reads and validates a plan file, single or fleet, before any AWS call. */
export function loadAnyPlanFile(file: string): AnyPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CommandError(
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  try {
    return parseAnyPlan(text);
  } catch (error) {
    if (error instanceof PlanFileError) throw new CommandError(`${file}: ${error.message}`);
    throw error;
  }
}

/** Asks on the terminal; true only when the answer is exactly `expected`. */
export async function confirm(
  question: string,
  expected: string,
  output: NodeJS.WritableStream = process.stdout,
): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output });
  try {
    return (await prompt.question(question)).trim() === expected;
  } finally {
    prompt.close();
  }
}

/** An earlier apply that crashed may have left changes half-applied: undo them first. */
export function refuseUnfinished(target: Target, options: ApplyCommandOptions): void {
  const unfinished = options.ignoreUnfinished
    ? []
    : findUnfinishedJournals(target, join(stateDir(), 'journals'));
  if (unfinished.length > 0) {
    throw new CommandError(
      `an earlier apply to ${target.bucket} did not finish: run s3-harden rollback ${unfinished.at(-1)} first (or pass --ignore-unfinished)`,
    );
  }
}

export function refuseWithoutTerminal(options: ApplyCommandOptions): void {
  if (!options.yes && !process.stdin.isTTY) {
    throw new CommandError(
      'refusing to apply without confirmation: pass --yes when not in a terminal',
    );
  }
}

export const irreversibleChanges = (plan: Plan): Change[] =>
  plan.changes.filter((change) => change.undo === null);

/** With --yes, changes that cannot be undone need --allow-irreversible too. */
export function refuseIrreversible(titles: readonly string[], options: ApplyCommandOptions): void {
  if (options.yes && titles.length > 0 && !options.allowIrreversible) {
    throw new CommandError(
      `the plan has ${titles.length} change(s) that cannot be undone (${titles.join(', ')}): add --allow-irreversible to apply them with --yes`,
    );
  }
}

/** Connects for the plan's account and region; refuses other credentials before any write. */
export async function connectFor(
  target: Pick<Target, 'accountId' | 'region'>,
  options: ApplyCommandOptions,
): Promise<AwsSession> {
  const connection = { region: target.region, ...options.connection };
  if (connection.region !== target.region) {
    throw new CommandError(
      `the plan is for region ${target.region}, but --region is ${connection.region}`,
    );
  }
  const session = await connect(connection);
  if (session.identity.accountId !== target.accountId) {
    session.close();
    throw new CommandError(
      `the plan is for account ${target.accountId}, but these credentials are for account ${session.identity.accountId}`,
    );
  }
  return session;
}

/** Reads now every resource the plan observed (and `extra` ones), for the drift check. */
export async function observeLive(
  session: AwsSession,
  plan: Plan,
  extra: readonly ResourceKey[] = [],
): Promise<Posture> {
  const { target } = plan;
  // A plan that creates its bucket was made against a bucket that does not
  // exist yet: it stays valid only while that is still so.
  const creates = 'bucket.exists' in plan.observed && plan.observed['bucket.exists'] === null;
  const keys = [...new Set([...(Object.keys(plan.observed) as ResourceKey[]), ...extra])];
  const own = keys.filter((resource) => !resource.startsWith('logTarget.'));
  let live = await session.observe(
    target.bucket,
    own,
    creates ? { newBucket: { region: target.region, assumed: plan.observed } } : {},
  );
  // The bucket exists after all (an earlier run of this plan created it):
  // what it holds now is read, so the plan shows as already applied, or stale.
  if (creates && live.values['bucket.exists'] !== null && !live.unreadable['bucket.exists']) {
    live = await session.observe(target.bucket, own);
  }
  return target.logBucket ? session.observeLogTarget(live, target.logBucket) : live;
}

/** Whether a plan may go ahead, given what its resources read now. */
export type PlanState =
  /** Everything reads as the plan saw it. */
  | { readonly state: 'ready' }
  /** Everything it writes already reads as it leaves it: nothing to do. */
  | { readonly state: 'applied' }
  /** Anything else: refused, with a one-line reason and the drift itself. */
  | { readonly state: 'stale'; readonly reason: string; readonly drift: readonly Drift[] };

/**
 * Ready, already applied, or stale. `alsoApplied` gives, for a change, other
 * values that count as applied (see isApplied).
 */
export function planState(
  plan: Plan,
  live: Posture,
  alsoApplied?: Parameters<typeof isApplied>[2],
): PlanState {
  const drift = findDrift(plan, live);
  if (drift.length === 0) return { state: 'ready' };
  if (isApplied(plan, live, alsoApplied)) return { state: 'applied' };
  return { state: 'stale', reason: describeDrift(drift), drift };
}

export interface PolicyGate {
  readonly validation: PolicyValidation;
  /** The checks' report, to show with the plan. */
  readonly checks: ReturnType<typeof renderValidation>;
  /** Security warnings that need the typed confirmation. */
  readonly warned: boolean;
}

/**
 * The plan may be old, and Access Analyzer's checks change: checks its
 * policies again, and refuses errors, a lockout (unless --allow-lockout) and,
 * with --yes, security warnings (unless --allow-security-warnings). `show`
 * prints the checks when they are the reason for a refusal.
 */
export async function policyGate(
  session: AwsSession,
  plan: Plan,
  options: ApplyCommandOptions,
  show: (checks: ReturnType<typeof renderValidation>) => void,
): Promise<PolicyGate> {
  const validation = await session.validatePolicies(plan);
  const checks = renderValidation(validation);
  if (blocksApply(validation)) {
    show(checks);
    throw new CommandError(
      `${errorsLine(validation)}; nothing applied. Change the answers or fix the policy, then make a new plan.`,
    );
  }
  // A Deny that stops the caller managing the policy or undoing the plan: refused before any write.
  const lockout = planLockout(
    plan,
    callerContext(session.identity.arn, session.endpoint, {
      ...(options.sourceIp ? { sourceIp: options.sourceIp } : {}),
      ...(options.vpce ? { sourceVpce: options.vpce } : {}),
    }),
  );
  if (lockout.length > 0 && !options.allowLockout) {
    throw new CommandError(
      `${lockoutRefusal(lockout)}; nothing applied (add --allow-lockout to apply anyway).`,
    );
  }
  const warned = needsConfirmation(validation);
  if (warned && options.yes && !options.allowSecurityWarnings) {
    show(checks);
    throw new CommandError(
      `${securityWarningsLine(validation)}: add --allow-security-warnings to apply them with --yes`,
    );
  }
  return { validation, checks, warned };
}
