/**
 * The human view of a multi-account audit (--accounts): a section per
 * account, each rendered as a one-account report of its own buckets; an
 * account that could not be audited is one line with the reason; the run's
 * summary last. Pure.
 */
import { type AuditLine, plural, symbol, text, wrapped } from './lines.js';
import type { AccountEntry, AuditReport } from './schema.js';

/** One account's part of the report, as a one-account report (the text, SARIF and ASFF views). */
export function accountReport(report: AuditReport, entry: AccountEntry): AuditReport {
  const buckets = report.buckets.filter((bucket) => bucket.accountId === entry.accountId);
  const { accounts: _accounts, ...rest } = report;
  const tally = { pass: 0, fail: 0, unknown: 0 };
  for (const row of [...buckets, ...(entry.results ? [{ results: entry.results }] : [])]) {
    for (const result of row.results) tally[result.status] += 1;
  }
  return {
    ...rest,
    accountId: entry.accountId,
    buckets,
    ...(entry.results ? { account: { results: entry.results } } : { account: undefined }),
    summary: {
      ...report.summary,
      buckets: buckets.length,
      errors: buckets.filter((bucket) => bucket.error !== undefined).length,
      ...tally,
    },
  };
}

function heading(entry: AccountEntry): string {
  return `Account ${entry.accountId}${entry.name ? ` (${entry.name})` : ''}`;
}

/** The run's line: accounts audited and not, then the buckets' counts over every account. */
export function accountsSummaryText(report: AuditReport, bucketsText: string): string {
  const entries = report.accounts ?? [];
  const failed = entries.filter((entry) => entry.status === 'failed').length;
  const missed = failed > 0 ? ` (${failed} could not be audited)` : '';
  return `${plural(entries.length, 'account')}${missed}; ${bucketsText}`;
}

export function renderAccounts(
  report: AuditReport,
  width: number,
  renderOne: (report: AuditReport, width: number) => AuditLine[],
  summaryText: (report: AuditReport) => string,
): AuditLine[] {
  const lines: AuditLine[] = [];
  for (const entry of report.accounts ?? []) {
    const title = `══ ${heading(entry)} ══`;
    if (entry.status === 'failed') {
      lines.push(
        ...wrapped(
          [symbol('fail'), { text: ' ', kind: 'plain' }],
          `${heading(entry)}: not audited: ${entry.error ?? 'unknown reason'}`,
          'remove',
          width,
          2,
        ),
        text(''),
      );
      continue;
    }
    lines.push(text(title, 'heading'), ...renderOne(accountReport(report, entry), width), text(''));
  }
  lines.push(...wrapped([], accountsSummaryText(report, summaryText(report)), 'summary', width, 2));
  return lines;
}
