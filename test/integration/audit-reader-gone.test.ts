/**
 * `audit --json | head -1`: the reader of the streamed report goes away part
 * way. The built CLI stops writing, says nothing on stderr and, with no
 * gate, stops reading too and exits 0; with --fail-on it reads every bucket
 * to the end, writing nothing more, and exits with the gate's verdict.
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';
import { holdingProxy } from '../helpers/holding-proxy.js';

const buckets = Array.from({ length: 10 }, (_, i) => uniqueBucket(`gone-${i}`));
/** The bucket whose first request waits until the reader has gone. */
const held = buckets[2] as string;

beforeAll(async () => {
  for (const bucket of buckets) await createBucket(bucket);
});

let proxy: ReturnType<typeof holdingProxy> | undefined;
afterEach(async () => {
  proxy?.release();
  await new Promise((resolve) => proxy?.server.close(resolve));
});

/**
 * Runs `audit --json` over the buckets one at a time; once the rows before
 * the held bucket are out, closes its stdout (as `head` does when it has its
 * line), then lets the held bucket go.
 */
async function auditWhoseReaderLeaves(args: readonly string[]) {
  proxy = holdingProxy(emulatorUrl(), (_method, url) => url.startsWith(`/${held}`));
  const server = proxy.server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const child = spawn(
    process.execPath,
    [
      BIN,
      'audit',
      '--json',
      '--concurrency',
      '1',
      ...args,
      ...buckets.flatMap((bucket) => ['--bucket', bucket]),
      '--endpoint-url',
      `http://127.0.0.1:${port}`,
    ],
    { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const twoRows = new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const at = stdout.indexOf(`"bucket": "${buckets[1]}"`);
      if (at >= 0 && stdout.indexOf('\n    }', at) >= 0) resolve();
    });
  });
  await proxy.seen;
  await twoRows;
  // The reader goes: the next row written fails with EPIPE.
  child.stdout.destroy();
  proxy.release();
  const code = await closed;
  const read = new Set(
    proxy.requests.flatMap((request) =>
      buckets.filter((bucket) => request.url.startsWith(`/${bucket}`)),
    ),
  );
  return { code, stderr, read };
}

describe('audit --json whose reader goes away', () => {
  it('stops writing and reading, says nothing, exits 0', async () => {
    const { code, stderr, read } = await auditWhoseReaderLeaves([]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // One bucket at a time: at most the one after the held bucket was begun.
    expect(read.has(held)).toBe(true);
    for (const bucket of buckets.slice(5)) expect(read.has(bucket), bucket).toBe(false);
  });

  it('with --fail-on, reads on to the end and exits with the verdict (2), its one line on stderr', async () => {
    const { code, stderr, read } = await auditWhoseReaderLeaves(['--fail-on', 'fail']);
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^s3-harden: audit --fail-on: \d+ failing results: /),
    ]);
    expect(code).toBe(2);
    for (const bucket of buckets) expect(read.has(bucket), bucket).toBe(true);
  });
});
