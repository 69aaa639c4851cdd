/**
 * `audit --fail-on`: when an audit that ran should still exit non-zero, for
 * CI. A comma list of a level and, optionally, the controls it applies to:
 *
 *   never            (default) exit 0 whatever the audit found
 *   fail             a control failed
 *   unknown          a control failed or could not be judged
 *   S3.5,tls,2.1.4   only these controls (Security Hub ID, control ID or
 *                    CIS number), at level fail unless `unknown` is listed
 *
 * A bucket that could not be audited trips it as `bucketTrips` says: one
 * named on the command line trips every level but never.
 */
import { type CisVersion, DEFAULT_CIS_VERSION } from './cis.js';
import {
  CONTROLS,
  type ControlId,
  type ControlStatus,
  controlSpec,
  controlsForCis,
} from './controls.js';
import type { AuditReport, BucketAudit } from './schema.js';

export interface FailOn {
  readonly level: 'never' | 'fail' | 'unknown';
  /** The controls that count; undefined = every control. */
  readonly controls?: readonly ControlId[];
}

export const FAIL_ON_NEVER: FailOn = { level: 'never' };

/** A control's IDs as written ("S3.22/S3.23": one control for both), one by one. */
const ids = (written: string | undefined) => written?.toLowerCase().split('/') ?? [];

/** The controls a selector names: a control ID, a Security Hub ID or a CIS number. */
export function controlsNamed(selector: string, version: CisVersion): ControlId[] {
  const wanted = selector.toLowerCase();
  return controlsForCis(version)
    .filter(
      (control) =>
        control.id === wanted ||
        ids(control.fsbp).includes(wanted) ||
        ids(control.cis).includes(wanted),
    )
    .map((control) => control.id);
}

/** Parses the flag's value; throws an Error with a one-line message when it names nothing known. */
export function parseFailOn(text: string, version: CisVersion = DEFAULT_CIS_VERSION): FailOn {
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
    const named = controlsNamed(token, version);
    if (named.length === 0) {
      throw new Error(
        `"${token}" is not a level (never, fail, unknown) nor a control (e.g. S3.5, tls, ${controlsForCis(version).find((control) => control.id === 'tls')?.cis ?? '3.1.1'})`,
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

/** How the buckets were chosen: named on the command line, or listed (--all, --match). */
export type Selected = 'named' | 'listed';

/** Names listed in a trip message before "and N more". */
const FEW = 3;

/** "a, b and c", or "a, b, c and 4 more buckets" (`noun`: what the rest are, singular). */
function few(names: readonly string[], noun: string): string {
  if (names.length <= FEW) {
    return names.length <= 1
      ? (names[0] ?? '')
      : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  }
  const rest = names.length - FEW;
  return `${names.slice(0, FEW).join(', ')} and ${rest} more ${noun}${rest === 1 ? '' : 's'}`;
}

function label(id: ControlId): string {
  const control = controlSpec(id);
  return control.fsbp ? `${control.column} (${control.fsbp})` : control.column;
}

/** "3 failing results on b: MFA (S3.20), LOCK (S3.15) and LOG (S3.9)", grouped by control. */
function describeResults(
  what: string,
  found: readonly { readonly id: ControlId; readonly where: string }[],
  rows: number,
): string | null {
  if (found.length === 0) return null;
  const head = `${found.length} ${what}${found.length === 1 ? '' : 's'}`;
  const places = [...new Set(found.map((f) => f.where))];
  const order = (id: ControlId) => CONTROLS.findIndex((control) => control.id === id);
  const ids = [...new Set(found.map((f) => f.id))].sort((a, b) => order(a) - order(b));
  if (places.length === 1) return `${head} on ${places[0]}: ${few(ids.map(label), 'control')}`;
  const groups = ids.map((id) => {
    const at = found.filter((f) => f.id === id).map((f) => f.where);
    // A control every bucket fails (an account-wide setting) is not a list of them all.
    const on = at.length === rows && rows > FEW ? `all ${rows} buckets` : few(at, 'bucket');
    return `${label(id)} on ${on}`;
  });
  const rest = groups.length - FEW;
  const more = rest > 0 ? `; and ${rest} more control${rest === 1 ? '' : 's'}` : '';
  return `${head}: ${groups.slice(0, FEW).join('; ')}${more}`;
}

function describeBuckets(what: string, buckets: readonly BucketAudit[]): string | null {
  const [only] = buckets;
  if (!only) return null;
  if (buckets.length === 1) return `bucket ${only.bucket} ${what} (${only.error})`;
  return `${buckets.length} buckets ${what}: ${few(
    buckets.map((b) => b.bucket),
    'bucket',
  )}`;
}

/**
 * Does `bucket`, which could not be audited, trip the flag? One named on
 * the command line trips every level but never, whatever controls are
 * selected: the gate cannot vouch for it (a typo must not pass). One that
 * --all or --match listed counts as unknown (its controls could not be
 * judged), except one that no longer exists: deleted during the run, it has
 * nothing left to secure.
 */
function bucketTrips(failOn: FailOn, bucket: BucketAudit, selected: Selected): boolean {
  if (selected === 'named') return true;
  return failOn.level === 'unknown' && bucket.errorKind !== 'not-found';
}

/**
 * What trips the flag in this report, as one line naming the controls and
 * buckets (a few, then "and N more"); null when nothing does. The results of
 * `account` (no bucket carried them) count as the account's.
 */
export function failOnReason(
  failOn: FailOn,
  report: Pick<AuditReport, 'buckets' | 'account' | 'accounts'>,
  selected: Selected,
): string | null {
  if (failOn.level === 'never') return null;
  const counts = (id: ControlId) => !failOn.controls || failOn.controls.includes(id);
  const rows = [
    ...report.buckets.map((bucket) => ({ where: bucket.bucket, results: bucket.results })),
    ...(report.account ? [{ where: 'the account', results: report.account.results }] : []),
    ...(report.accounts ?? []).flatMap((entry) =>
      entry.results ? [{ where: `account ${entry.accountId}`, results: entry.results }] : [],
    ),
  ];
  const found = (status: ControlStatus) =>
    rows.flatMap((row) =>
      row.results
        // An excepted result is intended, until its exception expires.
        .filter(
          (result) =>
            result.status === status &&
            counts(result.id) &&
            !(result.exception && !result.exception.expired),
        )
        .map((result) => ({ id: result.id, where: row.where })),
    );
  const tripping = report.buckets.filter(
    (bucket) => bucket.error !== undefined && bucketTrips(failOn, bucket, selected),
  );
  const audited = report.buckets.filter((bucket) => bucket.error === undefined).length;
  const parts = [
    describeBuckets('could not be audited', tripping),
    describeResults('failing result', found('fail'), audited),
    failOn.level === 'unknown'
      ? describeResults('unknown result', found('unknown'), audited)
      : null,
  ].filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join('; ') : null;
}
