/**
 * HeadBucket failing with a status and no body, as S3 answers a HEAD: a proxy
 * in front of the emulator answers every HEAD with the status under test
 * (and, like S3, the bucket's region in a header) and forwards the rest. The
 * built CLI's one line says the status and what it means, never the SDK's
 * "Unknown (UnknownError)".
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';

let server: Server;
let proxy: string;
/** The status the proxy answers HEAD requests with, and the region header it adds. */
let headAnswer: { status: number; region?: string } = { status: 500 };
const bucket = uniqueBucket('head-status');

beforeAll(async () => {
  await createBucket(bucket);
  const upstream = new URL(emulatorUrl());
  server = createServer((incoming, outgoing) => {
    if (incoming.method === 'HEAD') {
      incoming.resume();
      const { status, region } = headAnswer;
      outgoing.writeHead(status, {
        'x-amz-request-id': 'head-proxy',
        ...(region ? { 'x-amz-bucket-region': region } : {}),
      });
      outgoing.end();
      return;
    }
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: upstream.host },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

// One attempt: a 5xx is not retried three times with backoff.
const ONCE = { AWS_MAX_ATTEMPTS: '1' };

describe('HeadBucket answered with a status and no body', () => {
  it.each([
    [
      { status: 301, region: 'eu-west-1' },
      'HTTP 301, the bucket is in eu-west-1, another region than this request was sent to.',
    ],
    [
      { status: 400 },
      'HTTP 400, bad request: the endpoint took it for malformed (often it was signed for another region than the bucket’s).',
    ],
    [
      { status: 409 },
      'HTTP 409, conflict: the bucket is being created or deleted; try again shortly.',
    ],
    [{ status: 500 }, 'HTTP 500, the endpoint had an internal error; try again.'],
    [{ status: 503 }, 'HTTP 503, S3 is slowing requests down or unavailable; try again shortly.'],
  ])('plan says %o in one line, exit 1', async (answer, said) => {
    headAnswer = answer;
    const result = await runCli(['plan', '--bucket', bucket, '--endpoint-url', proxy], {
      env: ONCE,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`s3-harden: s3:HeadBucket on bucket ${bucket} failed: ${said}\n`);
  });

  it('audit says it on the bucket’s row', async () => {
    headAnswer = { status: 400 };
    const result = await runCli(['audit', '--bucket', bucket, '--json', '--endpoint-url', proxy], {
      env: ONCE,
    });
    const report = JSON.parse(result.stdout) as { buckets: { error?: string }[] };
    expect(report.buckets[0]?.error).toBe(
      `s3:HeadBucket on bucket ${bucket} failed: HTTP 400, bad request: the endpoint took it for malformed (often it was signed for another region than the bucket’s).`,
    );
  });

  it('a 403 stays access denied to the bucket, a 404 a bucket that does not exist', async () => {
    headAnswer = { status: 403 };
    const denied = await runCli(['plan', '--bucket', bucket, '--endpoint-url', proxy]);
    expect(denied.stderr).toBe(`s3-harden: Access denied: s3:ListBucket on bucket ${bucket}.\n`);
    headAnswer = { status: 404 };
    const missing = await runCli(['plan', '--bucket', bucket, '--endpoint-url', proxy]);
    expect(missing.stderr).toBe(`s3-harden: Bucket ${bucket} does not exist.\n`);
  });
});
