/**
 * rollbackJournal with fake reads and writes: what a crash leaves in flight,
 * outputs recorded for later undos, and the order of undos.
 */
import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/plan/apply/journal.js';
import { parseJournal, rollbackJournal, rollbackLines } from '../../src/plan/apply/rollback.js';
import type { ApiCall, ResourceKey } from '../../src/plan/model/types.js';

const target = { accountId: '123456789012', region: 'us-east-1', bucket: 'my-bucket' };
const ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const lines = (...entries: object[]) => entries.map((entry) => JSON.stringify(entry)).join('\n');
const begin = { type: 'begin', at: 't', target, changes: 2, tool: 's3-harden' };
const pab = {
  type: 'intent',
  at: 't',
  changeId: 'bucket.publicAccessBlock',
  resource: 'bucket.publicAccessBlock',
  title: 'Block Public Access (bucket)',
  before: null,
  undo: { service: 's3', operation: 'DeletePublicAccessBlock', input: { Bucket: 'my-bucket' } },
};
const ownership = {
  type: 'intent',
  at: 't',
  changeId: 'bucket.ownership',
  resource: 'bucket.ownershipControls',
  title: 'Object Ownership (ACLs)',
  before: null,
  undo: {
    service: 's3',
    operation: 'DeleteBucketOwnershipControls',
    input: { Bucket: 'my-bucket' },
  },
};

function fakes(live: Partial<Record<ResourceKey, unknown>>) {
  const calls: ApiCall[] = [];
  const recorded: JournalRecord[] = [];
  return {
    calls,
    recorded,
    deps: {
      run: async (call: ApiCall) => {
        calls.push(call);
        if (call.operation === 'DeletePublicAccessBlock') live['bucket.publicAccessBlock'] = null;
        if (call.operation === 'DeleteBucketOwnershipControls')
          live['bucket.ownershipControls'] = null;
        return {};
      },
      read: async (resource: ResourceKey) => live[resource] ?? null,
      record: (entry: JournalRecord) => recorded.push(entry),
    },
  };
}

