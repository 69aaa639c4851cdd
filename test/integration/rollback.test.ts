/**
 * `s3-harden rollback JOURNAL` through the built CLI: idempotent, resumes a
 * partial rollback, refuses a tampered journal without a single API call, and
 * `apply` refuses to start while an earlier apply to the bucket is unfinished.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal, readJournal } from '../../src/plan/apply/journal.js';
import { appendToJournal, loadJournal, rollbackJournal } from '../../src/plan/apply/rollback.js';
import { parsePlan } from '../../src/plan/files/plan-file.js';
import type { ResourceKey } from '../../src/plan/model/types.js';
import { satisfies } from '../../src/plan/resources/index.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';

const ONLY = ['--only', 'public-access-block,versioning,encryption,object-ownership'];

describe('s3-harden rollback', () => {
  let session: AwsSession;
  let dir: string;
  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
    dir = mkdtempSync(join(tmpdir(), 's3-harden-rollback-'));
  });
  afterAll(() => session.close());

  /** A bucket with a fully applied plan of four changes, and its journal. */
  const applied = async () => {
    const bucket = uniqueBucket('rollback');
    await createBucket(bucket);
    const file = join(dir, `${bucket}.json`);
    const planned = await runCli([
      'plan',
      ...ONLY,
      '--bucket',
      bucket,
      '--out',
      file,
      '--endpoint-url',
      emulatorUrl(),
    ]);
    expect(planned.code).toBe(2);
    const plan = parsePlan(readFileSync(file, 'utf8'));
    const keys = Object.keys(plan.observed) as ResourceKey[];
    const before = (await session.observe(bucket, keys)).values;
    const journal = openJournal(plan.target, join(dir, 'journals'));
    const outcome = await executePlan(plan, {
      run: (call) => session.execute(call),
      read: (resource, identity) => session.read(plan.target, resource, identity),
      journal,
    });
    journal.close();
    expect(outcome.status).toBe('applied');
    const restored = async () => {
      const now = (await session.observe(bucket, keys)).values;
      return keys.every((key) => satisfies(key, before[key], now[key]));
    };
    return { bucket, file, plan, journalPath: journal.path, restored };
  };

  it('restores everything, and a second run finds everything already as before', async () => {
    const { journalPath, restored, plan } = await applied();
    expect(await restored()).toBe(false);

    const first = await runCli(['rollback', journalPath, '--yes', '--endpoint-url', emulatorUrl()]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const titles = plan.changes.map((change) => change.title);
    for (const title of titles) expect(first.stdout).toContain(`↶ ${title}: rolled back`);
    expect(first.stdout).toContain('is as it was before.');
    expect(await restored()).toBe(true);
    // Newest first.
    const order = titles.map((title) => first.stdout.indexOf(`↶ ${title}`));
    expect(order).toEqual([...order].sort((a, b) => b - a));

    const second = await runCli([
      'rollback',
      journalPath,
      '--yes',
      '--endpoint-url',
      emulatorUrl(),
    ]);
    expect(second.code).toBe(0);
    for (const title of titles) expect(second.stdout).toContain(`= ${title}: already as before`);
    expect(second.stdout).not.toContain('↶');
    expect(await restored()).toBe(true);
    const types = readJournal(journalPath).map((entry) => entry.type);
    expect(types.filter((type) => type === 'rolled-back')).toHaveLength(titles.length);
    expect(types.at(-1)).toBe('end');
  });

  it('after a partial rollback, a second run restores the rest', async () => {
    const { journalPath, restored, plan } = await applied();
    const journal = loadJournal(journalPath);
    if (!journal) throw new Error('empty journal');
    // The third undo fails (a lost connection, say): two are undone, the rest are not.
    let undos = 0;
    const writer = appendToJournal(journalPath);
    const partial = await rollbackJournal(journal, {
      run: async (call) => {
        undos += 1;
        if (undos === 3) throw new Error('connection reset');
        return session.execute(call);
      },
      read: (resource, identity) => session.read(plan.target, resource, identity),
      record: (entry) => writer.append(entry),
    });
    writer.close();
    expect(partial.restored).toBe(false);
    expect(partial.results.map((result) => result.status)).toEqual([
      'rolled-back',
      'rolled-back',
      'failed',
      'rolled-back',
    ]);
    // Its progress is in the journal, with no end entry after it.
    expect(
      readJournal(journalPath)
        .map((entry) => entry.type)
        .slice(-4),
    ).toEqual(['rolled-back', 'rolled-back', 'rollback-failed', 'rolled-back']);
    expect(await restored()).toBe(false);

    const again = await runCli(['rollback', journalPath, '--yes', '--endpoint-url', emulatorUrl()]);
    expect(again.code).toBe(0);
    const failedTitle = partial.results[2]?.change.title;
    expect(again.stdout).toContain(`↶ ${failedTitle}: rolled back`);
    expect(again.stdout.match(/^= /gm)).toHaveLength(3);
    expect(await restored()).toBe(true);
  });

  it('reports a failing undo with the command that restores it by hand', async () => {
    const { journalPath, plan } = await applied();
    const journal = loadJournal(journalPath);
    if (!journal) throw new Error('empty journal');
    const outcome = await rollbackJournal(journal, {
      run: async () => {
        throw new Error('AccessDenied: access denied');
      },
      read: (resource, identity) => session.read(plan.target, resource, identity),
      record: () => {},
      cli: { region: 'us-east-1' },
    });
    expect(outcome.restored).toBe(false);
    expect(outcome.results.every((result) => result.status === 'failed')).toBe(true);
    expect(outcome.results.map((result) => result.manualCommand)).toEqual(
      [...plan.changes].reverse().map(() => expect.stringMatching(/^aws s3api /)),
    );
  });

  it('a change that cannot be undone and is not as before: permanent, exit 3, the journal ends (nothing to retry)', async () => {
    const bucket = uniqueBucket('rollback-irrev');
    await createBucket(bucket, { publicAccessBlock: { BlockPublicAcls: true } });
    const file = join(dir, `${bucket}.jsonl`);
    const target = { accountId: '123456789012', region: 'us-east-1', bucket };
    writeFileSync(
      file,
      [
        { type: 'begin', at: '2026-11-27T12:00:00.000Z', target, changes: 1, tool: 's3-harden' },
        {
          type: 'intent',
          at: '2026-11-27T12:00:01.000Z',
          changeId: 'bucket.publicAccessBlock',
          resource: 'bucket.publicAccessBlock',
          title: 'Block Public Access (bucket)',
          before: null,
          undo: null,
        },
      ]
        .map((entry) => `${JSON.stringify(entry)}\n`)
        .join(''),
    );
    const result = await runCli(['rollback', file, '--yes', '--endpoint-url', emulatorUrl()]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(
      '! Block Public Access (bucket): not as before, and it cannot be undone\n',
    );
    expect(result.stdout).toMatch(
      /1 change can never be undone \(above\)\. Nothing is left to retry\./,
    );
    const types = readJournal(file).map((entry) => entry.type);
    expect(types).toEqual(['begin', 'intent', 'end']);
  });
});

