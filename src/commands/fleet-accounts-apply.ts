/**
 * `s3-harden apply accounts.json`: a multi-account plan (`plan --accounts`),
 * applied account by account. Before any AWS call: the file was validated
 * whole (each account's fleet as a fleet plan file), no bucket of any
 * account has an unfinished journal, and the ExternalId is given when the
 * role needs one (the file never holds it). Then the caller's credentials
 * must be those of the account that planned it, and each account is
 * entered as the role the file names (its own account with the caller's
 * credentials) and applied exactly as `apply fleet.json` does (./fleet-apply.ts:
 * its review, its confirmation, per-bucket drift checks, journals and rollback).
 * An account whose role cannot be assumed is one line and the run goes on;
 * the exit is then 4 (3 still wins: a rollback left incomplete needs you).
 * An account that does not apply cleanly ends the run (the later ones are
 * "not run") unless --on-error continue; Ctrl+C ends it whatever the flag.
 */
import { AssumeError, assumeAccount } from '../aws/accounts.js';
import { type AwsSession, connect } from '../aws/index.js';
import { irreversibleChanges } from '../flow/gate.js';
import type { AccountsPlan } from '../plan/files/accounts-file.js';
import { escapeControl } from '../plan/render/sanitise.js';
import {
  type ApplyCommandOptions,
  refuseIrreversible,
  refuseUnfinished,
  refuseWithoutTerminal,
} from './apply-checks.js';
import { CommandError, EXIT, type ExitCode } from './exit-codes.js';
import { runFleetApply } from './fleet-apply.js';
import { sectionsOf } from './fleet-section.js';

/** The run's exit from each account's: 3 first, then 4 (an account not entered), 130, 1, 0. */
function combined(codes: readonly ExitCode[], notEntered: number): ExitCode {
  if (codes.includes(EXIT.rollbackIncomplete)) return EXIT.rollbackIncomplete;
  if (notEntered > 0) return EXIT.accountsIncomplete;
  if (codes.includes(EXIT.interrupted)) return EXIT.interrupted;
  return codes.some((code) => code !== EXIT.ok) ? EXIT.error : EXIT.ok;
}

export async function runAccountsApply(
  plan: AccountsPlan,
  options: ApplyCommandOptions,
  stdout: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stdout,
  stderr: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stderr,
): Promise<ExitCode> {
  if (options.json) {
    throw new CommandError(
      '--json takes a single or fleet plan file; a multi-account plan prints a table per account',
    );
  }
  if (options.expectDigest) {
    throw new CommandError(
      '--expect-digest takes one plan’s digest; a multi-account plan has one per account',
    );
  }
  if (plan.externalId && options.externalId === undefined) {
    throw new CommandError(
      `the role ${plan.roleName} was assumed with an ExternalId, which plan files never hold: give it again with --external-id`,
    );
  }
  // Every account's buckets are checked for unfinished journals before any call.
  for (const fleet of plan.accounts) {
    for (const section of sectionsOf(fleet)) refuseUnfinished(section.plan.target, options);
  }
  refuseWithoutTerminal(options);
  refuseIrreversible(
    plan.accounts.flatMap((fleet) =>
      sectionsOf(fleet).flatMap((section) =>
        irreversibleChanges(section.plan).map(
          (change) => `${fleet.accountId} ${section.label}: ${change.title}`,
        ),
      ),
    ),
    options,
  );
  const print = (text: string) => stdout.write(`${text}\n`);
  const caller = await connect({
    ...(plan.accounts[0] ? { region: plan.accounts[0].region } : {}),
    ...options.connection,
  });
  try {
    if (caller.identity.accountId !== plan.callerAccountId) {
      throw new CommandError(
        `the plan was made from account ${plan.callerAccountId}, but these credentials are for account ${caller.identity.accountId}: run apply as the caller that planned it`,
      );
    }
    for (const entry of plan.notPlanned) {
      print(`· Account ${entry.accountId}: not in this plan: ${escapeControl(entry.reason)}`);
    }
    const codes: ExitCode[] = [];
    let notEntered = 0;
    // Ctrl+C during one account's apply ends that account (./fleet-apply.ts) and the run:
    // no later account is started.
    let interrupted = false;
    const onInterrupt = () => {
      interrupted = true;
    };
    process.on('SIGINT', onInterrupt);
    let halted: string | null = null;
    try {
      for (const fleet of plan.accounts) {
        if (interrupted) halted = 'interrupted';
        if (halted !== null) {
          print(`· Account ${fleet.accountId}: not run (${halted})`);
          codes.push(EXIT.error);
          continue;
        }
        print(`\n══ Account ${fleet.accountId} ══`);
        const own = fleet.accountId === caller.identity.accountId;
        let session: AwsSession;
        if (own) session = caller;
        else {
          try {
            session = await assumeAccount(caller, fleet.accountId, {
              roleName: plan.roleName,
              ...(options.externalId !== undefined ? { externalId: options.externalId } : {}),
            });
          } catch (error) {
            if (!(error instanceof AssumeError)) throw error;
            print(`✗ Account ${fleet.accountId}: not applied: ${escapeControl(error.message)}`);
            notEntered += 1;
            continue;
          }
        }
        try {
          if (interrupted) {
            halted = 'interrupted';
            print(`· Account ${fleet.accountId}: not run (interrupted)`);
            codes.push(EXIT.error);
            continue;
          }
          const code = await runFleetApply(fleet, options, stdout, stderr, session);
          codes.push(code);
          if (interrupted) halted = 'interrupted';
          else if (code !== EXIT.ok && options.onError !== 'continue') {
            halted = `account ${fleet.accountId} did not apply cleanly; --on-error continue goes on`;
          }
        } catch (error) {
          // A refusal (policy errors, a lockout, another account's credentials) is that account's.
          if (!(error instanceof CommandError)) throw error;
          print(`✗ Account ${fleet.accountId}: not applied: ${escapeControl(error.message)}`);
          codes.push(error.exitCode);
          if (options.onError !== 'continue') {
            halted = `account ${fleet.accountId} was not applied; --on-error continue goes on`;
          }
        } finally {
          if (!own) session.close();
        }
      }
    } finally {
      process.off('SIGINT', onInterrupt);
    }
    const code = combined(codes, notEntered);
    const applied = codes.filter((entry) => entry === EXIT.ok).length;
    print(
      `\nAccounts: ${applied} of ${plan.accounts.length} applied cleanly${notEntered > 0 ? `, ${notEntered} not entered` : ''}${plan.notPlanned.length > 0 ? `, ${plan.notPlanned.length} not in the plan` : ''}.`,
    );
    return code;
  } finally {
    caller.close();
  }
}
