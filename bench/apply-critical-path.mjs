// Part (e): apply's critical path. For the presets baseline and strict, on a
// fresh bucket each time: `s3-harden plan … --out` straight to the emulator,
// then `s3-harden apply plan.json --yes` through a latency proxy, once at
// +0 ms and once at +L ms a request. The difference of the two wall times,
// divided by L, is the number of round trips apply makes one after another
// (start-up, journalling and the emulator's own time cancel out); it is
// printed next to the plan's dependency depth (the longest dependsOn chain),
// its ordering depth (the longest chain of writes that must follow one
// another: dependsOn, one bucket's writes in plan order, the irreversible
// barriers — the true lower bound on sequential writes) and its number of
// changes. Apply's goal: ordering depth + 2 (the reads before the first
// write, the read-backs after the last).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { ROOT, resetEmulator } from '../scripts/emulator.mjs';
import { benchS3Client } from './fleet.mjs';
import { median } from './format.mjs';
import { startLatencyProxy } from './latency-proxy.mjs';
import { timedRun } from './timed-run.mjs';

const CLI = join(ROOT, 'bin', 's3-harden.js');
const EXIT_CHANGES = 2;

/**
 * The longest chain of a plan's dependsOn edges, counted in changes (a plan
 * of independent changes has depth 1, an empty one 0).
 */
export function dependencyDepth(changes) {
  const byId = new Map(changes.map((change) => [change.id, change]));
  const depth = new Map();
  const visit = (id, seen = new Set()) => {
    if (depth.has(id)) return depth.get(id);
    const change = byId.get(id);
    if (!change || seen.has(id)) return 0;
    seen.add(id);
    const below = Math.max(0, ...(change.dependsOn ?? []).map((dep) => visit(dep, seen)));
    depth.set(id, below + 1);
    return below + 1;
  };
  return Math.max(0, ...changes.map((change) => visit(change.id)));
}

/**
 * The longest chain of writes that must follow one another, counted in
 * changes: a change follows what it depends on (and the changes whose output
 * its call refers to), the change before it on the
 * same bucket (the call's Bucket; a call without one, the change before it on
 * the same resource), and a change that cannot be undone (undo null) follows
 * every change before it and precedes every change after it. Mirrors
 * prerequisites() in src/plan/apply/schedule.ts (test/unit/schedule.test.ts
 * checks they agree); only earlier changes in plan order count.
 */
export function orderingDepth(changes) {
  const indexOf = new Map(changes.map((change, index) => [change.id, index]));
  const lastOnChain = new Map();
  const depth = [];
  let barrier;
  const referenced = (value, into = []) => {
    if (value && typeof value === 'object') {
      if (typeof value.fromOutput?.change === 'string') into.push(value.fromOutput.change);
      else for (const inner of Object.values(value)) referenced(inner, into);
    }
    return into;
  };
  for (const [index, change] of changes.entries()) {
    const before = new Set();
    for (const id of [...(change.dependsOn ?? []), ...referenced(change.call?.input)]) {
      const dependency = indexOf.get(id);
      if (dependency !== undefined && dependency < index) before.add(dependency);
    }
    const bucket = change.call?.input?.Bucket;
    const chain = typeof bucket === 'string' ? `bucket ${bucket}` : `resource ${change.resource}`;
    if (lastOnChain.has(chain)) before.add(lastOnChain.get(chain));
    lastOnChain.set(chain, index);
    if (barrier !== undefined) before.add(barrier);
    if (change.undo === null) {
      for (let earlier = 0; earlier < index; earlier++) before.add(earlier);
      barrier = index;
    }
    depth.push(1 + Math.max(0, ...[...before].map((i) => depth[i])));
  }
  return Math.max(0, ...depth);
}

async function freshBucket(endpoint, bucket) {
  await resetEmulator(endpoint);
  const s3 = benchS3Client(endpoint);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    s3.destroy();
  }
}

async function planAndApply({ endpoint, proxy, env, dir }, preset, bucket) {
  await freshBucket(endpoint, bucket);
  const planFile = join(dir, `${bucket}.plan.json`);
  const plan = await timedRun(
    [
      process.execPath,
      CLI,
      'plan',
      '--bucket',
      bucket,
      '--preset',
      preset,
      '--out',
      planFile,
      '--endpoint-url',
      endpoint,
    ],
    { env, cwd: dir },
  );
  if (plan.code !== EXIT_CHANGES)
    throw new Error(
      `plan --preset ${preset} exited ${plan.code}: ${plan.stderr.trim().slice(-500)}`,
    );
  proxy.resetStats();
  const apply = await timedRun(
    [process.execPath, CLI, 'apply', planFile, '--yes', '--endpoint-url', proxy.url],
    { env, cwd: dir },
  );
  if (apply.code !== 0)
    throw new Error(
      `apply (${preset}) exited ${apply.code}: ${(apply.stderr || apply.stdout).trim().slice(-500)}`,
    );
  const { changes } = JSON.parse(readFileSync(planFile, 'utf8'));
  const { requests, chainDepth } = proxy.stats();
  return { ms: apply.ms, requests, chainDepth, changes };
}

/** Each preset `runs` times at +0 and at +latencyMs, interleaved; medians compared. */
export async function applyCriticalPath({ endpoint, env, dir, latencyMs, runs, log }) {
  const fast = await startLatencyProxy({ upstream: endpoint, latencyMs: 0 });
  const slow = await startLatencyProxy({ upstream: endpoint, latencyMs });
  try {
    const presets = [];
    for (const preset of ['baseline', 'strict']) {
      const at0 = [];
      const atL = [];
      let planned;
      for (let run = 0; run < runs; run++) {
        const zero = await planAndApply(
          { endpoint, proxy: fast, env, dir },
          preset,
          `bench-cp-${preset}-${run}-a`,
        );
        const late = await planAndApply(
          { endpoint, proxy: slow, env, dir },
          preset,
          `bench-cp-${preset}-${run}-b`,
        );
        at0.push(zero);
        atL.push(late);
        planned = late;
        log(
          `bench: apply ${preset} run ${run + 1}/${runs}: ${Math.round(zero.ms)} ms at +0 ms,` +
            ` ${Math.round(late.ms)} ms at +${latencyMs} ms (${late.requests} requests)`,
        );
      }
      const ms0 = median(at0.map((r) => r.ms));
      const msL = median(atL.map((r) => r.ms));
      presets.push({
        preset,
        changes: planned.changes.length,
        depth: dependencyDepth(planned.changes),
        orderingDepth: orderingDepth(planned.changes),
        requests: planned.requests,
        // Counted by the slow proxy; the median, as a request the client was
        // late to send (its own CPU) may start after an answer it did not need.
        chainDepth: median(atL.map((r) => r.chainDepth)),
        ms0,
        msL,
        sequentialRoundTrips: latencyMs > 0 ? (msL - ms0) / latencyMs : Number.NaN,
      });
    }
    // The report's table (latency-report.mjs) shows the dependency depth; the
    // ordering depth, the bound apply can reach, is said here.
    for (const p of presets) {
      log(
        `bench: apply ${p.preset}: ${Number.isFinite(p.sequentialRoundTrips) ? p.sequentialRoundTrips.toFixed(1) : 'n/a'} sequential round trips;` +
          ` ${p.chainDepth} requests in the longest chain, each sent after the one before it was answered;` +
          ` dependency depth ${p.depth} (goal ${p.depth + 2}), ordering depth ${p.orderingDepth} (goal ${p.orderingDepth + 2})`,
      );
    }
    return { latencyMs, runs, presets };
  } finally {
    await fast.close();
    await slow.close();
  }
}
