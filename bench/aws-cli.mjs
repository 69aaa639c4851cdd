// The AWS CLI side of the benchmark: AWS CLI v1 from PyPI in the project's
// .venv (pinned in bench/requirements.txt), run the way an operator follows
// docs/s3-security-guide.txt: one `aws` process per command, one after another.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureEmulator, ROOT } from '../scripts/emulator.mjs';
import { timedRun } from './timed-run.mjs';

const VENV = join(ROOT, '.venv');
export const AWS_CLI = join(VENV, 'bin', 'aws');
const REQUIREMENTS = join(ROOT, 'bench', 'requirements.txt');
const CONSTRAINTS = join(ROOT, 'scripts', 'emulator-requirements.txt');
const STAMP = join(VENV, '.s3-harden-bench-requirements.sha256');

/** moto's account: what an operator would pass as --account-id to s3control. */
export const EMULATOR_ACCOUNT = '123456789012';

/**
 * Installs the pinned AWS CLI into .venv unless that exact set is there, then
 * checks it is AWS CLI version 1 (the PyPI package). Returns its version line.
 */
export function ensureAwsCli({ log = console.error } = {}) {
  ensureEmulator({ log });
  const hash = createHash('sha256')
    .update(readFileSync(REQUIREMENTS))
    .update(readFileSync(CONSTRAINTS))
    .digest('hex');
  if (!existsSync(AWS_CLI) || !existsSync(STAMP) || readFileSync(STAMP, 'utf8').trim() !== hash) {
    log('bench: installing the AWS CLI v1 (pinned, from PyPI) into .venv — once…');
    const pip = spawnSync(
      join(VENV, 'bin', 'pip'),
      ['install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS, '-c', CONSTRAINTS],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (pip.error || pip.status !== 0)
      throw new Error(`pip install of the AWS CLI failed (${pip.error?.message ?? pip.status})`);
    writeFileSync(STAMP, `${hash}\n`);
  }
  const version = spawnSync(AWS_CLI, ['--version'], { encoding: 'utf8' });
  const line = `${version.stdout ?? ''}${version.stderr ?? ''}`.trim();
  if (!/^aws-cli\/1\./.test(line))
    throw new Error(`${AWS_CLI} is not AWS CLI v1 from PyPI: "${line}"`);
  return line;
}

/**
 * Errors that are answers, not failures: "this bucket has no such
 * configuration". An operator reading the guide's settings meets them often.
 */
const ABSENT = new Set([
  'NoSuchBucketPolicy',
  'NoSuchPublicAccessBlockConfiguration',
  'ServerSideEncryptionConfigurationNotFoundError',
  'OwnershipControlsNotFoundError',
  'ObjectLockConfigurationNotFoundError',
]);

/**
 * Runs `aws <args> --endpoint-url <endpoint>` and resolves with
 * { ms, outcome: 'ok' | 'absent', stdout }. Anything else (cannot connect, a
 * refused write) rejects: the comparison would be meaningless.
 */
export async function runAws(args, { endpoint, env }) {
  let childEnv = env;
  if (args[0] === 's3control') {
    // botocore's S3 Control endpoint rules put the account ID in front of the
    // host, so http://127.0.0.1:PORT becomes http://123456789012.127.0.0.1:PORT,
    // which resolves nowhere (AWS_DISABLE_HOST_PREFIX_INJECTION does not help:
    // the rules, not the host prefix, do it). Sending through the emulator as
    // an HTTP proxy reaches the same server with the same request; against
    // real AWS none of this is needed. Only the account-level commands use it.
    childEnv = { ...env, HTTP_PROXY: endpoint, http_proxy: endpoint, NO_PROXY: '', no_proxy: '' };
  }
  const result = await timedRun([AWS_CLI, ...args, '--endpoint-url', endpoint], {
    env: childEnv,
  });
  if (result.code === 0) return { ms: result.ms, outcome: 'ok', stdout: result.stdout };
  const code = /An error occurred \(([\w.]+)\)/.exec(result.stderr)?.[1];
  if (code && ABSENT.has(code)) return { ms: result.ms, outcome: 'absent', stdout: '' };
  throw new Error(`aws ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
}

/** Runs commands one after another, as an operator types them. */
export async function runAwsSequence(commands, options) {
  let ms = 0;
  const outcomes = { ok: 0, absent: 0 };
  for (const [i, args] of commands.entries()) {
    const result = await runAws(args, options);
    ms += result.ms;
    outcomes[result.outcome]++;
    options.onEach?.(i + 1, result);
  }
  return { ms, outcomes };
}
