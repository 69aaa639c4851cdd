/**
 * One resolution of the credentials per run: a profile that assumes a role
 * assumes it once, whatever number of SDK clients (S3, S3 Control, STS, KMS,
 * CloudTrail, EC2…) the run uses. Each client left to itself resolved its
 * own: six AssumeRole calls for one bucket's audit, and as many SSO token
 * exchanges for an SSO profile. Counted by a proxy in front of the emulator,
 * which lets any role be assumed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AssumeProxy, assumeProxy } from '../helpers/assume-proxy.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { ACCOUNT, createBucket } from '../helpers/fixtures.js';

describe('a profile that assumes a role', () => {
  let proxy: AssumeProxy;
  const dir = mkdtempSync(join(tmpdir(), 's3h-profile-'));
  const config = join(dir, 'config');
  const credentials = join(dir, 'credentials');
  writeFileSync(
    config,
    `[profile base]\nregion = us-east-1\n\n[profile assumer]\nrole_arn = arn:aws:iam::${ACCOUNT}:role/s3-harden-operator\nsource_profile = base\nregion = us-east-1\n`,
  );
  writeFileSync(
    credentials,
    '[base]\naws_access_key_id = testing\naws_secret_access_key = testing\n',
  );
  beforeAll(async () => {
    proxy = await assumeProxy(emulatorUrl(), []);
  });
  afterAll(async () => {
    await proxy.close();
  });

  const run = (args: readonly string[]) =>
    runCli([...args, '--profile', 'assumer', '--endpoint-url', proxy.url], {
      // The role is assumed through the proxy too (the SDK's own STS client reads it).
      env: {
        AWS_CONFIG_FILE: config,
        AWS_SHARED_CREDENTIALS_FILE: credentials,
        AWS_ENDPOINT_URL: proxy.url,
      },
    });

  it('assumes it once for an audit and once for a strict plan, whatever clients they use', async () => {
    const bucket = uniqueBucket('profile');
    await createBucket(bucket);
    const before = proxy.assumed.length;
    const audited = await run(['audit', '--bucket', bucket]);
    expect(audited.code, audited.stderr).toBe(0);
    expect(proxy.assumed.length - before).toBe(1);
    expect(proxy.assumed.at(-1)?.RoleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/s3-harden-operator`);
    const planned = await run(['plan', '--bucket', bucket, '--preset', 'strict']);
    expect(planned.code, planned.stderr).toBe(2);
    expect(proxy.assumed.length - before).toBe(2);
  });
});
