/**
 * The CloudTrail data events step against the emulator: a trail created here
 * with selectors of its own (advanced and basic forms) gets the bucket's
 * selector appended, reads back, and a rollback restores exactly what the
 * test put; a bucket already covered needs nothing; with no trail, strict
 * creates s3-harden's trail and its hardened bucket, and the audit passes
 * the control; a plan after apply has nothing to do.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import { appendToJournal, loadJournal, rollbackJournal } from '../../src/plan/apply/rollback.js';
import { evaluateControls } from '../../src/plan/audit/controls.js';
import { parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import type { Plan, Posture, Preset } from '../../src/plan/model/types.js';
import {
  bucketAdvancedSelector,
  bucketBasicSelector,
  OWN_TRAIL,
  trailBucketName,
} from '../../src/plan/resources/cloudtrail.js';
import { COST_NOTE, cloudTrailStep, TRAIL_BUCKET_RULE } from '../../src/steps/cloudtrail.js';
import { buildPlan, readsFor } from '../../src/steps/index.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { ACCOUNT, createBucket, rawClients } from '../helpers/fixtures.js';

const READS = readsFor(['cloudtrail']);

function cloudtrail() {
  return new CloudTrailClient({ endpoint: emulatorUrl(), region: 'us-east-1' });
}

/** A logging multi-Region trail of the test's own, delivering to a bucket made for it. */
async function createTrail(name: string, selectors: Record<string, unknown> | null) {
  const ct = cloudtrail();
  const storage = uniqueBucket(`${name}-store`);
  await createBucket(storage);
  await ct.send(
    new CreateTrailCommand({ Name: name, S3BucketName: storage, IsMultiRegionTrail: true }),
  );
  await ct.send(new StartLoggingCommand({ Name: name }));
  if (selectors) await ct.send(new PutEventSelectorsCommand({ TrailName: name, ...selectors }));
}

async function selectorsOf(name: string) {
  const { EventSelectors, AdvancedEventSelectors } = await cloudtrail().send(
    new GetEventSelectorsCommand({ TrailName: name }),
  );
  return { EventSelectors, AdvancedEventSelectors };
}

