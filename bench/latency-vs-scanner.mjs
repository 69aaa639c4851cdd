// Part (d): speed under real latency. Everything goes through the latency
// proxy (./latency-proxy.mjs: `latencyMs` added to every request) in front of
// the bench's emulator, and, in one run:
//   - `s3-harden audit --all --json` over the seeded fleet,
//   - the same reads from a bare @aws-sdk/client-s3 script (./sdk-floor.mjs),
//   - Prowler's S3 checks (./prowler.mjs), the scanner users run today,
//   - the floor: the round trips on the audit's critical path times the
//     latency, given its concurrency (latencyFloor below).
// With `replay` (the default) the proxy answers repeated reads from memory,
// so after one warm-up run per side (its time printed too: that one is bound
// by the emulator's throughput) the timed runs meet latency alone.
import { join } from 'node:path';
import { ROOT } from '../scripts/emulator.mjs';
import { auditArgv, readAuditReport } from './audit-vs-cli.mjs';
import { median } from './format.mjs';
import { startLatencyProxy } from './latency-proxy.mjs';
import { runProwler } from './prowler.mjs';
import { timedRun } from './timed-run.mjs';

/** The audit's default --concurrency (src/commands/program.ts). */
export const AUDIT_DEFAULT_CONCURRENCY = 16;

/** ListBuckets answers at most this many buckets a page. */
const LIST_PAGE = 1000;

/**
 * The least time any client could take for the audit's requests at this
 * latency, given its concurrency: the round trips on its critical path times
 * the latency. Per account: STS GetCallerIdentity (1), ListBuckets (1 a page
 * of 1,000), then the buckets `concurrency` at a time, each HeadBucket (its
 * region) and then its configuration reads all at once (2); the account-wide
 * reads go out beside the first buckets, off the critical path. Accounts are
 * counted one after another (the multi-account audit decides; 1 today).
 */
export function latencyFloor({ buckets, concurrency, latencyMs, accounts = 1 }) {
  const perAccount =
    1 + Math.max(1, Math.ceil(buckets / LIST_PAGE)) + 2 * Math.ceil(buckets / concurrency);
  return { roundTrips: accounts * perAccount, ms: accounts * perAccount * latencyMs };
}

async function auditOnce({ proxy, env, cwd, names, concurrency }) {
  proxy.resetStats();
  const result = await timedRun(auditArgv(proxy.url, { concurrency }), { env, cwd });
  const report = readAuditReport(result, names.length);
  return { ms: result.ms, ...report, proxy: proxy.stats() };
}

/** The bare-SDK floor script through the proxy: { ms, line }. */
async function sdkFloorOnce({ proxy, env, cwd, concurrency }) {
  const script = join(ROOT, 'bench', 'sdk-floor.mjs');
  proxy.resetStats();
  const result = await timedRun([process.execPath, script, proxy.url, String(concurrency)], {
    env,
    cwd,
  });
  if (result.code !== 0) throw new Error(`sdk-floor.mjs failed: ${result.stderr.trim()}`);
  return { ms: result.ms, line: result.stdout.trim(), proxy: proxy.stats() };
}

export async function latencyVsScanner({
  endpoint,
  env,
  dir,
  names,
  latencyMs,
  jitterMs,
  replay,
  concurrency = AUDIT_DEFAULT_CONCURRENCY,
  runs,
  scanner = true,
  log,
}) {
  const proxy = await startLatencyProxy({ upstream: endpoint, latencyMs, jitterMs, replay });
  try {
    log(
      `bench: latency proxy at ${proxy.url} (+${latencyMs} ms a request${jitterMs ? `, jitter ${jitterMs} ms` : ''}${replay ? ', replaying reads' : ''})`,
    );
    const options = { proxy, env, cwd: dir, names, concurrency };
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
      proxy.resetStats();
      const prowlerWarm = await runProwler({ proxyUrl: proxy.url, env, dir, names });
      const warmRequests = proxy.stats().requests;
      log(`bench: prowler --service s3, warm-up: ${Math.round(prowlerWarm.ms)} ms`);
      proxy.resetStats();
      const timed = await runProwler({ proxyUrl: proxy.url, env, dir, names });
      log(`bench: prowler --service s3: ${Math.round(timed.ms)} ms`);
      prowler = { ...timed, warmMs: prowlerWarm.ms, warmRequests, proxy: proxy.stats() };
    }
    const floor = latencyFloor({ buckets: names.length, concurrency, latencyMs });
    return {
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
