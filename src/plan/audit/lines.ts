/**
 * The building blocks of the audit's human view: coloured spans, the status
 * symbols, and word wrapping with a hanging indent, so a long detail line
 * (a regional-service reason, an access denial naming its action) stays
 * inside the terminal instead of running past it. Pure.
 */
import type { LineKind } from '../render/render.js';
import type { ControlStatus } from './controls.js';
import type { BucketAudit } from './schema.js';

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

/** The least room a line gets (a very narrow terminal): the text runs past the edge instead. */
const NARROWEST = 10;

export function lineText(line: AuditLine): string {
  return line.map((span) => span.text).join('');
}

export const text = (value: string, kind: LineKind = 'plain'): AuditLine => [{ text: value, kind }];
export const symbol = (status: ControlStatus | 'excepted'): Span =>
  status === 'excepted'
    ? { text: EXCEPTED, kind: 'note' }
    : { text: SYMBOL[status], kind: KIND[status] };

/** An intended exception: neither a pass nor a failure. */
export const EXCEPTED = '~';

/** How a result shows: its status, or excepted while its exception holds. */
export function shownStatus(result: {
  readonly status: ControlStatus;
  readonly exception?: { readonly expired: boolean } | undefined;
}): ControlStatus | 'excepted' {
  return result.exception && !result.exception.expired ? 'excepted' : result.status;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** "name (region)", or the name alone for a bucket that could not be found. */
export function where(bucket: Pick<BucketAudit, 'bucket' | 'region'>): string {
  return bucket.region ? `${bucket.bucket} (${bucket.region})` : bucket.bucket;
}

/**
 * `value` in lines of at most `first` characters, then `rest`, broken at
 * spaces; a word longer than a line (an ARN) is cut where the line ends.
 */
export function wrapText(value: string, first: number, rest: number = first): string[] {
  const lines: string[] = [];
  let line = '';
  const room = () => Math.max(NARROWEST, lines.length === 0 ? first : rest);
  for (const word of value.split(' ').filter((w) => w !== '')) {
    let piece = word;
    if (line !== '' && line.length + 1 + piece.length <= room()) {
      line = `${line} ${piece}`;
      continue;
    }
    if (line !== '') {
      lines.push(line);
      line = '';
    }
    while (piece.length > room()) {
      lines.push(piece.slice(0, room()));
      piece = piece.slice(room());
    }
    line = piece;
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * `lead` (spans already laid out: indent, symbol, label), then `value`
 * wrapped to `width`, its continuation lines indented by `hang` spaces.
 */
export function wrapped(
  lead: readonly Span[],
  value: string,
  kind: LineKind,
  width: number,
  hang: number,
): AuditLine[] {
  const used = lineText(lead).length;
  const [head = '', ...tail] = wrapText(value, width - used, width - hang);
  return [
    [...lead, { text: head, kind }],
    ...tail.map((part): AuditLine => [{ text: `${' '.repeat(hang)}${part}`, kind }]),
  ];
}
