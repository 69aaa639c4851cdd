/**
 * The lockout guard through the built CLI against the emulator: a bucket
 * whose existing policy keeps a Deny for everyone outside one VPC endpoint.
 * The tool's plan keeps that statement (it never drops foreign ones), so the
 * caller — not in that endpoint — would be locked out of the bucket policy.
 * The emulator does not enforce bucket policies; the guard does not need it to.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients } from '../helpers/fixtures.js';

const VPCE = 'vpce-0123456789abcdef0';
let dir: string;

const endpoint = () => ['--endpoint-url', emulatorUrl(), '--region', 'us-east-1'];

function vpceOnly(bucket: string) {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyThroughOurEndpoint',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { StringNotEquals: { 'aws:SourceVpce': VPCE } },
      },
    ],
  });
}

async function seeded(label: string): Promise<string> {
  const bucket = uniqueBucket(label);
  await createBucket(bucket);
  await rawClients().s3.send(
    new PutBucketPolicyCommand({ Bucket: bucket, Policy: vpceOnly(bucket) }),
  );
  return bucket;
}

async function livePolicy(bucket: string): Promise<unknown> {
  const out = await rawClients().s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
  return JSON.parse(out.Policy ?? 'null');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 's3h-lockout-'));
});

describe('lockout guard in plan and apply', () => {
  it('`plan` refuses with exit 1 and one line naming the statement and reason; --vpce clears it', async () => {
    const bucket = await seeded('lock-plan');
    const args = ['plan', '--only', 'bucket-policy', '--bucket', bucket, ...endpoint()];
    const refused = await runCli(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain(
      's3-harden: lockout: bucket policy OnlyThroughOurEndpoint denies you s3:GetBucketPolicy',
    );
    expect(refused.stderr).toContain('you are not in a VPC endpoint (--vpce)');
    expect(refused.stdout).toContain('Lockout check: Deny statements that apply to you');

    const inside = await runCli([...args, '--vpce', VPCE]);
    expect(inside.stderr).toBe('');
    expect(inside.code).toBe(2);
    expect(inside.stdout).not.toContain('Lockout check');

    const json = await runCli([...args, '--json', '--allow-lockout']);
    expect(json.code).toBe(2);
    const parsed = JSON.parse(json.stdout) as { lockout: { sid: string; certainty: string }[] };
    expect(parsed.lockout).toMatchObject([{ sid: 'OnlyThroughOurEndpoint', certainty: 'denies' }]);
  });

  it('`apply` refuses before any write, in one line, unless --allow-lockout', async () => {
    const bucket = await seeded('lock-apply');
    const file = join(dir, `${bucket}.json`);
    const planned = await runCli([
      'plan',
      '--only',
      'bucket-policy',
      '--bucket',
      bucket,
      '--out',
      file,
      '--allow-lockout',
      ...endpoint(),
    ]);
    expect(planned.code).toBe(2);
    const before = await livePolicy(bucket);

    const refused = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(
      /^s3-harden: lockout: bucket policy OnlyThroughOurEndpoint denies you .*; nothing applied \(add --allow-lockout to apply anyway\)\.$/m,
    );
    expect(refused.stdout).not.toContain('applying');
    expect(await livePolicy(bucket)).toEqual(before);

    const forced = await runCli(['apply', file, '--yes', '--allow-lockout', ...endpoint()]);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(await livePolicy(bucket)).not.toEqual(before);
  });

  it('validates --source-ip and --vpce', async () => {
    const badIp = await runCli([
      'plan',
      '--bucket',
      'any-bucket',
      '--source-ip',
      '10.0.0',
      ...endpoint(),
    ]);
    expect(badIp.code).toBe(1);
    expect(badIp.stderr.trim()).toBe(
      "s3-harden: option '--source-ip <ip>' argument '10.0.0' is invalid. \"10.0.0\" is not an IPv4 or IPv6 address.",
    );
    const badVpce = await runCli(['apply', 'x.json', '--vpce', 'vpc-12345678', ...endpoint()]);
    expect(badVpce.code).toBe(1);
    expect(badVpce.stderr.trim().split('\n')).toHaveLength(1);
    expect(badVpce.stderr).toContain(
      "vpc-12345678 is a VPC ID; give the VPC endpoint's ID (vpce-…)",
    );
  });
});
