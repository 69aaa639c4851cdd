/**
 * The human view of an audit report, as lines of coloured spans: a table of
 * buckets × controls that fits 80 columns (one bucket: a list, control by
 * control; the account-wide controls, the same on every row, once above
 * it), a legend of the columns with their Security Hub and CIS IDs, one
 * line per failing or unknown control with its reason (./details.ts), and
 * a summary line; what could run past the terminal's width wraps (./lines.ts).
 * Pure: symbols carry the meaning (✓ ✗ ?), the span kinds only colour them.
 */

import { resultDetail } from '../exceptions/audit-exceptions.js';
import { CIS_VERSIONS, DEFAULT_CIS_VERSION } from './cis.js';
import { ACCOUNT_CONTROLS } from './controls.js';
import { detailLines, notAuditedLines } from './details.js';
import {
  type AuditLine,
  plural,
  type Span,
  shownStatus,
  symbol,
  text,
  where,
  wrapped,
} from './lines.js';
import { renderAccounts } from './render-accounts.js';
import type { AuditReport, BucketAudit } from './schema.js';

export { type AuditLine, lineText, type Span, SYMBOL } from './lines.js';

const NAME_HEADER = 'BUCKET';

type Control = AuditReport['controls'][number];
type Result = BucketAudit['results'][number];

const ACCOUNT_WIDE = new Set<string>(ACCOUNT_CONTROLS.map((control) => control.id));

/** The report with only the per-bucket controls: the table's columns. */
function perBucket(report: AuditReport): AuditReport {
  return {
    ...report,
    controls: report.controls.filter((c) => !ACCOUNT_WIDE.has(c.id)),
    buckets: report.buckets.map((bucket) => ({
      ...bucket,
      results: bucket.results.filter((result) => !ACCOUNT_WIDE.has(result.id)),
    })),
  };
}

/** The account-wide controls once, from the first bucket audited (every row has the same). */
function accountWideLines(report: AuditReport, width: number): AuditLine[] {
  const controls = report.controls.filter((c) => ACCOUNT_WIDE.has(c.id));
  const first = report.buckets.find((bucket) => bucket.error === undefined);
  if (!first || controls.length === 0) return [];
  return [
    text('Account-wide, for every bucket below:', 'heading'),
    ...controlLines(controls, first.results, width),
    text(''),
  ];
}

// Here for the audit's callers; their own module so the wizard's first frame
// (its header) can cut names without loading the audit and its schemas.
import { truncate, truncateMiddle } from '../render/truncate.js';

export { truncate, truncateMiddle };

/** Below this many columns for the names, the table gives way to the narrow layout. */
const MIN_NAME_WIDTH = 16;

/** The width the table's name column gets, or null when it would be too narrow to read. */
function nameWidthFor(report: AuditReport, width: number): number | null {
  const cells = report.controls.reduce((sum, control) => sum + 1 + control.column.length, 0);
  const longest = Math.max(NAME_HEADER.length, ...report.buckets.map((b) => b.bucket.length));
  const room = width - cells;
  if (room < Math.min(longest, MIN_NAME_WIDTH)) return null;
  return Math.max(NAME_HEADER.length, Math.min(longest, room));
}

/** "S3.8 · CIS 2.1.4", or empty. */
export function controlIds(control: Pick<Control, 'fsbp' | 'cis'>): string {
  return [control.fsbp, control.cis ? `CIS ${control.cis}` : undefined]
    .filter((id): id is string => Boolean(id))
    .join(' · ');
}

/**
 * For a terminal too narrow for the table (60 columns, say): each bucket's
 * name whole on a line of its own, then the columns it fails and those
 * unknown, wrapped under it; a bucket that passes everything says so.
 */
function narrowLines(report: AuditReport, width: number): AuditLine[] {
  const rows = report.buckets.flatMap((bucket): AuditLine[] => {
    const name = text(bucket.bucket, 'heading');
    if (bucket.error !== undefined) {
      return [
        name,
        ...wrapped(
          [{ text: '  ', kind: 'plain' }],
          `! not audited: ${bucket.error}`,
          'warning',
          width,
          4,
        ),
      ];
    }
    const byId = new Map(bucket.results.map((result) => [result.id, shownStatus(result)]));
    const columns = (status: string) =>
      report.controls
        .filter((control) => (byId.get(control.id) ?? 'unknown') === status)
        .map((control) => control.column)
        .join(' ');
    const lines: AuditLine[] = [name];
    for (const status of ['fail', 'unknown', 'excepted'] as const) {
      const listed = columns(status);
      if (listed)
        lines.push(
          ...wrapped(
            [{ text: '  ', kind: 'plain' }, symbol(status), { text: ' ', kind: 'plain' }],
            listed,
            'plain',
            width,
            4,
          ),
        );
    }
    if (lines.length === 1) {
      lines.push([
        { text: '  ', kind: 'plain' },
        symbol('pass'),
        { text: ' every control passes', kind: 'plain' },
      ]);
    }
    return lines;
  });
  return [
    ...wrapped(
      [],
      'Each bucket: the controls it fails (✗) and those unknown (?); the rest pass.',
      'heading',
      width,
      0,
    ),
    ...rows,
  ];
}

