/**
 * The access-point step against the emulator (S3 Control through the custom
 * endpointProvider): created with the bucket policy's grants, read back by a
 * fresh observe, unchanged on a second plan, and undone to the exact prior
 * state — no access point, or the same access point with the same policy.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import {
  CreateAccessPointCommand,
  GetAccessPointCommand,
  GetAccessPointPolicyCommand,
  PutAccessPointPolicyCommand,
} from '@aws-sdk/client-s3-control';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import { parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import type { ApiCall, Plan, Posture } from '../../src/plan/model/types.js';
import { accessPointName } from '../../src/plan/resources/access-point.js';
import type { AccessPointAnswers } from '../../src/steps/access-point.js';
import { buildPlan, defaultAnswers, readsFor } from '../../src/steps/index.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { ACCOUNT, createBucket, rawClients } from '../helpers/fixtures.js';

const ROLE = 'arn:aws:iam::111122223333:role/reader';
const VPC = 'vpc-0123456789abcdef0';
const READS = readsFor(['access-point']);

/** A bucket policy as the bucket-policy step writes it, granting one role read-only access. */
const bucketPolicy = (bucket: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'S3HardenReadOnly1',
        Effect: 'Allow',
        Principal: { AWS: ROLE },
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      },
    ],
  });

/** An access point policy someone else wrote, as they typed it. */
const foreignPolicy = (name: string) => `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "TeamRead",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::111122223333:role/team" },
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/${name}/object/*"
    }
  ]
}`;

const CREATE: AccessPointAnswers = { create: true, vpcId: VPC, policy: 'from-bucket-policy' };

