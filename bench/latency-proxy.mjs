// A latency-injecting HTTP proxy for the benchmark: listens on 127.0.0.1 (a
// free port), holds every request for `latencyMs` (plus up to `jitterMs`,
// uniformly drawn) and forwards it, body and headers untouched, to one
// upstream (the bench's emulator), then streams the answer back. It is both a
// reverse proxy (a client pointed at it with --endpoint-url /
// AWS_ENDPOINT_URL) and a forward proxy (HTTP_PROXY: the request line then
// carries an absolute URL such as http://123456789012.127.0.0.1:PORT/… —
// botocore's S3 Control host — and it goes to the upstream all the same).
//
// Bounded: at most `maxInFlight` requests are held or forwarded at once (the
// rest wait in line, counted in `queuedPeak`), the upstream is only ever the
// one loopback URL given, and the server stops when `close()` is called.
//
// `replay: true` turns it into a replaying cache for read-only runs: the
// answer to a GET or HEAD is kept (by method, path and query, the account
// header, and whose it is: the signing access key, or the account an STS
// AssumeRole through the proxy gave that key — so one account's reads are
// never answered with another's, while each run's fresh role credentials in
// the same account still meet the same answers) and later identical requests are answered from memory
// after the same delay, without reaching the upstream; a write (an S3 PUT,
// DELETE or POST) passes through and empties the cache; another service's
// POST (STS, Macie, KMS) passes through and leaves it. A
// warm-up run fills it; timed runs then measure the client against latency
// alone, not against the emulator's throughput (moto answers ~120 requests a
// second on 2 shared cores).
import { createServer, request as httpRequest } from 'node:http';

/** Request headers that belong to one hop, not to the request (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers) {
  const kept = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) kept[name] = value;
  }
  return kept;
}

/** The path and query of a request line, whether origin-form (/x?y) or absolute (http://h/x?y). */
export function requestPath(url) {
  if (url.startsWith('/')) return url;
  // Not new URL(): a host such as 123456789012.127.0.0.1 is no valid URL host.
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(url);
  const rest = match?.[1] ?? '/';
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * Whether a request that is not a GET or HEAD can change what a read
 * answers: any PUT or DELETE, and a POST signed for S3 (DeleteObjects,
 * uploads). Other services' POSTs (STS GetCallerIdentity, Macie's
 * ListClassificationJobs, KMS) are forwarded uncached and leave the cache
 * alone: the bench's read-only parts send no writes through them.
 */
function writes(req) {
  if (req.method !== 'POST') return true;
  return /\/s3\/aws4_request/.test(String(req.headers.authorization ?? ''));
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The access key a request is signed with (SigV4's Credential=KEY/…), or '' unsigned. */
export function signingKey(headers) {
  const match = /Credential=([^/,\s]+)\//.exec(String(headers.authorization ?? ''));
  return match?.[1] ?? '';
}

/**
 * The account of the role an STS AssumeRole request names, and the access
 * key its answer gives (query or JSON protocol alike); null for any other
 * request or answer.
 */
export function assumedKey(requestBody, answerBody) {
  const sent = decodeURIComponent(String(requestBody).replace(/\+/g, ' '));
  if (!/Action=AssumeRole(&|$)|"RoleArn"/.test(sent)) return null;
  const account = /arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(sent)?.[1];
  const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>|"AccessKeyId"\s*:\s*"([^"]+)"/.exec(
    String(answerBody),
  );
  const accessKey = key?.[1] ?? key?.[2];
  return account && accessKey ? { account, accessKey } : null;
}

/**
 * Starts the proxy. Resolves with { url, port, stats(), resetStats(),
 * clearCache(), close() }. `upstream` must be an http://127.0.0.1 URL.
 * @param {{ upstream: string, latencyMs?: number, jitterMs?: number,
 *   maxInFlight?: number, replay?: boolean, random?: () => number }} options
 */
