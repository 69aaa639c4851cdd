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
  /** Why the live value is unknown (unreadable, not read): unknown counts as drift. */
  readonly reason?: string;
}

export function findDrift(plan: Plan, live: Posture): Drift[] {
  const drift: Drift[] = [];
  for (const [key, planned] of Object.entries(plan.observed)) {
    const resource = key as ResourceKey;
    const reason = live.unreadable[resource] ?? (resource in live.values ? undefined : 'not read');
    if (reason) {
      drift.push({ resource, planned, live: undefined, reason });
    } else if (!deepEqual(planned, live.values[resource])) {
      drift.push({ resource, planned, live: live.values[resource] });
    }
  }
  return drift;
}

export function describeDrift(drift: readonly Drift[]): string[] {
  return drift.map((entry) => {
    const now = entry.reason ? `unknown (${entry.reason})` : formatValue(entry.live);
    return `${entry.resource}: plan saw ${formatValue(entry.planned)}, now ${now}`;
  });
}
