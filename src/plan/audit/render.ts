/**
 * The human view of an audit report, as lines of coloured spans: a table of
 * buckets × controls that fits 80 columns (one bucket: a list, control by
 * control), a legend of the columns with their Security Hub and CIS IDs, one
 * line per failing or unknown control with its reason, and a summary line.
 * Pure: symbols carry the meaning (✓ ✗ ?), the span kinds only colour them.
 */
import type { LineKind } from '../render.js';
import type { ControlStatus } from './controls.js';
import type { AuditReport, BucketAudit } from './schema.js';

/** A run of text in one colour. */
export interface Span {
  readonly text: string;
  readonly kind: LineKind;
}

export type AuditLine = readonly Span[];

export const SYMBOL: Readonly<Record<ControlStatus, string>> = {
  pass: '✓',
  fail: '✗',
  unknown: '?',
};
const KIND: Readonly<Record<ControlStatus, LineKind>> = {
  pass: 'add',
  fail: 'remove',
  unknown: 'warning',
};
const NAME_HEADER = 'BUCKET';

type Control = AuditReport['controls'][number];

export function lineText(line: AuditLine): string {
  return line.map((span) => span.text).join('');
}

const text = (value: string, kind: LineKind = 'plain'): AuditLine => [{ text: value, kind }];
const symbol = (status: ControlStatus): Span => ({ text: SYMBOL[status], kind: KIND[status] });

/** `value` cut to `width` characters, the cut marked with …. */
export function truncate(value: string, width: number): string {
  if (value.length <= width) return value;
  if (width <= 0) return '';
  return `${value.slice(0, width - 1)}…`;
}

