/**
 * The gate's key scan in one round trip: the keys the plan's reading listed
 * are described beside ListAliases, not after it (src/aws/families/kms-keys.ts,
 * keyReadsAhead), and the scan then finds them answered instead of asking
 * again. Seen through a proxy that holds ListAliases until the describe of
 * the plan's key has arrived, so nothing here depends on timing.
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planToFile, runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';
import { holdingProxy } from '../helpers/holding-proxy.js';

/** Resolves once `condition` holds (checked every few milliseconds); rejects after `ms`. */
async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the gate describes the keys the plan saw beside ListAliases', () => {
  // The account-wide ListAliases (not one key's) waits until released.
  const proxy = holdingProxy(
    emulatorUrl(),
    (_method, _url, request) =>
      request.target.endsWith('.ListAliases') && !request.body.includes('KeyId'),
  );
  const dir = mkdtempSync(join(tmpdir(), 's3h-ahead-'));
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    proxy.release();
    await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
  });

  it('sends DescribeKey of a listed key while ListAliases is unanswered, and only once', async () => {
    const kms = new KMSClient({ endpoint: emulatorUrl(), region: 'us-east-1' });
    const created = await kms.send(new CreateKeyCommand({ Description: 'a key the plan lists' }));
    const keyId = created.KeyMetadata?.KeyId as string;
    await kms.send(
      new CreateAliasCommand({ AliasName: `alias/${uniqueBucket('ahead')}`, TargetKeyId: keyId }),
    );
    kms.destroy();
    const bucket = uniqueBucket('ahead');
    await createBucket(bucket);
    const file = join(dir, 'plan.json');
    const planned = await planToFile(bucket, file, emulatorUrl(), ['--preset', 'baseline']);
    expect(planned.code, planned.stderr).toBe(2);

    const describes = () =>
      proxy.requests.filter((s) => s.target.endsWith('.DescribeKey') && s.body.includes(keyId));
    const applying = runCli(['apply', file, '--yes', '--endpoint-url', url]);
    await until(() => describes().length > 0, 15_000, `DescribeKey of ${keyId}`);
    await proxy.seen;
    proxy.release();
    const applied = await applying;
    expect(applied.code, applied.stderr).toBe(0);
    // Answered once, for the scan too (baseline writes no key: nothing reads it back).
    expect(describes()).toHaveLength(1);
  });
});
