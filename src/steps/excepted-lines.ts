/**
 * What a plan says of a bucket's exceptions, as lines: the steps they held
 * back ("Skipped …: left as is: excepted (…)"), the expired ones planned
 * again, and the warnings (tags not honoured, who owns the bucket, account
 * Block Public Access over an excepted public bucket). Shared by `plan`,
 * fleet plans and the wizard's review. Pure.
 */
import { controlSpec } from '../plan/audit/controls.js';
import type { Line } from '../plan/render/render.js';
import type { ExceptedPlan } from './excepted-steps.js';
import { STEPS } from './index.js';

/** "Left as is Block Public Access (bucket): excepted (…)", the expired ones, and the warnings. */
export function exceptionLines(
  excepted: Pick<ExceptedPlan, 'leftAsIs' | 'expired'> & Partial<Pick<ExceptedPlan, 'kept'>>,
  warnings: readonly string[],
  /** In a fleet: whose steps they are. */
  bucket?: string,
): Line[] {
  const on = bucket ? ` on ${bucket}` : '';
  return [
    ...excepted.leftAsIs.map(
      (entry): Line => ({
        kind: 'note',
        text: `Skipped ${STEPS[entry.step].title}${on}: ${entry.reason}`,
      }),
    ),
    ...(excepted.kept ?? []).map(
      (entry): Line => ({
        kind: 'note',
        text: `${controlSpec(entry.control).title}${on} (${STEPS[entry.step].title} step): ${entry.reason}`,
      }),
    ),
    ...excepted.expired.map(
      (text): Line => ({ kind: 'warning', text: `Exception expired: ${text}` }),
    ),
    ...warnings.map((text): Line => ({ kind: 'warning', text: `! ${text}` })),
  ];
}
