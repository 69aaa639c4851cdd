/**
 * executePlan overlapping independent writes: a fake cloud whose calls answer
 * only when the test releases them, so what is in flight together is seen
 * exactly. Every wait is on a condition, never a fixed sleep.
 */
import { describe, expect, it } from 'vitest';
import { type ExecutorDeps, executePlan } from '../../src/plan/apply/executor.js';
import type { Journal, JournalRecord } from '../../src/plan/apply/journal.js';
import type { ApiCall, Change, ResourceKey } from '../../src/plan/model/types.js';
import { ACCOUNT_ID, BUCKET, OFF, ON, planOf } from './support.js';

const LOGS = 'my-logs';
const KEY_ID = { fromOutput: { change: 'kms.key', path: 'KeyMetadata.KeyId' } };
const KEY_ARN = { fromOutput: { change: 'kms.key', path: 'KeyMetadata.Arn' } };

function change(
  id: string,
  resource: ResourceKey,
  call: ApiCall,
  undo: ApiCall,
  options: { before?: unknown; after?: unknown; dependsOn?: string[] } = {},
): Change {
  return {
    id,
    step: 'test',
    title: id,
    resource,
    action: 'create',
    call,
    before: options.before ?? null,
    after: options.after ?? { id },
    undo,
    dependsOn: options.dependsOn ?? [],
    warnings: [],
  };
}

const s3 = (operation: string, Bucket: string, extra: Record<string, unknown> = {}): ApiCall => ({
  service: 's3',
  operation,
  input: { Bucket, ...extra },
});

/** A Block Public Access change on `bucket`, all four flags on. */
const pabOn = (resource: ResourceKey, bucket: string) =>
  change(
    resource,
    resource,
    s3('PutPublicAccessBlock', bucket, { PublicAccessBlockConfiguration: ON }),
    s3('DeletePublicAccessBlock', bucket),
    { after: ON },
  );

/** Changes on two buckets, the account, and a created KMS key (its rotation refers to its ID). */
const bucketPab = pabOn('bucket.publicAccessBlock', BUCKET);
const bucketOwnership = change(
  'bucket.ownershipControls',
  'bucket.ownershipControls',
  s3('PutBucketOwnershipControls', BUCKET),
  s3('DeleteBucketOwnershipControls', BUCKET),
);
const logsPab = pabOn('logTarget.publicAccessBlock', LOGS);
const accountPab = change(
  'account.publicAccessBlock',
  'account.publicAccessBlock',
  {
    service: 's3control',
    operation: 'PutPublicAccessBlock',
    input: { AccountId: ACCOUNT_ID, PublicAccessBlockConfiguration: ON },
  },
  { service: 's3control', operation: 'DeletePublicAccessBlock', input: { AccountId: ACCOUNT_ID } },
  { after: ON },
);
const key = change(
  'kms.key',
  'kms.key',
  { service: 'kms', operation: 'CreateKey', input: { Description: 'k' } },
  { service: 'kms', operation: 'ScheduleKeyDeletion', input: { KeyId: KEY_ID } },
);
const rotation = change(
  'kms.rotation',
  'kms.rotation',
  { service: 'kms', operation: 'EnableKeyRotation', input: { KeyId: KEY_ID } },
  { service: 'kms', operation: 'DisableKeyRotation', input: { KeyId: KEY_ID } },
  { after: { KeyRotationEnabled: true }, dependsOn: ['kms.key'] },
);
const bucketEncryption = change(
  'bucket.encryption',
  'bucket.encryption',
  s3('PutBucketEncryption', BUCKET, { KMSMasterKeyID: KEY_ARN }),
  s3('DeleteBucketEncryption', BUCKET),
  { dependsOn: ['kms.key'] },
);

interface Call {
  readonly call: ApiCall;
  readonly change: Change;
  resolve(output: unknown): void;
  reject(error: Error): void;
}

/**
 * A cloud holding one value per resource. The plan's calls stay in flight
 * until released; undos answer at once. Overlapping writes to one bucket are
 * recorded as violations.
 */
class GatedCloud {
  readonly state = new Map<ResourceKey, unknown>();
  readonly inFlight: Call[] = [];
  readonly log: string[] = [];
  readonly records: JournalRecord[] = [];
  readonly sameBucketOverlaps: string[] = [];
  readonly calls: ApiCall[] = [];
  maxInFlight = 0;

  constructor(private readonly changes: readonly Change[]) {}

  private key(call: ApiCall): string {
    return `${call.service}:${call.operation}:${String(call.input.Bucket ?? '')}`;
  }

