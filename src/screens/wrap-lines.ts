/**
 * Wraps plan-style lines to the terminal's width instead of cutting them: a
 * lockout reason, a policy value or an AWS CLI command to copy is read to
 * its end. Continuations keep the line's kind and hang under its text.
 */
import type { Line } from '../plan/render/render.js';

const HANG = 4;

function wrapText(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const indent = Math.min(text.length - text.trimStart().length + HANG, Math.floor(width / 2));
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  let rest = text;
  let room = width;
  while (rest.length > room) {
    // Break at the last space that leaves something on this row, else hard.
    const space = rest.lastIndexOf(' ', room);
    const floor = out.length === 0 ? indent : pad.length + 1;
    const cut = space > floor ? space : room;
    out.push(rest.slice(0, cut).trimEnd());
    rest = pad + rest.slice(cut).trimStart();
    room = width;
  }
  out.push(rest);
  return out;
}

export function wrapLines(lines: readonly Line[], width: number): Line[] {
  const usable = Math.max(20, width);
  return lines.flatMap((line) =>
    wrapText(line.text, usable).map((text): Line => ({ kind: line.kind, text })),
  );
}
