/**
 * Wraps plan-style lines to the terminal's width instead of cutting them: a
 * lockout reason, a policy value or an AWS CLI command to copy is read to
 * its end. Continuations keep the line's kind and hang under its text.
 * Commands — a `command` line, or one quoted in a note or warning — are
 * never cut mid-token: they go on rows of their own, broken between
 * arguments with a trailing ` \`, so what is on screen pastes as it is
 * (./command-lines.ts).
 */
import type { Line } from '../plan/render/render.js';
import { commandRows, splitCommand } from './command-lines.js';

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

function leading(text: string): number {
  return text.length - text.trimStart().length;
}

/** One line's rows: prose wrapped at words, any command it quotes on rows of its own. */
function rowsOf(line: Line, width: number): Line[] {
  const as = (text: string): Line => ({ kind: line.kind, text });
  if (line.kind === 'command') {
    return commandRows(line.text.trimStart(), width, leading(line.text)).map(as);
  }
  if (line.text.length <= width) return [as(line.text)];
  const split = splitCommand(line.text);
  if (!split) return wrapText(line.text, width).map(as);
  const indent = leading(line.text) + 2;
  // "… remove them (aws …), then plan again.": the parentheses go with the command on its own rows.
  const before = split.before.endsWith('(')
    ? `${split.before.replace(/\s*\($/, '')}:`
    : split.before;
  const after = split.before.endsWith('(') ? split.after.replace(/^\)[\s,;]*/, '') : split.after;
  return [
    ...(before.trim() ? wrapText(before, width) : []),
    ...commandRows(split.command, width, indent),
    ...(after ? wrapText(' '.repeat(indent) + after, width) : []),
  ].map(as);
}

export function wrapLines(lines: readonly Line[], width: number): Line[] {
  const usable = Math.max(20, width);
  return lines.flatMap((line) => rowsOf(line, usable));
}

/** A note's rows when it quotes a command (the command on rows of its own); null when it quotes none. */
export function commandNoteRows(text: string, width: number): string[] | null {
  if (!splitCommand(text)) return null;
  return rowsOf({ kind: 'plain', text }, Math.max(20, width)).map((line) => line.text);
}
