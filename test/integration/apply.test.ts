/**
 * The plan → apply → verify → roll back path against the local emulator,
 * through the built CLI where the user would use it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal, readJournal } from '../../src/plan/apply/journal.js';
import { parsePlan } from '../../src/plan/files/plan-file.js';
import type { ApiCall, Posture } from '../../src/plan/model/types.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, setAccountPublicAccessBlock } from '../helpers/fixtures.js';

const BOTH = ['bucket.publicAccessBlock', 'account.publicAccessBlock'] as const;
// These tests are about the plan/apply machinery; Block Public Access is enough.
const PAB_ONLY = ['--only', 'public-access-block,account-public-access-block'];
const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

describe('plan and apply against the emulator', () => {
  let session: AwsSession;
  let dir: string;
  const endpoint = () => ['--endpoint-url', emulatorUrl()];
  const snapshot = async (bucket: string): Promise<Posture['values']> =>
    (await session.observe(bucket, [...BOTH])).values;

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => session.close());
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-apply-'));
    await setAccountPublicAccessBlock(null);
  });

  /** A new bucket (open, or with `publicAccessBlock`) and its saved Block Public Access plan. */
  async function planBucket(label: string, publicAccessBlock?: Partial<typeof ALL_ON>) {
    const bucket = uniqueBucket(label);
    await createBucket(bucket, publicAccessBlock ? { publicAccessBlock } : {});
    const file = join(dir, 'plan.json');
    const result = await runCli([
      'plan',
      ...PAB_ONLY,
      '--bucket',
      bucket,
      '--out',
      file,
      ...endpoint(),
    ]);
    expect(result.code).toBe(2);
    return { bucket, file, result };
  }

  it('plans without writing, applies, and a fresh read shows Block Public Access on', async () => {
    const { bucket, file, result: planned } = await planBucket('apply', { BlockPublicAcls: true });
    expect(planned.stderr).toBe('');
    expect(planned.stdout).toContain('~ Block Public Access (bucket)');
    expect(planned.stdout).toContain('    ~ IgnorePublicAcls       false -> true');
    expect(planned.stdout).toContain('+ Block Public Access (account)');
    expect(planned.stdout).toContain('Plan: 1 to add, 1 to change, 0 to remove (0 irreversible).');
    expect(planned.stdout).toContain(`aws s3api put-public-access-block --bucket ${bucket}`);
    // A dry run writes nothing.
    expect((await snapshot(bucket))['account.publicAccessBlock']).toBeNull();

    const applied = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('Apply complete: 2 changes applied and verified.');
    expect(applied.code).toBe(0);
    // Where the journal is, and the undo command whole, ready to paste.
    const journal = /^Journal: (\S+\.jsonl)$/m.exec(applied.stdout)?.[1];
    expect(journal).toBeDefined();
    expect(applied.stdout).toContain(
      `Undo: s3-harden rollback ${journal} --endpoint-url ${emulatorUrl()}`,
    );
    expect(await snapshot(bucket)).toEqual({
      'bucket.publicAccessBlock': ALL_ON,
      'account.publicAccessBlock': ALL_ON,
    });

    const again = await runCli(['plan', ...PAB_ONLY, '--bucket', bucket, ...endpoint()]);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('No changes. The bucket already matches.');
  });

  it('--json carries the same plan for machines', async () => {
    const bucket = uniqueBucket('json');
    await createBucket(bucket);
    const result = await runCli(['plan', ...PAB_ONLY, '--bucket', bucket, '--json', ...endpoint()]);
    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout);
    expect(json.counts).toEqual({ add: 2, change: 0, remove: 0, irreversible: 0 });
    expect(json.changes.map((change: { id: string }) => change.id)).toEqual([
      'bucket.publicAccessBlock',
      'account.publicAccessBlock',
    ]);
    expect(parsePlan(JSON.stringify(json.plan)).target.bucket).toBe(bucket);
  });

  it('a fault at the second change rolls the first back to its exact prior state, including "absent"', async () => {
    for (const prior of [
      null,
      {
        BlockPublicAcls: true,
        IgnorePublicAcls: false,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: false,
      },
    ]) {
      const bucket = uniqueBucket('fault');
      await createBucket(bucket, prior ? { publicAccessBlock: prior } : {});
      const file = join(dir, `${bucket}.json`);
      expect(
        (await runCli(['plan', ...PAB_ONLY, '--bucket', bucket, '--out', file, ...endpoint()]))
          .code,
      ).toBe(2);
      const plan = parsePlan(readFileSync(file, 'utf8'));
      const before = await snapshot(bucket);

      let writes = 0;
      const journal = openJournal(plan.target, join(dir, 'journals'));
      const outcome = await executePlan(plan, {
        run: async (call: ApiCall) => {
          writes += 1;
          if (writes === 2) throw new Error('injected fault');
          return session.execute(call);
        },
        read: (resource, identity) => session.read(plan.target, resource, identity),
        journal,
      });
      journal.close();

      expect(outcome.status).toBe('rolled-back');
      expect(outcome.error).toBe('Block Public Access (account): injected fault');
      expect(outcome.results.map((result) => result.status)).toEqual(['rolled-back', 'failed']);
      expect(await snapshot(bucket)).toEqual(before);
      expect(before['bucket.publicAccessBlock']).toEqual(prior);
      // The journal recorded each before-state ahead of its write, and the
      // rollback. The two changes are independent (the bucket, the account):
      // both are in flight together, so both intents come first and their
      // outcomes in the order the calls answer.
      const types = readJournal(journal.path).map((entry) => entry.type);
      expect(types.slice(0, 3)).toEqual(['begin', 'intent', 'intent']);
      expect(types.slice(3, 5).sort()).toEqual(['applied', 'failed']);
      expect(types.slice(5)).toEqual(['rolled-back', 'end']);
    }
  });

  it('refuses a stale plan and names the drift', async () => {
    const { bucket, file } = await planBucket('stale');
    await session.execute({
      service: 's3',
      operation: 'PutPublicAccessBlock',
      input: {
        Bucket: bucket,
        PublicAccessBlockConfiguration: { ...ALL_ON, RestrictPublicBuckets: false },
      },
    });
    const result = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    // What drifted, named in one short line; the values are for --json.
    expect(result.stderr).toBe(
      's3-harden: the plan is stale: Block Public Access (bucket) changed since the plan. Make a new plan with s3-harden plan.\n',
    );
    // Nothing was applied: the account setting is still absent.
    expect((await snapshot(bucket))['account.publicAccessBlock']).toBeNull();

    const json = await runCli(['apply', file, '--yes', '--json', ...endpoint()]);
    expect(json.code).toBe(1);
    expect(json.stderr).toBe(result.stderr);
    expect(JSON.parse(json.stdout)).toEqual({
      bucket,
      status: 'stale',
      changes: 2,
      detail: 'Block Public Access (bucket) changed since the plan',
      drift: [
        {
          resource: 'bucket.publicAccessBlock',
          label: 'Block Public Access (bucket)',
          planned: null,
          live: { ...ALL_ON, RestrictPublicBuckets: false },
        },
      ],
    });
  });

  it('applying the same plan again: already applied, nothing to do, exit 0', async () => {
    const { bucket, file } = await planBucket('again');
    expect((await runCli(['apply', file, '--yes', ...endpoint()])).code).toBe(0);
    const again = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`Already applied: ${bucket} reads as planned. Nothing to do.\n`);
    const json = await runCli(['apply', file, '--yes', '--json', ...endpoint()]);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe(`Already applied: ${bucket} reads as planned. Nothing to do.\n`);
    expect(JSON.parse(json.stdout)).toEqual({ bucket, status: 'already-applied', changes: 2 });
    // Half of it undone by hand: that is drift, not "applied".
    await session.execute({
      service: 's3',
      operation: 'DeletePublicAccessBlock',
      input: { Bucket: bucket },
    });
    const half = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(half.code).toBe(1);
    expect(half.stderr).toMatch(
      /^s3-harden: the plan is stale: Block Public Access \(account\) changed/,
    );
  });

  it('--json: the applied result on stdout alone, the review and progress on stderr', async () => {
    const { bucket, file } = await planBucket('json-apply');
    const result = await runCli(['apply', file, '--yes', '--json', ...endpoint()]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Apply complete: 2 changes applied and verified.');
    const json = JSON.parse(result.stdout);
    expect(json).toEqual({
      bucket,
      status: 'applied',
      changes: 2,
      journal: expect.stringMatching(/\.jsonl$/),
      undo: `s3-harden rollback ${json.journal} --endpoint-url ${emulatorUrl()}`,
    });
    expect(result.stderr).toContain(`Undo: ${json.undo}`);
  });

  it('refuses a plan for another account before writing', async () => {
    const bucket = uniqueBucket('acct');
    await createBucket(bucket);
    const file = join(dir, 'plan.json');
    await runCli(['plan', ...PAB_ONLY, '--bucket', bucket, '--out', file, ...endpoint()]);
    const text = readFileSync(file, 'utf8').replaceAll('123456789012', '210987654321');
    writeFileSync(file, text);
    const result = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      's3-harden: the plan is for account 210987654321, but these credentials are for account 123456789012',
    );
  });

  it('reports an unreachable endpoint in one line with exit 1', async () => {
    const result = await runCli([
      'plan',
      '--bucket',
      'some-bucket',
      '--endpoint-url',
      'http://127.0.0.1:9',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      's3-harden: Cannot reach http://127.0.0.1:9: connection refused. Check --endpoint-url, the network or a proxy.\n',
    );
  });

  it('names a missing bucket in one line', async () => {
    const result = await runCli(['plan', '--bucket', 'no-such-bucket-anywhere', ...endpoint()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('s3-harden: Bucket no-such-bucket-anywhere does not exist.\n');
  });
});
