/**
 * `s3-harden apply plan.json`: validates the file before any AWS call,
 * refuses a stale plan, checks its policies again with IAM Access Analyzer
 * (a saved plan may be old: errors are refused, security warnings need the
 * typed confirmation or --allow-security-warnings), confirms, applies with
 * the journal, rolls back on failure or Ctrl+C, and verifies.
 *
 * A fleet plan file goes to ./fleet-apply.ts, which applies each bucket's
 * section with the same steps, exported here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { ConnectionOptions } from '../aws/clients.js';
import { type AwsSession, connect } from '../aws/index.js';
import { describeDrift, findDrift } from '../plan/drift.js';
import { type ApplyOutcome, executePlan } from '../plan/executor.js';
import { type AnyPlan, parseAnyPlan } from '../plan/fleet-file.js';
import { openJournal, stateDir } from '../plan/journal.js';
import { callerContext, lockoutRefusal, planLockout } from '../plan/lockout.js';
import { PlanFileError } from '../plan/plan-file.js';
import { renderPlan } from '../plan/render.js';
import { outcomeLines } from '../plan/render-outcome.js';
import { findUnfinishedJournals } from '../plan/rollback.js';
import type { Change, Plan, Posture, ResourceKey, Target } from '../plan/types.js';
import {
  blocksApply,
  errorsLine,
  needsConfirmation,
  type PolicyValidation,
  renderValidation,
  securityWarningsLine,
} from '../plan/validation.js';
import { CommandError, EXIT, type ExitCode } from './exit-codes.js';
import { colourEnabled, formatLines } from './style.js';

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
export async function confirm(question: string, expected: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
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
  const live = await session.observe(
    target.bucket,
    keys.filter((resource) => !resource.startsWith('logTarget.')),
    creates ? { newBucket: { region: target.region, assumed: plan.observed } } : {},
  );
  return target.logBucket ? session.observeLogTarget(live, target.logBucket) : live;
}

/** Why the plan is stale ("resource: plan saw X, now Y; …"), or null when it still holds. */
export function staleReason(plan: Plan, live: Posture): string | null {
  const drift = findDrift(plan, live);
  return drift.length > 0 ? describeDrift(drift).join('; ') : null;
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

/**
 * Ctrl+C while applying: the call in flight finishes, then what was applied
 * is rolled back. `dispose` removes the handler.
 */
export function interruptible(print: (text: string) => void): {
  readonly signal: AbortSignal;
  dispose(): void;
} {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (!controller.signal.aborted) {
      print('\nCancelling: finishing the call in flight, then rolling back what was applied…');
      controller.abort();
    }
  };
  process.on('SIGINT', onInterrupt);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onInterrupt) };
}

/** Applies one plan with its own journal, announcing each call as it starts. */
export async function applyWithJournal(
  session: AwsSession,
  plan: Plan,
  signal: AbortSignal,
  print: (text: string) => void,
): Promise<ApplyOutcome> {
  const { target } = plan;
  const journal = openJournal(target);
  const announced = new Set<string>();
  try {
    return await executePlan(plan, {
      run: (call) => session.execute(call),
      read: (resource) => session.read(target, resource),
      journal,
      signal,
      cli: { region: target.region, ...(session.endpoint ? { endpoint: session.endpoint } : {}) },
      onProgress(results) {
        // Announce each call as it starts; the full report follows at the end.
        for (const result of results) {
          const verb =
            result.status === 'applying'
              ? 'applying'
              : result.status === 'rolling-back'
                ? 'rolling back'
                : null;
          const key = `${verb}:${result.change.id}`;
          if (verb && !announced.has(key)) {
            announced.add(key);
            print(`  … ${verb} ${result.change.title}`);
          }
        }
      },
    });
  } finally {
    journal.close();
  }
}

/** 0 applied and verified, 1 rolled back (or applied but not reading back), 3 rollback incomplete. */
export function outcomeExit(outcome: ApplyOutcome): ExitCode {
  if (outcome.status === 'applied') {
    return outcome.results.every((result) => result.verified !== false) ? EXIT.ok : EXIT.error;
  }
  return outcome.status === 'rolled-back' ? EXIT.error : EXIT.rollbackIncomplete;
}

export async function runApply(
  options: ApplyCommandOptions,
  stdout = process.stdout,
): Promise<ExitCode> {
  // Validate the whole file first: an invalid plan makes no API call at all.
  const loaded = loadAnyPlanFile(options.file);
  if (loaded.kind === 'fleet') {
    const { runFleetApply } = await import('./fleet-apply.js');
    return runFleetApply(loaded.fleet, options, stdout);
  }
  const { plan } = loaded;
  const { target } = plan;
  refuseUnfinished(target, options);
  refuseWithoutTerminal(options);
  const irreversible = irreversibleChanges(plan);
  refuseIrreversible(
    irreversible.map((change) => change.title),
    options,
  );
  const colour = colourEnabled(stdout);
  const print = (text: string) => stdout.write(`${text}\n`);

  const session = await connectFor(target, options);
  try {
    const stale = staleReason(plan, await observeLive(session, plan));
    if (stale) {
      throw new CommandError(`the plan is stale: ${stale}. Make a new plan with s3-harden plan.`);
    }
    const { validation, checks, warned } = await policyGate(session, plan, options, (lines) =>
      print(formatLines(lines, colour)),
    );
    print(formatLines(renderPlan(plan), colour));
    if (checks.length > 0) print(`\n${formatLines(checks, colour)}`);
    if (plan.changes.length === 0) return EXIT.ok;

    if (!options.yes) {
      const count = plan.changes.length;
      // Irreversible changes and security warnings are confirmed by typing the bucket name.
      const reasons = [
        ...(irreversible.length > 0
          ? [
              `${irreversible.length} change(s) cannot be undone: ${irreversible.map((change) => change.title).join(', ')}.`,
            ]
          : []),
        ...(warned ? [`${securityWarningsLine(validation)}, listed above.`] : []),
      ];
      const typed = reasons.length > 0;
      const question = typed
        ? `\n${reasons.join('\n')}\nType the bucket name (${target.bucket}) to apply ${count} change${count === 1 ? '' : 's'}: `
        : `\nApply ${count} change${count === 1 ? '' : 's'} to ${target.bucket}? Type "yes" to continue: `;
      const agreed = await confirm(question, typed ? target.bucket : 'yes');
      if (!agreed) {
        print('Nothing applied.');
        return EXIT.error;
      }
    }

    const interrupt = interruptible(print);
    print('');
    try {
      const outcome = await applyWithJournal(session, plan, interrupt.signal, print);
      print('');
      print(formatLines(outcomeLines(outcome), colour));
      return outcomeExit(outcome);
    } finally {
      interrupt.dispose();
    }
  } finally {
    session.close();
  }
}