const MANAGEMENT = {
  Name: 'Management events',
  FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
};
const OTHER_BUCKET = {
  Name: 'Writes of another bucket',
  FieldSelectors: [
    { Field: 'eventCategory', Equals: ['Data'] },
    { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
    { Field: 'readOnly', Equals: ['false'] },
    { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::someone-elses-bucket/'] },
  ],
};
const BASIC = {
  ReadWriteType: 'WriteOnly',
  IncludeManagementEvents: true,
  DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::someone-elses-bucket/'] }],
  ExcludeManagementEventSources: [],
};

describe('CloudTrail data events against the emulator', () => {
  let session: AwsSession;
  const journals = mkdtempSync(join(tmpdir(), 's3-harden-cloudtrail-'));

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => session.close());
  // Each test starts with no trail: the emulator is shared by the file's tests.
  afterEach(async () => {
    const ct = cloudtrail();
    const { trailList } = await ct.send(new DescribeTrailsCommand({ includeShadowTrails: false }));
    for (const trail of trailList ?? []) {
      await ct.send(new DeleteTrailCommand({ Name: trail.Name }));
    }
  });

  const observe = (bucket: string): Promise<Posture> =>
    session.observe(bucket, [...READS, 'bucket.exists'], { optional: READS });
  const planFor = (posture: Posture, preset: Preset = 'baseline') =>
    buildPlan(posture, preset, ['cloudtrail'], {
      cloudtrail: cloudTrailStep.defaults(posture, preset),
    });
  const apply = async (plan: Plan, failAt?: number) => {
    let calls = 0;
    const journal = openJournal(plan.target, journals);
    try {
      const outcome = await executePlan(plan, {
        run: async (call) => {
          calls += 1;
          if (calls === failAt) throw new Error('injected fault');
          return session.execute(call);
        },
        read: (resource, identity) => session.read(plan.target, resource, identity),
        journal,
      });
      return outcome;
    } finally {
      journal.close();
    }
  };
  const rollBack = async (plan: Plan, journalPath: string) => {
    const journal = loadJournal(journalPath);
    if (!journal) throw new Error('empty journal');
    const writer = appendToJournal(journalPath);
    try {
      return await rollbackJournal(journal, {
        run: (call) => session.execute(call),
        read: (resource, identity) => session.read(plan.target, resource, identity),
        record: (entry) => writer.append(entry),
      });
    } finally {
      writer.close();
    }
  };
  const control = (posture: Posture) =>
    evaluateControls(posture).find((result) => result.id === 'data-events');

  it.each([
    ['advanced', { AdvancedEventSelectors: [MANAGEMENT, OTHER_BUCKET] }],
    ['basic', { EventSelectors: [BASIC] }],
  ])(
    'adds the bucket to an existing trail’s %s selectors, then rolls back to exactly what was there',
    async (form, put) => {
      const bucket = uniqueBucket(`ct-${form}`);
      await createBucket(bucket);
      await createTrail('main-trail', put);
      const before = await observe(bucket);
      expect(control(before)?.status).toBe('fail');

      const plan = parsePlan(serializePlan(planFor(before), 'test'));
      expect(plan.changes.map((change) => change.id)).toEqual(['trail.selectors']);
      const [change] = plan.changes;
      expect(change?.warnings).toContain(COST_NOTE);
      expect(change?.call).toEqual({
        service: 'cloudtrail',
        operation: 'PutEventSelectors',
        input:
          form === 'advanced'
            ? {
                TrailName: 'main-trail',
                AdvancedEventSelectors: [
                  MANAGEMENT,
                  OTHER_BUCKET,
                  bucketAdvancedSelector(bucket, 'aws'),
                ],
              }
            : {
                TrailName: 'main-trail',
                EventSelectors: [BASIC, bucketBasicSelector(bucket, 'aws')],
              },
      });

      const outcome = await apply(plan);
      expect(outcome.status).toBe('applied');
      expect(outcome.results.every((result) => result.verified)).toBe(true);
      const after = await observe(bucket);
      expect(control(after)?.status).toBe('pass');
      expect(control(after)?.detail).toMatch(
        /^trail main-trail logs reads and writes; Security Hub/,
      );
      // A second plan has nothing to do.
      expect(planFor(after).changes).toEqual([]);

      const rolled = await rollBack(plan, outcome.journalPath);
      expect(rolled.restored).toBe(true);
      const restored = await selectorsOf('main-trail');
      // Exactly the selectors the test put, in the form it put them.
      expect(
        form === 'advanced' ? restored.AdvancedEventSelectors : restored.EventSelectors,
      ).toEqual(Object.values(put)[0]);
      expect(control(await observe(bucket))?.status).toBe('fail');
    },
  );

  it('a bucket already logged (every bucket, basic selectors) needs no change, and says by which trail', async () => {
    const bucket = uniqueBucket('ct-covered');
    await createBucket(bucket);
    await createTrail('all-buckets', {
      EventSelectors: [
        {
          ReadWriteType: 'All',
          IncludeManagementEvents: true,
          DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }],
        },
      ],
    });
    const posture = await observe(bucket);
    expect(control(posture)).toEqual({
      id: 'data-events',
      status: 'pass',
      detail: 'trail all-buckets logs reads and writes (a multi-Region trail logs every bucket)',
    });
    const plan = planFor(posture, 'strict');
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([]);
    expect(cloudTrailStep.fields(posture, cloudTrailStep.defaults(posture, 'strict'))).toEqual([
      {
        kind: 'note',
        tone: 'info',
        text: `${bucket}'s object reads and writes are logged by trail all-buckets: nothing to do.`,
      },
    ]);
  });

  it('a multi-Region trail homed in another region counts (a shadow trail, read by its ARN)', async () => {
    const bucket = uniqueBucket('ct-shadow');
    await createBucket(bucket);
    const elsewhere = new CloudTrailClient({ endpoint: emulatorUrl(), region: 'us-east-2' });
    const storage = uniqueBucket('ct-shadow-store');
    await createBucket(storage);
    await elsewhere.send(
      new CreateTrailCommand({
        Name: 'homed-east-2',
        S3BucketName: storage,
        IsMultiRegionTrail: true,
      }),
    );
    try {
      await elsewhere.send(new StartLoggingCommand({ Name: 'homed-east-2' }));
      await elsewhere.send(
        new PutEventSelectorsCommand({
          TrailName: 'homed-east-2',
          AdvancedEventSelectors: [
            {
              Name: 'Every bucket',
              FieldSelectors: [
                { Field: 'eventCategory', Equals: ['Data'] },
                { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
              ],
            },
          ],
        }),
      );
      const posture = await observe(bucket);
      expect(control(posture)).toEqual({
        id: 'data-events',
        status: 'pass',
        detail: 'trail homed-east-2 logs reads and writes (a multi-Region trail logs every bucket)',
      });
      // Nothing to add, and never into a trail homed elsewhere.
      expect(planFor(posture, 'strict').changes).toEqual([]);
    } finally {
      await elsewhere.send(new DeleteTrailCommand({ Name: 'homed-east-2' }));
    }
  });

  it('baseline with no trail leaves it, naming the cost and the choice', async () => {
    const bucket = uniqueBucket('ct-baseline');
    await createBucket(bucket);
    const plan = planFor(await observe(bucket));
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([
      {
        step: 'CloudTrail data events',
        reason: expect.stringMatching(
          /^not logged: no multi-Region trail in us-east-1 .* data events are charged per 100,000 events \(see AWS CloudTrail pricing\); strict and worm create it, or choose "Create or start s3-harden's trail"$/,
        ),
      },
    ]);
  });

  it('strict with no trail creates s3-harden’s trail and its hardened bucket; the audit passes; undo removes both', async () => {
    const bucket = uniqueBucket('ct-strict');
    await createBucket(bucket);
    const before = await observe(bucket);
    const trailBucket = trailBucketName({ accountId: ACCOUNT, region: 'us-east-1' });
    expect(before.values['account.trailBucket']).toBeNull();
    const plan = parsePlan(serializePlan(planFor(before, 'strict'), 'test'));
    expect(plan.changes.map((change) => change.id)).toEqual([
      'account.trailBucket',
      'account.trailBucketPublicAccessBlock',
      'account.trailBucketOwnership',
      'account.trailBucketEncryption',
      'account.trailBucketVersioning',
      'account.trailBucketLifecycle',
      'account.trailBucketPolicy',
      'account.ownTrail',
      'trail.selectors',
      'account.ownTrailLogging',
    ]);
    for (const change of plan.changes) expect(change.warnings).toContain(COST_NOTE);
    const policy = plan.changes.find((change) => change.id === 'account.trailBucketPolicy');
    const statements = (policy?.after as { Statement: { Sid: string }[] } | undefined)?.Statement;
    expect(statements?.map((s) => s.Sid)).toEqual([
      'S3HardenCloudTrailAclCheck',
      'S3HardenCloudTrailWrite',
      'S3HardenDenyInsecureTransport',
    ]);

    const outcome = await apply(plan);
    expect(outcome.status).toBe('applied');
    expect(outcome.results.every((result) => result.verified)).toBe(true);
    expect(await selectorsOf(OWN_TRAIL)).toMatchObject({
      AdvancedEventSelectors: [bucketAdvancedSelector(bucket, 'aws')],
    });
    const after = await observe(bucket);
    expect(after.values['account.ownTrailLogging']).toEqual({ IsLogging: true });
    expect(after.values['account.trailBucketVersioning']).toEqual({ Status: 'Enabled' });
    expect(after.values['account.trailBucketLifecycle']).toEqual({ Rules: [TRAIL_BUCKET_RULE] });
    expect(control(after)?.status).toBe('pass');
    expect(control(after)?.detail).toMatch(`trail ${OWN_TRAIL} logs reads and writes`);
    expect(planFor(after, 'strict').changes).toEqual([]);

    // The trail's own bucket is never added: its data events would log every delivery.
    const own = await observe(trailBucket);
    const ownPlan = planFor(own, 'strict');
    expect(ownPlan.changes).toEqual([]);
    expect(ownPlan.skipped[0]?.reason).toMatch(/receives trail s3-harden-data-events's logs/);
    expect(control(own)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/a loop$/),
    });

    // Another bucket now goes into s3-harden's trail: one selector more.
    const second = uniqueBucket('ct-strict-2');
    await createBucket(second);
    const next = planFor(await observe(second), 'strict');
    expect(next.changes.map((change) => change.id)).toEqual(['trail.selectors']);
    expect(next.changes[0]?.after).toEqual({
      TrailName: OWN_TRAIL,
      AdvancedEventSelectors: [
        bucketAdvancedSelector(bucket, 'aws'),
        bucketAdvancedSelector(second, 'aws'),
      ],
    });

    const rolled = await rollBack(plan, outcome.journalPath);
    expect(rolled.restored).toBe(true);
    const gone = await observe(bucket);
    expect(gone.values['account.ownTrail']).toBeNull();
    expect(gone.values['trail.selectors']).toBeNull();
    expect(gone.values['account.trailBucket']).toBeNull();
    await expect(
      rawClients().s3.send(new HeadBucketCommand({ Bucket: trailBucket })),
    ).rejects.toThrow();
  });

  it('a fault at any change of the strict plan rolls back to no trail and no bucket', async () => {
    for (const failAt of [1, 4, 7, 8, 9]) {
      const bucket = uniqueBucket(`ct-fault-${failAt}`);
      await createBucket(bucket);
      const before = await observe(bucket);
      const outcome = await apply(planFor(before, 'strict'), failAt);
      expect(outcome.status, `fault at ${failAt}`).toBe('rolled-back');
      const after = await observe(bucket);
      expect(after.values, `fault at ${failAt}`).toEqual(before.values);
    }
  });
});