  run(call: ApiCall): Promise<unknown> {
    const key = this.key(call);
    this.log.push(`run ${key}`);
    this.calls.push(call);
    const planned = this.changes.find((c) => this.key(c.call) === key);
    if (!planned) {
      const undone = this.changes.find((c) => c.undo && this.key(c.undo) === key);
      if (!undone) throw new Error(`unexpected call ${key}`);
      this.state.delete(undone.resource);
      return Promise.resolve({});
    }
    const bucket = call.input.Bucket;
    if (bucket && this.inFlight.some((f) => f.call.input.Bucket === bucket)) {
      this.sameBucketOverlaps.push(key);
    }
    return new Promise((resolve, reject) => {
      this.inFlight.push({ call, change: planned, resolve, reject });
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight.length);
    });
  }

  async read(resource: ResourceKey): Promise<unknown> {
    this.log.push(`read ${resource}`);
    return this.state.get(resource) ?? null;
  }

  /** The ids of the changes whose calls are in flight. */
  flying(): string[] {
    return this.inFlight.map((f) => f.change.id);
  }

  /** Answers the call of change `id`: it takes effect unless `effect` is false; `fail` rejects it. */
  release(id: string, options: { output?: unknown; fail?: string; effect?: boolean } = {}) {
    const at = this.inFlight.findIndex((f) => f.change.id === id);
    const flight = this.inFlight[at];
    if (!flight) throw new Error(`${id} is not in flight (in flight: ${this.flying().join(', ')})`);
    this.inFlight.splice(at, 1);
    this.log.push(`${options.fail ? 'fail' : 'done'} ${id}`);
    if (options.effect !== false) this.state.set(flight.change.resource, flight.change.after);
    if (options.fail) flight.reject(new Error(options.fail));
    else flight.resolve(options.output ?? {});
  }

  deps(overrides: Partial<ExecutorDeps> = {}): ExecutorDeps {
    const journal: Journal = {
      path: '/state/journals/fake.jsonl',
      append: (entry) => {
        this.records.push(entry);
        this.log.push(`journal ${entry.type}${'changeId' in entry ? ` ${entry.changeId}` : ''}`);
      },
      close: () => {},
    };
    return {
      run: (call) => this.run(call),
      read: (resource) => this.read(resource),
      journal,
      ...overrides,
    };
  }
}

