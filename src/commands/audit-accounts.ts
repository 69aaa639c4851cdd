/**
 * `audit --accounts`: the same audit in many accounts. The caller lists the
 * organisation's ACTIVE accounts (--accounts all) or names them, and enters
 * each through the role --role-name names there (its own account with its
 * own credentials). Accounts run a few at a time; each has its own session
 * (credentials cache, clients per region, memo), made when its turn comes
 * and closed when it is done, so memory follows the concurrency, not the
 * size of the organisation. An account that cannot be entered or listed is
 * one failed entry, with the reason, and the run goes on.
 */
import {
  AssumeError,
  assumeAccount,
  listActiveAccounts,
  type MemberAccount,
  roleArn as roleArnFor,
} from '../aws/accounts.js';
import { mapLimit } from '../aws/families/map-limit.js';
import { AwsError, type AwsSession } from '../aws/index.js';
import { buildReport } from '../plan/audit/report.js';
import type { AccountEntry, AuditReport, BucketAudit } from '../plan/audit/schema.js';
import { TOOL } from '../version.js';
import { type AccountScope, auditAccountBuckets } from './audit-buckets.js';
import { CommandError } from './exit-codes.js';
import { createProgress } from './progress.js';

export interface AccountsSelection {
  /** Every ACTIVE account of the organisation, or these IDs. */
  readonly ids: 'all' | readonly string[];
  /** Left out (--exclude-accounts): sandboxes, suspended-in-all-but-name, the log archive… */
  readonly exclude?: readonly string[];
  /** The role assumed in each account but the caller's own. */
  readonly roleName?: string;
  readonly externalId?: string;
  /** Accounts audited at once. */
  readonly concurrency: number;
}

/** The accounts the run covers, in ID order. */
export async function members(
  caller: AwsSession,
  selection: AccountsSelection,
): Promise<MemberAccount[]> {
  const kept = (account: MemberAccount) => !selection.exclude?.includes(account.id);
  if (selection.ids !== 'all') {
    return [...new Set(selection.ids)]
      .sort()
      .map((id) => ({ id }))
      .filter(kept);
  }
  try {
    return (await listActiveAccounts(caller)).filter(kept);
  } catch (error) {
    throw new CommandError(
      `--accounts all: cannot list the organisation's accounts: ${(error as Error).message}`,
    );
  }
}

function addCounts(total: Record<string, number>, counts: Record<string, number>): void {
  for (const [key, n] of Object.entries(counts)) total[key] = (total[key] ?? 0) + n;
}

interface AccountRun {
  readonly entry: AccountEntry;
  readonly audits: BucketAudit[];
}

/** One account: entered, audited, closed; never rejects but for an endpoint that cannot be reached. */
async function auditMember(
  caller: AwsSession,
  member: MemberAccount,
  selection: AccountsSelection,
  scope: Omit<AccountScope, 'accountId'>,
  counts: Record<string, number>,
): Promise<AccountRun> {
  const own = member.id === caller.identity.accountId;
  const base = { accountId: member.id, ...(member.name ? { name: member.name } : {}) };
  const failed = (error: string, roleArn?: string): AccountRun => ({
    entry: { ...base, ...(roleArn ? { roleArn } : {}), status: 'failed', error, buckets: 0 },
    audits: [],
  });
  let session: AwsSession;
  if (own) session = caller;
  else if (!selection.roleName) return failed('no --role-name to enter it with');
  else {
    try {
      session = await assumeAccount(caller, member.id, {
        roleName: selection.roleName,
        ...(selection.externalId ? { externalId: selection.externalId } : {}),
      });
    } catch (error) {
      if (error instanceof AssumeError) return failed(error.message, error.roleArn);
      throw error;
    }
  }
  const roleArn =
    own || !selection.roleName
      ? undefined
      : roleArnFor(caller.identity.arn, member.id, selection.roleName);
  try {
    const result = await auditAccountBuckets(session.memoised(), {
      ...scope,
      accountId: member.id,
    });
    return {
      entry: {
        ...base,
        ...(roleArn ? { roleArn } : {}),
        status: 'audited',
        buckets: result.audits.length,
        ...(result.account ? { results: result.account.results } : {}),
      },
      audits: result.audits,
    };
  } catch (error) {
    // An endpoint nobody can reach stops the run (every account would fail alike);
    // a bucket list refused, credentials gone: this account only.
    if (error instanceof AwsError && error.kind === 'unreachable') throw error;
    return failed((error as Error).message, roleArn);
  } finally {
    if (!own) {
      addCounts(counts, session.callCounts());
      session.close();
    }
  }
}

/** The report of a multi-account run: every account's rows, and one entry per account. */
export async function auditAccountsReport(
  caller: AwsSession,
  selection: AccountsSelection,
  scope: Omit<AccountScope, 'accountId'> & { readonly cisVersion?: AuditReport['cisVersion'] },
  started: number = Date.now(),
  progressStream: Parameters<typeof createProgress>[2] = process.stderr,
): Promise<AuditReport> {
  const accounts = await members(caller, selection);
  const counts: Record<string, number> = {};
  const progress = createProgress(accounts.length, 'accounts', progressStream);
  let runs: AccountRun[];
  try {
    runs = await mapLimit(accounts, selection.concurrency, async (member) => {
      const run = await auditMember(caller, member, selection, scope, counts);
      progress.tick();
      return run;
    });
  } finally {
    progress.done();
  }
  addCounts(counts, caller.callCounts());
  return buildReport({
    tool: TOOL,
    ...(scope.cisVersion ? { cisVersion: scope.cisVersion } : {}),
    accountId: caller.identity.accountId,
    region: caller.region,
    buckets: runs.flatMap((run) => run.audits),
    accounts: runs.map((run) => run.entry),
    ...(scope.regions ? { regions: scope.regions } : {}),
    calls: counts,
    durationMs: Date.now() - started,
  });
}
