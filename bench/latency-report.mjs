// How the latency parts print: pure functions of their figures, unit-tested
// in test/unit/bench-format.test.ts.
import { formatDuration, formatRatio, table } from './format.mjs';

const count = (n) => n.toLocaleString('en-US');

/** "1.42x the floor": how far above the floor a time is (the floor itself is 1.00x). */
export function overFloor(ms, floorMs) {
  if (!(ms > 0) || !(floorMs > 0)) return 'n/a';
  return `${(ms / floorMs).toFixed(2)}x the floor`;
}

/** "1,000 buckets over 3 accounts (3 at once), 16 buckets at once each" or, in one account, "1,000 buckets, 16 at once". */
export function latencyScope(d) {
  const accounts = d.accounts ?? 1;
  return accounts > 1
    ? `${count(d.buckets)} buckets over ${accounts} accounts (${d.accountConcurrency} at once), ${d.concurrency} buckets at once each`
    : `${count(d.buckets)} buckets in 1 account, ${d.concurrency} at once`;
}

/** Part (d): audit --all, the bare SDK and Prowler through the latency proxy, against the floor. */
export function formatLatency(d) {
  const accounts = d.accounts ?? 1;
  const rows = [
    [`(d) through the latency proxy: ${latencyScope(d)}`, 'time', 'requests', 'against the floor'],
  ];
  rows.push([
    `floor: ${count(d.floor.roundTrips)} round trips x ${d.latencyMs} ms`,
    formatDuration(d.floor.ms),
    '',
    '1.00x',
  ]);
  rows.push([
    accounts > 1
      ? `s3-harden audit --all --accounts (${accounts} accounts, ${count(d.buckets)} buckets)`
      : `s3-harden audit --all, ${count(d.buckets)} buckets`,
    formatDuration(d.audit.ms),
    count(d.audit.proxy.requests),
    overFloor(d.audit.ms, d.floor.ms),
  ]);
  rows.push([
    '  bare SDK script, the same reads (bench/sdk-floor.mjs)',
    formatDuration(d.sdk.ms),
    d.sdk.proxy ? count(d.sdk.proxy.requests) : '',
    overFloor(d.sdk.ms, d.floor.ms),
  ]);
  if (d.prowler) {
    rows.push([
      accounts > 1
        ? `Prowler --service s3, once per account, summed (${d.prowler.checks} checks with findings)`
        : `Prowler --service s3 (${d.prowler.checks} checks with findings)`,
      formatDuration(d.prowler.ms),
      count(d.prowler.proxy.requests),
      overFloor(d.prowler.ms, d.floor.ms),
    ]);
  }
  const lines = [table(rows)];
  if (d.prowler) {
    lines.push(
      `s3-harden audit --all vs Prowler on the same proxy: ${formatRatio(d.audit.ms, d.prowler.ms)}` +
        (accounts > 1 && d.prowler.times
          ? ` (Prowler per account: ${d.prowler.times.map((ms) => formatDuration(ms)).join(', ')})`
          : ''),
    );
  }
  const replayed = ['audit', 'sdk', 'prowler']
    .filter((side) => d[side]?.proxy)
    .map((side) => `${side} ${count(d[side].proxy.replayed)} of ${count(d[side].proxy.requests)}`);
  lines.push(
    `latency +${d.latencyMs} ms a request${d.jitterMs ? ` (+ up to ${d.jitterMs} ms jitter)` : ''};` +
      (d.replay
        ? ' reads replayed by the proxy after one warm-up run each' +
          ` (warm-up through the emulator: audit ${formatDuration(d.audit.warmMs)}` +
          `${d.prowler ? `, Prowler ${formatDuration(d.prowler.warmMs)}` : ''})`
        : ' every request forwarded to the emulator'),
    `answered from the proxy's memory in the timed runs: ${replayed.join(', ')}`,
    `audit: median of ${d.audit.times.length} runs (${d.audit.times.map((ms) => Math.round(ms)).join(', ')} ms),` +
      ` ${count(d.audit.apiCalls ?? 0)} API calls, at most ${d.audit.proxy.inFlightPeak} requests in flight;` +
      ` bare SDK: ${d.sdk.line}`,
  );
  if (d.fleet) lines.push(`fleet: ${d.fleet}`);
  return lines.join('\n');
}

/**
 * Part (e): apply's sequential round trips next to the plan's dependency
 * depth and its ordering depth (dependsOn and one bucket's writes in order,
 * which S3 requires: the least number of writes one after another).
 */
export function formatCriticalPath(e) {
  const rows = [
    [
      `(e) apply through the proxy, +${e.latencyMs} ms a request`,
      'changes',
      'depth',
      'ordering depth',
      'requests',
      `at +0 ms`,
      `at +${e.latencyMs} ms`,
      'sequential round trips',
      'longest chain',
      'goal (ordering depth + 2)',
    ],
  ];
  for (const p of e.presets) {
    rows.push([
      `${p.preset}, 1 bucket`,
      String(p.changes),
      String(p.depth),
      p.orderingDepth === undefined ? 'n/a' : String(p.orderingDepth),
      String(p.requests),
      formatDuration(p.ms0),
      formatDuration(p.msL),
      Number.isFinite(p.sequentialRoundTrips) ? p.sequentialRoundTrips.toFixed(1) : 'n/a',
      p.chainDepth === undefined ? 'n/a' : String(p.chainDepth),
      p.orderingDepth === undefined ? 'n/a' : String(p.orderingDepth + 2),
    ]);
  }
  return [
    table(rows),
    `sequential round trips = (apply at +${e.latencyMs} ms - apply at +0 ms) / ${e.latencyMs} ms,` +
      ` medians of ${e.runs} runs each; longest chain = the most requests apply sent one after another,` +
      ` each after the one before it was answered (counted by the proxy, not timed);` +
      ` depth = the longest dependsOn chain of the plan;` +
      ` ordering depth = the longest chain counting also the writes to one bucket, which go one at a time`,
  ].join('\n');
}
