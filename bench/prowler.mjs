// The scanner side of the latency benchmark: Prowler from PyPI, pinned in
// bench/prowler-requirements.txt, in its own virtualenv (.venv-bench/prowler,
// never the emulator's: its boto3/botocore pins differ from moto's). Run as
// users run it for S3: `prowler aws --service s3`, one region, JSON-OCSF
// output, against the same latency proxy as s3-harden. Over several accounts,
// as Prowler's docs run it: one process per account, one after another, each
// assuming that account's role (`--role arn:aws:iam::ACCOUNT:role/ROLE`).
//
// How it reaches the emulator: AWS_ENDPOINT_URL (boto3 >= 1.28 reads it for
// every service) points at the proxy, and so does HTTP_PROXY: botocore's S3
// Control endpoint rules put the account ID in front of the host
// (http://123456789012.127.0.0.1:PORT, which resolves nowhere), so without a
// proxy Prowler's account-level Block Public Access check silently drops out.
// Through HTTP_PROXY that request reaches the proxy with its absolute URL and
// goes to the emulator like any other. Against AWS none of this is needed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureVenv, ROOT } from '../scripts/emulator.mjs';
import { timedRun } from './timed-run.mjs';

const VENV = join(ROOT, '.venv-bench', 'prowler');
export const PROWLER = join(VENV, 'bin', 'prowler');
const REQUIREMENTS = join(ROOT, 'bench', 'prowler-requirements.txt');
/** Installs the pinned Prowler into .venv-bench/prowler unless that exact set is there; returns its version. */
export function ensureProwler({ log = console.error } = {}) {
  ensureVenv({
    venv: VENV,
    requirements: REQUIREMENTS,
    binary: PROWLER,
    what: 'Prowler (pinned, from PyPI, for the benchmark)',
    log,
  });
  // Not `prowler --version`: that asks GitHub for the latest release.
  const version = spawnSync(
    join(VENV, 'bin', 'python'),
    ['-c', 'from prowler.config.config import prowler_version; print(prowler_version)'],
    { encoding: 'utf8' },
  );
  const line = (version.stdout ?? '').trim();
  if (version.status !== 0 || !/^\d+\.\d+/.test(line))
    throw new Error(
      `Prowler in ${VENV} did not say its version: ${(version.stderr ?? '').slice(-300)}`,
    );
  return `Prowler ${line}`;
}

/** The environment Prowler runs in: the bench's, with every AWS request sent to `proxyUrl`. */
export function prowlerEnv(env, proxyUrl) {
  return {
    ...env,
    AWS_ENDPOINT_URL: proxyUrl,
    HTTP_PROXY: proxyUrl,
    http_proxy: proxyUrl,
    NO_PROXY: '',
    no_proxy: '',
    // Anything over HTTPS would go to the proxy too, which takes no CONNECT:
    // nothing leaves 127.0.0.1.
    HTTPS_PROXY: proxyUrl,
    https_proxy: proxyUrl,
  };
}

/**
 * `prowler aws --service s3` as the benchmark runs it, writing JSON-OCSF into
 * `outDir`; with `roleArn`, in the account of that role (it assumes it first).
 */
export function prowlerArgv(outDir, { roleArn } = {}) {
  return [
    PROWLER,
    'aws',
    '--service',
    's3',
    '--region',
    'us-east-1',
    '--output-formats',
    'json-ocsf',
    '--output-directory',
    outDir,
    '--output-filename',
    'prowler-s3',
    '--no-banner',
    '--log-level',
    'CRITICAL',
    ...(roleArn ? ['--role', roleArn] : []),
  ];
}

/**
 * Runs Prowler's S3 checks once (in the account of `roleArn`, if given) and
 * checks it looked at every seeded bucket there (its findings name each
 * one). Resolves with { ms, code, checks, findings, buckets }. Prowler exits
 * 3 when any check fails, which is its normal answer.
 */
export async function runProwler({ proxyUrl, env, dir, names, roleArn }) {
  const outDir = join(dir, 'prowler-out');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await timedRun(prowlerArgv(outDir, { roleArn }), {
    env: prowlerEnv(env, proxyUrl),
    cwd: dir,
  });
  if (result.code !== 0 && result.code !== 3)
    throw new Error(`prowler exited ${result.code}: ${result.stderr.trim().slice(-500)}`);
  const file = readdirSync(outDir).find((name) => name.endsWith('.ocsf.json'));
  if (!file) throw new Error('prowler wrote no JSON-OCSF file');
  const findings = JSON.parse(readFileSync(join(outDir, file), 'utf8'));
  const checks = new Set(findings.map((finding) => finding.metadata?.event_code));
  const seen = new Set(
    findings.flatMap((finding) => (finding.resources ?? []).map((resource) => resource.name)),
  );
  const missing = names.filter((name) => !seen.has(name));
  if (missing.length > 0)
    throw new Error(
      `prowler${roleArn ? ` (${roleArn})` : ''} reported nothing on ${missing.length} seeded buckets (${missing[0]}, …)`,
    );
  // One account's findings only: another account's bucket would mean crossed answers.
  const stray = [...seen].filter(
    (name) => name.startsWith('bench-fleet-') && !names.includes(name),
  );
  if (stray.length > 0)
    throw new Error(
      `prowler${roleArn ? ` (${roleArn})` : ''} reported buckets of another account (${stray[0]}, …)`,
    );
  return {
    ms: result.ms,
    code: result.code,
    checks: checks.size,
    findings: findings.length,
    buckets: names.length,
  };
}
