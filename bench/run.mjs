#!/usr/bin/env node
// `npm run bench`: every benchmark of s3-harden in one run, each against what
// an operator would otherwise do, printed side by side with the ratio:
//   (a) `s3-harden audit --all` vs the same reads with the AWS CLI, by hand
//   (b) the `baseline` preset on one bucket vs the guide's AWS CLI commands
//   (c) time to first frame of the wizard vs a bare Ink "hello"
// plus the audit's API calls per bucket and its peak memory at 1,000 buckets.
// Everything runs against a dedicated emulator on 127.0.0.1 (a free port),
// stopped at the end; the test emulators are never touched. See bench/README.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT, resetEmulator, startEmulator } from '../scripts/emulator.mjs';
import { applyCriticalPath } from './apply-critical-path.mjs';
import { applyVsCli } from './apply-vs-cli.mjs';
import { auditArgv, auditVsCli } from './audit-vs-cli.mjs';
import { ensureAwsCli } from './aws-cli.mjs';
import { benchEnv } from './env.mjs';
import { formatFirstFrame, measureFirstFrame } from './first-frame.mjs';
import { memberAccounts, seedFleet } from './fleet.mjs';
import { formatDuration, formatRatio, parseBenchArgs, table, USAGE } from './format.mjs';
import { ACCOUNT_READS, BUCKET_READS } from './guide-commands.mjs';
import { formatCriticalPath, formatLatency } from './latency-report.mjs';
import { latencyVsScanner } from './latency-vs-scanner.mjs';
import { auditPeakMemory } from './peak-memory.mjs';
import { ensureProwler } from './prowler.mjs';

const log = (line) => console.error(line);
const count = (n) => n.toLocaleString('en-US');

function pythonVersion(python) {
  const result = spawnSync(python, ['-c', 'import sys; print(sys.version.split()[0])'], {
    encoding: 'utf8',
  });
  return result.stdout?.trim() || 'unknown';
}

function machine(awsCli) {
  const venvPython = join(ROOT, '.venv', 'bin', 'python');
  const moto = spawnSync(venvPython, ['-c', 'import moto; print(moto.__version__)'], {
    encoding: 'utf8',
  });
  return {
    date: new Date().toISOString().slice(0, 10),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    python: pythonVersion(process.env.PYTHON ?? 'python3'),
    moto: moto.stdout?.trim() || 'unknown',
    awsCli: awsCli.split(' ')[0],
    // Other work on the machine shows in every figure: recorded with them.
    loadAverage: loadavg().map((load) => Number(load.toFixed(2))),
  };
}

/** The audit command must exist in the built CLI before anything is seeded. */
function assertAuditCommand() {
  const help = spawnSync(process.execPath, [join(ROOT, 'bin', 's3-harden.js'), 'audit', '--help'], {
    encoding: 'utf8',
  });
  if (help.status !== 0 || !help.stdout.includes('--all'))
    throw new Error(
      'the built CLI has no `audit --all` command yet; run the other parts with --only apply,frame',
    );
}

/** Which calls the audit sent for every bucket, and which once per run. */
function callBreakdown(calls, buckets) {
  const entries = Object.entries(calls);
  const name = ([operation, n]) => (n === 1 ? operation : `${operation} x${n}`);
  const perBucket = entries.filter(([, n]) => n === buckets).map(([operation]) => operation);
  const rest = entries.filter(([, n]) => n !== buckets);
  return (
    `audit calls for each bucket (${perBucket.length}): ${perBucket.join(', ')}\n` +
    `audit calls once per run (${rest.reduce((sum, [, n]) => sum + n, 0)}): ${rest.map(name).join(', ')}`
  );
}

