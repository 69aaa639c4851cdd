/**
 * Server access logging against the emulator: the target is checked and
 * fixed (created, SSE-S3, a delivery grant in its policy that keeps what was
 * there), logging is switched on and reads back, and a rollback restores the
 * source and the target exactly.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutBucketEncryptionCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import type { Plan, Posture } from '../../src/plan/model/types.js';
import { buildPlan } from '../../src/steps/index.js';
import { type LoggingAnswers, logDeliverySid, loggingStep } from '../../src/steps/logging.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients } from '../helpers/fixtures.js';

const FOREIGN = {
  Sid: 'TeamRead',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::123456789012:root' },
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::x/*',
};

describe('server access logging against the emulator', () => {
  let session: AwsSession;
  let dir: string;
  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
    dir = mkdtempSync(join(tmpdir(), 's3-harden-logging-'));
  });
  afterAll(() => session.close());

  const observe = async (bucket: string, target: string): Promise<Posture> =>
    session.observeLogTarget(await session.observe(bucket, ['bucket.logging']), target);
  const answers = (posture: Posture, target: string): LoggingAnswers => ({
    ...loggingStep.defaults(posture, 'baseline'),
    target,
  });
  const apply = async (plan: Plan, failAt?: number) => {
    let calls = 0;
    const journal = openJournal(plan.target, join(dir, 'journals'));
    const outcome = await executePlan(plan, {
      run: async (call) => {
        calls += 1;
        if (calls === failAt) throw new Error('injected fault');
        return session.execute(call);
      },
      read: (resource, identity) => session.read(plan.target, resource, identity),
      journal,
    });
    journal.close();
    return outcome;
  };

  it('fixes an existing target (SSE-KMS → SSE-S3, delivery grant kept beside other statements) and turns logging on', async () => {
    const bucket = uniqueBucket('src');
    const target = uniqueBucket('logs');
    await createBucket(bucket);
    await createBucket(target);
    const { s3 } = rawClients();
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: target,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ ...FOREIGN, Resource: `arn:aws:s3:::${target}/*` }],
        }),
      }),
    );
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: target,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
        },
      }),
    );
    const before = await observe(bucket, target);
    const plan = buildPlan(before, 'baseline', ['logging'], { logging: answers(before, target) });
    expect(plan.target.logBucket).toBe(target);
    // The delivery grant first; then the target hardened like any bucket.
    expect(plan.changes.map((change) => change.id)).toEqual([
      'logTarget.policy',
      'logTarget.publicAccessBlock',
      'logTarget.ownershipControls',
      'logTarget.encryption',
      'logTarget.versioning',
      'logTarget.lifecycle',
      'bucket.logging',
    ]);
    expect(
      plan.changes.find((change) => change.id === 'logTarget.encryption')?.warnings[0],
    ).toMatch(/does not support aws:kms default encryption on the target/);

    const outcome = await apply(plan);
    expect(outcome.status).toBe('applied');
    expect(outcome.results.every((result) => result.verified)).toBe(true);
    const after = await observe(bucket, target);
    expect(after.values['bucket.logging']).toMatchObject({
      TargetBucket: target,
      TargetPrefix: 's3-access-logs/',
    });
    const statements = (after.values['logTarget.policy'] as { Statement: { Sid: string }[] })
      .Statement;
    expect(statements.map((statement) => statement.Sid)).toEqual([
      'TeamRead',
      logDeliverySid(bucket),
      'S3HardenDenyInsecureTransport',
    ]);
    // A second plan has nothing to do.
    expect(
      buildPlan(after, 'baseline', ['logging'], { logging: answers(after, target) }).changes,
    ).toEqual([]);
  });

  it('a fault at any change restores source and target exactly; a created target is deleted again', async () => {
    for (const failAt of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const bucket = uniqueBucket(`src-k${failAt}`);
      const target = uniqueBucket(`new-logs-k${failAt}`);
      await createBucket(bucket);
      const before = await observe(bucket, target);
      expect(before.values['logTarget.exists']).toBeNull();
      const plan = buildPlan(before, 'baseline', ['logging'], { logging: answers(before, target) });
      expect(plan.changes.map((change) => change.id)).toEqual([
        'logTarget.exists',
        'logTarget.policy',
        'logTarget.publicAccessBlock',
        'logTarget.ownershipControls',
        'logTarget.encryption',
        'logTarget.versioning',
        'logTarget.lifecycle',
        'bucket.logging',
      ]);
      const outcome = await apply(plan, failAt);
      expect(outcome.status, `fault at ${failAt}`).toBe('rolled-back');
      const after = await observe(bucket, target);
      expect(after.values, `fault at ${failAt}`).toEqual(before.values);
    }
  });

  it('refuses a bucket logging into itself, and a target with Object Lock', async () => {
    const bucket = uniqueBucket('self');
    await createBucket(bucket);
    const posture = await observe(bucket, bucket);
    expect(() =>
      buildPlan(posture, 'baseline', ['logging'], { logging: answers(posture, bucket) }),
    ).toThrow(
      'Server access logging: a bucket cannot log into itself; choose another target bucket.',
    );
    const locked = uniqueBucket('locked');
    const { s3 } = rawClients();
    const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
    await s3.send(new CreateBucketCommand({ Bucket: locked, ObjectLockEnabledForBucket: true }));
    const withLocked = await observe(bucket, locked);
    expect(() =>
      buildPlan(withLocked, 'baseline', ['logging'], { logging: answers(withLocked, locked) }),
    ).toThrow(
      `Server access logging: ${locked} has Object Lock, and log delivery cannot write to it; choose another target.`,
    );
  });
});
