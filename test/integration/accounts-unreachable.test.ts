/**
 * `audit --accounts` and `plan --accounts` when the network fails one member
 * account (the built CLI against the emulator, through a proxy): every S3
 * request signed by that account's assumed-role credentials has its
 * connection reset, or is never answered (the answer timeout, after the
 * SDK's retries). That account is one failed entry with the reason, the
 * others are audited (planned), the exit is 4 and `--json` is whole. When
 * the network is down for everyone once the caller's identity is known, the
 * run stops: one line, exit 1, no report.
 */
import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AuditReport, auditReportSchema } from '../../src/plan/audit/schema.js';
import { createIn, s3In } from '../helpers/accounts.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl } from '../helpers/emulator.js';
import { ACCOUNT } from '../helpers/fixtures.js';

const PREFIX = `acunr-${process.pid}-${Date.now().toString(36)}`;
const ROLE = 's3-harden-audit';
/** Sorts before the caller's account: with one account at a time it fails first, before any is audited. */
const CUT_OFF = '100000000007';
const MEMBER = '314159265359';
const ACCOUNTS = [ACCOUNT, CUT_OFF, MEMBER].join(',');
const MATCH = ['--match', `${PREFIX}-*`];

interface NetworkProxy {
  readonly url: string;
  /** Requests the proxy failed. */
  readonly failed: number;
  close(): Promise<void>;
}

/**
 * Forwards to the emulator, but fails (`reset`: destroys the connection;
 * `hang`: never answers) every request that is no STS call and is signed
 * with credentials AssumeRole gave for `account` (read from its answers);
 * with `down`, every request after the first (the caller's identity).
 */
async function networkProxy(
  target: string,
  fault: 'reset' | 'hang',
  cut: { readonly account?: string; readonly down?: boolean },
): Promise<NetworkProxy> {
  const upstream = new URL(target);
  const keys = new Set<string>();
  const hung = new Set<IncomingMessage>();
  let seen = 0;
  let failed = 0;
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      seen += 1;
      const body = Buffer.concat(chunks);
      const form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      const signedBy = /Credential=([^/]+)\//.exec(incoming.headers.authorization ?? '')?.[1];
      const cutOff = cut.down
        ? seen > 1
        : form.Action === undefined && signedBy !== undefined && keys.has(signedBy);
      if (cutOff) {
        failed += 1;
        if (fault === 'reset') incoming.socket.destroy();
        else {
          hung.add(incoming);
          incoming.socket.once('close', () => hung.delete(incoming));
        }
        return;
      }
      const assuming =
        form.Action === 'AssumeRole' && (form.RoleArn ?? '').includes(`::${cut.account}:`);
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          if (!assuming) {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
            return;
          }
          const parts: Buffer[] = [];
          answer.on('data', (part: Buffer) => parts.push(part));
          answer.on('end', () => {
            const text = Buffer.concat(parts).toString('utf8');
            const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(text)?.[1];
            if (key) keys.add(key);
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            outgoing.end(text);
          });
        },
      );
      forwarded.on('error', () => outgoing.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get failed() {
      return failed;
    },
    close() {
      for (const incoming of hung) incoming.socket.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

let proxy: NetworkProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** A short answer limit for `hang` (the SDK tries 3 times). */
const TIMEOUT_ENV = { S3_HARDEN_TIMEOUT_MS: '1500' };

function report(stdout: string): AuditReport {
  return auditReportSchema.parse(JSON.parse(stdout));
}

beforeAll(async () => {
  await createIn(await s3In(ACCOUNT), `${PREFIX}-home`);
  await createIn(await s3In(CUT_OFF), `${PREFIX}-cut`);
  const member = await s3In(MEMBER);
  await createIn(member, `${PREFIX}-m1`);
  await createIn(member, `${PREFIX}-m-eu`, 'eu-west-1');
});

describe('audit --accounts when the network fails one account', () => {
  it.each([
    ['reset', /^Cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNRESET\./],
    ['hang', /^s3:ListBuckets timed out after 1\.5 s at .*\(no answer, 3 attempts\)/],
  ] as const)(
    '%s: that account is one failed entry; the others are audited; exit 4; --json whole',
    async (fault, reason) => {
      proxy = await networkProxy(emulatorUrl(), fault, { account: CUT_OFF });
      const { code, stdout, stderr } = await runCli(
        [
          'audit',
          ...MATCH,
          '--accounts',
          ACCOUNTS,
          '--role-name',
          ROLE,
          '--json',
          '--endpoint-url',
          proxy.url,
        ],
        { env: fault === 'hang' ? TIMEOUT_ENV : {}, deadline: 25_000 },
      );
      expect(proxy.failed).toBeGreaterThan(0);
      expect(stderr.trim()).toBe(
        `s3-harden: 1 of 3 accounts could not be audited: ${CUT_OFF} (see the report)`,
      );
      expect(code).toBe(4);
      // Parsed whole and valid against the schema: not cut off where the account failed.
      const result = report(stdout);
      expect(result.accounts?.map((entry) => [entry.accountId, entry.status])).toEqual([
        [CUT_OFF, 'failed'],
        [ACCOUNT, 'audited'],
        [MEMBER, 'audited'],
      ]);
      const cut = result.accounts?.[0];
      expect(cut).toMatchObject({ roleArn: `arn:aws:iam::${CUT_OFF}:role/${ROLE}`, buckets: 0 });
      expect(cut?.error).toMatch(reason);
      expect(result.buckets.map((bucket) => bucket.bucket).sort()).toEqual(
        [`${PREFIX}-home`, `${PREFIX}-m-eu`, `${PREFIX}-m1`].sort(),
      );
      expect(result.summary).toMatchObject({ accounts: 3, accountErrors: 1, buckets: 3 });
    },
  );

  it('the text view says the account in one line, one account at a time too (it fails before any is audited)', async () => {
    proxy = await networkProxy(emulatorUrl(), 'reset', { account: CUT_OFF });
    const { code, stdout } = await runCli(
      [
        'audit',
        ...MATCH,
        '--accounts',
        ACCOUNTS,
        '--role-name',
        ROLE,
        '--account-concurrency',
        '1',
        '--endpoint-url',
        proxy.url,
      ],
      { deadline: 25_000 },
    );
    expect(code).toBe(4);
    const lines = stdout.split('\n');
    expect(lines.filter((line) => line.includes(`Account ${CUT_OFF}`))).toEqual([
      expect.stringMatching(new RegExp(`^✗ Account ${CUT_OFF}: not audited: Cannot reach `)),
    ]);
    expect(lines).toContain(`══ Account ${ACCOUNT} ══`);
    expect(lines).toContain(`══ Account ${MEMBER} ══`);
    expect(stdout).toMatch(/\n3 accounts \(1 could not be audited\); 3 buckets: /);
  });

  it('the network down for everyone once the caller is known: the run stops, one line, exit 1', async () => {
    proxy = await networkProxy(emulatorUrl(), 'reset', { down: true });
    const { code, stdout, stderr } = await runCli(
      [
        'audit',
        ...MATCH,
        '--accounts',
        `${CUT_OFF},${MEMBER}`,
        '--role-name',
        ROLE,
        '--json',
        '--endpoint-url',
        proxy.url,
      ],
      { deadline: 25_000 },
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^s3-harden: Cannot reach .*ECONNRESET.* \(account \d{12} could not be reached either, before any account got through: the run stops\)$/,
      ),
    ]);
  });
});