function report(results, options) {
  const lines = [''];
  const m = results.machine;
  lines.push(
    `s3-harden benchmark, ${m.date}: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB;` +
      ` node ${m.node}, Python ${m.python}, moto ${m.moto}, ${m.awsCli}`,
    `load average (1/5/15 min) at the start ${m.loadAverage.join(' ')},` +
      ` at the end ${results.loadAverageAtEnd.join(' ')}`,
    '',
  );
  const rows = [['pair', 's3-harden', 'other', 's3-harden is']];
  const { audit, apply, frame, memory } = results;
  if (audit) {
    rows.push([
      `(a) audit ${count(audit.buckets)} buckets vs AWS CLI (${count(audit.cli.commands)} commands)`,
      formatDuration(audit.ours.ms),
      `${formatDuration(audit.cli.ms)}${audit.cli.scaled ? '*' : ''}`,
      formatRatio(audit.ours.ms, audit.cli.ms),
    ]);
  }
  if (apply) {
    rows.push(
      [
        `(b) baseline, 1 bucket: plan + apply vs AWS CLI (${apply.commands} commands)`,
        formatDuration(apply.ours.totalMs),
        formatDuration(apply.cli.totalMs),
        formatRatio(apply.ours.totalMs, apply.cli.totalMs),
      ],
      [
        '    apply alone vs AWS CLI',
        formatDuration(apply.ours.applyMs),
        formatDuration(apply.cli.totalMs),
        formatRatio(apply.ours.applyMs, apply.cli.totalMs),
      ],
    );
  }
  if (frame) {
    const [wizard, ink] = frame.stats;
    rows.push([
      '(c) first frame in a PTY: wizard vs bare Ink "hello"',
      formatDuration(wizard.median),
      formatDuration(ink.median),
      formatRatio(wizard.median, ink.median),
    ]);
  }
  if (rows.length > 1) lines.push(table(rows));
  if (audit?.cli.scaled) {
    lines.push(
      `* SCALED: the AWS CLI's per-bucket reads were timed on ${audit.cli.bucketsTimed} of` +
        ` ${audit.buckets} buckets (--cli-sample) and the mean multiplied out`,
    );
  }
  lines.push('');
  if (audit) {
    const o = audit.ours;
    const perBucket =
      typeof o.apiCallsPerBucket === 'number' ? o.apiCallsPerBucket.toFixed(1) : 'n/a';
    lines.push(
      `audit: median of ${o.times.length} runs (${o.times.map((ms) => Math.round(ms)).join(', ')} ms;` +
        ` median ${o.internalMs === undefined ? 'n/a' : Math.round(o.internalMs)} ms inside the command),` +
        ` ${count(o.apiCalls ?? 0)} API calls, ${perBucket} per bucket` +
        ` (AWS CLI: ${BUCKET_READS.length} per bucket + ${ACCOUNT_READS.length} per account);` +
        ` exit code ${o.exitCode}`,
      `AWS CLI: ${count(audit.cli.commandsRun)} commands run, ${Math.round(audit.cli.perCommandMs)} ms each` +
        ` on average; ${audit.cli.outcomes.absent} of the per-bucket reads answered "not configured"`,
    );
    if (o.apiCallsByOperation) lines.push(callBreakdown(o.apiCallsByOperation, audit.buckets));
    lines.push(`fleet: ${audit.fleet}`);
  }
  if (apply) {
    lines.push(
      `baseline: median of ${apply.runs} runs; s3-harden plan ${formatDuration(apply.ours.planMs)},` +
        ` apply ${formatDuration(apply.ours.applyMs)}; AWS CLI ${Math.round(apply.cli.perCommandMs)} ms per command`,
    );
    for (const problem of apply.problems) lines.push(`WARNING: ${problem}`);
  }
  if (memory) {
    lines.push(
      `peak memory of audit --all at ${count(memory.buckets)} buckets: ` +
        `${(memory.maxRssBytes / 2 ** 20).toFixed(0)} MiB max RSS` +
        ` (${formatDuration(memory.ms)}, ${count(memory.apiCalls ?? 0)} API calls)`,
    );
  }
  if (frame) lines.push('', formatFirstFrame(frame.stats, options.frameRuns));
  if (results.latency) lines.push('', formatLatency(results.latency));
  if (results.criticalPath) lines.push('', formatCriticalPath(results.criticalPath));
  return lines.join('\n');
}

