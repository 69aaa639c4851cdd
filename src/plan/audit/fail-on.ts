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
import { CONTROLS, type ControlId, controlSpec, controlsForCis } from './controls.js';
import type { AccountAudit, AccountEntry, AuditReport, BucketAudit } from './schema.js';

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

/**
 * "a, b and c", or "a, b, c and 4 more buckets" (`noun`: what the rest are,
 * singular): `first`, the first few names of `total`.
 */
function few(first: readonly string[], noun: string, total = first.length): string {
  if (total <= FEW) {
    return total <= 1 ? (first[0] ?? '') : `${first.slice(0, -1).join(', ')} and ${first.at(-1)}`;
  }
  const rest = total - FEW;
  return `${first.slice(0, FEW).join(', ')} and ${rest} more ${noun}${rest === 1 ? '' : 's'}`;
}

function label(id: ControlId): string {
  const control = controlSpec(id);
  return control.fsbp ? `${control.column} (${control.fsbp})` : control.column;
}

/** Some names, counted, and the first few kept: all a trip message says of them. */
class Few {
  count = 0;
  readonly first: string[] = [];
  add(name: string): void {
    this.count += 1;
    if (this.first.length < FEW) this.first.push(name);
  }
  text(noun: string): string {
    return few(this.first, noun, this.count);
  }
}

/** The results of one status that trip the flag, as running totals. */
class Found {
  count = 0;
  private place: string | undefined;
  private places = 0;
  readonly byId = new Map<ControlId, Few>();
  add(id: ControlId, where: string): void {
    this.count += 1;
    if (this.places === 0 || (this.places === 1 && where !== this.place)) {
      this.places += 1;
      this.place ??= where;
    }
    const at = this.byId.get(id) ?? new Few();
    this.byId.set(id, at);
    at.add(where);
  }

  /** "3 failing results on b: MFA (S3.20), LOCK (S3.15) and LOG (S3.9)", grouped by control. */
  describe(what: string, rows: number): string | null {
    if (this.count === 0) return null;
    const head = `${this.count} ${what}${this.count === 1 ? '' : 's'}`;
    const order = (id: ControlId) => CONTROLS.findIndex((control) => control.id === id);
    const ids = [...this.byId.keys()].sort((a, b) => order(a) - order(b));
    if (this.places === 1) return `${head} on ${this.place}: ${few(ids.map(label), 'control')}`;
    const groups = ids.map((id) => {
      const at = this.byId.get(id) as Few;
      // A control every bucket fails (an account-wide setting) is not a list of them all.
      const on = at.count === rows && rows > FEW ? `all ${rows} buckets` : at.text('bucket');
      return `${label(id)} on ${on}`;
    });
    const rest = groups.length - FEW;
    const more = rest > 0 ? `; and ${rest} more control${rest === 1 ? '' : 's'}` : '';
    return `${head}: ${groups.slice(0, FEW).join('; ')}${more}`;
  }
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
 * What trips the flag, row by row: running totals, so a streamed report
 * need not keep its rows. Feed it every bucket row, then the account-level
 * rows (`account`, the account entries'), in the report's order.
 */
export class FailOnTally {
  private readonly fail = new Found();
  private readonly unknown = new Found();
  private readonly tripping = new Few();
  private trippingError: string | undefined;
  private audited = 0;

  constructor(
    private readonly failOn: FailOn,
    private readonly selected: Selected,
  ) {}

  private results(where: string, results: BucketAudit['results']): void {
    for (const result of results) {
      if (this.failOn.controls && !this.failOn.controls.includes(result.id)) continue;
      // An excepted result is intended, until its exception expires.
      if (result.exception && !result.exception.expired) continue;
      if (result.status === 'fail') this.fail.add(result.id, where);
      else if (result.status === 'unknown') this.unknown.add(result.id, where);
    }
  }

  bucket(bucket: BucketAudit): void {
    if (this.failOn.level === 'never') return;
    if (bucket.error === undefined) this.audited += 1;
    else if (bucketTrips(this.failOn, bucket, this.selected)) {
      if (this.tripping.count === 0) this.trippingError = bucket.error;
      this.tripping.add(bucket.bucket);
    }
    this.results(bucket.bucket, bucket.results);
  }

  /** The account-level results no bucket row carried: `account`, then each entry's. */
  accounts(report: {
    readonly account?: AccountAudit;
    readonly accounts?: readonly AccountEntry[];
  }): void {
    if (this.failOn.level === 'never') return;
    if (report.account) this.results('the account', report.account.results);
    for (const entry of report.accounts ?? []) {
      if (entry.results) this.results(`account ${entry.accountId}`, entry.results);
    }
  }

  /** One line naming the controls and buckets (a few, then "and N more"); null when nothing trips. */
  reason(): string | null {
    if (this.failOn.level === 'never') return null;
    const what = 'could not be audited';
    const buckets =
      this.tripping.count === 0
        ? null
        : this.tripping.count === 1
          ? `bucket ${this.tripping.first[0]} ${what} (${this.trippingError})`
          : `${this.tripping.count} buckets ${what}: ${this.tripping.text('bucket')}`;
    const parts = [
      buckets,
      this.fail.describe('failing result', this.audited),
      this.failOn.level === 'unknown'
        ? this.unknown.describe('unknown result', this.audited)
        : null,
    ].filter((part): part is string => part !== null);
    return parts.length > 0 ? parts.join('; ') : null;
  }
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
  const tally = new FailOnTally(failOn, selected);
  for (const bucket of report.buckets) tally.bucket(bucket);
  tally.accounts(report);
  return tally.reason();
}
