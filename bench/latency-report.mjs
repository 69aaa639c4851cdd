// How the latency parts print: pure functions of their figures, unit-tested
// in test/unit/bench-format.test.ts.
import { formatDuration, formatRatio, table } from './format.mjs';

const count = (n) => n.toLocaleString('en-US');

/** "1.42x the floor": how far above the floor a time is (the floor itself is 1.00x). */
export function overFloor(ms, floorMs) {
  if (!(ms > 0) || !(floorMs > 0)) return 'n/a';
  return `${(ms / floorMs).toFixed(2)}x the floor`;
}

/** Part (d): audit --all, the bare SDK and Prowler through the latency proxy, against the floor. */
export function formatLatency(d) {
  const rows = [['(d) through the latency proxy', 'time', 'requests', 'against the floor']];
  rows.push([
    `floor: ${count(d.floor.roundTrips)} round trips x ${d.latencyMs} ms (concurrency ${d.concurrency})`,
    formatDuration(d.floor.ms),
    '',
    '1.00x',
  ]);
  rows.push([
    `s3-harden audit --all, ${count(d.buckets)} buckets`,
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
      `Prowler --service s3 (${d.prowler.checks} checks with findings)`,
      formatDuration(d.prowler.ms),
      count(d.prowler.proxy.requests),
      overFloor(d.prowler.ms, d.floor.ms),
    ]);
  }
  const lines = [table(rows)];
  if (d.prowler) {
    lines.push(
      `s3-harden audit --all vs Prowler on the same proxy: ${formatRatio(d.audit.ms, d.prowler.ms)}`,
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
  return lines.join('\n');
}

/** Part (e): apply's sequential round trips next to the plan's dependency depth. */
export function formatCriticalPath(e) {
  const rows = [
    [
      `(e) apply through the proxy, +${e.latencyMs} ms a request`,
      'changes',
      'depth',
      'requests',
      `at +0 ms`,
      `at +${e.latencyMs} ms`,
      'sequential round trips',
      'goal (depth + 2)',
    ],
  ];
  for (const p of e.presets) {
    rows.push([
      `${p.preset}, 1 bucket`,
      String(p.changes),
      String(p.depth),
      String(p.requests),
      formatDuration(p.ms0),
      formatDuration(p.msL),
      Number.isFinite(p.sequentialRoundTrips) ? p.sequentialRoundTrips.toFixed(1) : 'n/a',
      String(p.depth + 2),
    ]);
  }
  return [
    table(rows),
    `sequential round trips = (apply at +${e.latencyMs} ms - apply at +0 ms) / ${e.latencyMs} ms,` +
      ` medians of ${e.runs} runs each; depth = the longest dependsOn chain of the plan`,
  ].join('\n');
}
