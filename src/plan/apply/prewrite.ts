/**
 * The reads apply makes before writing: is each resource still as the plan
 * saw it? They go out together before the first write, one per resource, so
 * a plan whose resource moved is refused with nothing written at all. A
 * second change to the same resource is checked against what the change
 * before it leaves (its `after`), not read again.
 *
 * Not read: the resources of a bucket the plan creates (nobody else has had
 * them), and a value only this run can make (its tagged key). Read at its
 * turn instead, right before its write: a resource read by what the run has
 * made so far (a created key's alias), while its change refers to an output
 * that does not exist before that.
 */
import type { RunIdentity } from '../model/call.js';
import { collectRefs } from '../model/output-refs.js';
import type { Change, ResourceKey } from '../model/types.js';
import { formatValue } from '../render/render.js';
import { RESOURCES, satisfies } from '../resources/index.js';
import { errorText } from './undo.js';

export type Read = (resource: ResourceKey, identity?: RunIdentity) => Promise<unknown>;

export interface PrewriteReads {
  /** The changes whose resource is read before the first write: the first on each resource. */
  readonly upFront: readonly number[];
  /** Changes read right before their own write (their read needs an earlier output). */
  readonly atTurn: ReadonlySet<number>;
  /** A later change on a resource already written by the run: index → the change before it. */
  readonly chained: ReadonlyMap<number, number>;
}

/** Which reads the plan's changes need before their writes, and when. */
export function prewriteReads(changes: readonly Change[]): PrewriteReads {
  const upFront: number[] = [];
  const atTurn = new Set<number>();
  const chained = new Map<number, number>();
  const lastOn = new Map<ResourceKey, number>();
  // Buckets the plan creates before this change (`bucket.exists`, `logTarget.exists`).
  const created = new Set<string>();
  for (const [index, change] of changes.entries()) {
    const previous = lastOn.get(change.resource);
    lastOn.set(change.resource, index);
    const spec = RESOURCES[change.resource];
    const prefix = change.resource.split('.')[0];
    const read = !(spec.createdByRun && change.before === null) && !created.has(`${prefix}.exists`);
    if (change.resource.endsWith('.exists') && change.before === null) created.add(change.resource);
    if (!read) continue;
    if (previous !== undefined) chained.set(index, previous);
    else if (spec.readByOutputs && collectRefs(change.call.input).length > 0) atTurn.add(index);
    else upFront.push(index);
  }
  return { upFront, atTurn, chained };
}

/** Why the change must not be written (its resource moved, or cannot be read); undefined: fresh. */
export async function staleness(
  change: Change,
  read: Read,
  identity: RunIdentity,
): Promise<string | undefined> {
  let live: unknown;
  try {
    live = await read(change.resource, identity);
  } catch (error) {
    return `could not be read before writing it (${errorText(error)}): not written`;
  }
  if (satisfies(change.resource, change.before, live)) return undefined;
  return `changed since the plan (now ${formatValue(live)}): not written; plan again`;
}

/**
 * The changes that must not be written, by index (in plan order), from the
 * reads before the first write: all sent at once, one per resource.
 */
export async function staleUpFront(
  changes: readonly Change[],
  reads: PrewriteReads,
  read: Read,
  identity: RunIdentity,
): Promise<Map<number, string>> {
  const found = await Promise.all(
    reads.upFront.map((index) => staleness(changes[index] as Change, read, identity)),
  );
  const stale = new Map<number, string>();
  const byIndex = new Map(reads.upFront.map((index, i) => [index, found[i]]));
  for (const [index, change] of changes.entries()) {
    const text = byIndex.get(index);
    if (text) stale.set(index, text);
    const previous = reads.chained.get(index);
    if (previous === undefined) continue;
    const leaves = (changes[previous] as Change).after;
    let holds: boolean;
    try {
      holds = satisfies(change.resource, change.before, leaves);
    } catch {
      holds = false;
    }
    if (!holds) {
      stale.set(
        index,
        `planned on ${formatValue(change.before)}, but ${(changes[previous] as Change).title} leaves ${formatValue(leaves)}: not written; plan again`,
      );
    }
  }
  return stale;
}
