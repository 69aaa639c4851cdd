/**
 * Replication awareness and existing objects against the emulator (issue
 * 14, items 5 and 6): a replicating bucket's observed replication (role,
 * rule, destination and its Object Lock), the audit's replication-health
 * control through the built CLI, and `plan` counting the existing objects
 * with the S3 Batch Operations job, and granting the replication role in a
 * created key's policy. (The rule here selects no SSE-KMS objects, so
 * the plan says new objects would stop replicating.)
 */
import {
  CreateBucketCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { auditReportSchema } from '../../src/plan/audit/schema.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { rawClients } from '../helpers/fixtures.js';

const ROLE = 'arn:aws:iam::123456789012:role/s3-replication';

/** A versioned bucket, with Object Lock from creation when asked. */
async function versionedBucket(bucket: string, objectLock = false): Promise<void> {
  const { s3 } = rawClients();
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(objectLock ? { ObjectLockEnabledForBucket: true } : {}),
    }),
  );
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
}

/** `source` replicates to `destination`, and holds `objects` objects. */
async function replicating(
  source: string,
  destination: string,
  options: { lockSource?: boolean; lockDestination?: boolean; objects?: number } = {},
): Promise<void> {
  const { s3 } = rawClients();
  await versionedBucket(source, options.lockSource);
  await versionedBucket(destination, options.lockDestination);
  await s3.send(
    new PutBucketReplicationCommand({
      Bucket: source,
      ReplicationConfiguration: {
        Role: ROLE,
        Rules: [
          {
            ID: 'to-replica',
            Priority: 1,
            Status: 'Enabled',
            Filter: { Prefix: '' },
            DeleteMarkerReplication: { Status: 'Disabled' },
            Destination: { Bucket: `arn:aws:s3:::${destination}`, StorageClass: 'STANDARD' },
          },
        ],
      },
    }),
  );
  for (let index = 0; index < (options.objects ?? 0); index++) {
    await s3.send(new PutObjectCommand({ Bucket: source, Key: `o/${index}`, Body: 'x' }));
  }
}

describe('replication against the emulator', () => {
  let session: AwsSession;
  const endpoint = () => ['--endpoint-url', emulatorUrl()];

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => session.close());

  it('observes the role, the rule, its destination and the destination’s Object Lock, and counts the objects', async () => {
    const source = uniqueBucket('repl-src');
    const destination = uniqueBucket('repl-dst');
    await replicating(source, destination, { lockDestination: true, objects: 3 });
    const posture = await session.observe(
      source,
      ['bucket.replication', 'bucket.replicationTargets', 'bucket.objectCount'],
      { optional: ['bucket.replicationTargets', 'bucket.objectCount'] },
    );
    expect(posture.unreadable).toEqual({});
    expect(posture.values['bucket.replication']).toEqual({
      Role: ROLE,
      Rules: [
        {
          ID: 'to-replica',
          Status: 'Enabled',
          Destination: { Bucket: `arn:aws:s3:::${destination}`, StorageClass: 'STANDARD' },
        },
      ],
    });
    expect(posture.values['bucket.replicationTargets']).toEqual({
      destinations: [{ bucket: destination, objectLock: true }],
      key: null,
    });
    expect(posture.values['bucket.objectCount']).toEqual({ objectCount: 3, truncated: false });

    // A bucket that does not replicate reads as null, and its targets too.
    const plain = uniqueBucket('repl-none');
    await versionedBucket(plain);
    const none = await session.observe(plain, ['bucket.replication', 'bucket.replicationTargets']);
    expect(none.values).toMatchObject({
      'bucket.replication': null,
      'bucket.replicationTargets': null,
    });
  });

  it('audit: replication health passes, and fails where the source has Object Lock and the destination none', async () => {
    const healthy = uniqueBucket('repl-ok');
    const broken = uniqueBucket('repl-lock');
    const replicaOk = uniqueBucket('repl-ok-dst');
    const replicaBroken = uniqueBucket('repl-lock-dst');
    await replicating(healthy, replicaOk);
    await replicating(broken, replicaBroken, { lockSource: true });
    const { stdout, stderr } = await runCli([
      'audit',
      '--bucket',
      `${healthy},${broken}`,
      '--json',
      ...endpoint(),
    ]);
    expect(stderr).toBe('');
    const report = auditReportSchema.parse(JSON.parse(stdout));
    const result = (bucket: string) =>
      report.buckets
        .find((item) => item.bucket === bucket)
        ?.results.find((r) => r.id === 'replication');
    expect(report.controls.find((control) => control.id === 'replication')).toMatchObject({
      title: 'Replication health',
      column: 'REPL',
    });
    expect(result(healthy)).toEqual({
      id: 'replication',
      status: 'pass',
      detail: `replicates to ${replicaOk}`,
    });
    expect(result(broken)).toEqual({
      id: 'replication',
      status: 'fail',
      detail: `Object Lock is on but destination ${replicaBroken} has none: locked objects fail to replicate`,
    });
  });

  it('plan: counts the existing objects with the Batch Operations job, and grants the role in the created key', async () => {
    const source = uniqueBucket('repl-plan');
    const destination = uniqueBucket('repl-plan-dst');
    await replicating(source, destination, { objects: 3 });
    const planned = await runCli([
      'plan',
      '--bucket',
      source,
      '--preset',
      'strict',
      '--only',
      'encryption',
      '--json',
      ...endpoint(),
    ]);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
    const plan = JSON.parse(planned.stdout) as {
      changes: { id: string; warnings: string[] }[];
      plan: { changes: { id: string; call: { input: Record<string, unknown> } }[] };
    };
    const encryption = plan.changes.find((change) => change.id === 'bucket.encryption');
    const note = encryption?.warnings[0] ?? '';
    expect(note).toMatch(
      /^applies to new objects only: the 3 existing objects keep the encryption they were written with; to re-encrypt them, run this S3 Batch Operations job/,
    );
    expect(note).toContain(`"SourceBucket":"arn:aws:s3:::${source}"`);
    expect(note).toContain('aws s3control create-job --account-id 123456789012 --region us-east-1');
    // The rule selects no SSE-KMS objects: new objects would stop replicating.
    expect(encryption?.warnings.join('\n')).toContain(
      `rule "to-replica" (to ${destination}) does not replicate objects encrypted with a KMS key`,
    );
    const key = plan.changes.find((change) => change.id === 'kms.key');
    const created = plan.plan.changes.find((change) => change.id === 'kms.key');
    expect(String(created?.call.input.Policy)).toContain(ROLE);
    expect(key?.warnings).toContain(
      `the bucket replicates: its key policy lets the replication role ${ROLE} kms:Decrypt through S3, so S3 can still read the new objects it replicates`,
    );

    // The same in the text review.
    const text = await runCli([
      'plan',
      '--bucket',
      source,
      '--preset',
      'strict',
      '--only',
      'encryption',
      ...endpoint(),
    ]);
    expect(text.stdout).toContain(
      'the 3 existing objects keep the encryption they were written with',
    );
  });
});
