/**
 * Ctrl+C during `apply fleet.json`, through the built CLI: the call in
 * flight finishes, the current bucket is rolled back, the rest is not run.
 * Deterministic: a loopback proxy in front of the emulator holds the second
 * bucket's first write until the CLI has been interrupted and said so.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, setAccountPublicAccessBlock } from '../helpers/fixtures.js';
import { holdingProxy, interruptedRun } from '../helpers/holding-proxy.js';

const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

describe('Ctrl+C during a fleet apply', () => {
  let session: AwsSession;
  let proxy: ReturnType<typeof holdingProxy>;
  let dir: string;
  const names = ['a', 'b', 'c'].map((suffix) => uniqueBucket(`fi-${suffix}`));
  const [one, two, three] = names as [string, string, string];

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
    dir = mkdtempSync(join(tmpdir(), 's3-harden-fleet-interrupt-'));
    proxy = holdingProxy(
      emulatorUrl(),
      (method, url) => method === 'PUT' && new RegExp(`^/${two}/?\\?`).test(url),
    );
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    session.close();
    proxy.release();
    await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
  });

  it('finishes the call in flight, rolls back the current bucket, and runs no other', async () => {
    await setAccountPublicAccessBlock(null);
    for (const bucket of names) await createBucket(bucket);
    const file = join(dir, 'fleet.json');
    const planned = await runCli([
      'plan',
      '--bucket',
      names.join(','),
      '--only',
      'public-access-block,versioning,account-public-access-block',
      '--out',
      file,
      '--endpoint-url',
      emulatorUrl(),
    ]);
    expect(planned.code).toBe(2);

    // The second bucket's first write is in flight: interrupt, wait until heard, let it finish.
    const { code, stdout, stderr } = await interruptedRun(proxy, ['apply', file, '--yes']);

    expect(stderr).toBe('');
    expect(code).toBe(1);
    const row = (bucket: string) =>
      stdout
        .split('\n')
        .find((line) => line.startsWith(`${line[0]} ${bucket} `))
        ?.replace(/\s+/g, ' ');
    expect(row(one)).toBe(`✓ ${one} applied 2`);
    expect(row(two)).toBe(`↶ ${two} rolled back 2`);
    expect(row(three)).toBe(`· ${three} not run 2`);
    expect(stdout).toContain('Apply cancelled; 1 change rolled back. The bucket is as it was.');
    // Bucket 1 stays applied, bucket 2 is as before, bucket 3 was never touched.
    const pab = async (bucket: string) =>
      (await session.observe(bucket, ['bucket.publicAccessBlock'])).values[
        'bucket.publicAccessBlock'
      ];
    expect(await pab(one)).toEqual(ALL_ON);
    expect(await pab(two)).toBeNull();
    expect(await pab(three)).toBeNull();
  });
});
