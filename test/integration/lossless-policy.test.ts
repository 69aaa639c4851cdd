/**
 * Lossless merge against the emulator, through the built CLI: a bucket
 * policy someone else wrote — numbers JSON.parse would change (1.0, 1e3,
 * -0, 2^53 + 1, 12345678901234567890), escapes, their own layout — is
 * planned to a file, applied and rolled back. A recording proxy between the
 * CLI and the emulator keeps every PutBucketPolicy body: the apply's carries
 * each foreign statement's bytes, the rollback's is the previous text, byte
 * for byte. (moto stores and returns the policy text exactly as put, which
 * the first test pins, so GetBucketPolicy shows it too.)
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/files/plan-file.js';
import { scanJson, sourceOf } from '../../src/plan/policy/json-text.js';
import { planToFile, runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients } from '../helpers/fixtures.js';

const foreign = (bucket: string) => [
  `{
      "Effect" : "Allow",  "Sid": "Team\\u0041",
      "Principal": { "AWS": "arn:aws:iam::111122223333:root" },
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::${bucket}",
      "Condition": { "NumericGreaterThan": { "s3:max-keys": 1.0 },
                     "NumericLessThan": { "s3:max-keys": 12345678901234567890 } }
    }`,
  `{"Condition":{"NumericEquals":{"s3:max-keys":[1e3,-0,9007199254740993]}},"Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::${bucket}"}`,
];

const policyText = (bucket: string) => `{
  "Id": "team-policy",
  "Version" : "2012-10-17",
  "Statement": [
    ${foreign(bucket).join(',\n    ')}
  ]
}
`;

/** Each statement of a policy text, as written. */
function statementTexts(text: string): string[] {
  const root = scanJson(text);
  if (root.kind !== 'object') throw new Error('not an object');
  const statement = root.members.find((member) => member.key === 'Statement')?.value;
  if (statement?.kind !== 'array') throw new Error('no Statement list');
  return statement.items.map((node) => sourceOf(text, node));
}

/** Forwards everything to the emulator; keeps the body of every PutBucketPolicy. */
function recordingProxy(target: string) {
  const puts: string[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      if (incoming.method === 'PUT' && /[?&]policy(=|&|$)/.test(incoming.url ?? '')) {
        puts.push(body.toString('utf8'));
      }
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
      forwarded.on('error', () => outgoing.destroy());
      forwarded.end(body);
    });
  });
  return {
    puts,
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('a foreign policy, planned, applied and rolled back byte for byte', () => {
  const { s3 } = rawClients();
  const proxy = recordingProxy(emulatorUrl());
  let endpoint: string;
  let dir: string;
  beforeAll(async () => {
    endpoint = await proxy.listen();
    dir = mkdtempSync(join(tmpdir(), 's3-harden-lossless-'));
  });
  afterAll(async () => {
    await proxy.close();
    s3.destroy();
  });

  const livePolicy = async (bucket: string) =>
    (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;

  it('the emulator returns the policy text exactly as it was put', async () => {
    const bucket = uniqueBucket('lossless-moto');
    await createBucket(bucket);
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policyText(bucket) }));
    expect(await livePolicy(bucket)).toBe(policyText(bucket));
  });

  it('keeps every foreign statement as written, and the rollback writes the exact previous text', async () => {
    const bucket = uniqueBucket('lossless');
    await createBucket(bucket);
    const original = policyText(bucket);
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: original }));

    const state = join(dir, bucket);
    mkdirSync(state, { recursive: true });
    const env = { S3_HARDEN_STATE_DIR: state };
    const file = join(state, 'plan.json');
    const planned = await planToFile(bucket, file, endpoint, ['--only', 'bucket-policy']);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);

    // The plan file holds the text read and the exact bytes apply and undo send.
    const plan = parsePlan(readFileSync(file, 'utf8'));
    const change = plan.changes.find((candidate) => candidate.resource === 'bucket.policy');
    const sent = change?.call.input.Policy as string;
    expect(statementTexts(sent).slice(0, 2)).toEqual(foreign(bucket));
    expect(change?.undo?.input.Policy).toBe(original);

    const applied = await runCli(['apply', file, '--yes', '--endpoint-url', endpoint], { env });
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(proxy.puts).toEqual([sent]);
    const live = (await livePolicy(bucket)) as string;
    expect(live).toBe(sent);
    expect(statementTexts(live).slice(0, 2)).toEqual(foreign(bucket));
    // The text as it was, the tool's statements appended to its list.
    expect(live.startsWith(original.slice(0, original.lastIndexOf('\n  ]')))).toBe(true);

    // Planned again from what S3 now holds: nothing to change.
    const again = await planToFile(bucket, join(state, 'again.json'), endpoint, [
      '--only',
      'bucket-policy',
    ]);
    expect(again.code).toBe(0);

    const journals = readdirSync(join(state, 'journals')).map((name) =>
      join(state, 'journals', name),
    );
    expect(journals).toHaveLength(1);
    const rolledBack = await runCli(
      ['rollback', journals[0] as string, '--yes', '--endpoint-url', endpoint],
      { env },
    );
    expect(rolledBack.stderr).toBe('');
    expect(rolledBack.code).toBe(0);
    expect(proxy.puts).toEqual([sent, original]);
    expect(await livePolicy(bucket)).toBe(original);
  });
});
