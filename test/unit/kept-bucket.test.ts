/**
 * A bucket the plan created that has received objects (logs delivered in
 * between) cannot be deleted by a rollback: S3 answers BucketNotEmpty. It is
 * kept and reported with the command that removes it, the rest is undone, the
 * journal gets its end, and a later rollback leaves it alone.
 */
import { describe, expect, it } from 'vitest';
import { type ExecutorDeps, executePlan } from '../../src/plan/apply/executor.js';
import type { Journal, JournalRecord } from '../../src/plan/apply/journal.js';
import { parseJournal, rollbackJournal, rollbackLines } from '../../src/plan/apply/rollback.js';
import type { ApiCall, Change, ResourceKey } from '../../src/plan/model/types.js';
import { outcomeLines } from '../../src/plan/render/outcome.js';
import { removeBucketCommand } from '../../src/plan/resources/bucket.js';
import { BUCKET, bucketChange, ON, planOf, TARGET } from './support.js';

const LOGS = 'my-bucket-logs';
const CLI = { region: 'us-east-1' };
const REMOVE = `aws s3 rb s3://${LOGS} --force --region us-east-1`;
const KEPT_LINE = `! Create log bucket ${LOGS}: kept: it has received objects since it was created`;

const deleteLogs: ApiCall = { service: 's3', operation: 'DeleteBucket', input: { Bucket: LOGS } };
const createLogs: Change = {
  id: 'logTarget.exists',
  step: 'logging',
  title: `Create log bucket ${LOGS}`,
  resource: 'logTarget.exists',
  action: 'create',
  call: { service: 's3', operation: 'CreateBucket', input: { Bucket: LOGS } },
  before: null,
  after: { Region: 'us-east-1' },
  undo: deleteLogs,
  dependsOn: [],
  warnings: [],
};

/** What S3 answers a DeleteBucket of a bucket with objects in it (as src/aws normalises it). */
function bucketNotEmpty(): Error {
  return Object.assign(new Error('BucketNotEmpty: The bucket you tried to delete is not empty'), {
    code: 'BucketNotEmpty',
  });
}

/** A log bucket that exists and holds objects, and a bucket's Block Public Access. */
function cloud(options: { deleteFails?: () => Error } = {}) {
  const live: Partial<Record<ResourceKey, unknown>> = {};
  const calls: string[] = [];
  const records: JournalRecord[] = [];
  const run = async (call: ApiCall) => {
    calls.push(call.operation);
    if (call.operation === 'CreateBucket') live['logTarget.exists'] = { Region: 'us-east-1' };
    if (call.operation === 'DeleteBucket') throw (options.deleteFails ?? bucketNotEmpty)();
    if (call.operation === 'PutPublicAccessBlock') throw new Error('injected fault');
    if (call.operation === 'DeletePublicAccessBlock') live['bucket.publicAccessBlock'] = null;
    return {};
  };
  const read = async (resource: ResourceKey) => live[resource] ?? null;
  const journal: Journal = {
    path: '/state/journals/j.jsonl',
    append: (entry) => records.push(entry),
    close: () => {},
  };
  return { live, calls, records, run, read, journal };
}

describe('apply: a failure after creating a bucket that has received objects', () => {
  it('keeps it with the removal command, undoes the rest, ends the journal; exit-worthy status', async () => {
    const fake = cloud();
    const plan = planOf([createLogs, bucketChange(null, ON)], {
      target: { ...TARGET, logBucket: LOGS },
    });
    const deps: ExecutorDeps = { run: fake.run, read: fake.read, journal: fake.journal, cli: CLI };
    const outcome = await executePlan(plan, deps);

    // Something still needs the operator: apply's exit 3, a fleet's "rollback incomplete".
    expect(outcome.status).toBe('rollback-incomplete');
    expect(outcome.results).toMatchObject([
      { status: 'kept', manualCommand: REMOVE },
      { status: 'failed', error: 'injected fault' },
    ]);
    expect(outcome.results[0]?.error).toBeUndefined();
    expect(fake.records.slice(-2)).toEqual([
      {
        type: 'kept',
        changeId: 'logTarget.exists',
        reason: 'kept: it has received objects since it was created',
        command: REMOVE,
      },
      { type: 'end', outcome: 'rolled-back-except-kept' },
    ]);
    const text = outcomeLines(outcome).map((line) => line.text);
    expect(text).toEqual([
      KEPT_LINE,
      `    once you have checked its objects, remove it: ${REMOVE}`,
      '✗ Block Public Access (bucket): failed (injected fault)',
      '',
      'Apply failed; 1 bucket it created was kept, having received objects: remove it with the command above. Journal: /state/journals/j.jsonl',
    ]);
    expect(text.join('\n')).not.toContain('ROLLBACK FAILED');
    expect(text.join('\n')).not.toContain('delete-bucket');
  });

  it('any other DeleteBucket failure is still a failed rollback, with the delete-bucket command', async () => {
    const fake = cloud({ deleteFails: () => new Error('Access denied: s3:DeleteBucket') });
    const plan = planOf([createLogs, bucketChange(null, ON)], {
      target: { ...TARGET, logBucket: LOGS },
    });
    const outcome = await executePlan(plan, {
      run: fake.run,
      read: fake.read,
      journal: fake.journal,
      cli: CLI,
    });
    expect(outcome.results[0]).toMatchObject({
      status: 'rollback-failed',
      manualCommand: `aws s3api delete-bucket --bucket ${LOGS} --region us-east-1`,
    });
    expect(fake.records.at(-1)).toEqual({ type: 'end', outcome: 'rollback-incomplete' });
  });
});

