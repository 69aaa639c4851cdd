/**
 * A plan's digest: SHA-256 over what apply runs (the plan's id, target,
 * preset and changes, in a canonical JSON form: keys sorted, no spaces).
 * The review and `plan` show its first 16 hex digits; `apply
 * --expect-digest D` refuses any plan whose digest does not start with D,
 * so a pipeline applies exactly the plan a person reviewed.
 */
import { createHash } from 'node:crypto';
import type { Plan } from './types.js';

export const SHORT_DIGEST = 16;

/** JSON with every object's keys sorted: the same text for the same value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const applied = (plan: Plan) => ({
  id: plan.id ?? null,
  target: plan.target,
  preset: plan.preset,
  changes: plan.changes,
});

/** The full hex digest of one plan, or of several (a fleet: account section first, then each bucket). */
export function planDigest(plans: Plan | readonly Plan[]): string {
  const list = Array.isArray(plans) ? plans : [plans as Plan];
  return createHash('sha256')
    .update(canonicalJson(list.map(applied)))
    .digest('hex');
}

/** As shown: "sha256:" and the first 16 hex digits. */
export function shortDigest(digest: string): string {
  return `sha256:${digest.slice(0, SHORT_DIGEST)}`;
}

/** Whether `expected` (with or without "sha256:", at least 16 hex digits) names `digest`. */
export function digestMatches(digest: string, expected: string): boolean {
  const hex = expected
    .trim()
    .toLowerCase()
    .replace(/^sha256:/, '');
  return /^[0-9a-f]{16,64}$/.test(hex) && digest.startsWith(hex);
}
