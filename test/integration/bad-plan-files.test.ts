/**
 * A bad plan file gets one line on stderr, exit 1, and not a single request
 * to AWS: the endpoint here is a loopback server that counts what it receives.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializePlan } from '../../src/plan/files/plan-file.js';
import type { Plan } from '../../src/plan/model/types.js';
import { runCli } from '../helpers/cli.js';
import { handBuiltProvenance, syntheticPlan } from '../helpers/synthetic-plans.js';

const valid: Plan = {
  target: { accountId: '123456789012', region: 'us-east-1', bucket: 'my-bucket' },
  preset: 'baseline',
  createdAt: '2026-11-27T12:00:00.000Z',
  observed: { 'bucket.publicAccessBlock': null },
  skipped: [],
  changes: [
    {
      id: 'bucket.publicAccessBlock',
      step: 'public-access-block',
      title: 'Block Public Access (bucket)',
      resource: 'bucket.publicAccessBlock',
      action: 'create',
      call: {
        service: 's3',
        operation: 'PutPublicAccessBlock',
        input: {
          Bucket: 'my-bucket',
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true,
          },
        },
      },
      before: null,
      after: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
      undo: { service: 's3', operation: 'DeletePublicAccessBlock', input: { Bucket: 'my-bucket' } },
      dependsOn: [],
      warnings: [],
    },
  ],
};
const text = serializePlan(
  { ...valid, provenance: handBuiltProvenance(valid.target, valid.observed) },
  's3-harden test',
);
const json = () => JSON.parse(text);

/** A plan whose changes depend on each other (log bucket, then its grant, then logging). */
const ordered = serializePlan(syntheticPlan('baseline'), 's3-harden test');
const reordered = (edit: (changes: { id: string }[]) => { id: string }[]) => {
  const file = JSON.parse(ordered);
  file.changes = edit(file.changes);
  return JSON.stringify(file, null, 2);
};

const CASES: [string, string, RegExp][] = [
  ['not JSON', '{"format": "s3-harden-plan", ', /: not valid JSON \(/],
  ['empty file', '', /: not valid JSON/],
  ['a JSON array', '[]', /not an s3-harden plan file/],
  ['another tool’s JSON', '{"terraform_version": "1.9.0"}', /not an s3-harden plan file/],
  [
    'a future version',
    JSON.stringify({ ...json(), version: 3 }),
    /plan file version 3 is not supported/,
  ],
  [
    'a version as a string',
    JSON.stringify({ ...json(), version: '2' }),
    /plan file version "2" is not supported/,
  ],
  [
    'version 1, which records no provenance',
    JSON.stringify({ ...json(), version: 1 }),
    /: plan file version 1 was written by an older s3-harden .*make a new plan$/m,
  ],
  [
    'an operation outside the allowed set',
    text.replace('"DeletePublicAccessBlock"', '"DeleteObject"'),
    /changes\[0\]\.undo: s3:DeleteObject is not an operation s3-harden applies/,
  ],
  [
    'a call to a different bucket',
    text.replace('"Bucket": "my-bucket",\n', '"Bucket": "someone-elses-bucket",\n'),
    /changes\[0\]\.call names bucket "someone-elses-bucket", but the plan is for my-bucket/,
  ],
  [
    'changes out of dependsOn order (the executor runs them in file order)',
    reordered((changes) => [...changes].reverse()),
    /changes\[1\]: depends on bucket\.publicAccessBlock, which comes after it\n$/,
  ],
  [
    'access logging before the log bucket it needs exists',
    reordered((changes) => {
      const logging = changes.find((change) => change.id === 'bucket.logging');
      return [logging, ...changes.filter((change) => change !== logging)] as { id: string }[];
    }),
    /changes\[0\]: depends on logTarget\.exists, which comes after it\n$/,
  ],
  [
    'a change depending on a change the plan lacks',
    reordered((changes) => changes.filter((change) => change.id !== 'logTarget.exists')),
    /changes\[5\]: depends on logTarget\.exists, which is not in the plan\n$/,
  ],
  [
    'a flag of the wrong type',
    text.replace('"BlockPublicAcls": true', '"BlockPublicAcls": "yes"'),
    /changes\[0\]\.call\.input/,
  ],
];

describe('bad plan files', () => {
  let server: Server;
  let requests = 0;
  let endpoint: string;
  let dir: string;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      requests += 1;
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 's3-harden-bad-plans-'));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each(CASES)('%s: one line, exit 1, no API call', async (_name, content, message) => {
    const file = join(dir, 'plan.json');
    writeFileSync(file, content);
    const result = await runCli(['apply', file, '--yes', '--endpoint-url', endpoint]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.endsWith('\n')).toBe(true);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^s3-harden: .*plan\.json: /);
    expect(result.stderr).toMatch(message);
    expect(requests).toBe(0);
  });

  it('a missing file: one line, exit 1', async () => {
    const result = await runCli([
      'apply',
      join(dir, 'nope.json'),
      '--yes',
      '--endpoint-url',
      endpoint,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^s3-harden: cannot read .*nope\.json: no such file\n$/);
    expect(requests).toBe(0);
  });

  it('bad flags: one line, exit 1, no API call', async () => {
    for (const args of [
      ['plan', '--bucket', 'Bad_Name', '--endpoint-url', endpoint],
      ['plan', '--bucket', 'ok-bucket', '--region', 'moon-1', '--endpoint-url', endpoint],
      ['plan', '--bucket', 'ok-bucket', '--endpoint-url', 'ftp://x'],
      ['plan', '--bucket', 'ok-bucket', '--preset', 'paranoid', '--endpoint-url', endpoint],
      ['plan', '--endpoint-url', endpoint],
      ['frobnicate'],
    ]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).toMatch(/^s3-harden: /);
    }
    expect(requests).toBe(0);
  });

  it('the wizard without a terminal refuses and points to plan/apply', async () => {
    const result = await runCli(['--endpoint-url', endpoint]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^s3-harden: the wizard needs an interactive terminal\. .*s3-harden plan .*s3-harden apply/,
    );
    expect(requests).toBe(0);
  });
});
