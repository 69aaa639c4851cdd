/**
 * Turns the changes every step proposed into one ordered plan: dependencies
 * first, otherwise the order the steps produced them.
 */
import { randomUUID } from 'node:crypto';
import type {
  Change,
  Plan,
  PostureValues,
  Preset,
  Provenance,
  ResourceKey,
  SkippedStep,
  Target,
} from './types.js';

export class PlanError extends Error {
  override name = 'PlanError';
}

/**
 * Stable topological order: each change after the changes it depends on, and
 * the changes that cannot be undone (Object Lock, MFA delete) after every
 * change that does not need them. A failure before them then rolls back
 * whole; once Object Lock is on, versioning can no longer be suspended, so a
 * rollback after it could not undo what it pinned.
 */
export function orderChanges(changes: readonly Change[]): Change[] {
  const byId = new Map<string, Change>();
  for (const change of changes) {
    if (byId.has(change.id)) throw new PlanError(`two changes share the id ${change.id}`);
    byId.set(change.id, change);
  }
  const ordered: Change[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (change: Change, path: string[]) => {
    const seen = state.get(change.id);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      throw new PlanError(
        `changes depend on each other in a cycle: ${[...path, change.id].join(' -> ')}`,
      );
    }
    state.set(change.id, 'visiting');
    for (const id of change.dependsOn) {
      const dependency = byId.get(id);
      // A dependency that is already satisfied produces no change; nothing to wait for.
      if (dependency) visit(dependency, [...path, change.id]);
    }
    state.set(change.id, 'done');
    ordered.push(change);
  };
  for (const change of changes) if (change.undo !== null) visit(change, []);
  for (const change of changes) visit(change, []);
  return ordered;
}

/**
 * The changes with each dependency on a change the plan lacks dropped: it
 * was already satisfied (no change was needed), so there is nothing to wait
 * for — and a plan file may only depend on changes it holds.
 */
function withoutSatisfied(changes: readonly Change[]): Change[] {
  const ids = new Set(changes.map((change) => change.id));
  return changes.map((change) =>
    change.dependsOn.every((id) => ids.has(id))
      ? change
      : { ...change, dependsOn: change.dependsOn.filter((id) => ids.has(id)) },
  );
}

export function composePlan(options: {
  /** The plan's id; a new UUID when not given. */
  id?: string;
  target: Target;
  preset: Preset;
  values: Partial<PostureValues>;
  changes: readonly Change[];
  skipped: readonly SkippedStep[];
  now?: Date;
  /**
   * What a plan without changes observed instead: the resources its steps
   * judged already right. Applied later, such a plan is stale when one of
   * them changed meanwhile, not "already matches".
   */
  snapshot?: readonly ResourceKey[];
  /** What produced the plan (see Plan.provenance). */
  provenance?: Provenance;
}): Plan {
  const changes = withoutSatisfied(orderChanges(options.changes));
  const observed: Partial<PostureValues> = {};
  const record = (resource: ResourceKey) => {
    (observed as Record<string, unknown>)[resource] = options.values[resource] ?? null;
  };
  for (const change of changes) record(change.resource);
  if (changes.length === 0) {
    for (const resource of options.snapshot ?? []) {
      if (resource in options.values) record(resource);
    }
  }
  return {
    id: options.id ?? randomUUID(),
    target: options.target,
    preset: options.preset,
    createdAt: (options.now ?? new Date()).toISOString(),
    observed,
    changes,
    skipped: options.skipped,
    ...(options.provenance ? { provenance: options.provenance } : {}),
  };
}
