/**
 * When each change of a plan may start, so that apply overlaps the writes
 * that are independent instead of making them one at a time. A change starts
 * once every change it must follow has been applied:
 *
 * - the changes it depends on (`dependsOn`), and those whose output its call
 *   refers to (an OutputRef: a created key's ID), dependency or not;
 * - the change before it, in plan order, on the same bucket (the call's
 *   `Bucket`): S3 refuses two configuration writes to one bucket at once
 *   (409 OperationAborted, "A conflicting conditional operation is currently
 *   in progress"), so one bucket's writes stay one at a time, in plan order.
 *   A call that names no bucket (KMS, CloudTrail, S3 Control account
 *   settings, Macie…) follows the change before it on the same resource only;
 * - for a change that cannot be undone, every change before it, and it
 *   before every change after it: the plan puts those last so that a failure
 *   before them rolls back whole (../model/compose.ts), and overlap keeps it so.
 *
 * Only changes earlier in plan order count (the plan is ordered with every
 * dependency first), so no change ever waits on one that waits on it. Plan
 * order breaks ties: given the same latencies, runs start the same writes in
 * the same order.
 */
import { collectRefs } from '../model/output-refs.js';
import type { Change } from '../model/types.js';

/** How many writes may be in flight at once. */
export const MAX_WRITES_IN_FLIGHT = 8;

/** What a change's writes are serialised on: the bucket its call targets, else its resource. */
export function chainOf(change: Pick<Change, 'call' | 'resource'>): string {
  const bucket = change.call.input.Bucket;
  return typeof bucket === 'string' ? `bucket ${bucket}` : `resource ${change.resource}`;
}

/** For each change (by index), the indices of the changes it must wait for. */
export function prerequisites(
  changes: readonly Pick<Change, 'id' | 'call' | 'resource' | 'undo' | 'dependsOn'>[],
): number[][] {
  const indexOf = new Map(changes.map((change, index) => [change.id, index]));
  const lastOnChain = new Map<string, number>();
  let barrier: number | undefined;
  return changes.map((change, index) => {
    const before = new Set<number>();
    const referenced = collectRefs(change.call.input).map((ref) => ref.fromOutput.change);
    for (const id of [...change.dependsOn, ...referenced]) {
      const dependency = indexOf.get(id);
      if (dependency !== undefined && dependency < index) before.add(dependency);
    }
    const chain = chainOf(change);
    const previous = lastOnChain.get(chain);
    if (previous !== undefined) before.add(previous);
    lastOnChain.set(chain, index);
    if (barrier !== undefined) before.add(barrier);
    if (change.undo === null) {
      for (let earlier = 0; earlier < index; earlier++) before.add(earlier);
      barrier = index;
    }
    return [...before].sort((a, b) => a - b);
  });
}

/**
 * The longest chain of changes that must follow one another (dependsOn, one
 * bucket's order, the irreversible barriers): the fewest sequential writes
 * any apply of the plan can make.
 */
export function orderingDepth(waits: readonly (readonly number[])[]): number {
  const depth: number[] = [];
  for (const before of waits) depth.push(1 + Math.max(0, ...before.map((i) => depth[i] ?? 0)));
  return Math.max(0, ...depth);
}

export interface WaveRun {
  /** From prerequisites(). */
  readonly waits: readonly (readonly number[])[];
  readonly maxInFlight?: number;
  /** Asked before each start: false stops every new start (a failure, a cancel). */
  proceed(): boolean;
  /** Runs change `index`; resolves true once it is applied (its followers may start). */
  start(index: number): Promise<boolean>;
}

/**
 * Starts each change as soon as it may (in plan order among those that may),
 * at most `maxInFlight` at once, and resolves once nothing is in flight and
 * nothing more may start: every write started has settled.
 */
export async function runInWaves(run: WaveRun): Promise<void> {
  const limit = run.maxInFlight ?? MAX_WRITES_IN_FLIGHT;
  const applied = new Set<number>();
  const started = new Set<number>();
  const running = new Map<number, Promise<number>>();
  let thrown: { error: unknown } | undefined;
  for (;;) {
    for (const [index, before] of run.waits.entries()) {
      if (thrown || running.size >= limit) break;
      if (started.has(index) || !before.every((i) => applied.has(i))) continue;
      if (!run.proceed()) break;
      started.add(index);
      const settled = run.start(index).then(
        (ok) => {
          if (ok) applied.add(index);
          return index;
        },
        (error: unknown) => {
          thrown ??= { error };
          return index;
        },
      );
      running.set(index, settled);
    }
    if (running.size === 0) break;
    running.delete(await Promise.race(running.values()));
  }
  if (thrown) throw thrown.error;
}
