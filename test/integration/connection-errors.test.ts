/**
 * What the built CLI says when the endpoint or the credentials are wrong, with
 * throwaway servers on 127.0.0.1: one that accepts TCP and never answers
 * (every client times out, S3_HARDEN_TIMEOUT_MS lowers the limit), a web
 * server answering 404 pages, https:// to plain HTTP, a profile that does not
 * exist; and an apply whose write times out, through a proxy in front of the
 * emulator. Each failure is one line on stderr and exit 1.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Server,
  type Socket,
} from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { parsePlan } from '../../src/plan/files/plan-file.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, setAccountPublicAccessBlock } from '../helpers/fixtures.js';

/** A server on 127.0.0.1; closing it also drops the connections it holds open. */
async function serve(server: Server): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts every connection and never sends a byte. */
const blackHole = () => serve(createTcpServer(() => {}));

/** Any web server that is not AWS: a 404 page for every request. */
const notAws = () =>
  serve(
    createHttpServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'text/html' });
      response.end('<html><body><h1>Not Found</h1></body></html>');
    }),
  );

/** A web server answering HTTP 200 with `body` (a page, or nothing) to every request; counts them. */
async function okPages(type: string, body: string) {
  const seen: string[] = [];
  const served = await serve(
    createHttpServer((request, response) => {
      seen.push(`${request.method} ${request.url}`);
      request.resume();
      response.writeHead(200, type ? { 'content-type': type } : {});
      response.end(body);
    }),
  );
  return { ...served, seen };
}

/** The run's stderr as its one line, after checking there is only one and nothing on stdout. */
function oneLine(result: { stdout: string; stderr: string }): string {
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  return lines[0] as string;
}

const FAST = { S3_HARDEN_TIMEOUT_MS: '300' };

describe('an endpoint that accepts the connection and never answers', () => {
  let hole: Awaited<ReturnType<typeof blackHole>>;
  beforeAll(async () => {
    hole = await blackHole();
  });
  afterAll(() => hole.close());

  it.each([
    ['audit', ['audit', '--bucket', 'some-bucket']],
    ['audit --all', ['audit', '--all']],
    ['plan', ['plan', '--bucket', 'some-bucket']],
  ])('%s gives up within seconds, in one line', async (_label, args) => {
    const endpoint = `http://127.0.0.1:${hole.port}`;
    const started = Date.now();
    const result = await runCli([...args, '--endpoint-url', endpoint], { env: FAST });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe(
      `s3-harden: sts:GetCallerIdentity timed out after 0.3 s at ${endpoint} (no answer, 3 attempts). Check --endpoint-url and the network; S3_HARDEN_TIMEOUT_MS raises the limit.`,
    );
  });

  it('over https://, a TLS handshake that never comes is a connect timeout', async () => {
    const endpoint = `https://127.0.0.1:${hole.port}`;
    const result = await runCli(['audit', '--bucket', 'some-bucket', '--endpoint-url', endpoint], {
      env: FAST,
    });
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe(
      `s3-harden: sts:GetCallerIdentity timed out after 0.3 s at ${endpoint} (no connection, 3 attempts). Check --endpoint-url, the network or a proxy.`,
    );
  });

  it('a malformed S3_HARDEN_TIMEOUT_MS is refused before any call', async () => {
    const result = await runCli(
      ['plan', '--bucket', 'some-bucket', '--endpoint-url', `http://127.0.0.1:${hole.port}`],
      { env: { S3_HARDEN_TIMEOUT_MS: '30s' } },
    );
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe(
      's3-harden: S3_HARDEN_TIMEOUT_MS must be a whole number of milliseconds from 1 to 86400000, not "30s".',
    );
  });
});

