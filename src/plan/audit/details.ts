/**
 * The detail lines under the audit table: one line per control that does not
 * pass, with its reason, wrapped to the terminal. A result said the same way
 * for many buckets is said once: under "Every bucket" when all the audited
 * buckets share it (an account-wide setting, a service the endpoint lacks),
 * else under "Every bucket in <region>" when all of one region's buckets do —
 * so one bucket in another region, whose Macie and Access Analyzer reasons
 * differ ("regional: audit it with --region …"), no longer makes every other
 * bucket repeat "not available at this endpoint". Pure.
 */
import { resultDetail } from '../exceptions/audit-exceptions.js';
import type { ControlId, ControlStatus } from './controls.js';
import { type AuditLine, plural, shownStatus, symbol, text, where, wrapped } from './lines.js';
import type { AuditReport, BucketAudit } from './schema.js';

type Result = BucketAudit['results'][number];

/** Where the detail of a finding line starts: "  ✗ " and the widest column, then two spaces. */
function hangOf(pad: number): number {
  return 4 + pad + 2;
}

export function findingLines(
  column: string,
  status: ControlStatus | 'excepted',
  detail: string,
  pad: number,
  width: number,
): AuditLine[] {
  return wrapped(
    [
      { text: '  ', kind: 'plain' },
      symbol(status),
      { text: ` ${column.padEnd(pad)}  `, kind: 'plain' },
    ],
    detail,
    'plain',
    width,
    hangOf(pad),
  );
}

/** "  ! not audited: <why>", wrapped under the reason. */
export function notAuditedLines(error: string, width: number): AuditLine[] {
  return wrapped([{ text: '  ! not audited: ', kind: 'warning' }], error, 'warning', width, 4);
}

/** The controls that every one of `buckets` fails (or cannot judge) in the same words. */
function sharedBy(report: AuditReport, buckets: readonly BucketAudit[]): Set<ControlId> {
  const shared = new Set<ControlId>();
  if (buckets.length < 2) return shared;
  for (const control of report.controls) {
    const results = buckets.map((bucket) => bucket.results.find((r) => r.id === control.id));
    const first = results[0];
    if (
      first &&
      first.status !== 'pass' &&
      results.every(
        (r) =>
          r && shownStatus(r) === shownStatus(first) && resultDetail(r) === resultDetail(first),
      )
    ) {
      shared.add(control.id);
    }
  }
  return shared;
}

/** The audited buckets by region: the run's region first, then the others by name. */
function byRegion(
  report: AuditReport,
  audited: readonly BucketAudit[],
): Map<string, BucketAudit[]> {
  const regions = [...new Set(audited.map((bucket) => bucket.region ?? ''))].sort((a, b) =>
    a === report.region ? -1 : b === report.region ? 1 : a.localeCompare(b),
  );
  return new Map(
    regions.map((region) => [region, audited.filter((bucket) => bucket.region === region)]),
  );
}

export function detailLines(report: AuditReport, width: number): AuditLine[] {
  const pad = Math.max(...report.controls.map((c) => c.column.length));
  const column = new Map(report.controls.map((c) => [c.id, c.column]));
  const finding = (result: Result) =>
    findingLines(
      column.get(result.id) ?? result.id,
      shownStatus(result),
      resultDetail(result),
      pad,
      width,
    );
  const audited = report.buckets.filter((bucket) => bucket.error === undefined);
  const everywhere = sharedBy(report, audited);
  const lines: AuditLine[] = [];
  const group = (heading: string, first: BucketAudit | undefined, ids: Set<ControlId>) => {
    if (!first || ids.size === 0) return;
    lines.push(text(heading, 'heading'));
    for (const result of first.results) if (ids.has(result.id)) lines.push(...finding(result));
  };
  group('Every bucket', audited[0], everywhere);
  const regions = byRegion(report, audited);
  /** Per region (when it holds some but not all of the buckets): what only it shares. */
  const regional = new Map<string, Set<ControlId>>();
  if (regions.size > 1) {
    for (const [region, buckets] of regions) {
      const ids = new Set([...sharedBy(report, buckets)].filter((id) => !everywhere.has(id)));
      regional.set(region, ids);
      group(`Every bucket in ${region} (${plural(buckets.length, 'bucket')})`, buckets[0], ids);
    }
  }
  for (const bucket of report.buckets) {
    const folded = regional.get(bucket.region ?? '');
    const own = bucket.results.filter(
      (r) => r.status !== 'pass' && !everywhere.has(r.id) && !folded?.has(r.id),
    );
    if (bucket.error === undefined && own.length === 0) continue;
    lines.push(text(where(bucket), 'heading'));
    if (bucket.error !== undefined) lines.push(...notAuditedLines(bucket.error, width));
    for (const result of own) lines.push(...finding(result));
  }
  return lines;
}