function tableLines(report: AuditReport, width: number): AuditLine[] {
  const controls = report.controls;
  const nameWidth = nameWidthFor(report, width);
  if (nameWidth === null) return narrowLines(report, width);
  const header = `${NAME_HEADER.padEnd(nameWidth)}${controls.map((c) => ` ${c.column}`).join('')}`;
  const rows = report.buckets.map((bucket): AuditLine => {
    const name: Span = {
      text: truncateMiddle(bucket.bucket, nameWidth).padEnd(nameWidth),
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
    const byId = new Map(bucket.results.map((result) => [result.id, shownStatus(result)]));
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

/** Which CIS benchmark the numbers are from: they differ between versions. */
function cisLines(report: AuditReport, width: number): AuditLine[] {
  const version = report.cisVersion ?? DEFAULT_CIS_VERSION;
  return wrapped(
    [],
    `CIS IDs: Foundations Benchmark v${version} (--cis-version ${CIS_VERSIONS.filter((v) => v !== version).join(', ')})`,
    'note',
    width,
    2,
  );
}

/** Whether any result carries an exception (the legend then names the symbol). */
const excepts = (report: AuditReport) =>
  report.buckets.some((bucket) => bucket.results.some((result) => result.exception));

function legendLines(report: AuditReport, width: number): AuditLine[] {
  const columnWidth = Math.max(...report.controls.map((c) => c.column.length));
  const titleWidth = Math.max(...report.controls.map((c) => c.title.length));
  const lines = report.controls.map((control) =>
    `  ${control.column.padEnd(columnWidth)}  ${control.title.padEnd(titleWidth)}  ${controlIds(control)}`.trimEnd(),
  );
  return [
    [
      { text: 'Legend: ', kind: 'heading' },
      symbol('pass'),
      { text: ' pass  ', kind: 'plain' },
      symbol('fail'),
      { text: ' fail  ', kind: 'plain' },
      symbol('unknown'),
      { text: ' unknown', kind: 'plain' },
      ...(excepts(report)
        ? [
            symbol('excepted'),
            { text: ' excepted (an intended exception)', kind: 'plain' as const },
          ]
        : []),
    ],
    ...(lines.every((line) => line.length <= width)
      ? lines.map((line) => text(line))
      : // Narrow: title and IDs as one text, wrapped past the column name.
        report.controls.flatMap((control) =>
          wrapped(
            [{ text: `  ${control.column.padEnd(columnWidth)}  `, kind: 'plain' }],
            [control.title, controlIds(control)].filter(Boolean).join(' · '),
            'plain',
            width,
            columnWidth + 4,
          ),
        )),
  ];
}

/**
 * "3 buckets: 14 failing results, 5 unknown, 17 passing; 1 bucket not
 * audited." Results, not controls: twelve controls over three buckets are
 * thirty-six results.
 */
export function summaryText(report: AuditReport): string {
  const { summary } = report;
  const counts = `${plural(summary.fail, 'failing result')}, ${summary.unknown} unknown, ${summary.pass} passing`;
  const missed = summary.errors > 0 ? `; ${plural(summary.errors, 'bucket')} not audited` : '';
  return `${plural(summary.buckets, 'bucket')}: ${counts}${missed}.`;
}

/** Control by control: symbol, title and IDs, then the detail underneath (wrapped, hanging). */
function controlLines(
  controls: readonly Control[],
  results: readonly Result[],
  width: number,
): AuditLine[] {
  const titleWidth = Math.max(...controls.map((c) => c.title.length));
  return controls.flatMap((control) => {
    const result = results.find((r) => r.id === control.id);
    const lines: AuditLine[] = [
      [
        { text: '  ', kind: 'plain' },
        symbol(result ? shownStatus(result) : 'unknown'),
        {
          text: ` ${control.title.padEnd(titleWidth)}  ${controlIds(control)}`.trimEnd(),
          kind: 'plain',
        },
      ],
    ];
    const detail = result ? resultDetail(result) : '';
    if (detail)
      lines.push(...wrapped([{ text: '      ', kind: 'note' }], detail, 'note', width, 8));
    return lines;
  });
}

/** One bucket, control by control. */
function listLines(report: AuditReport, bucket: BucketAudit, width: number): AuditLine[] {
  const heading = `${where(bucket)} · account ${report.accountId}`;
  const lines: AuditLine[] = wrapped([], heading, 'heading', width, 2);
  if (bucket.error !== undefined) return [...lines, ...notAuditedLines(bucket.error, width)];
  return [...lines, ...controlLines(report.controls, bucket.results, width)];
}

/**
 * The account-level controls judged on their own, when no bucket row carries
 * them (an account without buckets, or none could be audited).
 */
function accountLines(report: AuditReport, width: number): AuditLine[] {
  if (!report.account) return [];
  const ids = new Set(report.account.results.map((result) => result.id));
  const controls = report.controls.filter((control) => ids.has(control.id));
  return [
    text(''),
    text(`Account ${report.accountId} (account-level controls)`, 'heading'),
    ...controlLines(controls, report.account.results, width),
  ];
}

/**
 * The whole human view, `width` columns wide (the terminal's; 80 without
 * one): the table fits it, detail lines wrap to it.
 */
export function renderAudit(report: AuditReport, width = 80): AuditLine[] {
  if (report.accounts) return renderAccounts(report, width, renderAudit, summaryText);
  const summary = wrapped([], summaryText(report), 'summary', width, 2);
  const account = accountLines(report, width);
  const only = report.buckets.length === 1 ? report.buckets[0] : undefined;
  if (only)
    return [
      ...listLines(report, only, width),
      ...account,
      text(''),
      ...cisLines(report, width),
      ...summary,
    ];
  if (report.buckets.length === 0)
    return [text('No buckets to audit.'), ...account, text(''), ...summary];
  const columns = perBucket(report);
  const details = detailLines(columns, width);
  return [
    text(`Account ${report.accountId} · region ${report.region}`, 'heading'),
    text(''),
    ...accountWideLines(report, width),
    ...tableLines(columns, width),
    text(''),
    ...legendLines(columns, width),
    ...cisLines(report, width),
    ...(details.length > 0 ? [text(''), ...details] : []),
    ...account,
    text(''),
    ...summary,
  ];
}