describe('an endpoint that is not AWS', () => {
  let web: Awaited<ReturnType<typeof notAws>>;
  beforeAll(async () => {
    web = await notAws();
  });
  afterAll(() => web.close());

  it('a web server answering 404 pages does not answer like STS', async () => {
    const endpoint = `http://127.0.0.1:${web.port}`;
    const result = await runCli(['audit', '--bucket', 'some-bucket', '--endpoint-url', endpoint]);
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe(
      `s3-harden: ${endpoint} does not answer like AWS STS (HTTP 404): check --endpoint-url.`,
    );
  });

  it.each([
    ['an HTML page', 'text/html', '<html><body><h1>Welcome</h1></body></html>'],
    ['an empty body', '', ''],
    ['XML without an account', 'text/xml', '<GetCallerIdentityResponse/>'],
  ])(
    'HTTP 200 with %s to GetCallerIdentity is no STS: nothing else is asked',
    async (_label, type, body) => {
      const pages = await okPages(type, body);
      try {
        const endpoint = `http://127.0.0.1:${pages.port}`;
        const result = await runCli(['audit', '--all', '--endpoint-url', endpoint]);
        expect(result.code).toBe(1);
        expect(oneLine(result)).toBe(
          `s3-harden: ${endpoint} does not answer like AWS STS (no 12-digit account ID in its GetCallerIdentity answer): check --endpoint-url.`,
        );
        // The bucket list and the account's settings were never read from it.
        expect(pages.seen).toEqual(['POST /']);
      } finally {
        await pages.close();
      }
    },
  );

  it('https:// to a plain-HTTP endpoint says TLS failed, not OpenSSL', async () => {
    const result = await runCli([
      'plan',
      '--bucket',
      'some-bucket',
      '--endpoint-url',
      `https://127.0.0.1:${web.port}`,
    ]);
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe(
      `s3-harden: TLS with https://127.0.0.1:${web.port} failed: it does not speak TLS, maybe plain HTTP (try http://127.0.0.1:${web.port}).`,
    );
  });
});

describe('a named profile', () => {
  let dir: string;
  let files: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-profiles-'));
    files = {
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    };
    writeFileSync(files.AWS_CONFIG_FILE as string, '[profile empty]\nregion = us-east-1\n');
    writeFileSync(files.AWS_SHARED_CREDENTIALS_FILE as string, '[other]\naws_access_key_id = x\n');
  });

  it('that does not exist is named, without the SDK warning about the environment keys', async () => {
    // The hermetic env also sets AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
    const result = await runCli(
      ['audit', '--bucket', 'some-bucket', '--profile', 'nosuch', '--endpoint-url', emulatorUrl()],
      { env: files },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/Multiple credential sources/);
    expect(oneLine(result)).toBe(
      `s3-harden: Profile nosuch not found in ${files.AWS_CONFIG_FILE} or ${files.AWS_SHARED_CREDENTIALS_FILE}.`,
    );
  });

  it('named by AWS_PROFILE, without a region anywhere, is still the profile', async () => {
    const result = await runCli(['plan', '--bucket', 'some-bucket'], {
      // undefined: not passed to the CLI at all.
      env: { ...files, AWS_PROFILE: 'nosuch', AWS_REGION: undefined },
    });
    expect(result.code).toBe(1);
    expect(oneLine(result)).toMatch(/^s3-harden: Profile nosuch not found in /);
  });

  it('that exists but holds no credentials says so', async () => {
    const result = await runCli(
      ['audit', '--bucket', 'some-bucket', '--profile', 'empty', '--endpoint-url', emulatorUrl()],
      { env: files },
    );
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe(
      `s3-harden: Profile empty (${files.AWS_CONFIG_FILE}) gave no credentials: check its keys, role_arn/source_profile, credential_process or SSO login (aws sso login --profile empty).`,
    );
  });
});

/**
 * What the proxy does with the account-level PutPublicAccessBlock:
 * - `lose-answer`: forwards it (the write happens) and drops S3's answer;
 * - `hold`: never forwards it (it never reaches S3);
 * - `go-silent`: forwards it, then answers nothing at all, that or later.
 * Every time, the caller sees only a timeout.
 */
type Swallow = 'lose-answer' | 'hold' | 'go-silent';

