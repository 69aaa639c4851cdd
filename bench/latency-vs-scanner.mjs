// Part (d): speed under real latency. Everything goes through the latency
// proxy (./latency-proxy.mjs: `latencyMs` added to every request) in front of
// the bench's emulator, and, in one run, over the seeded fleet — in the
// emulator's default account, or shared among member accounts (`members`,
// the issue's organisation-scale case; `--accounts`, default 3):
//   - `s3-harden audit --all --json` (with `--accounts A,B,C --role-name
//     ROLE` over members, at its default --account-concurrency),
//   - the same reads from a bare @aws-sdk/client-s3 script (./sdk-floor.mjs),
//     accounts as many at once as the audit takes them,
//   - Prowler's S3 checks (./prowler.mjs), the scanner users run today: over
//     members, once per account (`--role` of that account's role), one after
//     another, as Prowler's docs do it; the time is the sum,
//   - the floor: the round trips on the audit's critical path times the
//     latency, given its concurrency (latencyFloor below).
// With `replay` (the default) the proxy answers repeated reads from memory,
// so after one warm-up run per side (its time printed too: that one is bound
// by the emulator's throughput) the timed runs meet latency alone. Its
// answers are kept per account (by signing key, mapped to the account its
// AssumeRole named), and each run's rows are checked against the seeding: a
// bucket reported under another account than its own fails the bench.
import { join } from 'node:path';
import { ROOT } from '../scripts/emulator.mjs';
import { auditArgv, readAuditReport } from './audit-vs-cli.mjs';
import { median } from './format.mjs';
import { startLatencyProxy } from './latency-proxy.mjs';
import { runProwler } from './prowler.mjs';
import { timedRun } from './timed-run.mjs';

/** The audit's default --concurrency (DEFAULT_AUDIT_CONCURRENCY in src/commands/audit-command.ts). */
export const AUDIT_DEFAULT_CONCURRENCY = 16;

/** The audit's default --account-concurrency (src/commands/audit-flags.ts). */
export const AUDIT_DEFAULT_ACCOUNT_CONCURRENCY = 4;

/** The role the audit, Prowler and the SDK script assume in each member account. */
export const BENCH_ROLE = 's3-harden-audit';

/** ListBuckets answers at most this many buckets a page. */
const LIST_PAGE = 1000;

/**
 * The least time any client could take for the audit's requests at this
 * latency, given its concurrency: the round trips on its critical path times
 * the latency. One account (the caller's own, `accounts` not given): STS
 * GetCallerIdentity (1), ListBuckets (1 a page of 1,000), then the buckets
 * `concurrency` at a time, one round trip each: its configuration reads all
 * at once (ListBuckets said its region, so no HeadBucket goes first); the
 * account-wide and regional reads go out beside the first buckets, off the
 * critical path. Several accounts (`accounts`: each one's bucket count): the
 * caller's GetCallerIdentity (1), then each account entered (AssumeRole,
 * then its own GetCallerIdentity: 2) and audited as above, in parallel up to
 * `accountConcurrency`: a free slot takes the next account, as audit
 * --accounts runs them, each account with its own `concurrency` buckets at once.
 * @param {{ buckets: number, concurrency: number, latencyMs: number,
 *   accounts?: number[], accountConcurrency?: number }} options
 */
export function latencyFloor({
  buckets,
  concurrency,
  latencyMs,
  accounts,
  accountConcurrency = AUDIT_DEFAULT_ACCOUNT_CONCURRENCY,
}) {
  const audit = (n) => Math.max(1, Math.ceil(n / LIST_PAGE)) + Math.ceil(n / concurrency);
  let roundTrips;
  if (!accounts) roundTrips = 1 + audit(buckets);
  else {
    const slots = new Array(Math.min(accountConcurrency, accounts.length)).fill(0);
    for (const n of accounts) {
      const free = slots.indexOf(Math.min(...slots));
      slots[free] += 2 + audit(n);
    }
    roundTrips = 1 + Math.max(0, ...slots);
  }
  return { roundTrips, ms: roundTrips * latencyMs };
}

/**
 * Checks a run's rows against the seeding: every bucket audited, none with
 * an error, each under the account it was seeded in (over members), every
 * account audited.
 */
function checkOwners(report, members) {
  const problem = report.owners.find(([, , error]) => error);
  if (problem) throw new Error(`s3-harden audit could not audit ${problem[0]}: ${problem[2]}`);
  if (!members) return;
  const failed = (report.accounts ?? []).find((entry) => entry.status !== 'audited');
  if (failed || (report.accounts ?? []).length !== members.length)
    throw new Error(
      `s3-harden audit --accounts: ${failed ? `account ${failed.id} ${failed.status}: ${failed.error ?? ''}` : 'not every account reported'}`,
    );
  const ownerOf = new Map(
    members.flatMap((member) => member.names.map((name) => [name, member.id])),
  );
  const crossed = report.owners.find(([bucket, account]) => ownerOf.get(bucket) !== account);
  if (crossed)
    throw new Error(
      `s3-harden audit reported ${crossed[0]} under account ${crossed[1]}, seeded in ${ownerOf.get(crossed[0])}`,
    );
}

