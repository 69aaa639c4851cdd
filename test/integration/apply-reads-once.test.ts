/**
 * `apply --yes` sends no read twice where once is enough: before its first
 * write every read the gate and the executor need goes out once (the
 * executor checks its changes against the gate's reading, made under the
 * bucket's lock), and after its last write the read-backs share their calls
 * (a created key's alias, rotation and policy list its aliases once). Seen
 * as the requests themselves, through a recording proxy in front of the
 * emulator.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planToFile, runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { type FaultProxy, faultProxy, type SeenRequest } from '../helpers/fault-proxy.js';
import { createBucket } from '../helpers/fixtures.js';

/** Whether a request only reads: S3 GET and HEAD, JSON and query calls named Get/List/Describe. */
function isRead(request: SeenRequest): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return true;
  if (request.url.startsWith('/policy/validation')) return true;
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(request.body)?.[1] ?? request.operation;
  return /^(Get|List|Describe|Lookup)/.test(action);
}

/** A request's identity: two with the same are the same call sent again. */
const callKey = (request: SeenRequest) =>
  `${request.method} ${request.url} ${request.operation} ${request.body}`;

function repeated(requests: readonly SeenRequest[]): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const request of requests) {
    const key = callKey(request);
    if (seen.has(key)) twice.push(key.slice(0, 160));
    seen.add(key);
  }
  return twice;
}

describe('apply --yes: each read once', () => {
  let proxy: FaultProxy;
  const dir = mkdtempSync(join(tmpdir(), 's3h-reads-once-'));
  beforeAll(async () => {
    proxy = await faultProxy(emulatorUrl());
  });
  afterAll(async () => {
    await proxy.close();
  });

  for (const preset of ['baseline', 'strict']) {
    it(`${preset}: none repeated before the first write, nor after the last`, async () => {
      const bucket = uniqueBucket(`once-${preset}`);
      await createBucket(bucket);
      const file = join(dir, `${bucket}.json`);
      const planned = await planToFile(bucket, file, emulatorUrl(), ['--preset', preset]);
      expect(planned.code, planned.stderr).toBe(2);
      proxy.arm(null);
      const applied = await runCli(['apply', file, '--yes', '--endpoint-url', proxy.url]);
      expect(applied.code, applied.stderr).toBe(0);
      const requests = [...proxy.seen];
      const first = requests.findIndex((request) => !isRead(request));
      const last = requests.length - 1 - [...requests].reverse().findIndex((r) => !isRead(r));
      expect(first).toBeGreaterThan(0);
      expect(repeated(requests.slice(0, first))).toEqual([]);
      expect(repeated(requests.slice(last + 1))).toEqual([]);
      // The bucket's own settings were read before the first write, and read back after the last.
      const encryption = (r: SeenRequest) =>
        r.method === 'GET' && r.url.includes(`/${bucket}/?encryption`);
      expect(requests.slice(0, first).filter(encryption)).toHaveLength(1);
      expect(requests.slice(last + 1).filter(encryption)).toHaveLength(1);
    });
  }
});