describe('s3-harden rollback: a created bucket that has received objects', () => {
  const target = { ...TARGET, logBucket: LOGS };
  const entries = [
    { type: 'begin', at: 't', target, changes: 2, tool: 's3-harden' },
    {
      type: 'intent',
      at: 't',
      changeId: createLogs.id,
      resource: createLogs.resource,
      title: createLogs.title,
      before: null,
      undo: deleteLogs,
    },
    { type: 'applied', at: 't', changeId: createLogs.id },
    {
      type: 'intent',
      at: 't',
      changeId: 'bucket.publicAccessBlock',
      resource: 'bucket.publicAccessBlock',
      title: 'Block Public Access (bucket)',
      before: null,
      undo: { service: 's3', operation: 'DeletePublicAccessBlock', input: { Bucket: BUCKET } },
    },
    { type: 'applied', at: 't', changeId: 'bucket.publicAccessBlock' },
    { type: 'end', at: 't', outcome: 'applied' },
  ];
  const text = (list: readonly object[]) => list.map((entry) => JSON.stringify(entry)).join('\n');

  it('keeps it, undoes the rest, records it and ends the journal; a second run writes nothing', async () => {
    const fake = cloud();
    fake.live['logTarget.exists'] = { Region: 'us-east-1' };
    fake.live['bucket.publicAccessBlock'] = ON;
    const first = await rollbackJournal(parseJournal(text(entries)), {
      run: fake.run,
      read: fake.read,
      record: (entry) => fake.records.push(entry),
      cli: CLI,
    });
    expect(first).toMatchObject({ restored: false, finished: true });
    expect(first.results.map((result) => result.status)).toEqual(['rolled-back', 'kept']);
    expect(fake.calls).toEqual(['DeletePublicAccessBlock', 'DeleteBucket']);
    expect(fake.records.map((entry) => entry.type)).toEqual(['rolled-back', 'kept', 'end']);
    expect(rollbackLines(first, 'j.jsonl')).toEqual([
      '↶ Block Public Access (bucket): rolled back',
      `${KEPT_LINE} — once you have checked its objects, remove it: ${REMOVE}`,
      'Rolled back everything else in j.jsonl; 1 bucket it created was kept: remove it by hand (above). Nothing is left to retry.',
    ]);

    // The journal now says it was kept: the next run reads it and leaves it alone.
    const withRecords = text([...entries, ...fake.records.map((entry) => ({ ...entry, at: 't' }))]);
    fake.calls.length = 0;
    const second = await rollbackJournal(parseJournal(withRecords), {
      run: fake.run,
      read: fake.read,
      record: () => {},
      cli: CLI,
    });
    expect(fake.calls).toEqual([]);
    expect(second).toMatchObject({ restored: false, finished: true });
    expect(second.results.map((result) => result.status)).toEqual(['already', 'kept']);

    // Removed by hand: everything is as before.
    fake.live['logTarget.exists'] = null;
    const third = await rollbackJournal(parseJournal(withRecords), {
      run: fake.run,
      read: fake.read,
      record: () => {},
    });
    expect(third).toMatchObject({ restored: true, finished: true });
    expect(fake.calls).toEqual([]);
  });

  it('a kept entry for a change the journal does not hold is refused', () => {
    const bad = [
      ...entries,
      { type: 'kept', at: 't', changeId: 'nope', reason: 'x', command: 'y' },
    ];
    expect(() => parseJournal(text(bad))).toThrow('entry 7: kept for unknown change nope');
  });
});

describe('removeBucketCommand', () => {
  it('names the bucket as an s3:// URL, with --force and the connection flags', () => {
    expect(
      removeBucketCommand(deleteLogs, {
        profile: 'ops',
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:5000',
      }),
    ).toBe(
      `aws s3 rb s3://${LOGS} --force --profile ops --region eu-west-1 --endpoint-url http://127.0.0.1:5000`,
    );
  });
});
