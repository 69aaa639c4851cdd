import { describe, expect, it } from 'vitest';
import { colourEnabled, formatLines } from '../../src/commands/style.js';
import type { Line, LineKind } from '../../src/plan/render/render.js';

const TTY = { isTTY: true };
const PIPE = { isTTY: false };
const NO_TTY_FIELD = {};

describe('colourEnabled', () => {
  it.each<[string, { isTTY?: boolean }, NodeJS.ProcessEnv, boolean]>([
    ['a terminal', TTY, {}, true],
    ['a terminal with TERM=xterm-256color', TTY, { TERM: 'xterm-256color' }, true],
    ['a pipe', PIPE, {}, false],
    ['a stream with no isTTY', NO_TTY_FIELD, {}, false],
    ['TERM=dumb on a terminal', TTY, { TERM: 'dumb' }, false],
    ['NO_COLOR=1 on a terminal', TTY, { NO_COLOR: '1' }, false],
    ['NO_COLOR=0 still means no colour (any non-empty value)', TTY, { NO_COLOR: '0' }, false],
    ['NO_COLOR set but empty is ignored', TTY, { NO_COLOR: '' }, true],
    ['FORCE_COLOR=1 on a pipe', PIPE, { FORCE_COLOR: '1' }, true],
    ['FORCE_COLOR=3 with TERM=dumb', PIPE, { FORCE_COLOR: '3', TERM: 'dumb' }, true],
    ['FORCE_COLOR=0 does not force', PIPE, { FORCE_COLOR: '0' }, false],
    ['FORCE_COLOR empty does not force', PIPE, { FORCE_COLOR: '' }, false],
    ['NO_COLOR beats FORCE_COLOR', TTY, { NO_COLOR: '1', FORCE_COLOR: '1' }, false],
  ])('%s → %s', (_label, stream, env, expected) => {
    expect(colourEnabled(stream, env)).toBe(expected);
  });
});

const KINDS: readonly LineKind[] = [
  'heading',
  'add',
  'change',
  'remove',
  'irreversible',
  'warning',
  'note',
  'command',
  'summary',
  'plain',
];
const LINES: Line[] = [
  ...KINDS.map((kind) => ({ kind, text: `${kind} line` })),
  { kind: 'add', text: '' },
];

describe('formatLines', () => {
  it('colour off: the text exactly, no escape codes', () => {
    const out = formatLines(LINES, false);
    expect(out).toBe([...KINDS.map((kind) => `${kind} line`), ''].join('\n'));
    expect(out).not.toContain('\u001b');
  });

  it.each<[LineKind, string]>([
    ['heading', '\u001b[1mheading line\u001b[0m'],
    ['add', '\u001b[32madd line\u001b[0m'],
    ['change', '\u001b[33mchange line\u001b[0m'],
    ['remove', '\u001b[31mremove line\u001b[0m'],
    ['irreversible', '\u001b[1;31mirreversible line\u001b[0m'],
    ['warning', '\u001b[33mwarning line\u001b[0m'],
    ['note', '\u001b[2mnote line\u001b[0m'],
    ['command', '\u001b[36mcommand line\u001b[0m'],
    ['summary', '\u001b[1msummary line\u001b[0m'],
    ['plain', 'plain line'],
  ])('colour on: %s', (kind, expected) => {
    expect(formatLines([{ kind, text: `${kind} line` }], true)).toBe(expected);
  });

  it('colour on: an empty line stays empty (no stray codes)', () => {
    expect(formatLines([{ kind: 'add', text: '' }], true)).toBe('');
  });

  it('stripping the escape codes from coloured output gives the plain output', () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI codes.
    const stripped = formatLines(LINES, true).replace(/\u001b\[[0-9;]*m/g, '');
    expect(stripped).toBe(formatLines(LINES, false));
  });
});