describe('rollbackJournal', () => {
  it('undoes an applied change and one in flight at the crash that took effect, newest first', async () => {
    const ownershipValue = { ObjectOwnership: 'BucketOwnerEnforced' };
    const journal = parseJournal(
      lines(begin, pab, { type: 'applied', at: 't', changeId: pab.changeId }, ownership),
    );
    const { deps, calls, recorded } = fakes({
      'bucket.publicAccessBlock': ON,
      'bucket.ownershipControls': ownershipValue,
    });
    const outcome = await rollbackJournal(journal, deps);
    expect(outcome.restored).toBe(true);
    expect(calls.map((call) => call.operation)).toEqual([
      'DeleteBucketOwnershipControls',
      'DeletePublicAccessBlock',
    ]);
    expect(recorded.map((entry) => entry.type)).toEqual(['rolled-back', 'rolled-back', 'end']);
  });

  it('several intents unresolved at a crash (writes in flight together): each that took effect is undone, reverse intent order', async () => {
    // An apply that overlaps writes journals each intent before its call: a
    // crash can leave several without an outcome. Here the bucket's Block
    // Public Access was applied, then three calls were in flight: ownership
    // (took effect), the account's Block Public Access (never reached AWS)
    // and the bucket policy (took effect, then failed on the client).
    const intent = (changeId: ResourceKey, title: string, undo: ApiCall) => ({
      ...pab,
      changeId,
      resource: changeId,
      title,
      undo,
    });
    const account = intent('account.publicAccessBlock', 'Block Public Access (account)', {
      service: 's3control',
      operation: 'DeletePublicAccessBlock',
      input: { AccountId: '123456789012' },
    });
    const policy = intent('bucket.policy', 'Bucket policy', {
      service: 's3',
      operation: 'DeleteBucketPolicy',
      input: { Bucket: 'my-bucket' },
    });
    const journal = parseJournal(
      lines(
        { ...begin, changes: 4 },
        pab,
        { type: 'applied', at: 't', changeId: pab.changeId },
        ownership,
        account,
        policy,
        { type: 'failed', at: 't', changeId: policy.changeId, error: 'socket hang up' },
      ),
    );
    const live: Partial<Record<ResourceKey, unknown>> = {
      'bucket.publicAccessBlock': ON,
      'bucket.ownershipControls': { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      'bucket.policy': { Version: '2012-10-17', Statement: [] },
    };
    const { deps, calls, recorded } = fakes(live);
    const reads: ResourceKey[] = [];
    const outcome = await rollbackJournal(journal, {
      ...deps,
      run: async (call) => {
        if (call.operation === 'DeleteBucketPolicy') live['bucket.policy'] = null;
        return deps.run(call);
      },
      read: async (resource) => {
        reads.push(resource);
        return deps.read(resource);
      },
    });
    expect(outcome.restored).toBe(true);
    // Each one is read first; only those not as before are written.
    expect(calls.map((call) => call.operation)).toEqual([
      'DeleteBucketPolicy',
      'DeleteBucketOwnershipControls',
      'DeletePublicAccessBlock',
    ]);
    expect(reads.filter((resource, i) => reads.indexOf(resource) === i)).toEqual([
      'bucket.policy',
      'account.publicAccessBlock',
      'bucket.ownershipControls',
      'bucket.publicAccessBlock',
    ]);
    expect(outcome.results.map((result) => [result.change.id, result.status])).toEqual([
      ['bucket.policy', 'rolled-back'],
      ['account.publicAccessBlock', 'already'],
      ['bucket.ownership', 'rolled-back'],
      ['bucket.publicAccessBlock', 'rolled-back'],
    ]);
    expect(recorded.map((entry) => entry.type)).toEqual([
      'rolled-back',
      'rolled-back',
      'rolled-back',
      'end',
    ]);
    expect(Object.values(live).every((value) => value === null)).toBe(true);
  });

  it('an in-flight change that never reached AWS reads as before: no write, "already as before"', async () => {
    const journal = parseJournal(`${lines(begin, pab)}\n{"type":"appl`);
    const { deps, calls } = fakes({});
    const outcome = await rollbackJournal(journal, deps);
    expect(calls).toEqual([]);
    expect(rollbackLines(outcome, 'j.jsonl')).toEqual([
      '= Block Public Access (bucket): already as before',
      'Everything in j.jsonl is as it was before.',
    ]);
  });

  it('a failed undo: ‼ with the manual command, no end entry', async () => {
    const journal = parseJournal(lines(begin, pab));
    const { deps, recorded } = fakes({ 'bucket.publicAccessBlock': ON });
    const outcome = await rollbackJournal(journal, {
      ...deps,
      run: async () => {
        throw new Error('AccessDenied: not allowed');
      },
      cli: { region: 'us-east-1' },
    });
    expect(outcome.restored).toBe(false);
    const [line, verdict] = rollbackLines(outcome, 'j.jsonl');
    expect(line).toBe(
      '‼ Block Public Access (bucket): AccessDenied: not allowed — restore it by hand: aws s3api delete-public-access-block --bucket my-bucket --region us-east-1',
    );
    expect(verdict).toMatch(
      /^Rollback incomplete: 1 change\(s\) need the commands above; run s3-harden rollback j\.jsonl again/,
    );
    expect(recorded.map((entry) => entry.type)).toEqual(['rollback-failed']);
  });

  it('rebuilds recorded outputs for OutputRefs', () => {
    const journal = parseJournal(
      lines(begin, pab, {
        type: 'applied',
        at: 't',
        changeId: pab.changeId,
        output: { 'KeyMetadata.KeyId': 'k-1', Other: 'x' },
      }),
    );
    expect(journal.outputs.get(pab.changeId)).toEqual({
      KeyMetadata: { KeyId: 'k-1' },
      Other: 'x',
    });
  });
});
