// Part (a): `s3-harden audit --all` against the same reads done with the AWS
// CLI by hand, one command per read, one after another, on a seeded fleet.
import { join } from 'node:path';
import { ROOT } from '../scripts/emulator.mjs';
import { runAws, runAwsSequence } from './aws-cli.mjs';
import { median } from './format.mjs';
import { ACCOUNT_READS, BUCKET_READS, bucketReads } from './guide-commands.mjs';
import { timedRun } from './timed-run.mjs';

const CLI = join(ROOT, 'bin', 's3-harden.js');

/**
 * The audit command line the benchmark times (and the memory run reuses);
 * with `accounts`, in those accounts, each entered through `roleName`.
 */
export function auditArgv(endpoint, { concurrency, accounts, roleName } = {}) {
  return [
    process.execPath,
    CLI,
    'audit',
    '--all',
    '--json',
    ...(concurrency ? ['--concurrency', String(concurrency)] : []),
    ...(accounts?.length ? ['--accounts', accounts.join(','), '--role-name', roleName] : []),
    '--endpoint-url',
    endpoint,
  ];
}

/** Total API calls from the audit's stats, whether given as a number or per operation. */
function totalCalls(apiCalls) {
  if (typeof apiCalls === 'number') return apiCalls;
  if (apiCalls && typeof apiCalls === 'object')
    return Object.values(apiCalls).reduce((sum, n) => sum + (typeof n === 'number' ? n : 0), 0);
  return undefined;
}

/**
 * Checks an audit run's output is the documented JSON for every seeded
 * bucket, and returns its figures. A run that printed something else would
 * make its time meaningless, so it fails the benchmark.
 */
export function readAuditReport(result, expectedBuckets) {
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    throw new Error(
      `s3-harden audit did not print JSON (exit ${result.code}): ${result.stderr.trim().slice(0, 500)}`,
    );
  }
  if (report?.schema !== 's3-harden/audit')
    throw new Error(`s3-harden audit printed JSON without schema "s3-harden/audit"`);
  const buckets = Array.isArray(report.buckets) ? report.buckets.length : 0;
  if (buckets !== expectedBuckets)
    throw new Error(`s3-harden audit reported ${buckets} buckets, ${expectedBuckets} were seeded`);
  const stats = report.stats ?? {};
  return {
    exitCode: result.code,
    buckets,
    apiCalls: totalCalls(stats.apiCalls),
    apiCallsByOperation:
      stats.calls ?? (typeof stats.apiCalls === 'object' ? stats.apiCalls : undefined),
    apiCallsPerBucket: stats.apiCallsPerBucket,
    internalMs: stats.durationMs,
    // A multi-account run's entries: whose buckets, and whether each was audited.
    ...(Array.isArray(report.accounts)
      ? {
          accounts: report.accounts.map((entry) => ({
            id: entry.accountId,
            status: entry.status,
            buckets: entry.buckets,
            ...(entry.error ? { error: entry.error } : {}),
          })),
        }
      : {}),
    // Whose each bucket row is (multi-account runs name the account).
    owners: Array.isArray(report.buckets)
      ? report.buckets.map((row) => [row.bucket, row.accountId, row.error])
      : [],
  };
}

/** K bucket names spread evenly over the fleet, so the sample has its mix of states. */
export function spreadSample(names, k) {
  return Array.from({ length: k }, (_, i) => names[Math.floor((i * names.length) / k)]);
}

/** The s3-harden side: `runs` audits of the whole fleet; the median is the figure. */
async function timeAudit({ endpoint, env, cwd, names, runs, concurrency, log }) {
  const times = [];
  const inside = [];
  let report;
  for (let run = 0; run < runs; run++) {
    const result = await timedRun(auditArgv(endpoint, { concurrency }), { env, cwd });
    report = readAuditReport(result, names.length);
    times.push(result.ms);
    if (typeof report.internalMs === 'number') inside.push(report.internalMs);
    log(`bench: audit --all run ${run + 1}/${runs}: ${Math.round(result.ms)} ms`);
  }
  return {
    ...report,
    ms: median(times),
    times,
    internalMs: inside.length ? median(inside) : undefined,
  };
}

/**
 * The operator's side: list-buckets and the account's Block Public Access
 * once, then every per-bucket read. With `sample`, only that many buckets are
 * timed and the per-bucket mean is scaled to the whole fleet.
 */
async function timeCli({ endpoint, env, names, sample, log }) {
  const list = await runAws(ACCOUNT_READS[0], { endpoint, env });
  const listed = JSON.parse(list.stdout).Buckets?.length ?? 0;
  // Proves the CLI talks to this emulator (and sees the fleet), not elsewhere.
  if (listed !== names.length)
    throw new Error(`aws s3api list-buckets saw ${listed} buckets, ${names.length} were seeded`);
  const account = await runAws(ACCOUNT_READS[1], { endpoint, env });
  const timed = sample ? spreadSample(names, sample) : names;
  const commands = timed.flatMap(bucketReads);
  const started = Date.now();
  const reads = await runAwsSequence(commands, {
    endpoint,
    env,
    onEach: (done) => {
      if (done % 100 === 0 || done === commands.length) {
        const eta = ((Date.now() - started) / done) * (commands.length - done);
        log(
          `bench: aws CLI reads ${done}/${commands.length} (about ${Math.round(eta / 1000)} s left)`,
        );
      }
    },
  });
  const perBucketMs = reads.ms / timed.length;
  const accountMs = list.ms + account.ms;
  return {
    ms: accountMs + perBucketMs * names.length,
    measuredMs: accountMs + reads.ms,
    scaled: Boolean(sample),
    bucketsTimed: timed.length,
    commands: ACCOUNT_READS.length + BUCKET_READS.length * names.length,
    commandsRun: ACCOUNT_READS.length + commands.length,
    perCommandMs: reads.ms / commands.length,
    perBucketMs,
    outcomes: reads.outcomes,
  };
}

export async function auditVsCli(options) {
  const ours = await timeAudit(options);
  const cli = await timeCli(options);
  return { buckets: options.names.length, ours, cli };
}
