/**
 * The gate's key scan in one round trip: the keys the plan's reading listed
 * are described beside ListAliases, not after it (src/aws/families/kms-keys.ts,
 * keyReadsAhead), and the scan then finds them answered instead of asking
 * again. Seen through a proxy that holds ListAliases until the describe of
 * the plan's key has arrived, so nothing here depends on timing.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planToFile, runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';

interface Seen {
  readonly target: string;
  readonly body: string;
}

/** Forwards to the emulator; the account-wide ListAliases waits until `release`. */
async function aliasHoldingProxy(upstream: URL) {
  const seen: Seen[] = [];
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const target = String(incoming.headers['x-amz-target'] ?? '');
      seen.push({ target, body });
      if (target.endsWith('.ListAliases') && !body.includes('KeyId')) await released;
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    release: () => release(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Resolves once `condition` holds, checked on every turn of the event loop; rejects after `ms`. */
async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('the gate describes the keys the plan saw beside ListAliases', () => {
  let proxy: Awaited<ReturnType<typeof aliasHoldingProxy>>;
  const dir = mkdtempSync(join(tmpdir(), 's3h-ahead-'));
  beforeAll(async () => {
    proxy = await aliasHoldingProxy(new URL(emulatorUrl()));
  });
  afterAll(async () => {
    proxy.release();
    await proxy.close();
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
      proxy.seen.filter((s) => s.target.endsWith('.DescribeKey') && s.body.includes(keyId));
    const applying = runCli(['apply', file, '--yes', '--endpoint-url', proxy.url]);
    await until(() => describes().length > 0, 15_000, `DescribeKey of ${keyId}`);
    expect(proxy.seen.some((s) => s.target.endsWith('.ListAliases'))).toBe(true);
    proxy.release();
    const applied = await applying;
    expect(applied.code, applied.stderr).toBe(0);
    // Answered once, for the scan too (baseline writes no key: nothing reads it back).
    expect(describes()).toHaveLength(1);
  });
});
