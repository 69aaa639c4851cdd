/**
 * Stale-plan detection: a saved plan may only be applied while the resources
 * it writes still read as they did when it was made.
 */
import { deepEqual } from './diff.js';
import { formatValue } from './render.js';
import type { Plan, Posture, ResourceKey } from './types.js';

export interface Drift {
  readonly resource: ResourceKey;
  readonly planned: unknown;
  readonly live: unknown;
}

export function findDrift(plan: Plan, live: Posture): Drift[] {
  const drift: Drift[] = [];
  for (const [key, planned] of Object.entries(plan.observed)) {
    const resource = key as ResourceKey;
    const value = live.values[resource];
    if (!deepEqual(planned, value ?? null) || live.unreadable[resource]) {
      drift.push({
        resource,
        planned,
        live: live.unreadable[resource] ? `unreadable: ${live.unreadable[resource]}` : value,
      });
    }
  }
  return drift;
}

export function describeDrift(drift: readonly Drift[]): string[] {
  return drift.map(
    (entry) =>
      `${entry.resource}: plan saw ${formatValue(entry.planned)}, now ${formatValue(entry.live)}`,
  );
}
