/**
 * How `audit --accounts` runs its accounts (src/commands/audit-accounts.ts),
 * with the role assumption and each account's bucket audit stubbed: no
 * account starts more than the window (--account-concurrency × 2) past the
 * first unfinished one, so a slow first account holds back a few, not the
 * organisation; an account the network fails is that account's entry, and
 * the run stops only when the caller's own STS cannot be reached either,
 * before any account was audited; a failed account's rows still in flight
 * are dropped; a reader gone stops the run, no account's failure.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AwsSession } from '../../src/aws/index.js';
import type { BucketAudit } from '../../src/plan/audit/schema.js';
import type { ApiCall } from '../../src/plan/model/types.js';

type Stub = (accountId: string, onRow: (row: BucketAudit) => unknown) => Promise<number>;
let stub: Stub = async () => 0;

vi.mock('../../src/commands/audit-buckets.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/commands/audit-buckets.js')>()),
  auditAccountBuckets: async (
    _view: AwsSession,
    scope: { accountId: string },
    onRow: (row: BucketAudit) => unknown,
  ) => ({ buckets: await stub(scope.accountId, onRow) }),
}));

vi.mock('../../src/aws/accounts.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/aws/accounts.js')>();
  return {
    ...original,
    // As the real one: AssumeRole through the caller, any failure an AssumeError.
    assumeAccount: async (caller: AwsSession, accountId: string) => {
      const arn = `arn:aws:iam::${accountId}:role/audit`;
      try {
        await caller.request({
          service: 'sts',
          operation: 'AssumeRole',
          input: { RoleArn: arn },
        } as ApiCall);
      } catch (error) {
        throw new original.AssumeError(`cannot assume ${arn}: ${(error as Error).message}`, arn);
      }
      return session(accountId);
    },
  };
});

const { auditAccounts } = await import('../../src/commands/audit-accounts.js');
const { AwsError } = await import('../../src/aws/errors.js');
const { ReaderGone } = await import('../../src/commands/audit-buckets.js');

const CALLER = '100000000000';
const ids = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));

function session(
  accountId: string,
  request: (call: ApiCall) => Promise<Record<string, unknown>> = async () => ({}),
): AwsSession {
  const view = {
    identity: { accountId, arn: `arn:aws:iam::${accountId}:user/me`, userId: 'me' },
    region: 'us-east-1',
    memoised: () => view,
    callCounts: () => ({}),
    close: () => {},
    request,
  };
  return view as unknown as AwsSession;
}

function row(accountId: string, bucket = `b-${accountId}`): BucketAudit {
  return { bucket, accountId, region: 'us-east-1', results: [] };
}

const unreachable = () => new AwsError('unreachable', 'Cannot reach the endpoint: ECONNRESET.');
const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

/** The caller, whose requests (AssumeRole, the GetCallerIdentity asked again) `answer` answers. */
function caller(answer: (call: ApiCall) => Promise<Record<string, unknown>> = async () => ({})) {
  const sent: string[] = [];
  const view = session(CALLER, (call) => {
    sent.push(
      `${call.operation}${call.operation === 'AssumeRole' ? ` ${JSON.stringify(call.input)}` : ''}`,
    );
    return answer(call);
  });
  return { view, sent, asked: () => sent.filter((op) => op === 'GetCallerIdentity').length };
}

function run(view: AwsSession, accounts: readonly string[], concurrency: number) {
  const rows: BucketAudit[] = [];
  const done = auditAccounts(
    view,
    { ids: accounts, roleName: 'audit', concurrency },
    { selection: { kind: 'all' }, concurrency: 4 } as never,
    (audited) => {
      rows.push(audited);
    },
    { write: () => true },
  );
  return { rows, done };
}

beforeEach(() => {
  stub = async () => 0;
});

describe('accounts run within a window past the first unfinished one', () => {
  it('a slow first account: no more than concurrency × 2 accounts started or held; all in order once it is done', async () => {
    const accounts = ids(24);
    let release: () => void = () => {};
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const started: string[] = [];
    const finished = new Set<number>();
    let furthest = 0;
    stub = async (accountId, onRow) => {
      const index = accounts.indexOf(accountId);
      let first = 0;
      while (finished.has(first)) first += 1;
      furthest = Math.max(furthest, index - first);
      started.push(accountId);
      if (index === 0) await slow;
      else await tick(1);
      await onRow(row(accountId));
      finished.add(index);
      return 1;
    };
    const { rows, done } = run(session(CALLER), accounts, 2);
    await tick(100);
    // 2 at a time, window 4: the first and the three after it; their rows wait for it.
    expect(started).toEqual(accounts.slice(0, 4));
    expect(rows).toEqual([]);
    release();
    const result = await done;
    expect(started).toHaveLength(24);
    expect(furthest).toBeLessThan(4);
    expect(rows.map((audited) => audited.accountId)).toEqual(accounts);
    expect(result.accounts.map((entry) => [entry.accountId, entry.status])).toEqual(
      accounts.map((id) => [id, 'audited']),
    );
  });
});