/** "S3.8 · CIS 2.1.4", or empty. */
export function controlIds(control: Pick<Control, 'fsbp' | 'cis'>): string {
  return [control.fsbp, control.cis ? `CIS ${control.cis}` : undefined]
    .filter((id): id is string => Boolean(id))
    .join(' · ');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function where(bucket: BucketAudit): string {
  return bucket.region ? `${bucket.bucket} (${bucket.region})` : bucket.bucket;
}

function tableLines(report: AuditReport, width: number): AuditLine[] {
  const controls = report.controls;
  const cells = controls.reduce((sum, control) => sum + 1 + control.column.length, 0);
  const longest = Math.max(NAME_HEADER.length, ...report.buckets.map((b) => b.bucket.length));
  const nameWidth = Math.max(NAME_HEADER.length, Math.min(longest, width - cells));
  const header = `${NAME_HEADER.padEnd(nameWidth)}${controls.map((c) => ` ${c.column}`).join('')}`;
  const rows = report.buckets.map((bucket): AuditLine => {
    const name: Span = {
      text: truncate(bucket.bucket, nameWidth).padEnd(nameWidth),
      kind: 'plain',
    };
    if (bucket.error !== undefined) {
      return [
        name,
        {
          text: ` ${truncate(`! not audited: ${bucket.error}`, width - nameWidth - 1)}`,
          kind: 'warning',
        },
      ];
    }
    const byId = new Map(bucket.results.map((result) => [result.id, result.status]));
    return [
      name,
      ...controls.flatMap((control): Span[] => {
        const status = byId.get(control.id) ?? 'unknown';
        const before = Math.floor((control.column.length - 1) / 2);
        const after = control.column.length - 1 - before;
        const last = control === controls[controls.length - 1];
        return [
          { text: ` ${' '.repeat(before)}`, kind: 'plain' },
          symbol(status),
          // No trailing blanks at the end of a row.
          { text: last ? '' : ' '.repeat(after), kind: 'plain' },
        ];
      }),
    ];
  });
  return [text(header, 'heading'), ...rows];
}

function legendLines(report: AuditReport): AuditLine[] {
  const columnWidth = Math.max(...report.controls.map((c) => c.column.length));
  const titleWidth = Math.max(...report.controls.map((c) => c.title.length));
  return [
    [
      { text: 'Legend: ', kind: 'heading' },
      symbol('pass'),
      { text: ' pass  ', kind: 'plain' },
      symbol('fail'),
      { text: ' fail  ', kind: 'plain' },
      symbol('unknown'),
      { text: ' unknown', kind: 'plain' },
    ],
    ...report.controls.map((control) =>
      text(
        `  ${control.column.padEnd(columnWidth)}  ${control.title.padEnd(titleWidth)}  ${controlIds(control)}`.trimEnd(),
      ),
    ),
  ];
}

function findingLine(
  column: string,
  status: ControlStatus,
  detail: string,
  pad: number,
): AuditLine {
  return [
    { text: '  ', kind: 'plain' },
    symbol(status),
    { text: ` ${column.padEnd(pad)}  ${detail}`, kind: 'plain' },
  ];
}

/**
 * Per-bucket lines for what does not pass. A result every audited bucket
 * shares (an account-wide setting, a service missing at the endpoint) is
 * said once, under "Every bucket".
 */
function detailLines(report: AuditReport): AuditLine[] {
  const pad = Math.max(...report.controls.map((c) => c.column.length));
  const column = new Map(report.controls.map((c) => [c.id, c.column]));
  const audited = report.buckets.filter((bucket) => bucket.error === undefined);
  const shared = new Set<string>();
  if (audited.length > 1) {
    for (const control of report.controls) {
      const results = audited.map((bucket) => bucket.results.find((r) => r.id === control.id));
      const first = results[0];
      if (
        first &&
        first.status !== 'pass' &&
        results.every((r) => r?.status === first.status && r.detail === first.detail)
      ) {
        shared.add(control.id);
      }
    }
  }
  const lines: AuditLine[] = [];
  if (shared.size > 0) {
    lines.push(text('Every bucket', 'heading'));
    for (const result of audited[0]?.results ?? []) {
      if (shared.has(result.id))
        lines.push(
          findingLine(column.get(result.id) ?? result.id, result.status, result.detail, pad),
        );
    }
  }
  for (const bucket of report.buckets) {
    const own = bucket.results.filter((r) => r.status !== 'pass' && !shared.has(r.id));
    if (bucket.error === undefined && own.length === 0) continue;
    lines.push(text(where(bucket), 'heading'));
    if (bucket.error !== undefined) lines.push(text(`  ! not audited: ${bucket.error}`, 'warning'));
    for (const result of own)
      lines.push(
        findingLine(column.get(result.id) ?? result.id, result.status, result.detail, pad),
      );
  }
  return lines;
}

/** "3 buckets: 14 controls failing, 5 unknown, 17 passing; 1 bucket not audited." */
export function summaryText(report: AuditReport): string {
  const { summary } = report;
  const counts = `${plural(summary.fail, 'control')} failing, ${summary.unknown} unknown, ${summary.pass} passing`;
  const missed = summary.errors > 0 ? `; ${plural(summary.errors, 'bucket')} not audited` : '';
  return `${plural(summary.buckets, 'bucket')}: ${counts}${missed}.`;
}

/** One bucket, control by control: symbol, title and IDs, then the detail underneath. */
function listLines(report: AuditReport, bucket: BucketAudit): AuditLine[] {
  const titleWidth = Math.max(...report.controls.map((c) => c.title.length));
  const lines: AuditLine[] = [text(`${where(bucket)} · account ${report.accountId}`, 'heading')];
  if (bucket.error !== undefined) {
    lines.push(text(`  ! not audited: ${bucket.error}`, 'warning'));
    return lines;
  }
  for (const control of report.controls) {
    const result = bucket.results.find((r) => r.id === control.id);
    const status = result?.status ?? 'unknown';
    lines.push([
      { text: '  ', kind: 'plain' },
      symbol(status),
      {
        text: ` ${control.title.padEnd(titleWidth)}  ${controlIds(control)}`.trimEnd(),
        kind: 'plain',
      },
    ]);
    if (result?.detail) lines.push(text(`      ${result.detail}`, 'note'));
  }
  return lines;
}

/** The whole human view; `width` bounds the table (the detail lines say all they must). */
export function renderAudit(report: AuditReport, width = 80): AuditLine[] {
  const summary = text(summaryText(report), 'summary');
  const only = report.buckets.length === 1 ? report.buckets[0] : undefined;
  if (only) return [...listLines(report, only), text(''), summary];
  if (report.buckets.length === 0) return [text('No buckets to audit.'), summary];
  const details = detailLines(report);
  return [
    text(`Account ${report.accountId} · region ${report.region}`, 'heading'),
    text(''),
    ...tableLines(report, width),
    text(''),
    ...legendLines(report),
    ...(details.length > 0 ? [text(''), ...details] : []),
    text(''),
    summary,
  ];
}
