/**
 * `audit --json` streams its report: the built CLI writes each bucket row
 * as soon as it and the rows before it are built, while a later bucket's
 * request is still held (test/helpers/holding-proxy.ts), and what it prints
 * in the end is one JSON document, byte for byte what the collected report
 * prints, with the same rows as `auditReport` builds in process.
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/aws/index.js';
import { auditReport } from '../../src/commands/audit.js';
import { type AuditReport, auditReportSchema } from '../../src/plan/audit/schema.js';
import { jsonText } from '../../src/plan/render/sanitise.js';
import { BIN } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients } from '../helpers/fixtures.js';
import { holdingProxy } from '../helpers/holding-proxy.js';

const buckets = ['a', 'b', 'c', 'd', 'e'].map((label) => uniqueBucket(`stream-${label}`));
const last = buckets.at(-1) as string;

beforeAll(async () => {
  for (const [i, bucket] of buckets.entries()) {
    await createBucket(bucket, i % 2 === 0 ? { publicAccessBlock: { BlockPublicAcls: true } } : {});
  }
  await rawClients().s3.send(
    new PutBucketVersioningCommand({
      Bucket: buckets[1],
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
});

/** Every field but the run's own (when, how long, how many calls). */
function comparable(report: AuditReport) {
  const { generatedAt: _at, stats: _stats, ...rest } = report;
  return rest;
}

describe('audit --json, streamed', () => {
  // The last bucket's first request (its HeadBucket) waits until the test lets it go.
  const proxy = holdingProxy(emulatorUrl(), (_method, url) => url.startsWith(`/${last}`));
  beforeAll(async () => {
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    proxy.release();
    await new Promise((resolve) => proxy.server.close(resolve));
  });

  it('writes the rows before the held bucket while it waits, then one report equal to the collected one', async () => {
    const port = (proxy.server.address() as AddressInfo).port;
    const child = spawn(
      process.execPath,
      [
        BIN,
        'audit',
        '--json',
        '--concurrency',
        '2',
        ...buckets.flatMap((bucket) => ['--bucket', bucket]),
        '--endpoint-url',
        `http://127.0.0.1:${port}`,
      ],
      { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let exited = false;
    const closed = new Promise<number | null>((resolve) =>
      child.on('close', (code) => {
        exited = true;
        resolve(code);
      }),
    );
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    // The fourth row is out once the fifth bucket's row begins or, while it is held, once
    // the fourth row's closing brace is written: wait for the fourth bucket's name, then the row's end.
    const fourRows = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const at = stdout.indexOf(`"bucket": "${buckets[3]}"`);
        if (at >= 0 && stdout.indexOf('\n    }', at) >= 0) resolve();
      });
    });
    await proxy.seen;
    await fourRows;
    // The held bucket's row is not out, nor the end of the report, and the run goes on.
    expect(exited).toBe(false);
    expect(stdout).not.toContain(last);
    expect(stdout).not.toContain('"summary"');
    for (const bucket of buckets.slice(0, 4)) expect(stdout).toContain(`"bucket": "${bucket}"`);
    proxy.release();
    expect(await closed, stderr).toBe(0);

    const parsed = JSON.parse(stdout) as AuditReport;
    // The same bytes the collected report prints (jsonText of the whole document).
    expect(stdout).toBe(`${jsonText(parsed)}\n`);
    const streamed = auditReportSchema.parse(parsed);
    expect(streamed.buckets.map((row) => row.bucket)).toEqual(buckets);
    expect(streamed.summary.buckets).toBe(5);
    expect(streamed.stats.apiCallsPerBucket).toBe(
      Math.round((streamed.stats.apiCalls / 5) * 100) / 100,
    );

    // Through the same proxy (its hold is spent): the endpoint is in some details.
    const session = await connect({ endpoint: `http://127.0.0.1:${port}` });
    try {
      const collected = await auditReport(session, {
        selection: { kind: 'list', buckets },
        concurrency: 2,
      });
      expect(comparable(streamed)).toEqual(comparable(collected));
    } finally {
      session.close();
    }
  });
});