describe('an account the network fails', () => {
  const [A, B, C] = ['200000000001', '200000000002', '200000000003'];

  it('is that account’s failed entry, with the reason; the others are audited', async () => {
    stub = async (accountId, onRow) => {
      if (accountId === B) throw unreachable();
      await onRow(row(accountId));
      return 1;
    };
    const { view, asked } = caller();
    const { rows, done } = run(view, [A, B, C], 1);
    const result = await done;
    expect(result.accounts).toEqual([
      expect.objectContaining({ accountId: A, status: 'audited' }),
      {
        accountId: B,
        roleArn: `arn:aws:iam::${B}:role/audit`,
        status: 'failed',
        error: 'Cannot reach the endpoint: ECONNRESET.',
        buckets: 0,
      },
      expect.objectContaining({ accountId: C, status: 'audited' }),
    ]);
    expect(rows.map((audited) => audited.accountId)).toEqual([A, C]);
    // An account was audited before: the network works, nothing is asked again.
    expect(asked()).toBe(0);
  });

  it('first, before any account is audited: the caller’s STS is asked again; it answers, the run goes on', async () => {
    stub = async (accountId) => {
      if (accountId === A) throw unreachable();
      return 0;
    };
    const { view, asked } = caller();
    const result = await run(view, [A, B, C], 1).done;
    expect(result.accounts.map((entry) => entry.status)).toEqual(['failed', 'audited', 'audited']);
    expect(asked()).toBe(1);
  });

  it('first, and the caller’s STS cannot be reached either: the run stops, in one line', async () => {
    const accountsStarted: string[] = [];
    stub = async (accountId) => {
      accountsStarted.push(accountId);
      throw unreachable();
    };
    const { view } = caller(async (call) => {
      if (call.operation === 'GetCallerIdentity') throw unreachable();
      return {};
    });
    await expect(run(view, [A, B, C], 1).done).rejects.toThrow(
      `Cannot reach the endpoint: ECONNRESET. (account ${A} could not be reached either, before any account got through: the run stops)`,
    );
    expect(accountsStarted).toEqual([A]);
  });

  it('an AssumeRole that cannot reach STS counts as the network too', async () => {
    const { view, sent } = caller(async () => {
      throw unreachable();
    });
    await expect(run(view, [A, B], 1).done).rejects.toThrow(/the run stops/);
    expect(sent).toEqual([
      `AssumeRole ${JSON.stringify({ RoleArn: `arn:aws:iam::${A}:role/audit` })}`,
      'GetCallerIdentity',
    ]);
  });

  it('a role refused is the account’s, and asks nothing again', async () => {
    const { view, asked } = caller(async (call) => {
      if (call.operation === 'AssumeRole') throw new AwsError('access-denied', 'denied');
      return {};
    });
    const result = await run(view, [A, B], 1).done;
    expect(result.accounts.map((entry) => entry.status)).toEqual(['failed', 'failed']);
    expect(asked()).toBe(0);
  });

  it('after an account was audited, a caller cut off too does not stop the run', async () => {
    let down = false;
    stub = async (accountId) => {
      if (down) throw unreachable();
      down = accountId === A;
      return 0;
    };
    const { view, asked } = caller(async (call) => {
      if (down && call.operation !== 'AssumeRole') throw unreachable();
      return {};
    });
    const result = await run(view, [A, B, C], 1).done;
    expect(result.accounts.map((entry) => entry.status)).toEqual(['audited', 'failed', 'failed']);
    expect(asked()).toBe(0);
  });
});

describe('a failed account', () => {
  it('keeps the rows it gave; its buckets still in flight say nothing after its entry', async () => {
    const [A, B] = ['300000000001', '300000000002'];
    let late: Promise<unknown> = Promise.resolve();
    stub = async (accountId, onRow) => {
      if (accountId === A) {
        // Still running when B fails and when B's late row comes: B's rows are held behind it.
        await tick(60);
        await onRow(row(A));
        return 1;
      }
      await onRow(row(B, 'given'));
      late = tick(30).then(() => onRow(row(B, 'late')));
      throw new AwsError('credentials', 'ExpiredToken');
    };
    const { rows, done } = run(session(CALLER), [A, B], 2);
    const result = await done;
    await late;
    expect(rows.map((audited) => audited.bucket)).toEqual([`b-${A}`, 'given']);
    expect(result.accounts[1]).toMatchObject({
      status: 'failed',
      error: 'ExpiredToken',
      buckets: 1,
    });
  });
});

describe('a reader gone (`audit --accounts --json | head -1`)', () => {
  it('stops the run: no account fails for it, none starts after', async () => {
    const accounts = ids(6);
    const started: string[] = [];
    stub = async (accountId, onRow) => {
      started.push(accountId);
      await onRow(row(accountId));
      return 1;
    };
    const done = auditAccounts(
      session(CALLER),
      { ids: accounts, roleName: 'audit', concurrency: 1 },
      { selection: { kind: 'all' }, concurrency: 4 } as never,
      (audited) => {
        if (audited.accountId === accounts[1]) throw new ReaderGone();
      },
      { write: () => true },
    );
    await expect(done).rejects.toBeInstanceOf(ReaderGone);
    expect(started).toEqual(accounts.slice(0, 2));
  });
});