async function main() {
  let options;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${error.message} (see npm run bench -- --help)`);
    return 1;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) {
    console.error('bench: dist/cli.js is missing; run `npm run bench` (it builds first).');
    return 1;
  }
  const { parts } = options;
  if (parts.has('audit') || parts.has('memory') || parts.has('latency')) assertAuditCommand();
  const awsCli = ensureAwsCli({ log });
  const results = { machine: machine(awsCli), options: { ...options, parts: [...parts] } };
  if (parts.has('latency') && options.scanner) results.machine.scanner = ensureProwler({ log });
  const dir = mkdtempSync(join(tmpdir(), 's3-harden-bench-'));
  const env = benchEnv(process.env, { stateDir: join(dir, 'state') });
  let emulator;
  try {
    emulator = await startEmulator();
    const endpoint = emulator.url;
    log(`bench: dedicated emulator at ${endpoint}`);
    // First frame first: it needs no data, and nothing else has warmed the disk cache for it.
    if (parts.has('frame')) {
      const stats = await measureFirstFrame({
        emulatorUrl: endpoint,
        runs: options.frameRuns,
        log,
      });
      results.frame = { runs: options.frameRuns, stats };
    }
    if (parts.has('audit')) {
      await resetEmulator(endpoint);
      log(`bench: seeding ${options.buckets} buckets…`);
      const fleet = await seedFleet(endpoint, options.buckets);
      results.audit = {
        ...(await auditVsCli({
          endpoint,
          env,
          cwd: dir,
          names: fleet.names,
          runs: options.auditRuns,
          sample: options.cliSample,
          concurrency: options.concurrency,
          log,
        })),
        fleet: fleet.summary,
      };
    }
    if (parts.has('apply'))
      results.apply = await applyVsCli({ endpoint, env, dir, runs: options.applyRuns, log });
    if (parts.has('latency')) {
      await resetEmulator(endpoint);
      // One account: the emulator's default, audited with the caller's own
      // credentials. More: member accounts, each entered through a role.
      const accounts = options.accounts > 1 ? memberAccounts(options.accounts) : undefined;
      log(
        `bench: seeding ${options.latencyBuckets} buckets for the latency part` +
          `${accounts ? ` over ${accounts.length} accounts (${accounts.join(', ')})` : ''}…`,
      );
      const fleet = await seedFleet(endpoint, options.latencyBuckets, { accounts });
      results.latency = await latencyVsScanner({
        endpoint,
        env,
        dir,
        names: fleet.names,
        ...(accounts ? { members: fleet.accounts } : {}),
        latencyMs: options.latencyMs,
        jitterMs: options.jitterMs,
        replay: options.replay,
        concurrency: options.concurrency,
        runs: options.auditRuns,
        scanner: options.scanner,
        log,
      });
      results.latency.fleet = fleet.summary;
    }
    if (parts.has('critical-path')) {
      results.criticalPath = await applyCriticalPath({
        endpoint,
        env,
        dir,
        latencyMs: options.latencyMs || 30,
        runs: options.applyRuns,
        log,
      });
    }
    if (parts.has('memory')) {
      await resetEmulator(endpoint);
      log(`bench: seeding ${options.memoryBuckets} buckets for the memory run…`);
      await seedFleet(endpoint, options.memoryBuckets);
      results.memory = await auditPeakMemory({
        argv: auditArgv(endpoint, { concurrency: options.concurrency }),
        env,
        cwd: dir,
        buckets: options.memoryBuckets,
      });
    }
  } finally {
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  results.loadAverageAtEnd = loadavg().map((load) => Number(load.toFixed(2)));
  console.log(report(results, options));
  if (options.json) writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
  return results.apply?.problems.length ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`bench: ${error.message}`);
  process.exitCode = 1;
}