async function auditOnce({ proxy, env, cwd, names, concurrency, members }) {
  proxy.resetStats();
  const argv = auditArgv(proxy.url, {
    concurrency,
    ...(members ? { accounts: members.map((member) => member.id), roleName: BENCH_ROLE } : {}),
  });
  const result = await timedRun(argv, { env, cwd });
  const report = readAuditReport(result, names.length);
  checkOwners(report, members);
  return { ms: result.ms, ...report, proxy: proxy.stats() };
}

/** The bare-SDK floor script through the proxy: { ms, line }. */
async function sdkFloorOnce({ proxy, env, cwd, concurrency, members, accountConcurrency }) {
  const script = join(ROOT, 'bench', 'sdk-floor.mjs');
  proxy.resetStats();
  const argv = [process.execPath, script, proxy.url, String(concurrency)];
  if (members)
    argv.push(members.map((member) => member.id).join(','), BENCH_ROLE, String(accountConcurrency));
  const result = await timedRun(argv, { env, cwd });
  if (result.code !== 0) throw new Error(`sdk-floor.mjs failed: ${result.stderr.trim()}`);
  return { ms: result.ms, line: result.stdout.trim(), proxy: proxy.stats() };
}

/** Prowler over the fleet: once, or once per member account one after another; times summed. */
async function prowlerOnce({ proxy, env, dir, names, members }) {
  proxy.resetStats();
  const runs = [];
  for (const member of members ?? [{ names }]) {
    runs.push(
      await runProwler({
        proxyUrl: proxy.url,
        env,
        dir,
        names: member.names,
        ...(member.id ? { roleArn: `arn:aws:iam::${member.id}:role/${BENCH_ROLE}` } : {}),
      }),
    );
  }
  return {
    ms: runs.reduce((sum, run) => sum + run.ms, 0),
    times: runs.map((run) => run.ms),
    code: Math.max(...runs.map((run) => run.code)),
    checks: Math.max(...runs.map((run) => run.checks)),
    findings: runs.reduce((sum, run) => sum + run.findings, 0),
    buckets: runs.reduce((sum, run) => sum + run.buckets, 0),
    proxy: proxy.stats(),
  };
}

export async function latencyVsScanner({
  endpoint,
  env,
  dir,
  names,
  members,
  latencyMs,
  jitterMs,
  replay,
  concurrency = AUDIT_DEFAULT_CONCURRENCY,
  accountConcurrency = AUDIT_DEFAULT_ACCOUNT_CONCURRENCY,
  runs,
  scanner = true,
  log,
}) {
  const proxy = await startLatencyProxy({ upstream: endpoint, latencyMs, jitterMs, replay });
  try {
    log(
      `bench: latency proxy at ${proxy.url} (+${latencyMs} ms a request${jitterMs ? `, jitter ${jitterMs} ms` : ''}${replay ? ', replaying reads' : ''})`,
    );
    const options = { proxy, env, cwd: dir, dir, names, concurrency, members, accountConcurrency };
    const warm = await auditOnce(options);
    log(`bench: audit --all through the proxy, warm-up: ${Math.round(warm.ms)} ms`);
    const audits = [];
    for (let run = 0; run < runs; run++) {
      audits.push(await auditOnce(options));
      log(
        `bench: audit --all through the proxy, run ${run + 1}/${runs}: ${Math.round(audits.at(-1).ms)} ms`,
      );
    }
    const sdk = await sdkFloorOnce(options);
    log(`bench: bare SDK through the proxy: ${sdk.line}`);
    let prowler;
    if (scanner) {
      const prowlerWarm = await prowlerOnce(options);
      log(
        `bench: prowler --service s3, warm-up: ${Math.round(prowlerWarm.ms)} ms (${prowlerWarm.times.map(Math.round).join(' + ')})`,
      );
      const timed = await prowlerOnce(options);
      log(
        `bench: prowler --service s3: ${Math.round(timed.ms)} ms (${timed.times.map(Math.round).join(' + ')})`,
      );
      prowler = { ...timed, warmMs: prowlerWarm.ms, warmRequests: prowlerWarm.proxy.requests };
    }
    const floor = latencyFloor({
      buckets: names.length,
      concurrency,
      latencyMs,
      ...(members ? { accounts: members.map((member) => member.names.length) } : {}),
      accountConcurrency,
    });
    return {
      accounts: members?.length ?? 1,
      accountConcurrency: members ? Math.min(accountConcurrency, members.length) : 1,
      buckets: names.length,
      latencyMs,
      jitterMs,
      replay,
      concurrency,
      floor,
      audit: {
        ms: median(audits.map((a) => a.ms)),
        times: audits.map((a) => a.ms),
        warmMs: warm.ms,
        internalMs: median(audits.map((a) => a.internalMs ?? Number.NaN)),
        apiCalls: audits.at(-1).apiCalls,
        proxy: audits.at(-1).proxy,
      },
      sdk,
      ...(prowler ? { prowler } : {}),
    };
  } finally {
    await proxy.close();
  }
}
