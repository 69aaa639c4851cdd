/**
 * The plan's digest as the review shows it, just above the plan's summary
 * line: what a reviewer quotes to `apply --expect-digest` (../model/digest.ts).
 */
import { planDigest, shortDigest } from '../model/digest.js';
import type { Plan } from '../model/types.js';
import type { Line } from './render.js';

export function digestLine(plans: Plan | readonly Plan[]): Line {
  return { kind: 'note', text: `Plan digest: ${shortDigest(planDigest(plans))}` };
}

/**
 * `lines` with the digest line before their closing summary (at the end
 * when there is none); unchanged for a plan with nothing to apply.
 */
export function withDigest(lines: readonly Line[], plans: Plan | readonly Plan[]): Line[] {
  const list: readonly Plan[] = Array.isArray(plans) ? plans : [plans as Plan];
  if (list.every((plan) => plan.changes.length === 0)) return [...lines];
  const line = digestLine(plans);
  return lines.at(-1)?.kind === 'summary'
    ? [...lines.slice(0, -1), line, lines.at(-1) as Line]
    : [...lines, line];
}