describe('unfinished journals and tampered journals', () => {
  let server: Server;
  let requests = 0;
  let endpoint: string;
  let dir: string;
  const target = { accountId: '123456789012', region: 'us-east-1', bucket: 'my-bucket' };
  const intent = {
    type: 'intent',
    at: '2026-11-27T12:00:01.000Z',
    changeId: 'bucket.publicAccessBlock',
    resource: 'bucket.publicAccessBlock',
    title: 'Block Public Access (bucket)',
    before: null,
    undo: { service: 's3', operation: 'DeletePublicAccessBlock', input: { Bucket: 'my-bucket' } },
  };
  const lines = (...entries: object[]) => `${entries.map((e) => JSON.stringify(e)).join('\n')}\n`;
  const begin = {
    type: 'begin',
    at: '2026-11-27T12:00:00.000Z',
    target,
    changes: 1,
    tool: 's3-harden',
  };

  beforeAll(async () => {
    server = createServer((_request, response) => {
      requests += 1;
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 's3-harden-tampered-'));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const TAMPERED: [string, string, RegExp][] = [
    [
      'an undo on another bucket',
      lines(begin, { ...intent, undo: { ...intent.undo, input: { Bucket: 'someone-elses' } } }),
      /entry 2\.undo names bucket "someone-elses", but the journal is for my-bucket/,
    ],
    [
      'an operation outside the catalogue',
      lines(begin, { ...intent, undo: { ...intent.undo, operation: 'DeleteBucket' } }),
      /entry 2\.undo does not restore the before-state of bucket\.publicAccessBlock/,
    ],
    [
      'a read or unknown operation',
      lines(begin, { ...intent, undo: { ...intent.undo, operation: 'DeleteObject' } }),
      /entry 2\.undo: s3:DeleteObject is not an operation s3-harden applies/,
    ],
    [
      'an undo that writes something else than the before-state',
      lines(begin, {
        ...intent,
        before: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
      /does not restore the before-state/,
    ],
    [
      'a different account on an account-wide undo',
      lines(begin, {
        ...intent,
        changeId: 'account.publicAccessBlock',
        resource: 'account.publicAccessBlock',
        undo: {
          service: 's3control',
          operation: 'DeletePublicAccessBlock',
          input: { AccountId: '999999999999' },
        },
      }),
      /names account "999999999999", but the journal is for 123456789012/,
    ],
    [
      'a broken line in the middle',
      `${lines(begin)}{"type": "intent"\n${lines({ type: 'end', at: 'x', outcome: 'applied' })}`,
      /line 2 is not valid JSON/,
    ],
    ['no begin entry', lines(intent), /not an s3-harden journal/],
    [
      'an unknown entry type',
      lines(begin, { type: 'exec', at: 'x', command: 'rm -rf /' }),
      /entry 2/,
    ],
    [
      'a hostile bucket name in the target',
      lines({ ...begin, target: { ...target, bucket: '../../etc' } }),
      /entry 1 \(target\.bucket\)/,
    ],
  ];

  it.each(TAMPERED)('%s: one line, exit 1, no API call', async (_name, content, message) => {
    const file = join(dir, 'journal.jsonl');
    writeFileSync(file, content);
    const result = await runCli(['rollback', file, '--yes', '--endpoint-url', endpoint]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^s3-harden: .*journal\.jsonl: /);
    expect(result.stderr).toMatch(message);
    expect(requests).toBe(0);
  });

  it('a torn last line is ignored; a journal with no complete entry needs nothing', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '{"type":"be');
    const result = await runCli(['rollback', empty, '--yes', '--endpoint-url', endpoint]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/records no change/);
    const torn = join(dir, 'torn.jsonl');
    writeFileSync(torn, `${lines(begin)}{"type":"intent","at":`);
    expect(loadJournal(torn)?.changes).toEqual([]);
    expect(requests).toBe(0);
  });

  it('an empty .partial (a run killed while creating its journal) needs nothing; an empty journal is refused', async () => {
    const partial = join(dir, 'killed.jsonl.partial');
    writeFileSync(partial, '');
    const result = await runCli(['rollback', partial, '--yes', '--endpoint-url', endpoint]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/records no change \(the apply stopped before its first write\)/);
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const refused = await runCli(['rollback', empty, '--yes', '--endpoint-url', endpoint]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/empty\.jsonl: empty, not an s3-harden journal/);
    expect(requests).toBe(0);
  });

  it('without --yes and without a terminal it refuses', async () => {
    const file = join(dir, 'ok.jsonl');
    writeFileSync(file, lines(begin, intent));
    const result = await runCli(['rollback', file, '--endpoint-url', endpoint]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^s3-harden: refusing to roll back without confirmation: pass --yes/,
    );
    expect(requests).toBe(0);
  });

  it('apply refuses while an earlier apply to the bucket is unfinished, pointing to rollback', async () => {
    const state = mkdtempSync(join(tmpdir(), 's3-harden-unfinished-'));
    const journals = join(state, 'journals');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(journals);
    const unfinished = join(journals, '2026-11-27T12-00-00-000Z-my-bucket-abc123.jsonl');
    writeFileSync(unfinished, lines(begin, intent));
    // Finished journals and other buckets' journals do not count.
    writeFileSync(
      join(journals, 'a-other.jsonl'),
      lines({ ...begin, target: { ...target, bucket: 'other' } }, intent),
    );
    writeFileSync(
      join(journals, 'b-done.jsonl'),
      lines(begin, intent, { type: 'end', at: 'x', outcome: 'applied' }),
    );
    const plan = join(dir, 'plan.json');
    const { serializePlan } = await import('../../src/plan/files/plan-file.js');
    const { buildPlan } = await import('../../src/steps/index.js');
    const { ALL_ON } = await import('../../src/steps/public-access-block.js');
    // A real plan (apply derives it again from what it records): nothing to change.
    const posture = {
      ...target,
      observedAt: '2026-11-27T12:00:00.000Z',
      principalArn: 'arn:aws:iam::123456789012:user/operator',
      values: { 'bucket.publicAccessBlock': ALL_ON },
      unreadable: {},
    };
    const built = buildPlan(posture, 'baseline', ['public-access-block'], {
      'public-access-block': ALL_ON,
    });
    writeFileSync(plan, serializePlan(built, 'test'));
    const env = { S3_HARDEN_STATE_DIR: state };
    const result = await runCli(['apply', plan, '--yes', '--endpoint-url', endpoint], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `s3-harden: an earlier apply to my-bucket did not finish: run s3-harden rollback ${unfinished} first (or pass --ignore-unfinished)\n`,
    );
    expect(requests).toBe(0);

    // Once rolled back (an end entry), apply goes ahead: here it reaches the endpoint.
    appendFileSync(unfinished, lines({ type: 'end', at: 'x', outcome: 'rolled-back' }));
    const after = await runCli(['apply', plan, '--yes', '--endpoint-url', endpoint], { env });
    expect(after.stderr).not.toMatch(/did not finish/);
    expect(requests).toBeGreaterThan(0);
  });
});
