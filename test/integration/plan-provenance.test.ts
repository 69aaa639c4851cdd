/**
 * A saved plan is applied only as s3-harden proposed it (issue 13): the
 * file records what produced it and apply derives it again; the weakening
 * rules hold whatever the file says; the digest the review shows pins the
 * plan a pipeline applies. Through the built CLI, against the emulator.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutBucketLifecycleConfigurationCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCall } from '../../src/plan/resources/index.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients } from '../helpers/fixtures.js';

// biome-ignore lint/suspicious/noExplicitAny: the plan file is edited as plain JSON.
type Json = any;

const endpoint = () => ['--endpoint-url', emulatorUrl()];
const DIGEST = /^Plan digest: sha256:([0-9a-f]{16})$/m;

describe('saved plans, derived again at apply', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-provenance-'));
  });

  async function saved(bucket: string, only = 'public-access-block,versioning,bucket-policy') {
    const file = join(dir, `${bucket}.json`);
    const planned = await runCli([
      'plan',
      '--only',
      only,
      '--bucket',
      bucket,
      '--out',
      file,
      ...endpoint(),
    ]);
    expect(planned.code, planned.stderr).toBe(2);
    return { file, stdout: planned.stdout, json: JSON.parse(readFileSync(file, 'utf8')) as Json };
  }

  it('the digest `plan` shows pins the plan: another digest is refused before any request, this one applies', async () => {
    const bucket = uniqueBucket('prov-digest');
    await createBucket(bucket);
    const { file, stdout } = await saved(bucket);
    const digest = DIGEST.exec(stdout)?.[1] as string;
    expect(digest).toMatch(/^[0-9a-f]{16}$/);
    const json = await runCli([
      'plan',
      '--only',
      'public-access-block,versioning,bucket-policy',
      '--bucket',
      bucket,
      '--json',
      ...endpoint(),
    ]);
    // Another plan (its own id) of the same bucket has its own digest.
    expect(JSON.parse(json.stdout).digest).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(JSON.parse(json.stdout).digest).not.toBe(`sha256:${digest}`);

    const wrong = await runCli([
      'apply',
      file,
      '--yes',
      '--expect-digest',
      'sha256:0000000000000000',
      ...endpoint(),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(
      `s3-harden: the plan's digest is sha256:${digest}, not sha256:0000000000000000 as --expect-digest says: nothing applied\n`,
    );
    const right = await runCli(['apply', file, '--yes', '--expect-digest', digest, ...endpoint()]);
    expect(right.code, right.stderr).toBe(0);
    expect(right.stdout).toContain(`Plan digest: sha256:${digest}`);
  });

  it('an after-state edited with its call to match is refused, naming the first difference', async () => {
    const bucket = uniqueBucket('prov-after');
    await createBucket(bucket);
    const { file, json } = await saved(bucket);
    const change = json.changes.find((c: Json) => c.resource === 'bucket.versioning');
    change.after = { Status: 'Suspended' };
    change.call = writeCall('bucket.versioning', json.target, change.after);
    writeFileSync(file, JSON.stringify(json, null, 2));
    const result = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^s3-harden: .*: changes\[\d\]\.(after|call\.input\.VersioningConfiguration)\.Status \(bucket\.versioning\) differs from what s3-harden plans from the inputs the file records: the file was edited, or made by another version of s3-harden; make a new plan\n$/,
    );
  });

  it('a file that would drop a statement s3-harden did not write is refused, whatever it records', async () => {
    const bucket = uniqueBucket('prov-foreign');
    await createBucket(bucket);
    const foreign = {
      Sid: 'PartnerRead',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::210987654321:root' },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${bucket}/*`,
    };
    await rawClients().s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [foreign] }),
      }),
    );
    const { file, json } = await saved(bucket, 'bucket-policy');
    const change = json.changes.find((c: Json) => c.resource === 'bucket.policy');
    change.after = {
      ...change.after,
      Statement: change.after.Statement.filter((s: Json) => s.Sid !== 'PartnerRead'),
    };
    delete change.after['s3-harden:text'];
    change.call = writeCall('bucket.policy', json.target, change.after);
    writeFileSync(file, JSON.stringify(json, null, 2));
    const result = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /changes\[0\] drops or changes a statement s3-harden did not write \(Sid "PartnerRead"\) \(bucket\.policy\): a plan file never weakens a bucket/,
    );
  });

  it('a file that would drop a lifecycle rule s3-harden did not write is refused', async () => {
    const bucket = uniqueBucket('prov-lifecycle');
    await createBucket(bucket);
    await rawClients().s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: 'archive',
              Status: 'Enabled',
              Filter: { Prefix: 'a/' },
              Expiration: { Days: 400 },
            },
          ],
        },
      }),
    );
    const { file, json } = await saved(bucket, 'lifecycle');
    const change = json.changes.find((c: Json) => c.resource === 'bucket.lifecycle');
    change.after = { Rules: change.after.Rules.filter((r: Json) => r.ID !== 'archive') };
    change.call = writeCall('bucket.lifecycle', json.target, change.after);
    writeFileSync(file, JSON.stringify(json, null, 2));
    const result = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'drops or changes a lifecycle rule s3-harden did not write (ID "archive") (bucket.lifecycle): a plan file never weakens a bucket',
    );
  });

  it('what the plan was derived from must still hold: a bucket policy added since makes it stale', async () => {
    const bucket = uniqueBucket('prov-derived');
    await createBucket(bucket);
    // The encryption step reads the bucket policy (log delivery's grant) but does not write it.
    const { file, json } = await saved(bucket, 'encryption');
    expect(json.observed).not.toHaveProperty('bucket.policy');
    expect(json.provenance.posture.values).toHaveProperty('bucket.policy', null);
    await rawClients().s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'PartnerRead',
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::210987654321:root' },
              Action: 's3:GetObject',
              Resource: `arn:aws:s3:::${bucket}/*`,
            },
          ],
        }),
      }),
    );
    const stale = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe(
      's3-harden: the plan is stale: Bucket policy changed since the plan. Make a new plan with s3-harden plan.\n',
    );
  });
});