/** Lets pending promise callbacks and I/O callbacks run until `condition` holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let tick = 0; tick < 1000; tick++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never happened: ${what}`);
}

const sorted = (ids: string[]) => [...ids].sort();

describe('executePlan: independent writes overlap', () => {
  it('different buckets, KMS and the account are in flight together; one bucket one at a time; dependsOn honoured', async () => {
    const changes = [
      bucketPab,
      bucketOwnership,
      logsPab,
      accountPab,
      key,
      rotation,
      bucketEncryption,
    ];
    const cloud = new GatedCloud(changes);
    const applying = executePlan(planOf(changes), cloud.deps());

    // The first wave: one write per bucket, the account, the key.
    await until(() => cloud.inFlight.length === 4, 'the first wave in flight');
    expect(sorted(cloud.flying())).toEqual(
      sorted([bucketPab.id, logsPab.id, accountPab.id, key.id]),
    );
    // Every read before the first write: one per resource, none for the
    // created key, and none yet for its rotation (read by the key's ID).
    const firstRun = cloud.log.findIndex((entry) => entry.startsWith('run'));
    expect(sorted(cloud.log.slice(0, firstRun).filter((e) => e.startsWith('read')))).toEqual(
      sorted([
        'read bucket.publicAccessBlock',
        'read bucket.ownershipControls',
        'read logTarget.publicAccessBlock',
        'read account.publicAccessBlock',
        'read bucket.encryption',
      ]),
    );

    // The key answers: its rotation is read, then written with the key's ID.
    cloud.release(key.id, { output: { KeyMetadata: { KeyId: 'k-1', Arn: 'arn:k-1' } } });
    await until(() => cloud.flying().includes(rotation.id), 'the rotation in flight');
    expect(cloud.log.indexOf('read kms.rotation')).toBeGreaterThan(
      cloud.log.indexOf('done kms.key'),
    );
    expect(cloud.inFlight.find((f) => f.change.id === rotation.id)?.call.input).toEqual({
      KeyId: 'k-1',
    });
    // Encryption depends on the key but follows the bucket's earlier writes.
    expect(cloud.flying()).not.toContain(bucketOwnership.id);
    expect(cloud.flying()).not.toContain(bucketEncryption.id);

    cloud.release(bucketPab.id);
    await until(() => cloud.flying().includes(bucketOwnership.id), 'ownership in flight');
    expect(cloud.flying()).not.toContain(bucketEncryption.id);
    cloud.release(bucketOwnership.id);
    await until(() => cloud.flying().includes(bucketEncryption.id), 'encryption in flight');
    expect(cloud.inFlight.find((f) => f.change.id === bucketEncryption.id)?.call.input).toEqual({
      Bucket: BUCKET,
      KMSMasterKeyID: 'arn:k-1',
    });
    for (const id of [logsPab.id, accountPab.id, rotation.id, bucketEncryption.id]) {
      cloud.release(id);
    }
    const outcome = await applying;

    expect(outcome.status).toBe('applied');
    expect(outcome.results.map((result) => result.status)).toEqual(changes.map(() => 'applied'));
    // Results stay in plan order.
    expect(outcome.results.map((result) => result.change.id)).toEqual(changes.map((c) => c.id));
    expect(cloud.sameBucketOverlaps).toEqual([]);
    // Each intent is journalled before its call.
    for (const c of changes) {
      const intent = cloud.log.indexOf(`journal intent ${c.id}`);
      const run = cloud.log.findIndex((entry) =>
        entry.startsWith(
          `run ${c.call.service}:${c.call.operation}:${String(c.call.input.Bucket ?? '')}`,
        ),
      );
      expect(intent, c.id).toBeGreaterThanOrEqual(0);
      expect(intent, c.id).toBeLessThan(run);
    }
  });

  it('at most 8 writes are in flight', async () => {
    const resources: ResourceKey[] = [
      'bucket.publicAccessBlock',
      'bucket.ownershipControls',
      'bucket.lifecycle',
      'bucket.logging',
      'bucket.policy',
      'logTarget.publicAccessBlock',
      'logTarget.policy',
      'logTarget.encryption',
      'account.trailBucketPolicy',
      'account.trailBucketLifecycle',
    ];
    const changes = resources.map((resource, i) =>
      change(`c${i}`, resource, s3(`Put${i}`, `bucket-${i}`), s3(`Delete${i}`, `bucket-${i}`)),
    );
    // Ten buckets' writes, none chained on another (a fleet-like plan, by hand).
    const cloud = new GatedCloud(changes);
    const applying = executePlan(planOf(changes), cloud.deps({ read: async () => null }));
    await until(() => cloud.inFlight.length === 8, 'eight in flight');
    cloud.release('c0');
    await until(() => cloud.flying().includes('c8'), 'the ninth starts once one settles');
    expect(cloud.inFlight).toHaveLength(8);
    let settled = false;
    void applying.then(() => {
      settled = true;
    });
    while (!settled) {
      const next = cloud.flying()[0];
      if (next) cloud.release(next);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const outcome = await applying;
    expect(outcome.status).toBe('applied');
    expect(cloud.maxInFlight).toBe(8);
  });
});

describe('executePlan: a failure while writes are in flight', () => {
  it('starts nothing more, lets every write in flight settle, then rolls back each that was made, newest started first', async () => {
    const changes = [bucketPab, bucketOwnership, logsPab, accountPab, key, rotation];
    const cloud = new GatedCloud(changes);
    const recovered: ResourceKey[] = [];
    const applying = executePlan(
      planOf(changes),
      cloud.deps({
        // The key CreateKey made, found again by its tag: its answer was lost.
        recover: async (resource) => {
          recovered.push(resource);
          return { KeyMetadata: { KeyId: 'k-9', Arn: 'arn:k-9' } };
        },
      }),
    );
    await until(() => cloud.inFlight.length === 4, 'the first wave in flight');

    // The account write reaches S3, then its connection drops.
    cloud.release(accountPab.id, { fail: 'socket hang up' });
    // CreateKey takes effect, its answer is lost.
    cloud.release(key.id, { fail: 'connection reset' });
    cloud.release(logsPab.id);
    await until(() => cloud.log.includes('journal applied logTarget.publicAccessBlock'), 'settled');
    // The bucket's write is still in flight: no undo yet, and nothing new started.
    expect(cloud.flying()).toEqual([bucketPab.id]);
    expect(
      cloud.log.some((entry) => entry.startsWith('run') && /Delete|Schedule/.test(entry)),
    ).toBe(false);
    // It fails too, without effect.
    cloud.release(bucketPab.id, { fail: 'timeout', effect: false });
    const outcome = await applying;

    expect(outcome.status).toBe('rolled-back');
    expect(outcome.error).toBe('account.publicAccessBlock: socket hang up');
    expect(outcome.results.map((result) => [result.change.id, result.status])).toEqual([
      // Failed without effect: read, found as before, nothing to undo.
      [bucketPab.id, 'failed'],
      // Never started: it follows the bucket's failed write.
      [bucketOwnership.id, 'pending'],
      [logsPab.id, 'rolled-back'],
      [accountPab.id, 'rolled-back'],
      [key.id, 'rolled-back'],
      // Never started: its key failed.
      [rotation.id, 'pending'],
    ]);
    expect(recovered).toEqual(['kms.key']);
    // Undone newest started first, the lost key by the ID found again.
    const undos = cloud.log.filter(
      (entry) => entry.startsWith('run') && /Delete|Schedule/.test(entry),
    );
    expect(undos).toEqual([
      'run kms:ScheduleKeyDeletion:',
      'run s3control:DeletePublicAccessBlock:',
      `run s3:DeletePublicAccessBlock:${LOGS}`,
    ]);
    expect(cloud.calls.find((call) => call.operation === 'ScheduleKeyDeletion')?.input).toEqual({
      KeyId: 'k-9',
    });
    expect(cloud.records).toContainEqual({
      type: 'applied',
      changeId: key.id,
      output: { 'KeyMetadata.KeyId': 'k-9' },
    });
    expect(cloud.state.size).toBe(0);
    expect(cloud.records.at(-1)).toEqual({ type: 'end', outcome: 'rolled-back' });
  });

  it('a cancel with writes in flight: they settle, nothing new starts, all rolled back', async () => {
    const changes = [bucketPab, bucketOwnership, accountPab];
    const cloud = new GatedCloud(changes);
    const controller = new AbortController();
    const applying = executePlan(planOf(changes), cloud.deps({ signal: controller.signal }));
    await until(() => cloud.inFlight.length === 2, 'two in flight');
    controller.abort();
    cloud.release(bucketPab.id);
    cloud.release(accountPab.id);
    const outcome = await applying;
    expect(outcome).toMatchObject({ status: 'rolled-back', cancelled: true });
    expect(outcome.results.map((result) => result.status)).toEqual([
      'rolled-back',
      'pending',
      'rolled-back',
    ]);
    expect(cloud.state.size).toBe(0);
  });
});

describe('executePlan: stale before the first write', () => {
  it('a resource that moved since the plan: nothing is written at all', async () => {
    const changes = [bucketPab, logsPab, accountPab];
    const cloud = new GatedCloud(changes);
    cloud.state.set('account.publicAccessBlock', OFF);
    const outcome = await executePlan(planOf(changes), cloud.deps());

    expect(cloud.log.some((entry) => entry.startsWith('run'))).toBe(false);
    expect(outcome.status).toBe('rolled-back');
    expect(outcome.results.map((result) => result.status)).toEqual(['pending', 'pending', 'stale']);
    const text =
      'changed since the plan (now {"BlockPublicAcls":false,"IgnorePublicAcls":false,"BlockPublicPolicy":false,"RestrictPublicBuckets":false}): not written; plan again';
    expect(outcome.results[2]?.error).toBe(text);
    expect(outcome.error).toBe(`account.publicAccessBlock: ${text}`);
    expect(cloud.records.map((record) => record.type)).toEqual(['begin', 'end']);
    expect(cloud.records.at(-1)).toEqual({ type: 'end', outcome: 'rolled-back' });
  });

  it('a second change to one resource is checked against what the first leaves, not read again', async () => {
    const second = change(
      'bucket.publicAccessBlock.again',
      'bucket.publicAccessBlock',
      s3('PutPublicAccessBlock', BUCKET, { PublicAccessBlockConfiguration: OFF }),
      s3('PutPublicAccessBlock', BUCKET, { PublicAccessBlockConfiguration: ON }),
      // Planned on a value the first change does not leave.
      { before: OFF, after: OFF },
    );
    const changes = [bucketPab, second];
    const cloud = new GatedCloud(changes);
    const outcome = await executePlan(planOf(changes), cloud.deps());
    expect(cloud.log.filter((entry) => entry.startsWith('read'))).toEqual([
      'read bucket.publicAccessBlock',
    ]);
    expect(cloud.log.some((entry) => entry.startsWith('run'))).toBe(false);
    expect(outcome.results.map((result) => result.status)).toEqual(['pending', 'stale']);
  });
});
