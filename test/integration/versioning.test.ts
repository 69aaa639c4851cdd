/**
 * Versioning against the emulator: apply, read back, and undo — by executor
 * rollback and by the undo call. A bucket that never had versioning can only
 * be restored as Suspended, which verification accepts. (MFA delete is tested
 * as pure unit tests: the emulator neither checks MFA nor stores MFADelete.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal, readJournal } from '../../src/plan/apply/journal.js';
import { parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import type { ApiCall, Plan, ResourceKey } from '../../src/plan/model/types.js';
import { satisfies } from '../../src/plan/resources/index.js';
import { buildPlan } from '../../src/steps/index.js';
import { objectOwnershipStep } from '../../src/steps/object-ownership.js';
import { versioningStep } from '../../src/steps/versioning.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { rawClients } from '../helpers/fixtures.js';

const READS: ResourceKey[] = ['bucket.versioning', 'bucket.ownershipControls', 'bucket.acl'];

async function seed(bucket: string, status?: 'Enabled' | 'Suspended') {
  const { s3 } = rawClients();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (status) {
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: status },
      }),
    );
  }
}

describe('versioning against the emulator', () => {
  let session: AwsSession;
  const journals = mkdtempSync(join(tmpdir(), 's3-harden-versioning-'));
  const observe = (bucket: string) => session.observe(bucket, READS);
  const apply = async (plan: Plan, faultAt?: number) => {
    let writes = 0;
    const journal = openJournal(plan.target, journals);
    try {
      const outcome = await executePlan(plan, {
        run: async (call: ApiCall) => {
          writes += 1;
          if (writes === faultAt) throw new Error('injected fault');
          return session.execute(call);
        },
        read: (resource, identity) => session.read(plan.target, resource, identity),
        journal,
      });
      return { outcome, journal: readJournal(journal.path) };
    } finally {
      journal.close();
    }
  };

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => session.close());

  it('a never-versioned bucket reads as null', async () => {
    const bucket = uniqueBucket('ver-null');
    await seed(bucket);
    expect((await observe(bucket)).values['bucket.versioning']).toBeNull();
  });

  it('enables versioning from a saved plan file, and verifies it', async () => {
    const bucket = uniqueBucket('ver-apply');
    await seed(bucket);
    const posture = await observe(bucket);
    const built = buildPlan(posture, 'baseline', ['versioning'], {
      versioning: versioningStep.defaults(posture, 'baseline'),
    });
    // The saved file, with its "Suspended" undo of a never-enabled bucket, is accepted.
    const plan = parsePlan(serializePlan(built, 'test'));
    const { outcome } = await apply(plan);
    expect(outcome.status).toBe('applied');
    expect(outcome.results[0]?.verified).toBe(true);
    expect((await observe(bucket)).values['bucket.versioning']).toEqual({ Status: 'Enabled' });
  });

  it('rolls a never-versioned bucket back to Suspended, the closest state S3 allows', async () => {
    const bucket = uniqueBucket('ver-fault-null');
    await seed(bucket);
    const posture = await observe(bucket);
    // Versioning first, then ownership, which fails.
    const plan = buildPlan(posture, 'baseline', ['versioning', 'object-ownership'], {
      versioning: versioningStep.defaults(posture, 'baseline'),
      'object-ownership': objectOwnershipStep.defaults(posture, 'baseline'),
    });
    const { outcome, journal } = await apply(plan, 2);
    expect(outcome.status).toBe('rolled-back');
    expect(outcome.results.map((result) => result.status)).toEqual(['rolled-back', 'failed']);
    const live = (await observe(bucket)).values['bucket.versioning'];
    expect(live).toEqual({ Status: 'Suspended' });
    expect(satisfies('bucket.versioning', null, live)).toBe(true);
    expect(journal.map((entry) => entry.type)).toEqual([
      'begin',
      'intent',
      'applied',
      'intent',
      'failed',
      'rolled-back',
      'end',
    ]);
  });

  it('rolls a suspended bucket back to exactly Suspended', async () => {
    const bucket = uniqueBucket('ver-fault-susp');
    await seed(bucket, 'Suspended');
    const posture = await observe(bucket);
    const plan = buildPlan(posture, 'baseline', ['versioning', 'object-ownership'], {
      versioning: versioningStep.defaults(posture, 'baseline'),
      'object-ownership': objectOwnershipStep.defaults(posture, 'baseline'),
    });
    const { outcome } = await apply(plan, 2);
    expect(outcome.status).toBe('rolled-back');
    expect((await observe(bucket)).values).toEqual(posture.values);
  });

  it('suspending is applied, and its undo call puts Enabled back exactly', async () => {
    const bucket = uniqueBucket('ver-suspend');
    await seed(bucket, 'Enabled');
    const posture = await observe(bucket);
    const plan = buildPlan(posture, 'custom', ['versioning'], {
      versioning: { ...versioningStep.defaults(posture, 'custom'), status: 'Suspended' },
    });
    expect((await apply(plan)).outcome.status).toBe('applied');
    expect((await observe(bucket)).values['bucket.versioning']).toEqual({ Status: 'Suspended' });
    await session.execute(plan.changes[0]?.undo as ApiCall);
    expect((await observe(bucket)).values).toEqual(posture.values);
  });
});
