// The benchmark's arguments and how its figures are printed: pure functions,
// unit-tested in test/unit/bench-format.test.ts.
import { parseArgs } from 'node:util';

export const USAGE = `usage: npm run bench -- [options]

  --buckets N          buckets in the audit comparison (default 200)
  --cli-sample K       time the AWS CLI's per-bucket reads on K buckets only and
                       scale to N (default: all N; the result says "scaled")
  --audit-runs R       runs of s3-harden audit --all, median taken (default 3)
  --apply-runs R       repetitions of the baseline apply comparison (default 5)
  --frame-runs R       measured first-frame runs per variant (default 15, min 15)
  --memory-buckets M   buckets for the peak-memory run (default 1000; 0 skips it)
  --concurrency C      passed to s3-harden audit --concurrency (default: its own)
  --latency-buckets L  buckets in the latency part (default 1000)
  --latency-ms MS      added by the latency proxy to every request (default 30)
  --jitter-ms MS       plus up to this much, uniformly drawn (default 0)
  --no-replay          the proxy forwards every read to the emulator (default:
                       repeated reads are answered from memory after a warm-up)
  --no-scanner         the latency part without Prowler
  --accounts A         accounts the latency part's buckets are shared among
                       (default 3): audit --accounts, Prowler once per account;
                       1 is the emulator's default account, no role assumed
  --only LIST          run only some parts: audit,apply,frame,memory,latency,critical-path
  --json FILE          also write every figure as JSON to FILE
  -h, --help           this text`;

export const PARTS = ['audit', 'apply', 'frame', 'memory', 'latency', 'critical-path'];

function positiveInteger(name, value, { min = 1 } = {}) {
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new Error(`--${name} must be a whole number of at least ${min}, not "${value}"`);
  return Number(value);
}

/** Parses the orchestrator's argv; throws an Error with a one-line message on bad input. */
export function parseBenchArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      buckets: { type: 'string', default: '200' },
      'cli-sample': { type: 'string' },
      'audit-runs': { type: 'string', default: '3' },
      'apply-runs': { type: 'string', default: '5' },
      'frame-runs': { type: 'string', default: process.env.BENCH_RUNS ?? '15' },
      'memory-buckets': { type: 'string', default: '1000' },
      concurrency: { type: 'string' },
      'latency-buckets': { type: 'string', default: '1000' },
      'latency-ms': { type: 'string', default: '30' },
      'jitter-ms': { type: 'string', default: '0' },
      'no-replay': { type: 'boolean', default: false },
      'no-scanner': { type: 'boolean', default: false },
      accounts: { type: 'string', default: '3' },
      only: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const buckets = positiveInteger('buckets', values.buckets, { min: 2 });
  const cliSample =
    values['cli-sample'] === undefined
      ? undefined
      : positiveInteger('cli-sample', values['cli-sample']);
  if (cliSample !== undefined && cliSample > buckets)
    throw new Error(`--cli-sample ${cliSample} is more than --buckets ${buckets}`);
  const only =
    values.only === undefined ? PARTS : values.only.split(',').map((part) => part.trim());
  for (const part of only) {
    if (!PARTS.includes(part))
      throw new Error(`--only: "${part}" is not a part (parts: ${PARTS.join(', ')})`);
  }
  const memoryBuckets = positiveInteger('memory-buckets', values['memory-buckets'], { min: 0 });
  const latencyBuckets = positiveInteger('latency-buckets', values['latency-buckets'], { min: 2 });
  const accounts = positiveInteger('accounts', values.accounts);
  // Each account needs a log target and one bucket to audit.
  if (latencyBuckets < 2 * accounts)
    throw new Error(
      `--latency-buckets ${latencyBuckets} is too few for --accounts ${accounts} (at least 2 each)`,
    );
  return {
    help: values.help,
    buckets,
    // Sampling every bucket is the full measurement: say so only when it is not.
    cliSample: cliSample === buckets ? undefined : cliSample,
    auditRuns: positiveInteger('audit-runs', values['audit-runs']),
    applyRuns: positiveInteger('apply-runs', values['apply-runs']),
    frameRuns: Math.max(15, positiveInteger('frame-runs', values['frame-runs'])),
    memoryBuckets,
    concurrency:
      values.concurrency === undefined
        ? undefined
        : positiveInteger('concurrency', values.concurrency),
    latencyBuckets,
    latencyMs: positiveInteger('latency-ms', values['latency-ms'], { min: 0 }),
    jitterMs: positiveInteger('jitter-ms', values['jitter-ms'], { min: 0 }),
    replay: !values['no-replay'],
    scanner: !values['no-scanner'],
    accounts,
    parts: new Set(only.filter((part) => part !== 'memory' || memoryBuckets > 0)),
    json: values.json,
  };
}

/** Median of numbers (any order). */
export function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** 812 ms, 2.31 s, 14 min 05 s: precise enough to compare, short enough to read. */
export function formatDuration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/**
 * How s3-harden compares with the other side, in words that keep the
 * direction plain: "38.2x faster", "1.20x slower", "same".
 */
export function formatRatio(ours, theirs) {
  if (!(ours > 0) || !(theirs > 0)) return 'n/a';
  const ratio = theirs / ours;
  if (Math.abs(ratio - 1) < 0.005) return 'same';
  const digits = (value) => (value >= 10 ? value.toFixed(1) : value.toFixed(2));
  return ratio > 1 ? `${digits(ratio)}x faster` : `${digits(1 / ratio)}x slower`;
}

/** Rows of strings as an aligned text table (first column left, others right). */
export function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
