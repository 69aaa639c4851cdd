/**
 * Colour for plain terminal output (`plan`, `apply`). Symbols carry meaning;
 * colour repeats it, and is off for pipes and when NO_COLOR is set.
 */
import type { Line, LineKind } from '../plan/render.js';

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

export function formatLines(lines: readonly Line[], colour: boolean): string {
  return lines
    .map((line) => {
      const code = ANSI[line.kind];
      return colour && code && line.text ? `\u001b[${code}m${line.text}\u001b[0m` : line.text;
    })
    .join('\n');
}
