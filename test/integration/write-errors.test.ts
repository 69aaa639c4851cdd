/**
 * A write that fails — a full disk (ENOSPC: /dev/full), a file that may
 * grow no more (EFBIG: a file size limit, set with prlimit) — is one line
 * naming the file and the system's reason, exit 1, never a stack trace,
 * and leaves nothing cut off behind: the plan file (`plan --out`), the
 * standard output (`> /dev/full`), the journal of an apply (before its first
 * write: nothing made; at a change's intent: that change never made, and
 * the journal still reads whole; in a fleet, that section refused and the
 * summary still printed).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/aws/index.js';
import { BIN, type CliResult, collect, planToFile, runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';

const hasDevFull = existsSync('/dev/full');
const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;

/** The built CLI with its standard output going to `stdout` (a file descriptor). */
function runTo(stdout: number, args: readonly string[]): Promise<CliResult> {
  return collect(
    spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', stdout, 'pipe'],
    }),
  );
}

/** The built CLI, no file it writes larger than `bytes` (its output is a pipe, not limited). */
function runLimited(bytes: number, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return collect(
    spawn('prlimit', [`--fsize=${bytes}`, process.execPath, BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** What the bucket's Block Public Access reads as (null: none). */
async function publicAccessBlock(name: string) {
  const session = await connect({ endpoint: emulatorUrl() });
  try {
    return (await session.observe(name, ['bucket.publicAccessBlock'])).values[
      'bucket.publicAccessBlock'
    ];
  } finally {
    session.close();
  }
}

const bucket = uniqueBucket('write-errors');
const dir = mkdtempSync(join(tmpdir(), 's3-harden-write-errors-'));

beforeAll(async () => {
  await createBucket(bucket);
});

describe.skipIf(!hasDevFull)('a full disk (/dev/full)', () => {
  it('plan --out /dev/full --force: one line naming it and the reason, exit 1', async () => {
    const result = await planToFile(bucket, '/dev/full', emulatorUrl(), ['--force']);
    expect(result.stderr).toBe(
      's3-harden: cannot write /dev/full: no space left on device (ENOSPC)\n',
    );
    expect(result.code).toBe(1);
  });

  it.each([
    ['plan', ['plan', '--bucket', bucket]],
    ['plan --json', ['plan', '--json', '--bucket', bucket]],
    ['audit', ['audit', '--bucket', bucket]],
    ['audit --json (streamed)', ['audit', '--json', '--bucket', bucket]],
  ])('%s > /dev/full: one line, exit 1, no stack trace', async (_name, args) => {
    const full = openSync('/dev/full', 'w');
    const result = await runTo(full, [...args, '--endpoint-url', emulatorUrl()]).finally(() =>
      closeSync(full),
    );
    expect(result.stderr).toBe(
      's3-harden: cannot write standard output: no space left on device (ENOSPC)\n',
    );
    expect(result.code).toBe(1);
  });
});

describe.skipIf(!hasPrlimit)('a file that may grow no more (EFBIG)', () => {
  it('plan --out FILE: one line, exit 1, and no cut-off plan file left', async () => {
    const file = join(dir, 'plan.json');
    const result = await runLimited(1000, [
      'plan',
      '--bucket',
      bucket,
      '--out',
      file,
      '--endpoint-url',
      emulatorUrl(),
    ]);
    expect(result.stderr).toBe(`s3-harden: cannot write ${file}: file too large (EFBIG)\n`);
    expect(result.code).toBe(1);
    expect(existsSync(file)).toBe(false);
  });

  /** A plan of one change (bucket Block Public Access), and a state directory of its own. */
  async function onePlan(label: string) {
    const name = uniqueBucket(label);
    await createBucket(name);
    const file = join(dir, `${name}.json`);
    const plan = await planToFile(name, file, emulatorUrl(), ['--only', 'public-access-block']);
    expect(plan.code, plan.stderr).toBe(2);
    const state = mkdtempSync(join(dir, 'state-'));
    return { name, file, state, journals: join(state, 'journals') };
  }

  it('apply, the journal not begun: one line naming it, exit 1, nothing written, nothing left', async () => {
    const { name, file, state, journals } = await onePlan('journal-begin');
    // The lock (its holder: pid, host, command, time) fits; the journal's first line does not.
    const lock = JSON.stringify({
      pid: 9_999_999,
      host: hostname(),
      command: 'apply',
      startedAt: new Date().toISOString(),
    });
    const result = await runLimited(
      lock.length + 8,
      ['apply', file, '--yes', '--endpoint-url', emulatorUrl()],
      { S3_HARDEN_STATE_DIR: state },
    );
    expect(result.stderr).toMatch(
      new RegExp(
        `^s3-harden: cannot write the journal ${journals}/\\S+-${name}-\\w+\\.jsonl: file too large \\(EFBIG\\)\\n$`,
      ),
    );
    expect(result.code).toBe(1);
    expect(readdirSync(journals)).toEqual([]);
    expect(readdirSync(join(state, 'locks'))).toEqual([]);
    expect(await publicAccessBlock(name)).toBeNull();
  });

  it('apply, an intent cut short: the change is never made, and the journal reads whole', async () => {
    const { name, file, state, journals } = await onePlan('journal-intent');
    // The begin line (and the end's) fit; the intent would be cut part way.
    const result = await runLimited(
      400,
      ['apply', file, '--yes', '--endpoint-url', emulatorUrl()],
      {
        S3_HARDEN_STATE_DIR: state,
      },
    );
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toMatch(
      /not applied \(journal: cannot write the journal \S+: file too large \(EFBIG\)\)/,
    );
    expect(result.stdout).toContain('The bucket is as it was.');
    expect(result.stderr).toBe('');
    expect(await publicAccessBlock(name)).toBeNull();
    const [journal] = readdirSync(journals);
    const lines = readFileSync(join(journals, journal as string), 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line).type)).toEqual(['begin', 'end']);
    const rollback = await runCli(
      ['rollback', join(journals, journal as string), '--yes', '--endpoint-url', emulatorUrl()],
      { env: { S3_HARDEN_STATE_DIR: state } },
    );
    expect(rollback.code, rollback.stderr).toBe(0);
  });
});

describe('a fleet apply whose journal cannot be made', () => {
  it('refuses that section in its own lines, prints the summary, exit 1; nothing written', async () => {
    const names = [uniqueBucket('fleet-journal-a'), uniqueBucket('fleet-journal-b')];
    for (const name of names) await createBucket(name);
    const state = mkdtempSync(join(dir, 'state-'));
    // Where the journals directory goes, a file: mkdir fails (EEXIST).
    writeFileSync(join(state, 'journals'), 'not a directory\n');
    const file = join(dir, 'fleet.json');
    const env = { S3_HARDEN_STATE_DIR: state };
    const args = ['--only', 'public-access-block', '--endpoint-url', emulatorUrl()];
    const plan = await runCli(['plan', '--bucket', names.join(','), '--out', file, ...args], {
      env,
    });
    expect(plan.code, plan.stderr).toBe(2);
    const applied = await runCli(['apply', file, '--yes', '--endpoint-url', emulatorUrl()], {
      env,
    });
    expect(applied.code).toBe(1);
    expect(applied.stdout.replace(/\s+/g, ' ')).toContain(
      `not applied: cannot make the journals directory ${join(state, 'journals')}: file already exists (EEXIST)`,
    );
    expect(applied.stdout).toMatch(/Bucket\s+Result\s+Changes/);
    expect(applied.stdout).toContain('Fleet apply incomplete');
    for (const name of names) expect(await publicAccessBlock(name)).toBeNull();
  });
});
