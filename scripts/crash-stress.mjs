#!/usr/bin/env node
/**
 * Crash stress: hundreds of SIGKILL-during-apply → rollback cycles against
 * the local emulator, with the same code as the test suite's crash test
 * (test/integration/crash-rollback.test.ts), which it runs with more cycles.
 *
 *   node scripts/crash-stress.mjs [N=200] [SEED]
 *
 * Prints runs, kills, restorations and failures; exits 1 on any failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './emulator.mjs';

const runs = Number(process.argv[2] ?? 200);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  console.error('usage: node scripts/crash-stress.mjs [N=200] [SEED]');
  process.exit(1);
}

const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(1);

const dir = mkdtempSync(join(tmpdir(), 's3-harden-crash-stress-'));
const report = join(dir, 'report.json');
console.log(`crash stress: ${runs} runs, seed ${seed}`);
const started = Date.now();
const test = spawnSync(
  process.execPath,
  [
    join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    'test/integration/crash-rollback.test.ts',
  ],
  {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      CRASH_RUNS: String(runs),
      CRASH_SEED: String(seed),
      CRASH_REPORT: report,
    },
  },
);
let figures;
try {
  figures = JSON.parse(readFileSync(report, 'utf8'));
} catch {
  console.error('crash stress: the test did not finish (no report); see the output above');
  process.exit(1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(`
runs                     ${figures.runs}  (seed ${figures.seed}, ${seconds} s)
full apply               ${figures.fullApplyMs} ms (writes from ${figures.writesMs[0]} to ${figures.writesMs[1]} ms)
killed (SIGKILL)         ${figures.killed}
  before any write       ${figures.killedBeforeJournal}
  during apply           ${figures.killedMidApply}
finished before the kill ${figures.finishedBeforeKill}
changes rolled back      ${figures.changesUndone}
restorations             ${figures.restorations}
failures                 ${figures.failures.length}`);
for (const failure of figures.failures) console.log(`  ${failure}`);
process.exit(test.status === 0 && figures.failures.length === 0 ? 0 : 1);
