/**
 * Nothing from a file or from argv reaches the terminal raw, through the
 * built CLI: ESC, C1 (CSI U+009B), bidi controls and U+2028 are fed through
 * every string field of a real saved plan, in turn (a file then rejected —
 * an edited text is a plan s3-harden did not propose — or accepted, and then
 * applied to a bucket of its own and rolled back from its journal), through
 * text read from AWS (a foreign policy statement the review, the progress,
 * the outcome and the rollback show), and through every flag and argument of
 * every command. stdout and stderr must hold none of them: they
 * are shown escaped (`\u001b`).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import type { Command, Option } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkedPlan } from '../../src/commands/apply-checks.js';
import { buildProgram } from '../../src/commands/program.js';
import { PlanFileError } from '../../src/plan/files/plan-file.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients } from '../helpers/fixtures.js';

/** ESC with an SGR that hides what follows, a C1 CSI, bidi overrides and isolates, line separators. */
const HOSTILE = 'x\u001b[8m\u009b2J\u202e\u2066\u2069\u2028\u2029y';
/** The same without C0/C1 controls: what a display field's schema lets through. */
const NO_CONTROLS = 'x\u202a\u202e\u2067\u2028y';
/** Any of them raw; a line feed between lines is ours. */
const RAW = /[\p{Cc}\p{Bidi_Control}\p{Zl}\p{Zp}]/u;

const raw = (result: CliResult) => RAW.test(`${result.stdout}${result.stderr}`.replace(/\n/g, ''));

// biome-ignore lint/suspicious/noExplicitAny: the plan is walked as plain JSON.
type Json = any;
type Path = readonly (string | number)[];

/** The path of every string in `value`, depth first. */
function stringPaths(value: Json, path: Path = []): Path[] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value))
    return value.flatMap((item, index) => stringPaths(item, [...path, index]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => stringPaths(item, [...path, key]));
  }
  return [];
}

function withString(value: Json, path: Path, text: string): Json {
  const copy = structuredClone(value);
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  node[path.at(-1) as string | number] = text;
  return copy;
}

/** Whether apply would take the file: its checks, then the plan derived again from what it records. */
const accepted = (text: string) => {
  try {
    checkedPlan(text);
    return true;
  } catch (error) {
    if (error instanceof PlanFileError) return false;
    throw error;
  }
};

/** Fields the review shows: an accepted file with one of them changed must show it, escaped. */
const SHOWN = /^(skipped\.\d+\.(step|reason)|changes\.\d+\.(title|warnings\.\d+))$/;

