/**
 * `plan --preset strict --vpce vpce-…`: --vpce, the endpoint you come
 * through, is also the VPC endpoint restriction strict asks for when
 * --restrict-vpce is not given (the same list parser); without any ID the
 * plan's first line says the restriction was left out, before the diff.
 * Through the built CLI, against the emulator.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';

const VPCE = 'vpce-0123456789abcdef0';
const OTHER = 'vpce-0fedcba9876543210';

describe('plan --vpce', () => {
  const endpoint = () => ['--endpoint-url', emulatorUrl()];

  it('with strict restricts the bucket to the endpoints given, and you are not locked out', async () => {
    const bucket = uniqueBucket('vpce-alias');
    await createBucket(bucket);
    const planned = await runCli([
      'plan',
      '--bucket',
      bucket,
      '--preset',
      'strict',
      '--vpce',
      `${VPCE},${OTHER}`,
      '--json',
      ...endpoint(),
    ]);
    expect(planned.code, planned.stderr).toBe(2);
    const json = JSON.parse(planned.stdout);
    expect(json.lockout).toEqual([]);
    expect(JSON.stringify(json.skipped)).not.toContain('VPC endpoint restriction');
    const policy = json.plan.changes.find(
      (change: { id: string }) => change.id === 'bucket.policy',
    );
    const statements = JSON.parse(policy.call.input.Policy).Statement as {
      Sid: string;
      Condition: unknown;
    }[];
    expect(statements.find((statement) => statement.Sid === 'S3HardenVpceOnly')).toMatchObject({
      Condition: { StringNotEquals: { 'aws:SourceVpce': [VPCE, OTHER] } },
    });
  });

  it('without IDs, the first line says the restriction was left out, before the diff', async () => {
    const bucket = uniqueBucket('vpce-alias-none');
    await createBucket(bucket);
    const planned = await runCli(['plan', '--bucket', bucket, '--preset', 'strict', ...endpoint()]);
    expect(planned.code, planned.stderr).toBe(2);
    const lines = planned.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^Skipped Bucket policy: its VPC endpoint restriction only: the preset asks for one, but no vpce- IDs were given/,
    );
    expect(lines.findIndex((line) => line.startsWith('Changes to bucket'))).toBeGreaterThan(0);
  });

  it('with baseline only tells the lockout check where you are: no restriction is added', async () => {
    const bucket = uniqueBucket('vpce-alias-base');
    await createBucket(bucket);
    const planned = await runCli(['plan', '--bucket', bucket, '--vpce', VPCE, ...endpoint()]);
    expect(planned.code, planned.stderr).toBe(2);
    expect(planned.stdout).not.toContain('S3HardenVpceOnly');
  });

  it('takes the same IDs as --restrict-vpce, and refuses a bad one in one line', async () => {
    const result = await runCli(['plan', '--bucket', 'valid-bucket', '--vpce', 'vpc-123']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--vpce/);
  });
});
