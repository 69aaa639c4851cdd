/**
 * Colour for plain terminal output (`plan`, `apply`, `audit`). Symbols carry meaning;
 * colour repeats it, and is off for pipes and when NO_COLOR is set.
 */
import type { Line, LineKind } from '../plan/render/render.js';
import { escapeControl } from '../plan/render/sanitise.js';
import { wrapLines } from '../plan/render/wrap-text.js';

const ANSI: Record<LineKind, string | null> = {
  heading: '1',
  add: '32',
  change: '33',
  remove: '31',
  irreversible: '1;31',
  warning: '33',
  note: '2',
  command: '36',
  summary: '1',
  plain: null,
};

export function colourEnabled(stream: { isTTY?: boolean }, env = process.env): boolean {
  if ('NO_COLOR' in env && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

/**
 * Text in the colour of `kind` (a whole line, or one cell of a table); as it is
 * without colour. Escaped first: text from a file cannot add escapes of its own.
 */
export function paint(text: string, kind: LineKind, colour: boolean): string {
  const code = ANSI[kind];
  const shown = escapeControl(text);
  return colour && code && shown ? `\u001b[${code}m${shown}\u001b[0m` : shown;
}

/**
 * The width to wrap text to: the terminal's, or 0 (no wrapping) for a pipe or
 * a file, so piped output stays one line per line, as scripts read it.
 */
export function outputWidth(stream: {
  readonly isTTY?: boolean;
  readonly columns?: number;
}): number {
  return stream.isTTY && stream.columns && stream.columns > 0 ? stream.columns : 0;
}

/**
 * Lines as printed: wrapped at word boundaries to `width` with hanging
 * indents (commands never: they are copied whole); `width` 0 leaves them as they are.
 */
export function formatLines(lines: readonly Line[], colour: boolean, width = 0): string {
  return wrapLines(lines, width)
    .map((line) => paint(line.text, line.kind, colour))
    .join('\n');
}
