/**
 * `plan --all|--match … --accounts … --role-name …`: a fleet plan in each
 * account, entered as `audit --accounts` enters them (./audit-accounts.ts:
 * the caller's own account with its own credentials, the others through
 * the role), one account after another. Each account's fleet is planned
 * exactly as a one-account fleet (./fleet-plan.ts), shown under its
 * account's heading, and saved grouped by account in one multi-account
 * plan file (../plan/files/accounts-file.ts) holding the role's name, never
 * the ExternalId. An account that cannot be entered, listed or reached is
 * one line; the others are planned and the exit is 4.
 */
import { AssumeError, assumeAccount, roleArn } from '../aws/accounts.js';
import { type AwsSession, connect } from '../aws/index.js';
import {
  type AccountNotPlanned,
  type AccountsPlan,
  savedAccountsText,
} from '../plan/files/accounts-file.js';
import type { FleetPlan } from '../plan/fleet/fleet.js';
import { escapeControl, jsonText } from '../plan/render/sanitise.js';
import { TOOL } from '../version.js';
import { type AccountsSelection, members, NetworkCheck } from './audit-accounts.js';
import { CommandError, EXIT, type ExitCode } from './exit-codes.js';
import {
  type FleetPlanCommandOptions,
  fleetText,
  fleetToJson,
  type PlannedFleet,
  planFleetIn,
  refusal,
} from './fleet-plan.js';
import { saveFile } from './plan.js';
import { colourEnabled } from './style.js';

type Stream = { isTTY?: boolean; write(text: string): unknown };

/**
 * One account's fleet, planned through `session`; a failure that is the
 * account's becomes its reason (an endpoint that cannot be reached
 * included: the run stops only when the caller cannot reach it either,
 * before any account was planned — NetworkCheck in ./audit-accounts.ts).
 */
async function planMember(
  caller: AwsSession,
  accountId: string,
  selection: AccountsSelection,
  options: FleetPlanCommandOptions,
  progressStream: Stream,
  network: NetworkCheck,
): Promise<{ planned: PlannedFleet; session: AwsSession } | { failed: string }> {
  const own = accountId === caller.identity.accountId;
  let session: AwsSession;
  if (own) session = caller;
  else {
    const entering = network.entering();
    try {
      session = await assumeAccount(entering.via, accountId, {
        roleName: selection.roleName as string,
        ...(selection.externalId !== undefined ? { externalId: selection.externalId } : {}),
      });
    } catch (error) {
      if (!(error instanceof AssumeError)) throw error;
      await network.failed(accountId, entering.unreachable());
      return { failed: error.message };
    }
  }
  try {
    const planned = await planFleetIn(session, options, progressStream, true);
    network.succeeded();
    return { planned, session };
  } catch (error) {
    if (!own) session.close();
    // This account's (the caller's own included: its buckets not listed is
    // one line, as for any), unreachable or not.
    if (error instanceof Error && error.name !== 'Error') {
      await network.failed(accountId, error);
      return { failed: error.message };
    }
    throw error;
  }
}

/**
 * Whose credentials a section's AWS CLI commands take. A member account's
 * run in that account, through its role: printed with the caller's
 * --profile they would go to the caller's own account (a key or a trail
 * created there), so they carry the endpoint only, under a note saying
 * which role to use.
 */
function cliSessionFor(
  caller: AwsSession,
  accountId: string,
): Pick<AwsSession, 'endpoint' | 'profile'> {
  if (accountId === caller.identity.accountId) return caller;
  return { endpoint: caller.endpoint, profile: undefined };
}

function memberCliNote(caller: AwsSession, accountId: string, roleName: string): string {
  if (accountId === caller.identity.accountId) return '';
  const role = roleArn(caller.identity.arn, accountId, roleName);
  return `AWS CLI commands below run in account ${accountId}: use credentials of ${escapeControl(role)} (not the caller's).\n`;
}

export async function runAccountsFleetPlan(
  options: FleetPlanCommandOptions & { readonly accounts: AccountsSelection },
  stdout: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stdout,
  progressStream: Stream = process.stderr,
): Promise<ExitCode> {
  const caller = await connect(options.connection);
  try {
    const accounts = await members(caller, options.accounts);
    const planned: { accountId: string; fleet: PlannedFleet; calls: Record<string, number> }[] = [];
    const notPlanned: AccountNotPlanned[] = [];
    const colour = colourEnabled(stdout);
    const json = Boolean(options.json);
    const network = new NetworkCheck(caller);
    for (const member of accounts) {
      const result = await planMember(
        caller,
        member.id,
        options.accounts,
        options,
        progressStream,
        network,
      );
      if ('failed' in result) {
        const reason = result.failed.replace(/\s*\n\s*/g, ' ');
        notPlanned.push({ accountId: member.id, reason });
        if (!json)
          stdout.write(`✗ Account ${member.id}: not planned: ${escapeControl(reason)}\n\n`);
        continue;
      }
      const calls = result.session.callCounts();
      if (result.session !== caller) result.session.close();
      planned.push({ accountId: member.id, fleet: result.planned, calls });
      if (!json) {
        stdout.write(`══ Account ${member.id} ══\n`);
        stdout.write(
          result.planned.names.length === 0
            ? 'No buckets to plan here.\n\n'
            : `${memberCliNote(caller, member.id, options.accounts.roleName as string)}${fleetText(result.planned.fleet, result.planned.checked, cliSessionFor(caller, member.id), colour)}\n`,
        );
      }
    }
    const file: AccountsPlan = {
      createdAt: new Date().toISOString(),
      callerAccountId: caller.identity.accountId,
      roleName: options.accounts.roleName as string,
      externalId: options.accounts.externalId !== undefined,
      accounts: planned.map((entry): FleetPlan => entry.fleet.fleet),
      notPlanned,
    };
    const saveError = options.out
      ? saveFile(options.out, () => savedAccountsText(file, TOOL), options.force)
      : null;
    if (json) {
      stdout.write(
        `${jsonText({
          callerAccountId: file.callerAccountId,
          roleName: file.roleName,
          accounts: planned.map((entry) => ({
            ...fleetToJson(entry.fleet.fleet, entry.fleet.checked, entry.calls),
          })),
          notPlanned,
        })}\n`,
      );
    } else if (options.out && !saveError) {
      const out = escapeControl(options.out);
      stdout.write(
        `Saved the plan for ${planned.length} account${planned.length === 1 ? '' : 's'} to ${out}. Apply it with: s3-harden apply ${out}${file.externalId ? ' --external-id …' : ''}\n`,
      );
    }
    if (saveError) throw saveError;
    for (const entry of planned) {
      const problem = refusal(entry.fleet.checked, Boolean(options.allowLockout));
      if (problem) throw new CommandError(`account ${entry.accountId}: ${problem.message}`);
    }
    if (notPlanned.length > 0) {
      throw new CommandError(
        `${notPlanned.length} of ${accounts.length} accounts could not be planned (each is listed, with the reason)`,
        EXIT.accountsIncomplete,
      );
    }
    return planned.some((entry) => entry.fleet.checked.some((c) => c.plan.changes.length > 0))
      ? EXIT.changes
      : EXIT.ok;
  } finally {
    caller.close();
  }
}
