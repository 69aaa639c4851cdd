/**
 * `apply fleet.json` against the emulator, through the built CLI: every
 * section applied (fresh reads prove each bucket's state), a failure in the
 * second of three buckets (its log bucket's grant removed between plan and
 * apply, which no drift check covers: S3 then refuses PutBucketLogging) rolls
 * back exactly that bucket and stops, or goes on with --on-error continue,
 * and a retry of the same file then applies only what is left (the rest is
 * "already applied", exit 0); a stale bucket is skipped, named in one short
 * line (--json carries the values); the account section's settings gate the buckets;
 * an unfinished journal for any bucket refuses the whole fleet before a write.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { openJournal } from '../../src/plan/apply/journal.js';
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
const STEPS = [
  '--only',
  'public-access-block,encryption,versioning,logging,account-public-access-block',
];
const COMPARED: ResourceKey[] = [
  'bucket.publicAccessBlock',
  'bucket.encryption',
  'bucket.versioning',
  'bucket.logging',
];

describe('apply a fleet plan', () => {
  let session: AwsSession;
  let dir: string;
  const endpoint = () => ['--endpoint-url', emulatorUrl()];
  const snapshot = async (bucket: string) => (await session.observe(bucket, COMPARED)).values;
  const sameAs = (before: Posture['values'], after: Posture['values']) =>
    COMPARED.every((resource) => satisfies(resource, before[resource], after[resource]));

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
    dir = mkdtempSync(join(tmpdir(), 's3-harden-fleet-apply-'));
  });
  afterAll(() => session.close());
  beforeEach(async () => {
    await setAccountPublicAccessBlock(null);
  });

  /** `plan --bucket a,b,… --out file`, which must find changes. */
  async function planFleet(buckets: readonly string[], steps: readonly string[], file: string) {
    const planned = await runCli([
      'plan',
      '--bucket',
      buckets.join(','),
      ...steps,
      '--out',
      file,
      ...endpoint(),
    ]);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
    return planned;
  }

  /**
   * Three open buckets; the second logs (by default) into an existing log
   * bucket that already grants it delivery, so its plan leaves that bucket
   * alone. `sabotage` then removes the grant: PutBucketLogging fails at apply.
   */
  async function threeBuckets(label: string) {
    const [one, two, three] = ['a', 'b', 'c'].map((suffix) => uniqueBucket(`${label}-${suffix}`));
    for (const bucket of [one, two, three] as string[]) await createBucket(bucket);
    const logBucket = `${two}-logs`;
    await rawClients().s3.send(new CreateBucketCommand({ Bucket: logBucket }));
    const grant = logDeliveryStatement(
      {
        accountId: '123456789012',
        region: 'us-east-1',
        bucket: two as string,
      } as Posture,
      { enabled: true, target: logBucket, prefix: 's3-access-logs/', format: 'simple' },
    );
    // A log bucket already as the logging step leaves one: granted, HTTPS-only, hardened.
    const { s3 } = rawClients();
    const https = {
      Sid: 'S3HardenDenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:*'],
      Resource: [`arn:aws:s3:::${logBucket}`, `arn:aws:s3:::${logBucket}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
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
    const file = join(dir, `${label}.json`);
    const planned = await planFleet([one, two, three] as string[], STEPS, file);
    // The second bucket's plan leaves its log bucket alone.
    expect(planned.stdout).not.toContain(`Log bucket ${logBucket}`);
    const sabotage = () =>
      rawClients().s3.send(new DeleteBucketPolicyCommand({ Bucket: logBucket }));
    return { buckets: [one, two, three] as [string, string, string], file, sabotage };
  }

  /** The summary table's row for `bucket`, spaces collapsed. */
  const row = (stdout: string, bucket: string) =>
    stdout
      .split('\n')
      .find((line) => line.startsWith(`${line[0]} ${bucket} `))
      ?.replace(/\s+/g, ' ');

  it('applies the account section, then every bucket; fresh reads show each one hardened', async () => {
    const { buckets, file } = await threeBuckets('fa-ok');
    const result = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(row(result.stdout, 'account')).toBe('✓ account 123456789012 applied 1');
    for (const bucket of buckets) expect(row(result.stdout, bucket)).toMatch(/^✓ \S+ applied \d+$/);
    expect(result.stdout).toContain('Fleet apply complete: 4 sections applied and verified.');
    const account = await session.observe(buckets[0], ['account.publicAccessBlock']);
    expect(account.values['account.publicAccessBlock']).toEqual(ALL_ON);
    for (const bucket of buckets) {
      const values = await snapshot(bucket);
      expect(values['bucket.publicAccessBlock']).toEqual(ALL_ON);
      expect(values['bucket.versioning']).toMatchObject({ Status: 'Enabled' });
      expect(values['bucket.logging']).toMatchObject({ TargetBucket: `${bucket}-logs` });
    }
  });

  it('a failure in bucket 2 of 3 rolls back bucket 2 exactly and stops: bucket 3 is not run', async () => {
    const { buckets, file, sabotage } = await threeBuckets('fa-stop');
    const [one, two, three] = buckets;
    const before = { two: await snapshot(two), three: await snapshot(three) };
    await sabotage();
    const result = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(row(result.stdout, one)).toMatch(/^✓ \S+ applied \d+$/);
    expect(row(result.stdout, two)).toMatch(/^↶ \S+ rolled back 4$/);
    expect(row(result.stdout, three)).toMatch(/^· \S+ not run \d+$/);
    // The failure's journal is named, for the record (nothing is left to undo).
    expect(result.stdout).toMatch(new RegExp(`journal: \\S+-${two}-\\w+\\.jsonl`));
    expect(result.stdout).toContain('Fleet apply incomplete: 2 applied, 1 rolled back, 1 not run.');
    // Bucket 1 stays applied; bucket 2 is exactly as before; bucket 3 untouched.
    expect((await snapshot(one))['bucket.publicAccessBlock']).toEqual(ALL_ON);
    expect(sameAs(before.two, await snapshot(two))).toBe(true);
    expect(await snapshot(three)).toEqual(before.three);
  });

  it('--on-error continue: bucket 2 is rolled back, bucket 3 applied', async () => {
    const { buckets, file, sabotage } = await threeBuckets('fa-cont');
    const [one, two, three] = buckets;
    const before = await snapshot(two);
    await sabotage();
    const result = await runCli(['apply', file, '--yes', '--on-error', 'continue', ...endpoint()]);
    expect(result.code).toBe(1);
    expect(row(result.stdout, one)).toMatch(/^✓ \S+ applied \d+$/);
    expect(row(result.stdout, two)).toMatch(/^↶ \S+ rolled back 4$/);
    expect(row(result.stdout, three)).toMatch(/^✓ \S+ applied \d+$/);
    expect(result.stdout).toContain('Fleet apply incomplete: 3 applied, 1 rolled back.');
    expect(sameAs(before, await snapshot(two))).toBe(true);
    expect((await snapshot(three))['bucket.publicAccessBlock']).toEqual(ALL_ON);
  });

  it('skips a bucket that changed since the plan, and applies the others', async () => {
    const { buckets, file } = await threeBuckets('fa-stale');
    const [one, two, three] = buckets;
    await session.execute({
      service: 's3',
      operation: 'PutPublicAccessBlock',
      input: { Bucket: two, PublicAccessBlockConfiguration: { ...ALL_ON, BlockPublicAcls: false } },
    });
    const before = await snapshot(two);
    const result = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(result.code).toBe(1);
    expect(row(result.stdout, two)).toMatch(/^≠ \S+ stale, skipped 4$/);
    // What drifted, by name, in one short line (the values are for --json).
    expect(result.stdout).toContain(
      '  stale, not applied: Block Public Access (bucket) changed since the plan\n',
    );
    expect(result.stdout).toContain(
      '    stale: Block Public Access (bucket) changed since the plan\n',
    );
    expect(result.stdout).not.toContain('"BlockPublicAcls"');
    expect(row(result.stdout, one)).toMatch(/^✓ \S+ applied \d+$/);
    expect(row(result.stdout, three)).toMatch(/^✓ \S+ applied \d+$/);
    expect(await snapshot(two)).toEqual(before);
  });

  it('--json: the result on stdout alone, a stale section with what drifted and its values', async () => {
    const { buckets, file } = await threeBuckets('fa-json');
    const [one, two] = buckets;
    const changed = { ...ALL_ON, BlockPublicAcls: false };
    await session.execute({
      service: 's3',
      operation: 'PutPublicAccessBlock',
      input: { Bucket: two, PublicAccessBlockConfiguration: changed },
    });
    const result = await runCli(['apply', file, '--yes', '--json', ...endpoint()]);
    expect(result.code).toBe(1);
    // What a person reads went to stderr.
    expect(result.stderr).toContain('Fleet apply incomplete: 3 applied, 1 stale and skipped.');
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ accountId: '123456789012', region: 'us-east-1', exitCode: 1 });
    expect(json.sections.map((entry: { status: string }) => entry.status)).toEqual([
      'applied',
      'applied',
      'stale',
      'applied',
    ]);
    expect(json.sections[1].label).toBe(one);
    expect(json.sections[2]).toEqual({
      label: two,
      status: 'stale',
      changes: 4,
      detail: 'Block Public Access (bucket) changed since the plan',
      drift: [
        {
          resource: 'bucket.publicAccessBlock',
          label: 'Block Public Access (bucket)',
          planned: null,
          live: changed,
        },
      ],
    });
  });

  it('a retry of the same file after --on-error continue applies what is left and exits 0', async () => {
    const { buckets, file, sabotage } = await threeBuckets('fa-retry');
    const [one, two, three] = buckets;
    const grant = await rawClients().s3.send(new GetBucketPolicyCommand({ Bucket: `${two}-logs` }));
    await sabotage();
    const first = await runCli(['apply', file, '--yes', '--on-error', 'continue', ...endpoint()]);
    expect(first.code).toBe(1);
    expect(row(first.stdout, two)).toMatch(/^↶ \S+ rolled back 4$/);
    // The cause fixed (the log bucket's grant back), the same file again.
    await rawClients().s3.send(
      new PutBucketPolicyCommand({ Bucket: `${two}-logs`, Policy: grant.Policy }),
    );
    const retry = await runCli(['apply', file, '--yes', '--on-error', 'continue', ...endpoint()]);
    expect(retry.stderr).toBe('');
    expect(retry.code, retry.stdout).toBe(0);
    expect(row(retry.stdout, 'account')).toBe('✓ account 123456789012 already applied 1');
    expect(row(retry.stdout, one)).toMatch(/^✓ \S+ already applied \d+$/);
    expect(row(retry.stdout, two)).toMatch(/^✓ \S+ applied 4$/);
    expect(row(retry.stdout, three)).toMatch(/^✓ \S+ already applied \d+$/);
    expect(retry.stdout).toContain(
      'Fleet apply complete: 1 section applied and verified, 3 already applied.',
    );
    // Only the section that was rolled back ran: the others wrote nothing.
    expect(retry.stdout.match(/… applying/g)).toHaveLength(4);
    expect((await snapshot(two))['bucket.publicAccessBlock']).toEqual(ALL_ON);

    const third = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('Fleet apply complete: nothing to do (4 already applied).');
    expect(third.stdout).not.toContain('… applying');
  });

  it('a log bucket in the same fleet: applied twice, every section reads as applied the second time', async () => {
    const app = uniqueBucket('fa-shared');
    const logs = `${app}-logs`;
    await createBucket(app);
    await createBucket(logs);
    const file = join(dir, `${app}.json`);
    const steps = ['--only', 'public-access-block,logging,bucket-policy'];
    const planned = await planFleet([app, logs], steps, file);
    // The app's section grants delivery on the log bucket's policy; the log bucket's own
    // section, after it, writes that policy again with its own statements added.
    expect(planned.stdout).toContain(`+ Log bucket ${logs}: allow log delivery`);
    const applied = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const again = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(row(again.stdout, app)).toMatch(/^✓ \S+ already applied \d+$/);
    expect(row(again.stdout, logs)).toMatch(/^✓ \S+ already applied \d+$/);
  });

  it('buckets planned on top of the account section wait for it: a changed account skips them all', async () => {
    const { buckets, file } = await threeBuckets('fa-acct');
    await setAccountPublicAccessBlock({ ...ALL_ON, RestrictPublicBuckets: false });
    const result = await runCli(['apply', file, '--yes', '--on-error', 'continue', ...endpoint()]);
    expect(result.code).toBe(1);
    expect(row(result.stdout, 'account')).toMatch(/^≠ account \d+ stale, skipped 1$/);
    for (const bucket of buckets) expect(row(result.stdout, bucket)).toMatch(/stale, skipped/);
    expect(result.stdout).toContain(
      '    stale: Block Public Access (account) changed since the plan\n',
    );
    expect(result.stdout).toContain(
      '    stale: Block Public Access (account) is not as the account section sets it\n',
    );
    expect((await snapshot(buckets[0]))['bucket.publicAccessBlock']).toBeNull();
  });

  it('refuses the whole fleet before any write when any bucket has an unfinished journal', async () => {
    const { buckets, file } = await threeBuckets('fa-unfinished');
    const journal = openJournal(
      { accountId: '123456789012', region: 'us-east-1', bucket: buckets[2] },
      join(process.env.S3_HARDEN_STATE_DIR as string, 'journals'),
    );
    journal.append({
      type: 'begin',
      target: { accountId: '123456789012', region: 'us-east-1', bucket: buckets[2] },
      changes: 1,
      tool: 's3-harden',
    });
    journal.close();
    const result = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `s3-harden: an earlier apply to ${buckets[2]} did not finish: run s3-harden rollback ${journal.path} first (or pass --ignore-unfinished)\n`,
    );
    const account = await session.observe(buckets[0], ['account.publicAccessBlock']);
    expect(account.values['account.publicAccessBlock']).toBeNull();
    expect((await snapshot(buckets[0]))['bucket.publicAccessBlock']).toBeNull();
  });
});
