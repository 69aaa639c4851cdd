/**
 * `plan --format terraform` through the built CLI against the emulator:
 * --out DIR (made when missing) holds s3-harden-<bucket>.tf, which
 * python-hcl2 parses; a second run refuses to overwrite it; without --out
 * the HCL is stdout alone; Checkov's Terraform checks find nothing to fix
 * but what s3-harden leaves to the operator by design.
 */

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkov } from '../helpers/checkov.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients } from '../helpers/fixtures.js';
import { hclImports, hclResources, hclValue, parseHcl } from '../helpers/hcl.js';

describe('plan --format terraform', () => {
  let dir: string;
  const endpoint = () => ['--endpoint-url', emulatorUrl()];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-terraform-'));
  });

  it('--out DIR writes the hardened bucket as HCL, and never overwrites it', async () => {
    const bucket = uniqueBucket('tf-out');
    await createBucket(bucket, { publicAccessBlock: { BlockPublicAcls: true } });
    const foreign = {
      Sid: 'TeamRead',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${bucket}/home/\${aws:username}/*`,
    };
    await rawClients().s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [foreign] }),
      }),
    );
    const out = join(dir, 'not-yet', 'there');
    const args = ['plan', '--bucket', bucket, '--preset', 'baseline', ...endpoint()];
    const planned = await runCli([...args, '--format', 'terraform', '--out', out]);
    expect(planned.code, planned.stderr).toBe(2);
    expect(planned.stdout).toBe('');
    const file = join(out, `s3-harden-${bucket}.tf`);
    expect(planned.stderr).toContain(`Wrote the Terraform for ${bucket} to ${file}.`);

    const parsed = parseHcl(file);
    const imports = hclImports(parsed);
    expect(imports['aws_s3_bucket.this']).toBe(bucket);
    // Both existed before the plan: imported.
    expect(imports['aws_s3_bucket_public_access_block.this']).toBe(bucket);
    expect(imports['aws_s3_bucket_policy.this']).toBe(bucket);
    const resources = hclResources(parsed);
    expect(resources['aws_s3_bucket_public_access_block.this']).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const policy = JSON.parse(hclValue(resources['aws_s3_bucket_policy.this']?.policy));
    expect(policy.Statement).toContainEqual(foreign);
    expect(policy.Statement.length).toBeGreaterThan(1);

    const before = readFileSync(file, 'utf8');
    const again = await runCli([...args, '--format', 'terraform', '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toContain(`refusing to overwrite ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(before);

    const printed = await runCli([...args, '--format', 'terraform']);
    expect(printed.code, printed.stderr).toBe(2);
    // The same plan, read again: the same HCL but for the plan's id.
    const withoutId = (text: string) => text.replace(/plan [0-9a-f-]{36}/, 'plan ID');
    expect(withoutId(printed.stdout)).toBe(withoutId(before));
  });

  /**
   * Checkov's checks that ask for what s3-harden does not set up, by design:
   * they fail on any bucket it hardens, and are said here with the reason.
   */
  const OUT_OF_SCOPE: Record<string, string> = {
    CKV2_AWS_62: 'event notifications: an application choice, not a hardening one',
    CKV_AWS_144: 'cross-region replication: needs a second bucket and region the operator picks',
  };

  it.each([
    // baseline keeps SSE-S3 (no KMS key to pay for or lose): Checkov's KMS check fails there only.
    ['baseline', ['CKV_AWS_145']],
    ['strict', []],
  ] as const)(
    'Checkov finds nothing to fix in the %s output but what s3-harden leaves to the operator',
    async (preset, expected) => {
      const bucket = uniqueBucket(`tf-checkov-${preset}`);
      await createBucket(bucket);
      const out = join(dir, `checkov-${preset}`);
      const planned = await runCli([
        'plan',
        '--bucket',
        bucket,
        '--preset',
        preset,
        ...endpoint(),
        '--format',
        'terraform',
        '--out',
        out,
      ]);
      expect(planned.code, planned.stderr).toBe(2);
      const result = checkov(out);
      expect(result.parsingErrors).toBe(0);
      expect(result.passed).toBeGreaterThan(15);
      const failed = result.failed
        .map((check) => check.id)
        .filter((id) => !(id in OUT_OF_SCOPE))
        .sort();
      expect(failed, JSON.stringify(result.failed)).toEqual([...expected]);
    },
  );

  it('several buckets, or --iam-policy beside it, are one-line usage errors', async () => {
    const several = await runCli([
      'plan',
      '--bucket',
      'a-bucket,b-bucket',
      '--format',
      'terraform',
    ]);
    expect(several.code).toBe(1);
    expect(several.stderr).toBe(
      's3-harden: --format terraform works on one bucket: pass one --bucket name.\n',
    );
    const iam = await runCli([
      'plan',
      '--bucket',
      'a-bucket',
      '--format',
      'terraform',
      '--iam-policy',
    ]);
    expect(iam.code).toBe(1);
    expect(iam.stderr).toBe(
      's3-harden: --format terraform and --iam-policy ask for two outputs: choose one.\n',
    );
  });
});
