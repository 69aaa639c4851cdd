/**
 * A fleet plan over two regions against the emulator, through the built CLI:
 * buckets in us-east-1 and eu-west-1 planned (each in its own region, none
 * skipped), saved, applied (each section through a session in its region:
 * fresh reads there show every bucket hardened), and planned again (read
 * back: nothing left to do); a bucket in eu-west-1 that drifted between plan
 * and apply is not applied, the others are; a bucket in eu-west-1 whose apply
 * fails is rolled back there exactly, and the run stops.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { parseAnyPlan } from '../../src/plan/files/fleet-file.js';
import type { Posture, ResourceKey } from '../../src/plan/model/types.js';
import { satisfies } from '../../src/plan/resources/index.js';
import { logRetentionRule } from '../../src/steps/lifecycle-rules.js';
import { LOG_TARGET_ENCRYPTION } from '../../src/steps/log-target.js';
import { logDeliveryStatement } from '../../src/steps/logging.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients, setAccountPublicAccessBlock } from '../helpers/fixtures.js';

const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const STEPS = ['--only', 'public-access-block,encryption,versioning,account-public-access-block'];
const COMPARED: ResourceKey[] = [
  'bucket.publicAccessBlock',
  'bucket.encryption',
  'bucket.versioning',
];

async function euBucket(bucket: string): Promise<void> {
  await rawClients().s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    }),
  );
}

describe('a fleet plan over two regions', () => {
  let session: AwsSession;
  let dir: string;
  const endpoint = () => ['--endpoint-url', emulatorUrl()];

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
    dir = mkdtempSync(join(tmpdir(), 's3-harden-fleet-regions-'));
  });
  afterAll(() => session.close());
  beforeEach(async () => {
    await setAccountPublicAccessBlock(null);
  });

  async function twoRegions(label: string) {
    const prefix = uniqueBucket(label).slice(0, 40);
    const us = `${prefix}-us`;
    const eu: [string, string] = [`${prefix}-eu-a`, `${prefix}-eu-b`];
    await createBucket(us);
    for (const bucket of eu) await euBucket(bucket);
    const file = join(dir, `${prefix}.json`);
    const planned = await runCli([
      'plan',
      '--match',
      `${prefix}-*`,
      ...STEPS,
      '--out',
      file,
      ...endpoint(),
    ]);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
    return { prefix, us, eu, file, planned };
  }

  /** The summary table's row for `name`, spaces collapsed. */
  const row = (stdout: string, name: string) =>
    stdout
      .split('\n')
      .find((line) => line.startsWith(`${line[0]} ${name} `))
      ?.replace(/\s+/g, ' ');

  it('plans each bucket in its region, saves it, applies each section there, and reads back clean', async () => {
    const { prefix, us, eu, file, planned } = await twoRegions('fg-ok');
    expect(planned.stdout).not.toContain('skipped');
    expect(planned.stdout).toContain(
      `Changes to bucket ${eu[0]} (account 123456789012, eu-west-1)`,
    );

    const saved = parseAnyPlan(readFileSync(file, 'utf8'));
    expect(saved.kind).toBe('fleet');
    if (saved.kind !== 'fleet') return;
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(3);
    expect(saved.fleet.sections.map((plan) => [plan.target.bucket, plan.target.region])).toEqual([
      [eu[0], 'eu-west-1'],
      [eu[1], 'eu-west-1'],
      [us, 'us-east-1'],
    ]);
    // Account Block Public Access once, in the section of the first bucket that needed it.
    expect(saved.fleet.account?.changes.map((change) => change.id)).toEqual([
      'account.publicAccessBlock',
    ]);
    expect(saved.fleet.accountsElsewhere).toEqual([]);

    const applied = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    for (const bucket of [...eu, us]) expect(row(applied.stdout, bucket)).toMatch(/ applied \d+$/);
    expect(applied.stdout).toContain('Fleet apply complete: 4 sections applied and verified.');

    // Fresh reads, each bucket in its own region.
    const eu1 = session.inRegion('eu-west-1');
    for (const [view, bucket] of [
      [eu1, eu[0]],
      [eu1, eu[1]],
      [session, us],
    ] as const) {
      const { values } = await view.observe(bucket, COMPARED);
      expect(values['bucket.publicAccessBlock'], bucket).toEqual(ALL_ON);
      expect(values['bucket.versioning'], bucket).toMatchObject({ Status: 'Enabled' });
      expect(values['bucket.encryption'], bucket).not.toBeNull();
    }
    const account = await session.observe(us, ['account.publicAccessBlock']);
    expect(account.values['account.publicAccessBlock']).toEqual(ALL_ON);

    // Read back: planned again, every bucket in both regions already matches.
    const again = await runCli(['plan', '--match', `${prefix}-*`, ...STEPS, ...endpoint()]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes. Every bucket planned already matches.');
    // And the file applied again is already applied, section by section.
    const twice = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(twice.code).toBe(0);
  });

  it('a bucket in eu-west-1 that drifted is not applied; the others are', async () => {
    const { us, eu, file } = await twoRegions('fg-drift');
    const changed = { ...ALL_ON, BlockPublicAcls: false };
    // Written in the bucket's own region, as an operator would.
    await session.inRegion('eu-west-1').execute({
      service: 's3',
      operation: 'PutPublicAccessBlock',
      input: { Bucket: eu[1], PublicAccessBlockConfiguration: changed },
    });
    const applied = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(1);
    expect(row(applied.stdout, eu[1])).toMatch(/^≠ \S+ stale, skipped \d+$/);
    expect(applied.stdout).toContain(
      '  stale, not applied: Block Public Access (bucket) changed since the plan\n',
    );
    expect(row(applied.stdout, eu[0])).toMatch(/ applied \d+$/);
    expect(row(applied.stdout, us)).toMatch(/ applied \d+$/);
    // The stale bucket was left as it was found.
    const { values } = await session.inRegion('eu-west-1').observe(eu[1], COMPARED);
    expect(values['bucket.publicAccessBlock']).toEqual(changed);
    expect(values['bucket.versioning']).toBeNull();
  });
  it('a failure in a bucket in eu-west-1 rolls back that bucket there, exactly, and stops', async () => {
    const prefix = uniqueBucket('fg-roll').slice(0, 40);
    const [one, two, three] = [`${prefix}-us`, `${prefix}-eu-b`, `${prefix}-eu-c`];
    await createBucket(one);
    await euBucket(two);
    await euBucket(three);
    // The second bucket logs into an existing log bucket in its region that already
    // grants it delivery (so its plan leaves that bucket alone); the grant is then removed.
    const logBucket = `${two}-logs`;
    await euBucket(logBucket);
    const grant = logDeliveryStatement(
      { accountId: '123456789012', region: 'eu-west-1', bucket: two } as Posture,
      { enabled: true, target: logBucket, prefix: 's3-access-logs/', format: 'simple' },
    );
    const https = {
      Sid: 'S3HardenDenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:*'],
      Resource: [`arn:aws:s3:::${logBucket}`, `arn:aws:s3:::${logBucket}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    const { s3 } = rawClients();
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: logBucket,
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [grant, https] }),
      }),
    );
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: logBucket,
        PublicAccessBlockConfiguration: ALL_ON,
      }),
    );
    await s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: logBucket,
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    );
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: logBucket,
        ServerSideEncryptionConfiguration: LOG_TARGET_ENCRYPTION as never,
      }),
    );
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: logBucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: logBucket,
        LifecycleConfiguration: { Rules: [logRetentionRule('s3-access-logs/', 365) as never] },
      }),
    );
    const file = join(dir, `${prefix}.json`);
    const planned = await runCli([
      'plan',
      '--bucket',
      `${one},${two},${three}`,
      '--only',
      'public-access-block,encryption,versioning,logging,account-public-access-block',
      '--out',
      file,
      ...endpoint(),
    ]);
    expect(planned.code).toBe(2);
    expect(planned.stdout).not.toContain(`Log bucket ${logBucket}`);
    const eu = session.inRegion('eu-west-1');
    const logged: ResourceKey[] = [...COMPARED, 'bucket.logging'];
    const snapshot = async (bucket: string) => (await eu.observe(bucket, logged)).values;
    const before = { two: await snapshot(two), three: await snapshot(three) };
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: logBucket }));

    const result = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(row(result.stdout, one)).toMatch(/^✓ \S+ applied \d+$/);
    expect(row(result.stdout, two)).toMatch(/^↶ \S+ rolled back 4$/);
    expect(row(result.stdout, three)).toMatch(/^· \S+ not run \d+$/);
    const after = await snapshot(two);
    expect(
      logged.every((resource) => satisfies(resource, before.two[resource], after[resource])),
    ).toBe(true);
    expect(await snapshot(three)).toEqual(before.three);
  });
});
