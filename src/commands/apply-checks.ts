/**
 * What must hold before `apply` writes anything, shared by a single plan
 * (./apply.ts) and each section of a fleet plan (./fleet-apply.ts): the file
 * is valid, no earlier apply left an unfinished journal, the operator can
 * confirm (or passed the flags that stand in for it), the credentials are
 * for the plan's account and region, the plan is not stale, and its policies
 * pass IAM Access Analyzer's checks and the lockout guard.
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { ConnectionOptions } from '../aws/clients.js';
import { AccountMismatchError, type AwsSession, connect } from '../aws/index.js';
import type { Gate, GateOptions } from '../flow/gate.js';
import { stateDir } from '../plan/apply/journal.js';
import { findUnfinishedJournals } from '../plan/apply/rollback.js';
import { type LoadedPlan, parsePlanFile } from '../plan/files/accounts-file.js';
import { MAX_FLEET_BYTES } from '../plan/files/fleet-file.js';
import { PlanFileError } from '../plan/files/plan-file.js';
import { readRegularFile, UnsafeFileError } from '../plan/files/safe-file.js';
import { digestMatches, planDigest, shortDigest } from '../plan/model/digest.js';
import type { Plan, Target } from '../plan/model/types.js';
import {
  needsConfirmation,
  type PolicyValidation,
  renderValidation,
  securityWarningsLine,
} from '../plan/policy/validation.js';
import { escapeControl } from '../plan/render/sanitise.js';
import { checkDerivation, checkFleetDerivation } from '../steps/provenance.js';
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
  /** Apply only the plan with this digest (as the review and `plan` show it). */
  readonly expectDigest?: string;
  /** Print the result as JSON on stdout (drift with its values); the rest goes to stderr. */
  readonly json?: boolean;
  /** Multi-account plans: the ExternalId the role's trust policy needs (never saved in the file). */
  readonly externalId?: string;
  readonly connection: ConnectionOptions;
}

/**
 * Reads and validates a plan file, single or fleet, before any AWS call. Only
 * a regular file is read, and no more than a fleet plan's limit; parsing then
 * holds a single plan to its own, smaller, limit. Then each plan is derived
 * again from what the file records produced it, and must be exactly that.
 */
export function loadAnyPlanFile(file: string): LoadedPlan {
  let text: string;
  try {
    text = readRegularFile(file, {
      bytes: MAX_FLEET_BYTES,
      what: 'a plan file, even a fleet plan,',
    });
  } catch (error) {
    if (error instanceof UnsafeFileError) throw new CommandError(error.message);
    throw error;
  }
  try {
    return checkedPlan(text);
  } catch (error) {
    if (error instanceof PlanFileError) throw new CommandError(`${file}: ${error.message}`);
    throw error;
  }
}

/**
 * A plan file's text, parsed and validated (PlanFileError otherwise), and
 * each plan in it derived again from what it records produced it: only what
 * s3-harden itself proposes from those inputs is applied.
 */
export function checkedPlan(text: string): LoadedPlan {
  const loaded = parsePlanFile(text);
  if (loaded.kind === 'plan') checkDerivation(loaded.plan);
  else if (loaded.kind === 'fleet') checkFleetDerivation(loaded.fleet);
  else {
    for (const [index, fleet] of loaded.accounts.accounts.entries()) {
      try {
        checkFleetDerivation(fleet);
      } catch (error) {
        if (error instanceof PlanFileError) {
          throw new PlanFileError(`accounts[${index}].${error.message}`);
        }
        throw error;
      }
    }
  }
  return loaded;
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

/** With --expect-digest, anything but the reviewed plan is refused before any AWS call. */
export function refuseOtherDigest(
  plans: Plan | readonly Plan[],
  options: ApplyCommandOptions,
): void {
  if (options.expectDigest === undefined) return;
  const digest = planDigest(plans);
  if (!digestMatches(digest, options.expectDigest)) {
    throw new CommandError(
      `the plan's digest is ${shortDigest(digest)}, not ${escapeControl(options.expectDigest)} as --expect-digest says: nothing applied`,
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
  options: ApplyCommandOptions & {
    /** Start reading before STS has answered (the gate waits for it): see ConnectionOptions.expectAccount. */
    readonly early?: boolean;
  },
): Promise<AwsSession> {
  const connection = { region: target.region, ...options.connection };
  if (connection.region !== target.region) {
    throw new CommandError(
      `the plan is for region ${target.region}, but --region is ${connection.region}`,
    );
  }
  if (options.early) {
    // Opened for the plan's account: STS answers beside the gate's reads,
    // and the gate refuses another account before judging anything.
    return connect({ ...connection, expectAccount: target.accountId });
  }
  const session = await connect(connection);
  if (session.identity.accountId !== target.accountId) {
    session.close();
    throw new AccountMismatchError(target.accountId, session.identity);
  }
  return session;
}

/** The gate's options from the command's flags. */
export function gateOptions(options: ApplyCommandOptions): GateOptions {
  return {
    caller: {
      ...(options.sourceIp ? { sourceIp: options.sourceIp } : {}),
      ...(options.vpce ? { sourceVpce: options.vpce } : {}),
    },
    ...(options.allowLockout ? { allowLockout: true } : {}),
    // With --yes the flags stand in for the typed confirmation; without, the prompt asks.
    accepted: options.yes
      ? {
          irreversible: options.allowIrreversible,
          securityWarnings: options.allowSecurityWarnings === true,
        }
      : {},
  };
}

export interface PolicyGate {
  readonly validation: PolicyValidation;
  /** The checks' report, to show with the plan. */
  readonly checks: ReturnType<typeof renderValidation>;
  /** Security warnings that need the typed confirmation. */
  readonly warned: boolean;
}

/**
 * A gate's refusal as the command reports it, or the policy checks to show
 * with the plan. Stale and already-applied are the caller's to report.
 * `show` prints the checks when they are the reason for a refusal.
 */
export function policyOutcome(
  result: Exclude<Gate, { status: 'stale' } | { status: 'already-applied' }>,
  options: ApplyCommandOptions,
  show: (checks: ReturnType<typeof renderValidation>) => void,
): PolicyGate {
  const { validation } = result;
  const checks = renderValidation(validation);
  if (result.status === 'blocked') {
    if (result.lockout.length > 0) {
      throw new CommandError(`${result.reason} (add --allow-lockout to apply anyway).`);
    }
    show(checks);
    throw new CommandError(result.reason);
  }
  const warned = needsConfirmation(validation);
  if (result.status === 'needs-confirmation' && result.securityWarnings && options.yes) {
    show(checks);
    throw new CommandError(
      `${securityWarningsLine(validation)}: add --allow-security-warnings to apply them with --yes`,
    );
  }
  return { validation, checks, warned };
}
