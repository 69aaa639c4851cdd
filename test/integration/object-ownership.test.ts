/**
 * Object Ownership against the emulator: observe (ownership controls and the
 * bucket ACL's foreign grants), plan, apply, read back, and undo to the exact
 * prior state, by executor rollback and by running the undo calls.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import type { ApiCall, Plan, ResourceKey } from '../../src/plan/model/types.js';
import type { ObjectOwnership } from '../../src/plan/resources/object-ownership.js';
import { buildPlan } from '../../src/steps/index.js';
import { objectOwnershipStep } from '../../src/steps/object-ownership.js';
import { versioningStep } from '../../src/steps/versioning.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { rawClients } from '../helpers/fixtures.js';

const READS: ResourceKey[] = ['bucket.ownershipControls', 'bucket.acl', 'bucket.versioning'];

async function seed(
  bucket: string,
  options: { acl?: 'private' | 'public-read'; ownership?: ObjectOwnership } = {},
) {
  const { s3 } = rawClients();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (options.acl) await s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: options.acl }));
  if (options.ownership) {
    await s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: bucket,
        OwnershipControls: { Rules: [{ ObjectOwnership: options.ownership }] },
      }),
    );
  }
}

describe('Object Ownership against the emulator', () => {
  let session: AwsSession;
  const journals = mkdtempSync(join(tmpdir(), 's3-harden-ownership-'));
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

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => session.close());

  it('reads the bucket ACL as the grants to others that ACLs off would disable', async () => {
    const open = uniqueBucket('acl-open');
    const closed = uniqueBucket('acl-closed');
    await seed(open, { acl: 'public-read' });
    await seed(closed, { acl: 'private' });
    expect((await observe(open)).values['bucket.acl']).toEqual([
      { Grantee: 'AllUsers', Permission: 'READ' },
    ]);
    expect((await observe(closed)).values['bucket.acl']).toEqual([]);
    expect((await observe(closed)).values['bucket.ownershipControls']).toBeNull();
  });

  it('applies ACLs off with the grant warning, reads it back, and the undo call restores "not set"', async () => {
    const bucket = uniqueBucket('own-apply');
    await seed(bucket, { acl: 'public-read' });
    const posture = await observe(bucket);
    // With grants in the ACL the default keeps ACLs on; the operator chooses to enforce.
    expect(objectOwnershipStep.defaults(posture, 'baseline')).toEqual(
      objectOwnershipStep.keep?.(posture),
    );
    const answers = { ownership: 'BucketOwnerEnforced' as const };
    const fields = objectOwnershipStep.fields(posture, answers);
    expect(fields.find((field) => field.kind === 'note')).toMatchObject({
      tone: 'warning',
      text: expect.stringContaining('READ to AllUsers (anyone)'),
    });
    const plan = buildPlan(posture, 'baseline', ['object-ownership'], {
      'object-ownership': answers,
    });
    const [change] = plan.changes;
    expect(change?.warnings[0]).toContain('READ to AllUsers (anyone)');

    const outcome = await apply(plan);
    expect(outcome.status).toBe('applied');
    expect(outcome.results[0]?.verified).toBe(true);
    const after = await observe(bucket);
    expect(after.values['bucket.ownershipControls']).toEqual({
      ObjectOwnership: 'BucketOwnerEnforced',
    });

    await session.execute(change?.undo as ApiCall);
    expect((await observe(bucket)).values['bucket.ownershipControls']).toBeNull();
    expect((await observe(bucket)).values).toEqual(posture.values);
  });

  it('a fault after it rolls ownership back to its exact prior value', async () => {
    for (const prior of [undefined, 'ObjectWriter', 'BucketOwnerPreferred'] as const) {
      const bucket = uniqueBucket('own-fault');
      await seed(bucket, prior ? { ownership: prior } : {});
      const posture = await observe(bucket);
      // Ownership first, then versioning, which fails.
      const plan = buildPlan(posture, 'baseline', ['object-ownership', 'versioning'], {
        'object-ownership': objectOwnershipStep.defaults(posture, 'baseline'),
        versioning: versioningStep.defaults(posture, 'baseline'),
      });
      expect(plan.changes.map((change) => change.id)).toEqual([
        'bucket.ownershipControls',
        'bucket.versioning',
      ]);

      const outcome = await apply(plan, 2);
      expect(outcome.status).toBe('rolled-back');
      expect(outcome.error).toBe('Versioning: injected fault');
      expect(outcome.results.map((result) => result.status)).toEqual(['rolled-back', 'failed']);
      expect((await observe(bucket)).values).toEqual(posture.values);
      expect(posture.values['bucket.ownershipControls']).toEqual(
        prior ? { ObjectOwnership: prior } : null,
      );
    }
  });

  it('turning ACLs back on is applied and undone by putting BucketOwnerEnforced back', async () => {
    const bucket = uniqueBucket('own-back');
    await seed(bucket, { ownership: 'BucketOwnerEnforced' });
    const posture = await observe(bucket);
    const plan = buildPlan(posture, 'custom', ['object-ownership'], {
      'object-ownership': { ownership: 'ObjectWriter' },
    });
    expect(plan.changes[0]?.warnings).toEqual(['turns ACLs back on, which weakens protection']);
    expect((await apply(plan)).status).toBe('applied');
    expect((await observe(bucket)).values['bucket.ownershipControls']).toEqual({
      ObjectOwnership: 'ObjectWriter',
    });
    await session.execute(plan.changes[0]?.undo as ApiCall);
    expect((await observe(bucket)).values).toEqual(posture.values);
  });

  it('plan says ACLs stay on while the bucket ACL grants access: text, --json and fleet', async () => {
    const bucket = uniqueBucket('own-kept');
    await seed(bucket, { acl: 'public-read' });
    const note = `ACLs stay on because the bucket ACL grants READ to AllUsers (anyone). Remove those grants (aws s3api put-bucket-acl --bucket ${bucket} --acl private), then plan again.`;
    const args = ['--preset', 'baseline', '--endpoint-url', emulatorUrl()];

    const text = await runCli(['plan', '--bucket', bucket, ...args]);
    expect(text.code).toBe(2);
    expect(text.stdout).toContain(`Skipped Object Ownership (ACLs): ${note}`);
    expect(text.stdout).not.toContain('+ Object Ownership');

    const json = await runCli(['plan', '--bucket', bucket, '--json', ...args]);
    expect(JSON.parse(json.stdout).skipped).toContainEqual({
      step: 'Object Ownership (ACLs)',
      reason: note,
    });

    const other = uniqueBucket('own-kept-2');
    await seed(other, { acl: 'private' });
    const fleet = await runCli(['plan', '--bucket', `${bucket},${other}`, ...args]);
    expect(fleet.stdout).toContain(`Skipped Object Ownership (ACLs): ${note}`);
    expect(fleet.stdout.split(`Skipped Object Ownership (ACLs)`)).toHaveLength(2);
  });
});
