/**
 * Object Lock against the emulator. The emulator, like AWS since November
 * 2023, accepts PutObjectLockConfiguration on an existing bucket once
 * versioning is Enabled, and refuses it (InvalidBucketState) otherwise.
 * Enabling cannot be undone; changing the default retention can, exactly.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import { composePlan } from '../../src/plan/model/compose.js';
import type { ApiCall, Plan, Posture, ResourceKey } from '../../src/plan/model/types.js';
import type { ObjectLockConfiguration } from '../../src/plan/resources/object-lock.js';
import { buildPlan } from '../../src/steps/index.js';
import {
  type ObjectLockAnswers,
  objectLockPrerequisite,
  objectLockStep,
} from '../../src/steps/object-lock.js';
import { objectOwnershipStep } from '../../src/steps/object-ownership.js';
import { versioningStep } from '../../src/steps/versioning.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { rawClients } from '../helpers/fixtures.js';

const READS: ResourceKey[] = [
  'bucket.objectLock',
  'bucket.versioning',
  'bucket.ownershipControls',
  'bucket.acl',
];

const GOV_30: ObjectLockConfiguration = {
  ObjectLockEnabled: 'Enabled',
  Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } },
};

async function seed(
  bucket: string,
  options: {
    lockedAtCreation?: boolean;
    versioning?: 'Enabled' | 'Suspended';
    rule?: ObjectLockConfiguration;
  } = {},
) {
  const { s3 } = rawClients();
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(options.lockedAtCreation ? { ObjectLockEnabledForBucket: true } : {}),
    }),
  );
  if (options.versioning) {
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: options.versioning },
      }),
    );
  }
  if (options.rule) {
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: bucket,
        ObjectLockConfiguration: options.rule,
      }),
    );
  }
}

describe('Object Lock against the emulator', () => {
  let session: AwsSession;
  const journals = mkdtempSync(join(tmpdir(), 's3-harden-object-lock-'));
  const observe = (bucket: string) => session.observe(bucket, READS);
  const apply = async (plan: Plan, faultAt?: number) => {
    let writes = 0;
    const journal = openJournal(plan.target, journals);
    try {
      return await executePlan(plan, {
        run: async (call: ApiCall) => {
          writes += 1;
          if (writes === faultAt) throw new Error('injected fault');
          return session.execute(call);
        },
        read: (resource, identity) => session.read(plan.target, resource, identity),
        journal,
      });
    } finally {
      journal.close();
    }
  };
  /** The worm preset's answers, with the bucket name typed. */
  const worm = (posture: Posture): ObjectLockAnswers => ({
    ...objectLockStep.defaults(posture, 'worm'),
    confirm: posture.bucket,
  });

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => session.close());

  it('reads "not enabled" as null and a bucket locked at creation as enabled', async () => {
    const plain = uniqueBucket('lock-none');
    const locked = uniqueBucket('lock-created');
    await seed(plain);
    await seed(locked, { lockedAtCreation: true });
    expect((await observe(plain)).values['bucket.objectLock']).toBeNull();
    expect((await observe(locked)).values).toMatchObject({
      'bucket.objectLock': { ObjectLockEnabled: 'Enabled' },
      'bucket.versioning': { Status: 'Enabled' },
    });
  });

  it('the worm plan turns versioning on, then Object Lock with GOVERNANCE 30 days, on an existing bucket', async () => {
    const bucket = uniqueBucket('lock-worm');
    await seed(bucket);
    const posture = await observe(bucket);
    const plan = buildPlan(posture, 'worm', ['versioning', 'object-lock'], {
      versioning: versioningStep.defaults(posture, 'worm'),
      'object-lock': worm(posture),
    });
    expect(plan.changes.map((change) => change.id)).toEqual([
      'bucket.versioning',
      'bucket.objectLock',
    ]);
    expect(plan.changes[1]?.undo).toBeNull();
    expect(objectLockPrerequisite(plan.changes, posture)).toBeNull();

    const outcome = await apply(plan);
    expect(outcome.status).toBe('applied');
    expect(outcome.results.every((result) => result.verified)).toBe(true);
    expect((await observe(bucket)).values).toMatchObject({
      'bucket.versioning': { Status: 'Enabled' },
      'bucket.objectLock': GOV_30,
    });
  });

  it('goes after the changes it does not need, so a fault before it rolls back whole; a fault on it is read back', async () => {
    const bucket = uniqueBucket('lock-fault-on');
    await seed(bucket, { versioning: 'Enabled' });
    const posture = await observe(bucket);
    const plan = buildPlan(posture, 'worm', ['object-lock', 'object-ownership'], {
      'object-lock': worm(posture),
      'object-ownership': objectOwnershipStep.defaults(posture, 'worm'),
    });
    // Object Lock is listed first by its step, but planned last: it cannot be undone.
    expect(plan.changes.map((change) => change.id)).toEqual([
      'bucket.ownershipControls',
      'bucket.objectLock',
    ]);
    const outcome = await apply(plan, 2);
    expect(outcome.status).toBe('rolled-back');
    expect(outcome.results.map((result) => [result.change.id, result.status])).toEqual([
      ['bucket.ownershipControls', 'rolled-back'],
      ['bucket.objectLock', 'failed'],
    ]);
    const live = (await observe(bucket)).values;
    expect(live['bucket.objectLock']).toBeNull();
    expect(live['bucket.ownershipControls']).toEqual(posture.values['bucket.ownershipControls']);
  });

  it('a fault after a retention change rolls the rule back to its exact prior value', async () => {
    const bucket = uniqueBucket('lock-fault-rule');
    await seed(bucket, { lockedAtCreation: true, rule: GOV_30 });
    const posture = await observe(bucket);
    const answers: ObjectLockAnswers = {
      ...(objectLockStep.keep?.(posture) as ObjectLockAnswers),
      retention: 'COMPLIANCE',
      days: '',
      years: '1',
      confirm: bucket,
    };
    const plan = buildPlan(posture, 'worm', ['object-lock', 'object-ownership'], {
      'object-lock': answers,
      'object-ownership': objectOwnershipStep.defaults(posture, 'worm'),
    });
    expect(plan.changes[0]?.undo).not.toBeNull();
    const outcome = await apply(plan, 2);
    expect(outcome.status).toBe('rolled-back');
    expect(outcome.results.map((result) => result.status)).toEqual(['rolled-back', 'failed']);
    expect((await observe(bucket)).values).toEqual(posture.values);
  });

  it('removing the default retention is applied, and its undo call restores the rule exactly', async () => {
    const bucket = uniqueBucket('lock-undo');
    await seed(bucket, { lockedAtCreation: true, rule: GOV_30 });
    const posture = await observe(bucket);
    const plan = buildPlan(posture, 'custom', ['object-lock'], {
      'object-lock': {
        ...(objectLockStep.keep?.(posture) as ObjectLockAnswers),
        retention: 'none',
      },
    });
    expect((await apply(plan)).status).toBe('applied');
    expect((await observe(bucket)).values['bucket.objectLock']).toEqual({
      ObjectLockEnabled: 'Enabled',
    });
    await session.execute(plan.changes[0]?.undo as ApiCall);
    expect((await observe(bucket)).values).toEqual(posture.values);
  });

  it('without versioning Enabled and none planned, the check names it and S3 refuses the call', async () => {
    const bucket = uniqueBucket('lock-noversion');
    await seed(bucket, { versioning: 'Suspended' });
    const posture = await observe(bucket);
    const message =
      'Object Lock: turning it on needs versioning Enabled; choose Enabled in the Versioning step';
    // The planner refuses such a plan outright…
    expect(() =>
      buildPlan(posture, 'worm', ['object-lock'], { 'object-lock': worm(posture) }),
    ).toThrow(message);
    // …and were one made anyway (by hand), S3 refuses it and the executor rolls back.
    const changes = objectLockStep.plan(posture, worm(posture));
    expect(objectLockPrerequisite(changes, posture)).toBe(message);
    const plan = composePlan({
      target: { accountId: posture.accountId, region: posture.region, bucket },
      preset: 'worm',
      values: posture.values,
      changes,
      skipped: [],
    });
    const outcome = await apply(plan);
    expect(outcome.status).toBe('rolled-back');
    expect(outcome.error).toMatch(
      /^Object Lock: .*InvalidBucketState.*Versioning must be 'Enabled'/,
    );
    expect((await observe(bucket)).values).toEqual(posture.values);
  });
});
