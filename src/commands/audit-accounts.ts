/**
 * `audit --accounts`: the same audit in many accounts. The caller lists the
 * organisation's ACTIVE accounts (--accounts all) or names them, and enters
 * each through the role --role-name names there (its own account with its
 * own credentials). Accounts run a few at a time; each has its own session
 * (credentials cache, clients per region, memo), made when its turn comes
 * and closed when it is done, so memory follows the concurrency, not the
 * size of the organisation (and no account starts far ahead of the first
 * unfinished one, whose rows the later ones wait behind). An account that
 * cannot be entered, listed or reached is one failed entry, with the
 * reason, and the run goes on (NetworkCheck: when the network is down).
 */
import {
  AssumeError,
  assumeAccount,
  listActiveAccounts,
  type MemberAccount,
  roleArn as roleArnFor,
} from '../aws/accounts.js';
import { forEachInOrder } from '../aws/families/map-limit.js';
import { AwsError, type AwsSession } from '../aws/index.js';
import type { AccountEntry, BucketAudit } from '../plan/audit/schema.js';
import type { ApiCall } from '../plan/model/types.js';
import {
  type AccountScope,
  auditAccountBuckets,
  ReaderGone,
  type RowSink,
} from './audit-buckets.js';
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

function isUnreachable(error: unknown): error is AwsError {
  return error instanceof AwsError && error.kind === 'unreachable';
}

/**
 * Whether the network, rather than one account, failed. The caller reached
 * STS when the run began (its identity); after that, an account whose
 * requests cannot get through (unreachable: a refused or reset connection,
 * no answer after the SDK's retries) is that account's failure — its line,
 * its entry, exit 4 — and the run goes on: one account's endpoint, region
 * or a passing fault is no reason to lose every other account's report.
 *
 * Decided here: when an account fails so before any account has been
 * audited (or planned: ./fleet-accounts.ts), the caller's own STS is asked once more (GetCallerIdentity). If
 * it cannot be reached either, the network is down for everyone and the
 * run stops (exit 1, one line) rather than spend the SDK's retries and
 * timeouts on every account of the organisation (minutes, for hundreds)
 * to print a report that audited nothing. Not on the first failure alone:
 * which account fails first is a matter of timing, and an early account's
 * own outage would sink the run, the very fault this avoids. Once an
 * account has been audited the run never stops for the network: what was
 * audited is reported, each account that could not be reached is a line.
 */
export class NetworkCheck {
  private audited = false;
  private asked: Promise<unknown> | undefined;

  constructor(private readonly caller: AwsSession) {}

  /** An account went through: from now on, every failure is an account's. */
  succeeded(): void {
    this.audited = true;
  }

  /**
   * `caller` for assumeAccount, noting an AssumeRole that could not reach
   * STS (the AssumeError that follows says only the message).
   */
  entering(): { via: AwsSession; unreachable: () => AwsError | undefined } {
    let seen: AwsError | undefined;
    const caller = this.caller;
    const via = Object.create(caller, {
      request: {
        value: (call: ApiCall) =>
          caller.request(call).catch((error: unknown) => {
            if (isUnreachable(error)) seen = error;
            throw error;
          }),
      },
    }) as AwsSession;
    return { via, unreachable: () => seen };
  }

  /** Account `accountId` failed with `error`: rejects when the run is to stop. */
  async failed(accountId: string, error: unknown): Promise<void> {
    if (this.audited || !isUnreachable(error)) return;
    this.asked ??= this.caller
      .request({ service: 'sts', operation: 'GetCallerIdentity', input: {} })
      .then(
        () => undefined,
        (reason: unknown) => reason,
      );
    const answer = await this.asked;
    if (this.audited || !isUnreachable(answer)) return;
    throw new CommandError(
      `${answer.message} (account ${accountId} could not be reached either, before any account got through: the run stops)`,
    );
  }
}

/** What every account of a run shares. */
interface AccountsRun {
  readonly caller: AwsSession;
  readonly selection: AccountsSelection;
  readonly scope: Omit<AccountScope, 'accountId'>;
  readonly counts: Record<string, number>;
  readonly network: NetworkCheck;
}

/**
 * One account: entered, audited (its rows to `onRow`, as they are built),
 * closed; its entry. Never rejects but when the network is down for the
 * caller too (NetworkCheck). An account that fails part way keeps the rows
 * already given, and gives no more: its buckets still in flight are dropped.
 */
async function auditMember(
  run: AccountsRun,
  member: MemberAccount,
  onRow: RowSink,
): Promise<AccountEntry> {
  const { caller, selection, network } = run;
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
    const entering = network.entering();
    try {
      session = await assumeAccount(entering.via, member.id, {
        roleName: selection.roleName,
        ...(selection.externalId ? { externalId: selection.externalId } : {}),
      });
    } catch (error) {
      if (!(error instanceof AssumeError)) throw error;
      await network.failed(member.id, entering.unreachable());
      return failed(error.message, error.roleArn);
    }
  }
  const roleArn =
    own || !selection.roleName
      ? undefined
      : roleArnFor(caller.identity.arn, member.id, selection.roleName);
  let open = true;
  try {
    const result = await auditAccountBuckets(
      session.memoised(),
      { ...run.scope, accountId: member.id },
      (row) => {
        // A failed account's buckets still in flight say nothing after its entry.
        if (!open) return;
        rows += 1;
        return onRow(row);
      },
    );
    network.succeeded();
    return {
      ...base,
      ...(roleArn ? { roleArn } : {}),
      status: 'audited',
      buckets: result.buckets,
      ...(result.account ? { results: result.account.results } : {}),
    };
  } catch (error) {
    // The reader left: the whole run stops, this account is not to blame.
    if (error instanceof ReaderGone) throw error;
    open = false;
    // A bucket list refused, credentials gone, an endpoint that cannot be
    // reached: this account only (unless NetworkCheck finds the caller cut off too).
    await network.failed(member.id, error);
    return failed((error as Error).message, roleArn);
  } finally {
    if (!own) {
      addCounts(run.counts, session.callCounts());
      session.close();
    }
  }
}

/**
 * How many accounts, per --account-concurrency, may be started past the
 * first unfinished one: the later ones' rows are held until it is done, so
 * a large early account holds back at most this many, never the organisation.
 */
const ACCOUNTS_AHEAD = 2;

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
  const run: AccountsRun = {
    caller,
    selection,
    scope,
    counts: {},
    network: new NetworkCheck(caller),
  };
  const progress = createProgress(accounts.length, 'accounts', progressStream);
  const order = new AccountOrder(onRow);
  const entries: AccountEntry[] = [];
  try {
    // No account starts more than the window past the first unfinished one.
    await forEachInOrder(
      accounts.map((member, index) => ({ member, index })),
      selection.concurrency,
      async ({ member, index }) => {
        const entry = await auditMember(run, member, (row) => order.row(index, row));
        await order.done(index);
        progress.tick();
        return entry;
      },
      (entry) => {
        entries.push(entry);
      },
      selection.concurrency * ACCOUNTS_AHEAD,
    );
  } finally {
    progress.done();
  }
  addCounts(run.counts, caller.callCounts());
  return { accounts: entries, calls: run.counts };
}
