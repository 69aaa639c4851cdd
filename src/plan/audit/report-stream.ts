/**
 * The JSON report (`audit --json`) written as the audit goes: the fields
 * before `buckets` first, then each bucket row as soon as it is handed in,
 * then the fields after the rows (account, accounts, regions, summary,
 * stats) from running totals. The text is byte for byte what `jsonText` of
 * the collected report (./report.ts buildReport) prints, so a reader sees
 * one JSON document either way; only the rows in flight are held. Pure: the
 * caller says where the text goes.
 */
import { jsonText } from '../render/sanitise.js';
import { type ReportShellInput, reportShell, SummaryTally } from './report.js';
import type { BucketAudit } from './schema.js';

/** Where the rows go in the shell's text: the top-level key, never the last. */
const ROWS = '\n  "buckets": [],\n';
/** A row's lines, two levels in. */
const INDENT = '    ';

/** The shell's text around its (empty) rows. */
function split(input: ReportShellInput, tally: SummaryTally): { head: string; tail: string } {
  const text = jsonText(reportShell(input, tally));
  const at = text.indexOf(ROWS);
  if (at < 0) throw new Error('the audit report has no buckets field');
  return { head: text.slice(0, at + ROWS.length - 4), tail: text.slice(at + ROWS.length - 2) };
}

export interface ReportWriter {
  /** The next bucket row, in the report's order. */
  row(bucket: BucketAudit): void;
  /** The fields after the rows; what is known only at the end (account, accounts, calls, duration). */
  end(rest: Pick<ReportShellInput, 'account' | 'accounts' | 'calls' | 'durationMs'>): void;
  /** The rows' running totals (the stats' per-bucket figure, the text summary). */
  readonly tally: SummaryTally;
}

/**
 * Starts a report (its head is written with the first row). `start` holds the fields known
 * before any row (tool, account, region, CIS version, --regions, and
 * `generatedAt`, which is when the report starts).
 */
export function reportWriter(
  write: (text: string) => void,
  start: Omit<ReportShellInput, 'account' | 'accounts' | 'calls' | 'durationMs'> & {
    readonly generatedAt: Date;
  },
): ReportWriter {
  const tally = new SummaryTally();
  let head: string | undefined = split({ ...start, calls: {}, durationMs: 0 }, tally).head;
  // Written with the first row (or at the end): a run that stops before any row prints nothing.
  const opening = () => {
    if (head === undefined) return '';
    const text = head;
    head = undefined;
    return text;
  };
  return {
    tally,
    row(bucket) {
      const lines = jsonText(bucket)
        .split('\n')
        .map((line) => `${INDENT}${line}`)
        .join('\n');
      write(`${opening()}${tally.buckets === 0 ? '[\n' : ',\n'}${lines}`);
      tally.bucket(bucket);
    },
    end(rest) {
      const { tail } = split({ ...start, ...rest }, tally);
      write(`${opening()}${tally.buckets === 0 ? '[]' : '\n  ]'}${tail}\n`);
    },
  };
}
