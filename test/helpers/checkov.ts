/**
 * Runs Checkov's Terraform checks (pinned in scripts/checkov-requirements.txt,
 * installed in .venv/checkov by the test setup) on one directory, offline:
 * `--skip-download` keeps it from asking Prisma Cloud for guidelines, and the
 * tests talk only to the loopback.
 */
import { spawnSync } from 'node:child_process';
import { CHECKOV } from '../../scripts/emulator.mjs';

export interface CheckovFailure {
  readonly id: string;
  readonly resource: string;
  readonly name: string;
}

export interface CheckovResult {
  readonly passed: number;
  readonly failed: readonly CheckovFailure[];
  readonly parsingErrors: number;
}

export function checkov(dir: string): CheckovResult {
  const result = spawnSync(
    CHECKOV,
    ['-d', dir, '--framework', 'terraform', '--skip-download', '--quiet', '-o', 'json'],
    { encoding: 'utf8', env: { ...process.env, BC_SKIP_MAPPING: 'TRUE' } },
  );
  // Exit 1 means "some check failed": the JSON says which.
  if (result.status !== 0 && result.status !== 1)
    throw new Error(`checkov failed (exit ${result.status}): ${result.stderr}`);
  const report = JSON.parse(result.stdout) as {
    results?: { failed_checks: { check_id: string; resource: string; check_name: string }[] };
    summary: { passed: number; failed: number; parsing_errors: number };
  };
  return {
    passed: report.summary.passed,
    failed: (report.results?.failed_checks ?? []).map((check) => ({
      id: check.check_id,
      resource: check.resource,
      name: check.check_name,
    })),
    parsingErrors: report.summary.parsing_errors,
  };
}