async function swallowingProxy(target: string, mode: Swallow) {
  const upstream = new URL(target);
  let silent = false;
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const swallow =
        req.method === 'PUT' && /\/configuration\/publicAccessBlock/.test(req.url ?? '');
      if ((swallow && mode === 'hold') || (silent && !swallow)) return;
      if (swallow && mode === 'go-silent') silent = true;
      const out = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          if (swallow) return void answer.resume();
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      out.end(Buffer.concat(chunks));
    });
  });
  const served = await serve(server);
  return { url: `http://127.0.0.1:${served.port}`, close: served.close };
}

// Each apply waits out a few half-second timeouts, 3 attempts each.
describe('apply, when a write times out', { timeout: 60_000 }, () => {
  let session: AwsSession;
  let dir: string;
  const only = ['--only', 'public-access-block,account-public-access-block'];
  const resources = ['bucket.publicAccessBlock', 'account.publicAccessBlock'] as const;
  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => session.close());
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-timeout-apply-'));
    await setAccountPublicAccessBlock(null);
  });

  /** Plans both Block Public Access changes for a new bucket, then applies through the proxy. */
  async function applyThrough(mode: Swallow) {
    const bucket = uniqueBucket('timeout');
    await createBucket(bucket, { publicAccessBlock: { BlockPublicAcls: true } });
    const file = join(dir, 'plan.json');
    const args = [...only, '--bucket', bucket, '--out', file, '--endpoint-url', emulatorUrl()];
    expect((await runCli(['plan', ...args])).code).toBe(2);
    expect(parsePlan(readFileSync(file, 'utf8')).changes.map((change) => change.id)).toEqual([
      ...resources,
    ]);
    const before = (await session.observe(bucket, [...resources])).values;
    expect(before['account.publicAccessBlock']).toBeNull();
    const proxy = await swallowingProxy(emulatorUrl(), mode);
    try {
      const applied = await runCli(['apply', file, '--yes', '--endpoint-url', proxy.url], {
        env: { S3_HARDEN_TIMEOUT_MS: '500' },
      });
      return {
        bucket,
        before,
        code: applied.code,
        output: applied.stdout + applied.stderr,
        timedOut: (call: string) =>
          `${call} timed out after 0.5 s at ${proxy.url} (no answer, 3 attempts)`,
      };
    } finally {
      await proxy.close();
    }
  }

  it.each([
    ['the write took effect and only its answer was lost', 'lose-answer'],
    ['the write never reached S3', 'hold'],
  ] as const)('rolls back like any failed call: %s', async (_label, mode) => {
    const { bucket, before, code, output, timedOut } = await applyThrough(mode);
    expect(code, output).toBe(1);
    const failure = timedOut('s3control:PutPublicAccessBlock');
    // The executor reads the timed-out change back: undone only if it took effect.
    expect(output).toContain(
      mode === 'lose-answer'
        ? `↶ Block Public Access (account): rolled back (${failure}`
        : `✗ Block Public Access (account): failed (${failure}`,
    );
    expect(output).toContain(
      `Apply failed; ${mode === 'lose-answer' ? '2 changes' : '1 change'} rolled back. The bucket is as it was.`,
    );
    // Whether or not the timed-out write happened, nothing of the plan is left.
    expect((await session.observe(bucket, [...resources])).values).toEqual(before);
  });

  it('an endpoint that goes silent after the write ends in exit 3 with the commands to finish', async () => {
    const { bucket, code, output, timedOut } = await applyThrough('go-silent');
    // Nothing could be read, so nothing is undone blindly (it might be someone
    // else's by now): both changes are the operator's, with the commands.
    expect(code, output).toBe(3);
    expect(output).toContain(
      `‼ Block Public Access (account): ROLLBACK FAILED (cannot read it: ${timedOut('s3control:GetPublicAccessBlock')}`,
    );
    expect(output).toContain(
      `‼ Block Public Access (bucket): ROLLBACK FAILED (cannot read it: ${timedOut('s3:GetPublicAccessBlock')}`,
    );
    expect(output).toContain(`aws s3control delete-public-access-block --account-id`);
    expect(output).toContain(`aws s3api put-public-access-block --bucket ${bucket}`);
    // The timed-out write did happen: what the rollback could not undo is real.
    const after = (await session.observe(bucket, [...resources])).values;
    expect(after['account.publicAccessBlock']).not.toBeNull();
  });
});
