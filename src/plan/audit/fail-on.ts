/**
 * `audit --fail-on`: when an audit that ran should still exit non-zero, for
 * CI. A comma list of a level and, optionally, the controls it applies to:
 *
 *   never            (default) exit 0 whatever the audit found
 *   fail             a control failed
 *   unknown          a control failed or could not be judged, or a bucket
 *                    could not be audited at all
 *   S3.5,tls,2.1.4   only these controls (Security Hub ID, control ID or
 *                    CIS number), at level fail unless `unknown` is listed
 */
import { CONTROLS, type ControlId } from './controls.js';
import type { BucketAudit } from './schema.js';

export interface FailOn {
  readonly level: 'never' | 'fail' | 'unknown';
  /** The controls that count; undefined = every control. */
  readonly controls?: readonly ControlId[];
}

export const FAIL_ON_NEVER: FailOn = { level: 'never' };

/** The controls a selector names: a control ID, a Security Hub ID or a CIS number. */
function controlsNamed(selector: string): ControlId[] {
  const wanted = selector.toLowerCase();
  return CONTROLS.filter(
    (control) =>
      control.id === wanted ||
      control.fsbp?.toLowerCase() === wanted ||
      control.cis?.toLowerCase() === wanted,
  ).map((control) => control.id);
}

/** Parses the flag's value; throws an Error with a one-line message when it names nothing known. */
export function parseFailOn(text: string): FailOn {
  const tokens = text
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '');
  if (tokens.length === 0) throw new Error('give a level (never, fail, unknown) or control IDs');
  let level: FailOn['level'] | undefined;
  const controls: ControlId[] = [];
  for (const token of tokens) {
    const lower = token.toLowerCase();
    if (lower === 'never' || lower === 'fail' || lower === 'unknown') {
      if (level && level !== lower) throw new Error(`"${level}" and "${lower}" contradict`);
      level = lower;
      continue;
    }
    const named = controlsNamed(token);
    if (named.length === 0) {
      throw new Error(
        `"${token}" is not a level (never, fail, unknown) nor a control (e.g. S3.5, tls, 2.1.4)`,
      );
    }
    for (const id of named) if (!controls.includes(id)) controls.push(id);
  }
  if (level === 'never') {
    if (controls.length > 0) throw new Error('"never" cannot go with control IDs');
    return FAIL_ON_NEVER;
  }
  return { level: level ?? 'fail', ...(controls.length > 0 ? { controls } : {}) };
}

/** What trips the flag in these results, as one line; null when nothing does. */
export function failOnReason(failOn: FailOn, buckets: readonly BucketAudit[]): string | null {
  if (failOn.level === 'never') return null;
  const counts = (id: ControlId) => !failOn.controls || failOn.controls.includes(id);
  let failing = 0;
  let unknown = 0;
  let unaudited = 0;
  for (const bucket of buckets) {
    if (bucket.error !== undefined) unaudited += 1;
    for (const result of bucket.results) {
      if (!counts(result.id)) continue;
      if (result.status === 'fail') failing += 1;
      if (result.status === 'unknown') unknown += 1;
    }
  }
  const parts = [
    ...(failing > 0 ? [`${failing} control result${failing === 1 ? '' : 's'} failing`] : []),
    ...(failOn.level === 'unknown' && unknown > 0 ? [`${unknown} unknown`] : []),
    ...(failOn.level === 'unknown' && unaudited > 0
      ? [`${unaudited} bucket${unaudited === 1 ? '' : 's'} not audited`]
      : []),
  ];
  return parts.length > 0 ? parts.join(', ') : null;
}
