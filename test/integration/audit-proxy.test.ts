/**
 * `s3-harden audit` (the built CLI) through a small HTTP proxy in front of
 * the emulator, which answers chosen S3 requests itself: 503 SlowDown (the
 * SDK's standard retry mode retries it with backoff), 403 AccessDenied (a
 * denied read is one control's "unknown"; a denied HeadBucket is the row's
 * error), or forwards them late, to watch how many buckets, and how many of
 * one bucket's reads, are in flight at once; or strips ListBuckets'
 * BucketRegion, as an endpoint that does not say it would.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutBucketOwnershipControlsCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTROLS } from '../../src/plan/audit/controls.js';
import { type AuditReport, auditReportSchema } from '../../src/plan/audit/schema.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients } from '../helpers/fixtures.js';

/** One request as the proxy saw it. */
interface Seen {
  readonly method: string;
  readonly url: string;
  /** The bucket of a path-style S3 request to a bucket this test made. */
  readonly bucket?: string;
}

type Decision =
  | { readonly reply: { status: number; code?: string; message?: string } }
  | { readonly delayMs: number }
  /** Forwarded, with each bucket's BucketRegion taken out of the answer. */
  | { readonly stripBucketRegion: true }
  | undefined;

interface Proxy {
  readonly url: string;
  readonly seen: Seen[];
  /** Replies the proxy made itself, by status. */
  readonly replied: Map<number, number>;
  /** Most buckets with a request in flight at once. */
  maxBuckets: number;
  /** Most requests of one bucket in flight at once. */
  maxPerBucket: number;
  close(): Promise<void>;
}

