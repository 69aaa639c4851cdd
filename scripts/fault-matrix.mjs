#!/usr/bin/env node
/**
 * The full fault matrix: every request position of a `strict` and a
 * `baseline` apply faulted with each of the five kinds (500, 403, reset,
 * hang, lost answer), with the same code as the suite's fault-injection
 * tests (test/integration/fault-injection*.test.ts), which by default fault
 * each position once with a rotating kind.
 *
 *   node scripts/fault-matrix.mjs [strict,baseline] [kinds=500,403,reset,hang,lost]
 *
 * Prints runs per preset and kind, outcomes and failures; exits 1 on any failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './emulator.mjs';

const presets = (process.argv[2] ?? 'strict,baseline').split(',');
const kinds = process.argv[3];
const files = {
  strict: 'test/integration/fault-injection.test.ts',
  baseline: 'test/integration/fault-injection-baseline.test.ts',
};
if (presets.some((preset) => !(preset in files))) {
  console.error('usage: node scripts/fault-matrix.mjs [strict,baseline] [kinds]');
  process.exit(1);
}

const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(1);

const dir = mkdtempSync(join(tmpdir(), 's3-harden-fault-matrix-'));
const started = Date.now();
// One vitest run; each preset's file runs in its own worker, with its own emulator.
const test = spawnSync(
  process.execPath,
  [
    join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    ...presets.map((preset) => files[preset]),
  ],
  {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      FAULT_MATRIX: 'full',
      FAULT_REPORT: join(dir, 'report'),
      ...(kinds ? { FAULT_KINDS: kinds } : {}),
    },
  },
);
const figures = [];
for (const preset of presets) {
  const file = join(dir, `report-${preset}.json`);
  if (existsSync(file)) figures.push(...JSON.parse(readFileSync(file, 'utf8')));
}
rmSync(dir, { recursive: true, force: true });
if (figures.length === 0) {
  console.error('fault matrix: the tests did not finish (no report); see the output above');
  process.exit(1);
}
const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(`\nfault matrix (${seconds} s)`);
let failures = 0;
for (const figure of figures) {
  console.log(`
${figure.preset}: ${figure.requests} request positions, ${figure.runs} runs (${(figure.ms / 1000).toFixed(0)} s)
  per kind   ${Object.entries(figure.byKind)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(' · ')}
  outcomes   ${Object.entries(figure.outcomes)
    .map(([status, count]) => `${status} ${count}`)
    .join(' · ')}
  rollbacks  ${figure.rollbacks}
  failures   ${figure.failures.length}`);
  for (const failure of figure.failures) console.log(`    ${failure}`);
  failures += figure.failures.length;
}
process.exit(test.status === 0 && failures === 0 ? 0 : 1);