export async function startLatencyProxy({
  upstream,
  latencyMs = 30,
  jitterMs = 0,
  maxInFlight = 256,
  replay = false,
  random = Math.random,
}) {
  const target = new URL(upstream);
  if (target.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname))
    throw new Error(`latency proxy: upstream must be a loopback http URL, not ${upstream}`);
  if (!(latencyMs >= 0) || !(jitterMs >= 0) || !(maxInFlight >= 1))
    throw new Error('latency proxy: latencyMs and jitterMs must be >= 0, maxInFlight >= 1');

  const counters = {
    requests: 0,
    forwarded: 0,
    replayed: 0,
    inFlight: 0,
    inFlightPeak: 0,
    // The longest chain of requests each sent after the one before it was
    // answered: the round trips in sequence, counted, not timed (a request's
    // link is 1 + the longest chain answered before it arrived).
    chainDepth: 0,
  };
  let answeredDepth = 0;
  let queuedPeak = 0;
  const waiting = [];
  const cache = new Map();
  // Access keys AssumeRole gave, to the account of their role.
  const accountOf = new Map();
  const sockets = new Set();

  const acquire = async () => {
    if (counters.inFlight >= maxInFlight) {
      await new Promise((resolve) => {
        waiting.push(resolve);
        queuedPeak = Math.max(queuedPeak, waiting.length);
      });
    }
    counters.inFlight++;
    counters.inFlightPeak = Math.max(counters.inFlightPeak, counters.inFlight);
  };
  const release = () => {
    counters.inFlight--;
    waiting.shift()?.();
  };

  const cacheKey = (req) => {
    const key = signingKey(req.headers);
    const whose = accountOf.has(key) ? `account ${accountOf.get(key)}` : `key ${key}`;
    return `${req.method} ${requestPath(req.url)} ${req.headers['x-amz-account-id'] ?? ''} ${whose}`;
  };

  /** Forwards one request; resolves with the upstream's status, headers and body. */
  const forward = (req, body) =>
    new Promise((resolve, reject) => {
      const headers = endToEnd(req.headers);
      const outgoing = httpRequest(
        {
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path: requestPath(req.url),
          headers,
        },
        (answer) => {
          const chunks = [];
          answer.on('data', (chunk) => chunks.push(chunk));
          answer.on('end', () =>
            resolve({
              status: answer.statusCode ?? 502,
              headers: endToEnd(answer.headers),
              body: Buffer.concat(chunks),
            }),
          );
          answer.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const handle = async (req, res) => {
    counters.requests++;
    const link = answeredDepth + 1;
    counters.chainDepth = Math.max(counters.chainDepth, link);
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    await acquire();
    try {
      await delay(latencyMs + (jitterMs > 0 ? random() * jitterMs : 0));
      const readOnly = req.method === 'GET' || req.method === 'HEAD';
      const key = cacheKey(req);
      let answer = replay && readOnly ? cache.get(key) : undefined;
      if (answer) {
        counters.replayed++;
      } else {
        answer = await forward(req, body);
        counters.forwarded++;
        if (req.method === 'POST') {
          const assumed = assumedKey(body, answer.body);
          if (assumed) accountOf.set(assumed.accessKey, assumed.account);
        }
        if (replay) {
          if (readOnly) cache.set(key, answer);
          else if (writes(req)) cache.clear();
        }
      }
      // A HEAD answer keeps the length it announces; any other, the body's own.
      const headers =
        req.method === 'HEAD'
          ? answer.headers
          : { ...answer.headers, 'content-length': String(answer.body.length) };
      res.writeHead(answer.status, headers);
      res.end(req.method === 'HEAD' ? undefined : answer.body);
      answeredDepth = Math.max(answeredDepth, link);
    } catch (error) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`latency proxy: ${error.message}`);
    } finally {
      release();
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    latencyMs,
    jitterMs,
    maxInFlight,
    stats: () => ({ ...counters, queuedPeak, cached: cache.size }),
    resetStats() {
      Object.assign(counters, {
        requests: 0,
        forwarded: 0,
        replayed: 0,
        inFlightPeak: 0,
        chainDepth: 0,
      });
      answeredDepth = 0;
      queuedPeak = 0;
    },
    clearCache: () => cache.clear(),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