function errorBody(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>proxy</RequestId></Error>`;
}

async function startProxy(
  target: string,
  buckets: ReadonlySet<string>,
  decide: (request: Seen) => Decision,
): Promise<Proxy> {
  const upstream = new URL(target);
  const inFlight = new Map<string, number>();
  const proxy: Omit<Proxy, 'url' | 'close'> = {
    seen: [],
    replied: new Map(),
    maxBuckets: 0,
    maxPerBucket: 0,
  };
  const forward = (
    req: IncomingMessage,
    body: Buffer,
    res: import('node:http').ServerResponse,
    strip = false,
  ) => {
    const out = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        if (!strip) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          const text = Buffer.concat(parts)
            .toString()
            .replace(/<BucketRegion>[^<]*<\/BucketRegion>/g, '');
          res
            .writeHead(answer.statusCode ?? 502, {
              ...answer.headers,
              'content-length': String(Buffer.byteLength(text)),
            })
            .end(text);
        });
      },
    );
    out.on('error', () => res.destroy());
    out.end(body);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const first = decodeURIComponent((req.url ?? '/').split('?')[0]?.split('/')[1] ?? '');
      const seen: Seen = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        ...(buckets.has(first) ? { bucket: first } : {}),
      };
      proxy.seen.push(seen);
      if (seen.bucket) {
        const bucket = seen.bucket;
        inFlight.set(bucket, (inFlight.get(bucket) ?? 0) + 1);
        proxy.maxPerBucket = Math.max(proxy.maxPerBucket, inFlight.get(bucket) ?? 0);
        proxy.maxBuckets = Math.max(
          proxy.maxBuckets,
          [...inFlight.values()].filter((n) => n > 0).length,
        );
        res.on('close', () => inFlight.set(bucket, (inFlight.get(bucket) ?? 1) - 1));
      }
      const decision = decide(seen);
      if (decision && 'reply' in decision) {
        const { status, code, message } = decision.reply;
        proxy.replied.set(status, (proxy.replied.get(status) ?? 0) + 1);
        const body = req.method === 'HEAD' || !code ? '' : errorBody(code, message ?? code);
        res.writeHead(status, { 'content-type': 'application/xml' }).end(body);
      } else if (decision && 'delayMs' in decision) {
        setTimeout(() => forward(req, Buffer.concat(chunks), res), decision.delayMs);
      } else if (decision && 'stripBucketRegion' in decision) {
        forward(req, Buffer.concat(chunks), res, true);
      } else {
        forward(req, Buffer.concat(chunks), res);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** The JSON report, with the endpoint's URL (in "not available at …" details) made neutral. */
async function auditJson(endpoint: string, args: readonly string[]) {
  const result = await runCli(['audit', ...args, '--json', '--endpoint-url', endpoint]);
  const text = result.stdout.split(endpoint).join('<endpoint>');
  return {
    ...result,
    report: text ? (auditReportSchema.parse(JSON.parse(text)) as AuditReport) : undefined,
  };
}

const statusOf = (report: AuditReport | undefined, bucket: string, id: string) =>
  report?.buckets.find((b) => b.bucket === bucket)?.results.find((r) => r.id === id);

/** A bucket with Block Public Access, ACLs off and versioning on. */
async function partlyHardened(bucket: string) {
  await createBucket(bucket, {
    publicAccessBlock: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
  });
  const { s3 } = rawClients();
  await s3.send(
    new PutBucketOwnershipControlsCommand({
      Bucket: bucket,
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    }),
  );
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  s3.destroy();
}

describe('audit through a proxy in front of the emulator', () => {
  const hardened = uniqueBucket('audit-px-hard');
  const open = uniqueBucket('audit-px-open');
  const fleet = Array.from({ length: 6 }, (_, i) => uniqueBucket(`audit-px-fleet${i}`));
  const gone = uniqueBucket('audit-px-gone');
  const shut = uniqueBucket('audit-px-shut');
  const all = new Set([hardened, open, ...fleet, gone, shut]);
  let proxy: Proxy | undefined;

  beforeAll(async () => {
    await partlyHardened(hardened);
    await createBucket(open);
    for (const bucket of [...fleet, gone, shut]) await createBucket(bucket);
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it('503 SlowDown on the first try of every S3 request: retried, the same results and calls', async () => {
    const args = ['--bucket', `${hardened},${open}`];
    const direct = await auditJson(emulatorUrl(), args);
    expect(direct.code).toBe(0);

    const tried = new Set<string>();
    proxy = await startProxy(emulatorUrl(), all, (request) => {
      if (!request.bucket) return undefined;
      const key = `${request.method} ${request.url}`;
      if (tried.has(key)) return undefined;
      tried.add(key);
      return {
        reply: { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
      };
    });
    const throttled = await auditJson(proxy.url, args);
    expect(throttled.stderr).toBe('');
    expect(throttled.code).toBe(0);
    // Every bucket request (HeadBucket and ten reads — the tags among them — two buckets) was throttled once…
    expect(tried.size).toBe(22);
    expect(proxy.replied.get(503)).toBe(22);
    expect(proxy.seen.filter((r) => r.bucket).length).toBe(44);
    // …and the audit reads exactly as without throttling: retries are not new calls.
    expect(throttled.report?.buckets).toEqual(direct.report?.buckets);
    expect(throttled.report?.stats.calls).toEqual(direct.report?.stats.calls);
    expect(statusOf(throttled.report, hardened, 'bpa-bucket')?.status).toBe('pass');
    expect(statusOf(throttled.report, open, 'bpa-bucket')?.status).toBe('fail');
    // Adaptive retry: once every request is throttled, the client-side rate limiter
    // slows the whole run (about 25 s here), so the test allows it time.
  }, 90_000);

  it('a read throttled past the retries is that control’s "unknown"; the rest stands', async () => {
    proxy = await startProxy(emulatorUrl(), all, (request) =>
      request.bucket === hardened && request.url.includes('?policy')
        ? { reply: { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' } }
        : undefined,
    );
    const { code, report } = await auditJson(proxy.url, ['--bucket', hardened]);
    expect(code).toBe(0);
    // The SDK's standard mode: three attempts in all.
    expect(proxy.replied.get(503)).toBe(3);
    expect(statusOf(report, hardened, 'tls')).toEqual({
      id: 'tls',
      status: 'unknown',
      detail: 'AWS is throttling requests (SlowDown); try again shortly.',
    });
    expect(statusOf(report, hardened, 'versioning')?.status).toBe('pass');
    expect(report?.stats.calls['s3:GetBucketPolicy']).toBe(1);
  });

  it('a denied read is "unknown" with the action; a denied HeadBucket is the row’s error', async () => {
    proxy = await startProxy(emulatorUrl(), all, (request) => {
      if (request.bucket === hardened && request.url.includes('?policy'))
        return { reply: { status: 403, code: 'AccessDenied', message: 'Access Denied' } };
      if (request.bucket === open && request.method === 'HEAD') return { reply: { status: 403 } };
      return undefined;
    });
    const args = ['--bucket', `${hardened},${open},${fleet[0]}`];
    const { code, report, stderr } = await auditJson(proxy.url, args);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(statusOf(report, hardened, 'tls')).toEqual({
      id: 'tls',
      status: 'unknown',
      detail: `Access denied: s3:GetBucketPolicy on bucket ${hardened}.`,
    });
    expect(statusOf(report, hardened, 'bpa-bucket')?.status).toBe('pass');
    expect(report?.buckets.find((b) => b.bucket === open)).toEqual({
      bucket: open,
      region: null,
      results: [],
      error: `Access denied: s3:ListBucket on bucket ${open}.`,
      errorKind: 'denied',
    });
    // Nothing more is asked of a bucket that could not be found.
    expect(proxy.seen.filter((r) => r.bucket === open)).toHaveLength(1);
    expect(report?.buckets.find((b) => b.bucket === fleet[0])?.results).toHaveLength(
      CONTROLS.length,
    );

    const human = await runCli([
      'audit',
      ...args,
      '--fail-on',
      'unknown',
      '--endpoint-url',
      proxy.url,
    ]);
    expect(human.code).toBe(2);
    // Long lines wrap at 80 columns: read them joined.
    const joined = human.stdout.replace(/\n +/g, ' ');
    expect(joined).toContain(`! not audited: Access denied: s3:ListBucket on bucket ${open}.`);
    expect(joined).toContain(`? TLS   Access denied: s3:GetBucketPolicy on bucket ${hardened}.`);
    expect(human.stderr).toMatch(
      new RegExp(
        `^s3-harden: audit --fail-on: bucket ${open} could not be audited \\(Access denied: s3:ListBucket on bucket ${open}\\.\\); \\d+ failing results: .*\\n$`,
      ),
    );

    // Named, a denied bucket trips a gate on failures, or on a control, too.
    for (const level of ['fail', 'S3.5']) {
      const gate = await runCli([
        'audit',
        '--bucket',
        open,
        '--fail-on',
        level,
        '--endpoint-url',
        proxy.url,
      ]);
      expect(gate.code, level).toBe(2);
      expect(gate.stderr, level).toContain(`bucket ${open} could not be audited`);
    }
  });

  it('--match: a bucket deleted after the list was read is a row that says so and trips nothing; a denied one is unknown', async () => {
    // Listed, so read at once with no HeadBucket: the reads find one gone (every
    // request of it 404 NoSuchBucket, as S3 answers once it is deleted), the
    // other refused whole; HeadBucket is then sent, and decides the row as
    // it did when it went first.
    proxy = await startProxy(emulatorUrl(), all, (request) => {
      if (request.bucket === gone)
        return {
          reply: {
            status: 404,
            code: 'NoSuchBucket',
            message: 'The specified bucket does not exist',
          },
        };
      if (request.bucket === shut)
        return { reply: { status: 403, code: 'AccessDenied', message: 'Access Denied' } };
      return undefined;
    });
    // The same gate trips on the denied one below: the vanished one has nothing left to secure.
    const vanished = await auditJson(proxy.url, ['--match', gone, '--fail-on', 'unknown,S3.5']);
    expect(vanished.stderr).toBe('');
    expect(vanished.code).toBe(0);
    expect(vanished.report?.buckets).toEqual([
      {
        bucket: gone,
        region: null,
        results: [],
        error: `Bucket ${gone} no longer exists: it was deleted after the bucket list was read.`,
        errorKind: 'not-found',
      },
    ]);
    expect(vanished.report?.summary).toMatchObject({ buckets: 1, errors: 1 });
    // Its ten reads (the tags among them) went out first; HeadBucket, once, last.
    const asked = proxy.seen.filter((r) => r.bucket === gone);
    expect(asked).toHaveLength(11);
    expect(asked.filter((r) => r.method === 'HEAD')).toHaveLength(1);
    expect(asked.at(-1)?.method).toBe('HEAD');

    const denied = await runCli([
      'audit',
      '--match',
      shut,
      '--fail-on',
      'unknown,S3.5',
      '--endpoint-url',
      proxy.url,
    ]);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toBe(
      `s3-harden: audit --fail-on: bucket ${shut} could not be audited (Access denied: s3:ListBucket on bucket ${shut}.)\n`,
    );
    const tolerated = await runCli([
      'audit',
      '--match',
      shut,
      '--fail-on',
      'S3.5',
      '--endpoint-url',
      proxy.url,
    ]);
    expect(tolerated.code).toBe(0);
  });

  it('listed with its region (--match): no HeadBucket, a bucket’s ten reads at once; without BucketRegion, HeadBucket first', async () => {
    const pattern = `audit-px-fleet?-${process.pid}-*`;
    const slow = (request: Seen): Decision => (request.bucket ? { delayMs: 100 } : undefined);
    proxy = await startProxy(emulatorUrl(), all, slow);
    const listed = await auditJson(proxy.url, ['--match', pattern]);
    expect(listed.code).toBe(0);
    expect(listed.report?.buckets.map((b) => b.bucket)).toEqual(fleet);
    expect(listed.report?.buckets.map((b) => b.region)).toEqual(fleet.map(() => 'us-east-1'));
    expect(listed.report?.stats.calls['s3:HeadBucket']).toBeUndefined();
    expect(proxy.seen.filter((r) => r.bucket && r.method === 'HEAD')).toHaveLength(0);
    // One round trip a bucket: its ten requests (the tags among them) all in flight together.
    expect(proxy.seen.filter((r) => r.bucket === fleet[0])).toHaveLength(10);
    expect(proxy.maxPerBucket).toBe(10);
    await proxy.close();

    // An endpoint whose ListBuckets does not say BucketRegion: each bucket is
    // found with HeadBucket first, as one named with --bucket is.
    proxy = await startProxy(emulatorUrl(), all, (request) =>
      request.method === 'GET' && request.url.includes('max-buckets')
        ? { stripBucketRegion: true }
        : slow(request),
    );
    const unsaid = await auditJson(proxy.url, ['--match', pattern]);
    expect(unsaid.code).toBe(0);
    expect(unsaid.report?.buckets).toEqual(listed.report?.buckets);
    expect(unsaid.report?.stats.calls['s3:HeadBucket']).toBe(fleet.length);
    for (const bucket of fleet)
      expect(proxy.seen.find((r) => r.bucket === bucket)?.method, bucket).toBe('HEAD');
    expect(proxy.maxPerBucket).toBe(10);
  });

  it('--concurrency bounds the buckets in flight; one bucket’s reads go out together', async () => {
    proxy = await startProxy(emulatorUrl(), all, (request) =>
      request.bucket ? { delayMs: 100 } : undefined,
    );
    const args = ['--bucket', fleet.join(',')];
    const two = await auditJson(proxy.url, [...args, '--concurrency', '2']);
    expect(two.code).toBe(0);
    expect(two.report?.buckets.map((b) => b.bucket)).toEqual(fleet);
    expect(proxy.maxBuckets).toBe(2);
    // Named (--bucket), so HeadBucket first, then the ten S3 reads of the bucket
    // (its tags among them) at once.
    expect(proxy.maxPerBucket).toBe(10);
    await proxy.close();

    proxy = await startProxy(emulatorUrl(), all, (request) =>
      request.bucket ? { delayMs: 100 } : undefined,
    );
    const one = await auditJson(proxy.url, [...args, '--concurrency', '1']);
    expect(proxy.maxBuckets).toBe(1);
    expect(one.report?.buckets).toEqual(two.report?.buckets);
  });
});
