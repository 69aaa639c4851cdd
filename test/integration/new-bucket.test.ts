/**
 * Creating the bucket the wizard hardens: the plan starts with CreateBucket,
 * every setting is written explicitly, and a failure deletes the new bucket.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import { parsePlan } from '../../src/plan/files/plan-file.js';
import { buildPlan, defaultAnswers } from '../../src/steps/index.js';
import { assumedValues } from '../../src/steps/new-bucket.js';
import type { StepId } from '../../src/steps/types.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';

const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const STEPS: readonly StepId[] = ['public-access-block'];

describe('creating a new bucket', () => {
  let session: AwsSession;
  let dir: string;
  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
    dir = mkdtempSync(join(tmpdir(), 's3-harden-new-'));
  });
  afterAll(() => session.close());

  it('plans the creation first and applies it with the settings', async () => {
    const bucket = uniqueBucket('fresh');
    const file = join(dir, `${bucket}.json`);
    const planned = await runCli([
      'plan',
      '--bucket',
      bucket,
      '--create-bucket',
      '--out',
      file,
      '--endpoint-url',
      emulatorUrl(),
    ]);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain('+ Create bucket  (s3:CreateBucket)');
    expect(planned.stdout).toContain(`aws s3api create-bucket --bucket ${bucket}`);
    const plan = parsePlan(readFileSync(file, 'utf8'));
    expect(plan.changes[0]?.id).toBe('bucket.exists');
    // A new bucket has nothing configured: Block Public Access is written explicitly.
    expect(plan.changes.map((change) => change.id)).toContain('bucket.publicAccessBlock');

    const applied = await runCli(['apply', file, '--yes', '--endpoint-url', emulatorUrl()]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const target = { accountId: session.identity.accountId, region: 'us-east-1', bucket };
    expect(await session.read(target, 'bucket.exists')).toEqual({ Region: 'us-east-1' });
    expect(await session.read(target, 'bucket.publicAccessBlock')).toEqual(ALL_ON);

    // Applying the same plan again: the bucket exists now and reads as the plan leaves it.
    const again = await runCli(['apply', file, '--yes', '--endpoint-url', emulatorUrl()]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`Already applied: ${bucket} reads as planned. Nothing to do.\n`);
    // Changed by hand since: no longer applied, and not what the plan saw either.
    await session.execute({
      service: 's3',
      operation: 'DeletePublicAccessBlock',
      input: { Bucket: bucket },
    });
    const changed = await runCli(['apply', file, '--yes', '--endpoint-url', emulatorUrl()]);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(
      /^s3-harden: the plan is stale: Bucket, .* and \d+ more changed since the plan\. Make a new plan with s3-harden plan\.\n$/,
    );
  });

  it('refuses to plan the creation of a bucket that exists', async () => {
    const bucket = uniqueBucket('taken');
    await createBucket(bucket);
    const result = await runCli([
      'plan',
      '--bucket',
      bucket,
      '--create-bucket',
      '--endpoint-url',
      emulatorUrl(),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `s3-harden: bucket ${bucket} already exists; plan without --create-bucket\n`,
    );
  });

  it('a failure after the creation deletes the new bucket again', async () => {
    const bucket = uniqueBucket('undo-new');
    const create = { name: bucket, region: 'us-east-1', objectLock: false };
    const posture = await session.observe(bucket, ['bucket.exists', 'bucket.publicAccessBlock'], {
      newBucket: { region: 'us-east-1', assumed: assumedValues(create) },
    });
    expect(posture.values['bucket.exists']).toBeNull();
    const plan = buildPlan(
      posture,
      'baseline',
      STEPS,
      defaultAnswers(posture, 'baseline', STEPS),
      undefined,
      create,
    );
    expect(plan.changes.map((change) => change.id)).toEqual([
      'bucket.exists',
      'bucket.publicAccessBlock',
    ]);

    let calls = 0;
    const journal = openJournal(plan.target, join(dir, 'journals'));
    const outcome = await executePlan(plan, {
      run: async (call) => {
        calls += 1;
        if (calls === 2) throw new Error('injected fault');
        return session.execute(call);
      },
      read: (resource, identity) => session.read(plan.target, resource, identity),
      journal,
    });
    journal.close();
    expect(outcome.status).toBe('rolled-back');
    expect(outcome.results.map((result) => result.status)).toEqual(['rolled-back', 'failed']);
    expect(await session.read(plan.target, 'bucket.exists')).toBeNull();
    expect(await session.listBuckets()).not.toContain(bucket);
  });

  it('--object-lock needs --create-bucket', async () => {
    const result = await runCli([
      'plan',
      '--bucket',
      'some-bucket',
      '--object-lock',
      '--endpoint-url',
      emulatorUrl(),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^s3-harden: --object-lock only applies with --create-bucket/);
  });
});
