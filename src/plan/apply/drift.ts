/**
 * Stale-plan detection: a saved plan may only be applied while the resources
 * it writes still read as they did when it was made — or, when a run already
 * applied it, as it leaves them (then there is nothing to do).
 *
 * What the operator reads is one short line naming the resources by label
 * ("Bucket policy changed since the plan"); the values themselves (whole
 * policies, kilobytes each) are for the machine view only (driftDetails).
 */

import type { Plan, Posture, PostureValues, ResourceKey } from '../model/types.js';
import { RESOURCES, resourceLabel, satisfies } from '../resources/index.js';

export interface Drift {
  readonly resource: ResourceKey;
  readonly planned: unknown;
  readonly live: unknown;
  /** Why the live value is unknown (unreadable, not read): unknown counts as drift. */
  readonly reason?: string;
}

/**
 * What else the plan's changes were derived from: the values its steps read
 * but it does not write (the ACL grants, the VPC endpoints, replication…),
 * as its provenance records them. A saved plan is derived again from these
 * at apply, so they must still hold too. Left out: volatile listings (see
 * ResourceSpec.volatile), what could not be read, the log target's when the
 * plan does not touch it (it is not read again then), and a bucket the plan
 * creates (its values were assumed, not read).
 */
export function derivedFrom(plan: Plan): Partial<PostureValues> {
  const provenance = plan.provenance;
  if (!provenance || !('posture' in provenance)) return {};
  const { values, unreadable } = provenance.posture;
  // A plan that creates its bucket assumed the new bucket's values; none was read.
  const creates = 'bucket.exists' in plan.observed && plan.observed['bucket.exists'] === null;
  const createsLogTarget =
    'logTarget.exists' in plan.observed && plan.observed['logTarget.exists'] === null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const resource = key as ResourceKey;
    if (resource in plan.observed || unreadable[resource] || RESOURCES[resource].volatile) continue;
    if (RESOURCES[resource].scope === 'logTarget' && !plan.target.logBucket) continue;
    if (creates && RESOURCES[resource].scope === 'bucket') continue;
    if (createsLogTarget && RESOURCES[resource].scope === 'logTarget') continue;
    out[resource] = value;
  }
  return out as Partial<PostureValues>;
}

/**
 * The resources that no longer read as the plan saw them (those it writes,
 * and those its changes were derived from). "As it saw them"
 * is judged as a rollback judges a restore (`satisfies`): versioning never
 * enabled and versioning a rollback suspended again are the same state, so
 * a section rolled back by an earlier run can be applied again.
 */
export function findDrift(plan: Plan, live: Posture): Drift[] {
  const drift: Drift[] = [];
  for (const [key, planned] of Object.entries({ ...plan.observed, ...derivedFrom(plan) })) {
    const resource = key as ResourceKey;
    const reason = live.unreadable[resource] ?? (resource in live.values ? undefined : 'not read');
    if (reason) {
      drift.push({ resource, planned, live: undefined, reason });
    } else if (!satisfies(resource, planned, live.values[resource])) {
      drift.push({ resource, planned, live: live.values[resource] });
    }
  }
  return drift;
}

/**
 * Whether the plan has already been applied: it has changes, and every
 * resource it writes reads now as its change leaves it (as apply's own
 * verification judges it). `expected` may give, for a change, another value
 * that counts as applied too (a later fleet section's write of the same
 * resource).
 */
export function isApplied(
  plan: Plan,
  live: Posture,
  expected: (change: Plan['changes'][number]) => readonly unknown[] = () => [],
): boolean {
  return (
    plan.changes.length > 0 &&
    plan.changes.every((change) => {
      if (live.unreadable[change.resource] || !(change.resource in live.values)) return false;
      const now = live.values[change.resource];
      return [change.after, ...expected(change)].some((value) =>
        satisfies(change.resource, value, now),
      );
    })
  );
}

/** "A, B and C" — or "A, B and 3 more" past `max` names. */
export function namesList(names: readonly string[], max = 3): string {
  const shown =
    names.length > max ? [...names.slice(0, max - 1), `${names.length - max + 1} more`] : names;
  return shown.length > 1
    ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`
    : `${shown[0] ?? ''}`;
}

/**
 * Why the plan is stale, in one short line: "Bucket policy and Versioning
 * changed since the plan; Default encryption could not be read (Access
 * denied: …)" — the first reason only. Empty for no drift.
 */
export function describeDrift(drift: readonly Drift[]): string {
  const changed = drift
    .filter((entry) => !entry.reason)
    .map((entry) => resourceLabel(entry.resource));
  const unread = drift.filter((entry) => entry.reason);
  const parts: string[] = [];
  if (changed.length > 0) parts.push(`${namesList(changed)} changed since the plan`);
  if (unread.length > 0) {
    const first = unread[0] as Drift;
    const why = first.reason === 'not read' ? '' : ` (${first.reason})`;
    parts.push(
      `${namesList(unread.map((entry) => resourceLabel(entry.resource)))} could not be read${why}`,
    );
  }
  return parts.join('; ');
}

/** The machine view of the drift: each resource with its label, the planned and live values. */
export function driftDetails(drift: readonly Drift[]) {
  return drift.map((entry) => ({
    resource: entry.resource,
    label: resourceLabel(entry.resource),
    planned: entry.planned,
    ...(entry.reason ? { reason: entry.reason } : { live: entry.live }),
  }));
}
