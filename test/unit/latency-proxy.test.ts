/**
 * The benchmark's latency proxy (bench/latency-proxy.mjs): what it forwards
 * and counts, not how long it waits (no timing assertions; latency 0 here).
 * The upstream is a small HTTP server of the test's own on 127.0.0.1.
 */
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  assumedKey,
  requestPath,
  signingKey,
  startLatencyProxy,
} from '../../bench/latency-proxy.mjs';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

type Proxy = Awaited<ReturnType<typeof startLatencyProxy>>;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** An upstream that records each request and answers with a body naming it; `hold` delays answers. */
async function upstream(hold?: Promise<void>) {
  const seen: Seen[] = [];
  let inFlight = 0;
  let peak = 0;
  const server: Server = createServer(async (req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    if (hold) await hold;
    inFlight--;
    res.writeHead(req.url?.startsWith('/missing') ? 404 : 200, {
      'content-type': 'application/xml',
      'x-amz-request-id': `req-${seen.length}`,
    });
    res.end(`<answer n="${seen.length}">${req.method} ${req.url}</answer>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, peak: () => peak };
}

async function proxy(options: Parameters<typeof startLatencyProxy>[0]): Promise<Proxy> {
  const started = await startLatencyProxy({ latencyMs: 0, ...options });
  closers.push(() => started.close());
  return started;
}

/** One request through `port`; `path` may be an absolute URL (forward-proxy form). */
function send(
  port: number,
  { method = 'GET', path = '/', headers = {}, body = '' } = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('latency proxy', () => {
  it('forwards method, path, query, headers and body intact, and the answer back', async () => {
    const server = await upstream();
    const p = await proxy({ upstream: server.url });
    const body = '<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>';
    const answer = await send(p.port, {
      method: 'PUT',
      path: '/bench-fleet-0001?publicAccessBlock',
      headers: {
        authorization: 'AWS4-HMAC-SHA256 Credential=testing/20261206/us-east-1/s3/aws4_request',
        'x-amz-content-sha256': 'abc',
        'content-type': 'application/xml',
      },
      body,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-amz-request-id']).toBe('req-1');
    expect(answer.body).toBe('<answer n="1">PUT /bench-fleet-0001?publicAccessBlock</answer>');
    const [seen] = server.seen;
    expect(seen).toMatchObject({ method: 'PUT', url: '/bench-fleet-0001?publicAccessBlock', body });
    expect(seen?.headers).toMatchObject({
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20261206/us-east-1/s3/aws4_request',
      'x-amz-content-sha256': 'abc',
      'content-type': 'application/xml',
    });
  });

  it('passes error statuses through unchanged', async () => {
    const server = await upstream();
    const p = await proxy({ upstream: server.url });
    expect((await send(p.port, { path: '/missing?policy' })).status).toBe(404);
  });

  it('takes absolute URLs as a forward proxy and sends them to the upstream', async () => {
    const server = await upstream();
    const p = await proxy({ upstream: server.url });
    const answer = await send(p.port, {
      path: 'http://123456789012.127.0.0.1:9/v20180820/configuration/publicAccessBlock',
      headers: { 'x-amz-account-id': '123456789012', 'proxy-connection': 'keep-alive' },
    });
    expect(answer.status).toBe(200);
    expect(server.seen[0]?.url).toBe('/v20180820/configuration/publicAccessBlock');
    expect(server.seen[0]?.headers['x-amz-account-id']).toBe('123456789012');
    expect(server.seen[0]?.headers['proxy-connection']).toBeUndefined();
    expect(requestPath('http://h:1/a/b?c=d')).toBe('/a/b?c=d');
    expect(requestPath('/x?y')).toBe('/x?y');
  });

  it('counts requests, and in replay mode answers repeated reads from memory until a write', async () => {
    const server = await upstream();
    const p = await proxy({ upstream: server.url, replay: true });
    const first = await send(p.port, { path: '/b?versioning' });
    const again = await send(p.port, { path: '/b?versioning' });
    expect(again.body).toBe(first.body);
    await send(p.port, { path: '/b?logging' });
    expect(p.stats()).toMatchObject({ requests: 3, forwarded: 2, replayed: 1, cached: 2 });
    // STS GetCallerIdentity: a POST that writes nothing keeps the cache.
    await send(p.port, {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    // Macie's ListClassificationJobs: a POST signed for another service.
    await send(p.port, {
      method: 'POST',
      path: '/jobs/list',
      headers: {
        authorization: 'AWS4-HMAC-SHA256 Credential=testing/20261206/us-east-1/macie2/aws4_request',
      },
      body: '{}',
    });
    expect(p.stats().cached).toBe(2);
    await send(p.port, { method: 'PUT', path: '/b?versioning', body: 'x' });
    expect(p.stats().cached).toBe(0);
    const after = await send(p.port, { path: '/b?versioning' });
    expect(after.body).not.toBe(first.body);
    expect(server.seen).toHaveLength(6);
    p.resetStats();
    expect(p.stats()).toMatchObject({ requests: 0, forwarded: 0, replayed: 0 });
  });

  it('replays by whose the request is: another account is never answered from one account’s reads', async () => {
    const server = await upstream();
    const p = await proxy({ upstream: server.url, replay: true });
    const signed = (key: string) => ({
      authorization: `AWS4-HMAC-SHA256 Credential=${key}/20261206/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x`,
    });
    const a = await send(p.port, { path: '/?max-buckets=1000', headers: signed('AKIDA') });
    const b = await send(p.port, { path: '/?max-buckets=1000', headers: signed('AKIDB') });
    expect(b.body).not.toBe(a.body);
    expect(p.stats()).toMatchObject({ forwarded: 2, replayed: 0 });
    expect(
      (await send(p.port, { path: '/?max-buckets=1000', headers: signed('AKIDA') })).body,
    ).toBe(a.body);
    expect(signingKey(signed('AKIDA'))).toBe('AKIDA');
    expect(signingKey({})).toBe('');
    // Keys an AssumeRole through the proxy gave count as their role's account: a
    // later run's fresh credentials there meet the answers of the first.
    expect(
      assumedKey(
        'Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Faudit&RoleSessionName=s',
        '<AssumeRoleResponse><Credentials><AccessKeyId>ASIAONE</AccessKeyId></Credentials></AssumeRoleResponse>',
      ),
    ).toEqual({ account: '222222222222', accessKey: 'ASIAONE' });
    expect(assumedKey('Action=GetCallerIdentity', '<AccessKeyId>X</AccessKeyId>')).toBeNull();
  });

  it('without replay, every request reaches the upstream', async () => {
    const server = await upstream();
    const p = await proxy({ upstream: server.url });
    await send(p.port, { path: '/b?versioning' });
    await send(p.port, { path: '/b?versioning' });
    expect(server.seen).toHaveLength(2);
    expect(p.stats()).toMatchObject({ requests: 2, forwarded: 2, replayed: 0 });
  });

  it('counts the longest chain of requests each sent after the one before it was answered', async () => {
    const server = await upstream();
    const p = await proxy({ upstream: server.url });
    // Three together: one link. Then two, one after the other: three links.
    await Promise.all([send(p.port), send(p.port), send(p.port)]);
    await send(p.port);
    await send(p.port);
    expect(p.stats().chainDepth).toBe(3);
    p.resetStats();
    expect(p.stats().chainDepth).toBe(0);
    await Promise.all([send(p.port), send(p.port)]);
    expect(p.stats().chainDepth).toBe(1);
  });

  it('never has more than maxInFlight requests open upstream; the rest wait in line', async () => {
    let open: () => void = () => {};
    const hold = new Promise<void>((resolve) => {
      open = resolve;
    });
    const server = await upstream(hold);
    const p = await proxy({ upstream: server.url, maxInFlight: 2 });
    const answers = Array.from({ length: 6 }, (_, i) => send(p.port, { path: `/b${i}` }));
    // Wait (on a condition, not a clock) until the proxy has taken all six.
    while (p.stats().requests < 6 || server.seen.length < 2) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(server.seen).toHaveLength(2);
    expect(p.stats()).toMatchObject({ inFlight: 2, queuedPeak: 4 });
    open();
    const results = await Promise.all(answers);
    expect(results.every((result) => result.status === 200)).toBe(true);
    expect(server.peak()).toBeLessThanOrEqual(2);
    expect(p.stats()).toMatchObject({ requests: 6, forwarded: 6, inFlight: 0, inFlightPeak: 2 });
  });

  it('refuses an upstream that is not loopback http', async () => {
    await expect(startLatencyProxy({ upstream: 'http://10.0.0.1:80' })).rejects.toThrow(/loopback/);
    await expect(startLatencyProxy({ upstream: 'https://127.0.0.1:1' })).rejects.toThrow(
      /loopback/,
    );
  });
});