describe('access point against the emulator', () => {
  let session: AwsSession;
  let dir: string;
  const { s3, s3control } = rawClients();

  const rawAccessPoint = async (name: string) => {
    try {
      const { $metadata: _metadata, ...rest } = await s3control.send(
        new GetAccessPointCommand({ AccountId: ACCOUNT, Name: name }),
      );
      return rest;
    } catch (error) {
      if ((error as Error).name === 'NoSuchAccessPoint') return null;
      throw error;
    }
  };

  const rawPolicy = async (name: string) => {
    try {
      return (
        (await s3control.send(new GetAccessPointPolicyCommand({ AccountId: ACCOUNT, Name: name })))
          .Policy ?? null
      );
    } catch (error) {
      if (['NoSuchAccessPoint', 'NoSuchAccessPointPolicy'].includes((error as Error).name))
        return null;
      throw error;
    }
  };

  const observe = (bucket: string): Promise<Posture> => session.observe(bucket, READS);

  const planFor = async (bucket: string, answers?: AccessPointAnswers): Promise<Plan> => {
    const posture = await observe(bucket);
    const defaults = defaultAnswers(posture, 'baseline', ['access-point']);
    return buildPlan(posture, 'baseline', ['access-point'], {
      ...defaults,
      ...(answers ? { 'access-point': answers } : {}),
    });
  };

  const apply = async (plan: Plan, fail?: (call: ApiCall) => boolean) => {
    const journal = openJournal(plan.target, join(dir, 'journals'));
    try {
      return await executePlan(plan, {
        run: async (call) => {
          if (fail?.(call)) throw new Error('injected fault');
          return session.execute(call);
        },
        read: (resource, identity) => session.read(plan.target, resource, identity),
        journal,
      });
    } finally {
      journal.close();
    }
  };

  /** Runs every undo, newest first, as a later rollback would. */
  const undoAll = async (plan: Plan) => {
    for (const change of [...plan.changes].reverse()) {
      if (change.undo) await session.execute(change.undo);
    }
  };

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => {
    session.close();
    s3.destroy();
    s3control.destroy();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-access-point-'));
  });

  it('creates it in a VPC with the bucket policy grants; a fresh observe reads it back; undo removes it', async () => {
    const bucket = uniqueBucket('ap-create');
    const name = accessPointName(bucket);
    await createBucket(bucket);
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: bucketPolicy(bucket) }));
    const prior = await observe(bucket);
    expect(prior.values['bucket.accessPoint']).toBeNull();
    expect(prior.values['bucket.accessPointPolicy']).toBeNull();

    // Through the plan file, as `plan --out` and `apply` would carry it.
    const plan = parsePlan(serializePlan(await planFor(bucket, CREATE), 'test'));
    expect(plan.changes.map((change) => change.call.operation)).toEqual([
      'CreateAccessPoint',
      'PutAccessPointPolicy',
    ]);
    const outcome = await apply(plan);
    expect(outcome.status).toBe('applied');
    expect(outcome.results.map((result) => result.verified)).toEqual([true, true]);

    // A fresh session, a fresh read.
    const fresh = await connect({ endpoint: emulatorUrl() });
    try {
      const after = await fresh.observe(bucket, READS);
      expect(after.values['bucket.accessPoint']).toEqual({ Name: name, VpcId: VPC });
      expect(after.values['bucket.accessPointPolicy']).toEqual(plan.changes[1]?.after);
    } finally {
      fresh.close();
    }
    const live = await rawAccessPoint(name);
    expect(live).toMatchObject({
      Name: name,
      Bucket: bucket,
      NetworkOrigin: 'VPC',
      VpcConfiguration: { VpcId: VPC },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    });
    expect(JSON.parse((await rawPolicy(name)) as string).Statement[0].Resource).toEqual([
      `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/${name}`,
      `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/${name}/object/*`,
    ]);

    // The defaults keep it, and asking again for the same changes nothing.
    expect((await planFor(bucket)).changes).toEqual([]);
    expect((await planFor(bucket, CREATE)).changes).toEqual([]);

    await undoAll(plan);
    const undone = await observe(bucket);
    expect(undone.values).toEqual(prior.values);
    expect(await rawAccessPoint(name)).toBeNull();
  });

  it('a failure at the policy deletes the access point it had just created', async () => {
    const bucket = uniqueBucket('ap-fault');
    const name = accessPointName(bucket);
    await createBucket(bucket);
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: bucketPolicy(bucket) }));
    const prior = await observe(bucket);

    const plan = await planFor(bucket, { ...CREATE, vpcId: '' });
    const outcome = await apply(plan, (call) => call.operation === 'PutAccessPointPolicy');
    expect(outcome.status).toBe('rolled-back');
    expect(outcome.results.map((result) => result.status)).toEqual(['rolled-back', 'failed']);
    expect(await rawAccessPoint(name)).toBeNull();
    expect((await observe(bucket)).values).toEqual(prior.values);
  });

  it('deletes an access point and its policy; undo re-creates the same one with the exact policy', async () => {
    // Dots and a long name: the derived name is shortened and hashed.
    const bucket = `ap.delete.${uniqueBucket('x')}`.slice(0, 63).replace(/[.-]+$/, '');
    const name = accessPointName(bucket);
    expect(name).toMatch(/-[0-9a-f]{8}$/);
    await createBucket(bucket);
    await s3control.send(
      new CreateAccessPointCommand({
        AccountId: ACCOUNT,
        Name: name,
        Bucket: bucket,
        VpcConfiguration: { VpcId: VPC },
      }),
    );
    await s3control.send(
      new PutAccessPointPolicyCommand({
        AccountId: ACCOUNT,
        Name: name,
        Policy: foreignPolicy(name),
      }),
    );
    const prior = await observe(bucket);
    expect(prior.values['bucket.accessPoint']).toEqual({ Name: name, VpcId: VPC });
    // Kept by default.
    expect((await planFor(bucket)).changes).toEqual([]);

    const plan = parsePlan(
      serializePlan(await planFor(bucket, { create: false, vpcId: '', policy: 'none' }), 'test'),
    );
    expect(plan.changes.map((change) => change.call.operation)).toEqual([
      'DeleteAccessPointPolicy',
      'DeleteAccessPoint',
    ]);
    const outcome = await apply(plan);
    expect(outcome.status).toBe('applied');
    expect(outcome.results.map((result) => result.verified)).toEqual([true, true]);
    expect(await rawAccessPoint(name)).toBeNull();

    await undoAll(plan);
    expect((await observe(bucket)).values).toEqual(prior.values);
    // The exact previous text, byte for byte.
    expect(await rawPolicy(name)).toBe(foreignPolicy(name));
  });

  it('a failure at the deletion puts the exact policy back', async () => {
    const bucket = uniqueBucket('ap-keep');
    const name = accessPointName(bucket);
    await createBucket(bucket);
    await s3control.send(
      new CreateAccessPointCommand({ AccountId: ACCOUNT, Name: name, Bucket: bucket }),
    );
    await s3control.send(
      new PutAccessPointPolicyCommand({
        AccountId: ACCOUNT,
        Name: name,
        Policy: foreignPolicy(name),
      }),
    );
    const prior = await observe(bucket);

    const plan = await planFor(bucket, { create: false, vpcId: '', policy: 'none' });
    const outcome = await apply(plan, (call) => call.operation === 'DeleteAccessPoint');
    expect(outcome.status).toBe('rolled-back');
    expect(outcome.results.map((result) => result.status)).toEqual(['rolled-back', 'failed']);
    expect((await observe(bucket)).values).toEqual(prior.values);
    expect(await rawAccessPoint(name)).toMatchObject({ Name: name, NetworkOrigin: 'Internet' });
  });

  it('merges its grants into an existing policy and leaves a foreign statement intact', async () => {
    const bucket = uniqueBucket('ap-merge');
    const name = accessPointName(bucket);
    await createBucket(bucket);
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: bucketPolicy(bucket) }));
    await s3control.send(
      new CreateAccessPointCommand({ AccountId: ACCOUNT, Name: name, Bucket: bucket }),
    );
    await s3control.send(
      new PutAccessPointPolicyCommand({
        AccountId: ACCOUNT,
        Name: name,
        Policy: foreignPolicy(name),
      }),
    );
    const prior = await observe(bucket);

    const plan = await planFor(bucket, { create: true, vpcId: '', policy: 'from-bucket-policy' });
    expect(plan.changes.map((change) => change.action)).toEqual(['update']);
    expect((await apply(plan)).status).toBe('applied');
    const live = JSON.parse((await rawPolicy(name)) as string);
    expect(live.Statement.map((statement: { Sid: string }) => statement.Sid)).toEqual([
      'TeamRead',
      'S3HardenReadOnly1',
    ]);
    expect(JSON.stringify(live.Statement[0])).toBe(
      JSON.stringify(JSON.parse(foreignPolicy(name)).Statement[0]),
    );

    await undoAll(plan);
    expect((await observe(bucket)).values).toEqual(prior.values);
  });
});
