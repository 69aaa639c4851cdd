/**
 * `s3-harden plan … --iam-policy`: the policy for applying the plan it made,
 * printed instead of the diff (with --json, the document alone).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/files/plan-file.js';
import { iamPolicyForPlan } from '../../src/plan/policy/iam-policy.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';

describe('plan --iam-policy', () => {
  it('prints the policy for the plan it saved, as JSON with --json', async () => {
    const bucket = uniqueBucket('iam');
    await createBucket(bucket);
    const file = join(mkdtempSync(join(tmpdir(), 's3-harden-iam-')), 'plan.json');
    const args = ['plan', '--bucket', bucket, '--endpoint-url', emulatorUrl()];
    const only = ['--only', 'public-access-block,encryption,versioning'];
    const json = await runCli([...args, ...only, '--out', file, '--iam-policy', '--json']);
    expect(json.code, json.stderr).toBe(2);
    const policy = JSON.parse(json.stdout);
    expect(policy).toEqual(iamPolicyForPlan(parsePlan(readFileSync(file, 'utf8'))).policy);
    expect(policy.Statement[0]).toEqual({
      Sid: 'Bucket',
      Effect: 'Allow',
      // What the plan was derived from too (the ACL grants, Object Lock, the
      // policy, replication): apply reads them again before it writes.
      Action: [
        's3:GetBucketAcl',
        's3:GetBucketObjectLockConfiguration',
        's3:GetBucketPolicy',
        's3:GetBucketPublicAccessBlock',
        's3:GetBucketVersioning',
        's3:GetEncryptionConfiguration',
        's3:GetReplicationConfiguration',
        's3:ListBucket',
        's3:PutBucketPublicAccessBlock',
        's3:PutBucketVersioning',
        's3:PutEncryptionConfiguration',
      ],
      Resource: `arn:aws:s3:::${bucket}`,
    });
    // No diff: the policy only.
    const text = await runCli([...args, '--only', 'public-access-block', '--iam-policy']);
    expect(text.code, text.stderr).toBe(2);
    expect(text.stdout).not.toMatch(/Plan: /);
    expect(JSON.parse(text.stdout).Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'Bucket',
      'AccountWide',
    ]);
  });

  it('scopes the KMS writes to the key the plan creates, by its tag, and says so', async () => {
    const bucket = uniqueBucket('iam-kms');
    await createBucket(bucket);
    const result = await runCli([
      'plan',
      '--bucket',
      bucket,
      '--preset',
      'strict',
      '--only',
      'encryption',
      '--iam-policy',
      '--endpoint-url',
      emulatorUrl(),
    ]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toMatch(/^# KMS: CreateKey takes no resource/);
    const policy = JSON.parse(result.stdout.replace(/^#.*\n/gm, ''));
    const create = policy.Statement.find((s: { Sid: string }) => s.Sid === 'KmsCreateTaggedKey');
    expect(create).toMatchObject({
      Action: ['kms:CreateKey'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestTag/s3-harden:bucket': bucket } },
    });
    const writes = policy.Statement.find((s: { Sid: string }) => s.Sid === 'KmsKeyOfThisBucket');
    expect(writes.Action).toEqual(
      expect.arrayContaining(['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy']),
    );
    expect(writes.Resource).toBe('arn:aws:kms:us-east-1:123456789012:key/*');
    expect(writes.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/s3-harden:bucket': bucket },
    });
  });
});
