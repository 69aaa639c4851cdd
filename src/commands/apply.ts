/**
 * `s3-harden apply plan.json`: validates the file before any AWS call,
 * refuses a stale plan, checks its policies again with IAM Access Analyzer
 * (a saved plan may be old: errors are refused, security warnings need the
 * typed confirmation or --allow-security-warnings), confirms, applies with
 * the journal, rolls back on failure or Ctrl+C, and verifies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { ConnectionOptions } from '../aws/clients.js';
import { connect } from '../aws/index.js';
import { describeDrift, findDrift } from '../plan/drift.js';
import { executePlan } from '../plan/executor.js';
import { openJournal, stateDir } from '../plan/journal.js';
import { callerContext, lockoutRefusal, planLockout } from '../plan/lockout.js';
import { PlanFileError, parsePlan } from '../plan/plan-file.js';
import { renderPlan } from '../plan/render.js';
import { outcomeLines } from '../plan/render-outcome.js';
import { findUnfinishedJournals } from '../plan/rollback.js';
import type { Plan, ResourceKey } from '../plan/types.js';
import {
  blocksApply,
  errorsLine,
  needsConfirmation,
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
  readonly connection: ConnectionOptions;
}

export function loadPlanFile(file: string): Plan {
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
    return parsePlan(text);
  } catch (error) {
    if (error instanceof PlanFileError) throw new CommandError(`${file}: ${error.message}`);
    throw error;
  }
}

/** Asks on the terminal; true only when the answer is exactly `expected`. */
async function confirm(question: string, expected: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await prompt.question(question)).trim() === expected;
  } finally {
    prompt.close();
  }
}

export async function runApply(
  options: ApplyCommandOptions,
  stdout = process.stdout,
): Promise<ExitCode> {
  // Validate the whole file first: an invalid plan makes no API call at all.
  const plan = loadPlanFile(options.file);
  const { target } = plan;
  // An earlier apply that crashed may have left changes half-applied: undo them first.
  const unfinished = options.ignoreUnfinished
    ? []
    : findUnfinishedJournals(target, join(stateDir(), 'journals'));
  if (unfinished.length > 0) {
    throw new CommandError(
      `an earlier apply to ${target.bucket} did not finish: run s3-harden rollback ${unfinished.at(-1)} first (or pass --ignore-unfinished)`,
    );
  }
  if (!options.yes && !process.stdin.isTTY) {
    throw new CommandError(
      'refusing to apply without confirmation: pass --yes when not in a terminal',
    );
  }
  const irreversible = plan.changes.filter((change) => change.undo === null);
  if (options.yes && irreversible.length > 0 && !options.allowIrreversible) {
    throw new CommandError(
      `the plan has ${irreversible.length} change(s) that cannot be undone (${irreversible.map((change) => change.title).join(', ')}): add --allow-irreversible to apply them with --yes`,
    );
  }
  const connection = { region: target.region, ...options.connection };
  if (connection.region !== target.region) {
    throw new CommandError(
      `the plan is for region ${target.region}, but --region is ${connection.region}`,
    );
  }
  const colour = colourEnabled(stdout);
  const print = (text: string) => stdout.write(`${text}\n`);

  const session = await connect(connection);
  try {
    if (session.identity.accountId !== target.accountId) {
      throw new CommandError(
        `the plan is for account ${target.accountId}, but these credentials are for account ${session.identity.accountId}`,
      );
    }
    // A plan that creates its bucket was made against a bucket that does not
    // exist yet: it stays valid only while that is still so.
    const creates = 'bucket.exists' in plan.observed && plan.observed['bucket.exists'] === null;
    const keys = Object.keys(plan.observed) as ResourceKey[];
    let live = await session.observe(
      target.bucket,
      keys.filter((resource) => !resource.startsWith('logTarget.')),
      creates ? { newBucket: { region: target.region, assumed: plan.observed } } : {},
    );
    if (target.logBucket) live = await session.observeLogTarget(live, target.logBucket);
    const drift = findDrift(plan, live);
    if (drift.length > 0) {
      throw new CommandError(
        `the plan is stale: ${describeDrift(drift).join('; ')}. Make a new plan with s3-harden plan.`,
      );
    }
    // The plan may be old, and Access Analyzer's checks change: check again.
    const validation = await session.validatePolicies(plan);
    const checks = renderValidation(validation);
    if (blocksApply(validation)) {
      print(formatLines(checks, colour));
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
      print(formatLines(checks, colour));
      throw new CommandError(
        `${securityWarningsLine(validation)}: add --allow-security-warnings to apply them with --yes`,
      );
    }
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

    const controller = new AbortController();
    const onInterrupt = () => {
      if (!controller.signal.aborted) {
        print('\nCancelling: finishing the call in flight, then rolling back what was applied…');
        controller.abort();
      }
    };
    process.on('SIGINT', onInterrupt);
    const journal = openJournal(target);
    print('');
    const announced = new Set<string>();
    try {
      const outcome = await executePlan(plan, {
        run: (call) => session.execute(call),
        read: (resource) => session.read(target, resource),
        journal,
        signal: controller.signal,
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
      print('');
      print(formatLines(outcomeLines(outcome), colour));
      if (outcome.status === 'applied') {
        return outcome.results.every((result) => result.verified !== false) ? EXIT.ok : EXIT.error;
      }
      return outcome.status === 'rolled-back' ? EXIT.error : EXIT.rollbackIncomplete;
    } finally {
      journal.close();
      process.off('SIGINT', onInterrupt);
    }
  } finally {
    session.close();
  }
}
