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
import type { AccountEntry, BucketAudit } from '../plan/audit/schema.js';
import { type AccountScope, auditAccountBuckets, type RowSink } from './audit-buckets.js';
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

/**
 * The rows of accounts audited at once, handed on in account order: the
 * first unfinished account's as they come, a later one's held until every
 * account before it is done (so the rows held are those of the accounts in
 * flight, never the whole organisation's).
 */
export class AccountOrder {
  private current = 0;
  private draining = false;
  private readonly held = new Map<number, { rows: BucketAudit[]; done: boolean }>();

  constructor(private readonly onRow: RowSink) {}

  private entry(index: number) {
    const entry = this.held.get(index) ?? { rows: [], done: false };
    this.held.set(index, entry);
    return entry;
  }

  row(index: number, row: BucketAudit): void | Promise<void> {
    if (index === this.current && !this.draining) return this.onRow(row);
    this.entry(index).rows.push(row);
  }

  async done(index: number): Promise<void> {
    this.entry(index).done = true;
    if (index !== this.current || this.draining) return;
    this.draining = true;
    try {
      while (this.entry(this.current).done) {
        this.held.delete(this.current);
        this.current += 1;
        const next = this.entry(this.current);
        // Rows that arrive meanwhile join the list, and are said in turn.
        for (let i = 0; i < next.rows.length; i++) await this.onRow(next.rows[i] as BucketAudit);
        next.rows = [];
      }
    } finally {
      this.draining = false;
    }
  }
}

/**
 * One account: entered, audited (its rows to `onRow`, as they are built),
 * closed; its entry. Never rejects but for an endpoint that cannot be
 * reached. An account that fails part way keeps the rows already given.
 */
async function auditMember(
  caller: AwsSession,
  member: MemberAccount,
  selection: AccountsSelection,
  scope: Omit<AccountScope, 'accountId'>,
  counts: Record<string, number>,
  onRow: RowSink,
): Promise<AccountEntry> {
  const own = member.id === caller.identity.accountId;
  const base = { accountId: member.id, ...(member.name ? { name: member.name } : {}) };
  let rows = 0;
  const failed = (error: string, roleArn?: string): AccountEntry => ({
    ...base,
    ...(roleArn ? { roleArn } : {}),
    status: 'failed',
    error,
    buckets: rows,
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
    const result = await auditAccountBuckets(
      session.memoised(),
      { ...scope, accountId: member.id },
      (row) => {
        rows += 1;
        return onRow(row);
      },
    );
    return {
      ...base,
      ...(roleArn ? { roleArn } : {}),
      status: 'audited',
      buckets: result.buckets,
      ...(result.account ? { results: result.account.results } : {}),
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

/**
 * A multi-account run: every account's rows to `onRow`, account by account
 * in ID order (each account's in its bucket list's order); one entry per
 * account, and the calls of them all.
 */
export async function auditAccounts(
  caller: AwsSession,
  selection: AccountsSelection,
  scope: Omit<AccountScope, 'accountId'>,
  onRow: RowSink,
  progressStream: Parameters<typeof createProgress>[2] = process.stderr,
): Promise<{ accounts: AccountEntry[]; calls: Record<string, number> }> {
  const accounts = await members(caller, selection);
  const counts: Record<string, number> = {};
  const progress = createProgress(accounts.length, 'accounts', progressStream);
  const order = new AccountOrder(onRow);
  let entries: AccountEntry[];
  try {
    entries = await mapLimit(
      accounts.map((member, index) => ({ member, index })),
      selection.concurrency,
      async ({ member, index }) => {
        const entry = await auditMember(caller, member, selection, scope, counts, (row) =>
          order.row(index, row),
        );
        await order.done(index);
        progress.tick();
        return entry;
      },
    );
  } finally {
    progress.done();
  }
  addCounts(counts, caller.callCounts());
  return { accounts: entries, calls: counts };
}
