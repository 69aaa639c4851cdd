/**
 * `plan --cli` prints the plan as a bash script of AWS CLI commands: run with
 * bash against the emulator (the AWS CLI of its venv), it leaves the bucket
 * where `plan` then finds nothing to change. Through the built CLI.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, collect, runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';

const VENV_BIN = resolve(import.meta.dirname, '..', '..', '.venv', 'bin');

function runBash(file: string): Promise<CliResult> {
  return collect(
    spawn('bash', [file], {
      env: {
        ...process.env,
        PATH: `${VENV_BIN}:${process.env.PATH ?? ''}`,
        AWS_DEFAULT_REGION: process.env.AWS_REGION ?? 'us-east-1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

describe('plan --cli', () => {
  let dir: string;
  const endpoint = () => ['--endpoint-url', emulatorUrl()];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-cli-script-'));
  });

  // The account's Block Public Access is left out: the AWS CLI's S3 Control
  // endpoint rules put the account ID in front of the endpoint's host
  // (http://123456789012.127.0.0.1:…), which does not resolve for a local
  // emulator (AWS_DISABLE_HOST_PREFIX_INJECTION does not change it); against
  // AWS that host is the real one.
  const SKIP = ['--skip', 'account-public-access-block'];
  it.each([
    ['baseline', SKIP],
    ['strict', SKIP],
  ] as const)('the %s script runs with bash, then plan finds no changes', async (preset, extra) => {
    const bucket = uniqueBucket(`cli-${preset}`);
    await createBucket(bucket);
    const args = ['plan', '--bucket', bucket, '--preset', preset, ...extra, ...endpoint()];
    const planned = await runCli([...args, '--cli']);
    expect(planned.code, planned.stderr).toBe(2);
    expect(planned.stdout.split('\n').slice(0, 1)).toEqual(['#!/usr/bin/env bash']);
    expect(planned.stdout).toContain('set -euo pipefail');
    expect(planned.stdout).toContain(`bucket ${bucket}`);
    expect(planned.stdout).toContain(`preset ${preset}`);
    expect(planned.stdout).toContain(`--endpoint-url ${emulatorUrl()}`);
    expect(planned.stdout).not.toContain('fromOutput');
    // strict creates a KMS key: its ID is captured for the calls that name it.
    if (preset === 'strict')
      expect(planned.stdout).toMatch(/^KMS_KEY_\w+=\$\(aws kms create-key /m);
    const file = join(dir, `${bucket}.sh`);
    writeFileSync(file, planned.stdout);
    const ran = await runBash(file);
    expect(ran.code, `${ran.stderr}\n${planned.stdout}`).toBe(0);
    const after = await runCli(args);
    expect(after.stdout, after.stdout).toContain('No changes. The bucket already matches.');
    expect(after.code, after.stderr).toBe(0);
  });

  it('with --out still saves the plan file, and stdout holds only the script', async () => {
    const bucket = uniqueBucket('cli-out');
    await createBucket(bucket);
    const file = join(dir, `${bucket}.json`);
    const planned = await runCli([
      'plan',
      '--bucket',
      bucket,
      '--format',
      'cli',
      '--out',
      file,
      ...endpoint(),
    ]);
    expect(planned.code, planned.stderr).toBe(2);
    expect(planned.stdout.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(planned.stdout).not.toContain('Saved');
    expect(planned.stderr).toContain(`Saved the plan to ${file}.`);
    const applied = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(applied.code, applied.stderr).toBe(0);
  });

  it('a fleet plan is one script, a section per bucket', async () => {
    const first = uniqueBucket('cli-fleet-a');
    const second = uniqueBucket('cli-fleet-b');
    await createBucket(first);
    await createBucket(second);
    const planned = await runCli([
      'plan',
      '--bucket',
      `${first},${second}`,
      '--cli',
      ...endpoint(),
    ]);
    expect(planned.code, planned.stderr).toBe(2);
    expect(planned.stdout.match(/^#!\/usr\/bin\/env bash$/gm)).toHaveLength(1);
    expect(planned.stdout).toContain(`# ==== Bucket ${first} ====`);
    expect(planned.stdout).toContain(`# ==== Bucket ${second} ====`);
  });

  it.each([
    [['--cli', '--json'], '--json and --cli ask for two outputs: choose one.'],
    [['--format', 'cli', '--json'], '--json and --format cli ask for two outputs: choose one.'],
    [['--cli', '--format', 'json'], '--cli and --format json ask for two outputs: choose one.'],
    [['--cli', '--iam-policy'], '--cli and --iam-policy ask for two outputs: choose one.'],
  ])('%j is a one-line usage error', async (flags, message) => {
    const result = await runCli(['plan', '--bucket', 'valid-bucket', ...flags]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`s3-harden: ${message}\n`);
  });
});
