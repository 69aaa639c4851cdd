/**
 * `plan --restrict-vpce`: the VPC endpoint restriction the strict preset asks
 * for, from the command line; without it the plan says at its top that the
 * restriction was left out, not only in a warning deep in the policy diff.
 * Through the built CLI, against the emulator.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetBucketPolicyCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients } from '../helpers/fixtures.js';

const VPCE = 'vpce-0123456789abcdef0';

describe('plan --restrict-vpce', () => {
  let dir: string;
  const endpoint = () => ['--endpoint-url', emulatorUrl()];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-vpce-'));
  });

  it('strict without IDs says on its first line that the restriction is left out', async () => {
    const bucket = uniqueBucket('vpce-none');
    await createBucket(bucket);
    const planned = await runCli(['plan', '--bucket', bucket, '--preset', 'strict', ...endpoint()]);
    expect(planned.code, planned.stderr).toBe(2);
    expect(planned.stdout.split('\n')[0]).toBe(
      "Skipped Bucket policy: its VPC endpoint restriction only: the preset asks for one, but no vpce- IDs were given, so none is added (plan --restrict-vpce vpce-…, or type them in the wizard's bucket-policy step)",
    );
    expect(planned.stdout).not.toContain('S3HardenVpceOnly');
  });

  it('adds the restriction; the lockout guard refuses it unless you say you come through it', async () => {
    const bucket = uniqueBucket('vpce-some');
    await createBucket(bucket);
    const args = ['plan', '--bucket', bucket, '--preset', 'strict', '--restrict-vpce', VPCE];
    const outside = await runCli([...args, ...endpoint()]);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(
      /^s3-harden: lockout: bucket policy S3HardenVpceOnly denies you/,
    );

    const file = join(dir, `${bucket}.json`);
    const inside = await runCli([...args, '--vpce', VPCE, '--out', file, ...endpoint()]);
    expect(inside.code, inside.stderr).toBe(2);
    expect(inside.stdout).not.toContain('Skipped Bucket policy');
    const applied = await runCli(['apply', file, '--yes', '--vpce', VPCE, ...endpoint()]);
    expect(applied.code, applied.stderr).toBe(0);
    const { s3 } = rawClients();
    const policy = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    const statements = JSON.parse(policy.Policy ?? '{}').Statement as { Sid: string }[];
    const vpceOnly = statements.find((statement) => statement.Sid === 'S3HardenVpceOnly');
    expect(vpceOnly).toMatchObject({
      Effect: 'Deny',
      Condition: { StringNotEquals: { 'aws:SourceVpce': [VPCE] } },
    });
  });

  it.each([
    ['vpc-123', /--restrict-vpce/],
    [',', /give at least one vpce- ID/],
  ])('refuses %j in one line, exit 1', async (value, message) => {
    const result = await runCli(['plan', '--bucket', 'valid-bucket', '--restrict-vpce', value]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });
});