describe('plan --accounts when the network fails one account', () => {
  it('that account is one line and one notPlanned entry; the others are planned; exit 4', async () => {
    proxy = await networkProxy(emulatorUrl(), 'reset', { account: CUT_OFF });
    const args = [
      'plan',
      ...MATCH,
      '--accounts',
      ACCOUNTS,
      '--role-name',
      ROLE,
      '--only',
      'public-access-block',
      '--endpoint-url',
      proxy.url,
    ];
    const json = await runCli([...args, '--json'], { deadline: 25_000 });
    expect(json.stderr.trim()).toBe(
      's3-harden: 1 of 3 accounts could not be planned (each is listed, with the reason)',
    );
    expect(json.code).toBe(4);
    const result = JSON.parse(json.stdout) as {
      accounts: { accountId: string }[];
      notPlanned: { accountId: string; reason: string }[];
    };
    expect(result.accounts.map((fleet) => fleet.accountId)).toEqual([ACCOUNT, MEMBER]);
    expect(result.notPlanned).toEqual([
      { accountId: CUT_OFF, reason: expect.stringMatching(/^Cannot reach .*ECONNRESET/) },
    ]);

    const text = await runCli(args, { deadline: 25_000 });
    expect(text.code).toBe(4);
    expect(text.stdout.split('\n').filter((line) => line.includes(CUT_OFF))).toEqual([
      expect.stringMatching(new RegExp(`^✗ Account ${CUT_OFF}: not planned: Cannot reach `)),
    ]);
    expect(text.stdout).toContain(`══ Account ${MEMBER} ══`);
  });

  it('the network down for everyone: the run stops, one line, exit 1', async () => {
    proxy = await networkProxy(emulatorUrl(), 'reset', { down: true });
    const { code, stderr } = await runCli(
      [
        'plan',
        ...MATCH,
        '--accounts',
        `${CUT_OFF},${MEMBER}`,
        '--role-name',
        ROLE,
        '--only',
        'public-access-block',
        '--endpoint-url',
        proxy.url,
      ],
      { deadline: 25_000 },
    );
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^s3-harden: Cannot reach .*the run stops\)$/),
    ]);
  });
});