describe('text from a plan file never reaches the terminal raw', () => {
  let dir: string;
  let base: Json;
  let bucket: string;
  const endpoint = () => ['--endpoint-url', emulatorUrl()];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-escapes-'));
    bucket = uniqueBucket('escapes');
    await createBucket(bucket);
    const file = join(dir, 'base.json');
    const planned = await runCli([
      'plan',
      '--only',
      'public-access-block,versioning',
      '--bucket',
      bucket,
      '--out',
      file,
      ...endpoint(),
    ]);
    expect(planned.code).toBe(2);
    base = JSON.parse(readFileSync(file, 'utf8'));
    expect(accepted(JSON.stringify(base))).toBe(true);
  });

  it('every string field, in turn, with ESC, C1, bidi controls and U+2028', async () => {
    const paths = stringPaths(base);
    expect(paths.length).toBeGreaterThan(30);
    let kept = 0;
    let shown = 0;
    for (const path of paths) {
      for (const payload of [HOSTILE, NO_CONTROLS]) {
        const original = (() => {
          let node = base;
          for (const key of path) node = node[key];
          return node as string;
        })();
        let text = JSON.stringify(withString(base, path, `${original}${payload}`), null, 2);
        const where = `${path.join('.')} + ${JSON.stringify(payload)}`;
        const file = join(dir, 'mutant.json');
        if (!accepted(text)) {
          writeFileSync(file, text);
          const result = await runCli(['apply', file, '--yes', ...endpoint()]);
          expect(result.code, where).toBe(1);
          expect(raw(result), `${where}: ${JSON.stringify(result.stderr)}`).toBe(false);
          continue;
        }
        // Accepted: applied to a bucket of its own (the plan as it was, but for that bucket).
        kept += 1;
        const own = uniqueBucket('escapes-own');
        await createBucket(own);
        text = text.split(bucket).join(own);
        writeFileSync(file, text);
        const applied = await runCli(['apply', file, '--yes', ...endpoint()]);
        expect(applied.code, `${where}: ${applied.stderr}`).toBe(0);
        expect(raw(applied), `${where}: ${JSON.stringify(applied.stdout)}`).toBe(false);
        if (SHOWN.test(path.join('.'))) {
          shown += 1;
          // Shown, escaped: \u202e as six characters.
          expect(applied.stdout, where).toContain('\\u202e');
        }
        const journals = join(process.env.S3_HARDEN_STATE_DIR as string, 'journals');
        const journal = readdirSync(journals).find((name) => name.includes(own));
        expect(journal, where).toBeDefined();
        const rolledBack = await runCli([
          'rollback',
          join(journals, journal as string),
          '--yes',
          ...endpoint(),
        ]);
        expect(rolledBack.code, `${where}: ${rolledBack.stderr}`).toBe(0);
        expect(raw(rolledBack), `${where}: ${JSON.stringify(rolledBack.stdout)}`).toBe(false);
      }
    }
    // An edited text shown to the operator is a plan s3-harden did not propose: refused, in
    // one clean line. What the review may still show comes from AWS itself (the next test).
    expect(shown).toBe(0);
    expect(kept).toBeLessThan(paths.length);
  }, 300_000);

  it('text read from AWS (a foreign policy statement) is shown escaped by plan, apply and rollback', async () => {
    const own = uniqueBucket('escapes-read');
    await createBucket(own);
    const foreign = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'TeamRead',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${own}/*`,
          Condition: { StringEquals: { 'aws:UserAgent': HOSTILE } },
        },
      ],
    };
    await rawClients().s3.send(
      new PutBucketPolicyCommand({ Bucket: own, Policy: JSON.stringify(foreign) }),
    );
    const file = join(dir, 'read.json');
    const planned = await runCli([
      'plan',
      '--only',
      'bucket-policy',
      '--bucket',
      own,
      '--out',
      file,
      '--force',
      ...endpoint(),
    ]);
    expect(planned.code, planned.stderr).toBe(2);
    expect(raw(planned), JSON.stringify(planned.stdout)).toBe(false);
    expect(planned.stdout).toContain('\\u202e');
    const applied = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(raw(applied), JSON.stringify(applied.stdout)).toBe(false);
    expect(applied.stdout).toContain('\\u202e');
    const journals = join(process.env.S3_HARDEN_STATE_DIR as string, 'journals');
    const journal = readdirSync(journals).find((name) => name.includes(own));
    const rolledBack = await runCli([
      'rollback',
      join(journals, journal as string),
      '--yes',
      ...endpoint(),
    ]);
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(raw(rolledBack)).toBe(false);
  }, 60_000);
});

describe('argv never reaches the terminal raw', () => {
  let dir: string;
  let planFile: string;
  let journalFile: string;
  let bucket: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-escapes-argv-'));
    bucket = uniqueBucket('escapes-argv');
    await createBucket(bucket);
    planFile = join(dir, 'plan.json');
    const planned = await runCli([
      'plan',
      '--only',
      'public-access-block',
      '--bucket',
      bucket,
      '--out',
      planFile,
      '--endpoint-url',
      emulatorUrl(),
    ]);
    expect(planned.code).toBe(2);
    journalFile = join(dir, 'journal.jsonl');
    writeFileSync(journalFile, '');
  });

  /** What each command needs to get past its own checks, so the flag under test is what is judged. */
  const baseline = (name: string): string[] => {
    const endpoint = ['--endpoint-url', emulatorUrl()];
    if (name === 'plan') return ['--bucket', bucket, ...endpoint];
    if (name === 'audit') return ['--bucket', bucket, ...endpoint];
    if (name === 'apply') return [planFile, ...endpoint];
    if (name === 'rollback') return [journalFile, ...endpoint];
    return [...endpoint];
  };

  /** `args` less `flag` and its value. */
  const without = (args: readonly string[], flag: string) => {
    const at = args.indexOf(flag);
    return at < 0 ? [...args] : [...args.slice(0, at), ...args.slice(at + 2)];
  };

  it('every flag and argument of every command, and unknown ones', async () => {
    const program = buildProgram();
    const commands: [string[], Command][] = [
      [[], program],
      ...program.commands.map((command): [string[], Command] => [[command.name()], command]),
    ];
    const runs: string[][] = [];
    for (const [prefix, command] of commands) {
      const base = baseline(prefix[0] ?? '');
      for (const option of command.options as Option[]) {
        const flag = option.long ?? option.short ?? '';
        runs.push(
          option.required || option.optional
            ? [...prefix, ...without(base, flag), flag, HOSTILE]
            : [...prefix, ...base, `${flag}=${HOSTILE}`],
        );
        if (option.short && (option.required || option.optional)) {
          runs.push([...prefix, ...without(base, flag), option.short, HOSTILE]);
        }
      }
      if (command.registeredArguments.length > 0) {
        // The argument itself (a file name), then one too many.
        runs.push([...prefix, HOSTILE, ...base.slice(1)]);
      }
      runs.push([...prefix, ...base, HOSTILE]);
      runs.push([...prefix, ...base, `--${HOSTILE}`]);
    }
    runs.push([HOSTILE]);
    expect(runs.length).toBeGreaterThan(50);
    for (const args of runs) {
      const result = await runCli(args, { cwd: dir });
      const what = JSON.stringify(args);
      expect(raw(result), `${what}: ${JSON.stringify(result.stderr)}`).toBe(false);
      expect(result.code, what).not.toBe(null);
    }
  }, 300_000);

  it('a value quoted back is shown escaped', async () => {
    const result = await runCli(['plan', '--bucket', HOSTILE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('x\\u001b[8m\\u009b2J\\u202e');
    const out = await runCli(['apply', `${dir}/missing-${HOSTILE}`, '--yes']);
    expect(out.stderr).toBe(
      `s3-harden: cannot read ${dir}/missing-x\\u001b[8m\\u009b2J\\u202e\\u2066\\u2069\\u2028\\u2029y: no such file\n`,
    );
  });
});
