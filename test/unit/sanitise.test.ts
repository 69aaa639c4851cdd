/**
 * The one terminal filter (src/plan/render/sanitise.ts): what could drive
 * the terminal or reorder what it shows is escaped, everything else is left
 * as it is, and colour is added only around escaped text.
 */
import { describe, expect, it } from 'vitest';
import { colourEnabled, formatLines, paint } from '../../src/commands/style.js';
import { escapeControl, escapeLines, jsonText } from '../../src/plan/render/sanitise.js';

/** Every character the filter must escape, one of each kind. */
const UNSAFE: [string, string][] = [
  ['NUL', '\u0000'],
  ['ESC', '\u001b'],
  ['tab', '\t'],
  ['line feed', '\n'],
  ['carriage return', '\r'],
  ['DEL', '\u007f'],
  ['C1 CSI', '\u009b'],
  ['C1 NEL', '\u0085'],
  ['LRE', '\u202a'],
  ['RLO', '\u202e'],
  ['LRI', '\u2066'],
  ['PDI', '\u2069'],
  ['LRM', '\u200e'],
  ['RLM', '\u200f'],
  ['ALM', '\u061c'],
  ['line separator', '\u2028'],
  ['paragraph separator', '\u2029'],
];

const RAW = /[\p{Cc}\p{Bidi_Control}\p{Zl}\p{Zp}]/u;

describe('escapeControl', () => {
  it.each(UNSAFE)('escapes %s as \\uXXXX', (_name, char) => {
    const code = (char.codePointAt(0) ?? 0).toString(16).padStart(4, '0');
    expect(escapeControl(`a${char}b`)).toBe(`a\\u${code}b`);
  });

  it('leaves ordinary text alone: accents, arrows, emoji with joiners, quotes', () => {
    const text = 'café → ✓ 👩‍💻 "quoted" \\ 日本語 — ok';
    expect(escapeControl(text)).toBe(text);
  });

  it('is idempotent and leaves nothing raw', () => {
    const all = UNSAFE.map(([, char]) => char).join('x');
    const once = escapeControl(all);
    expect(once).not.toMatch(RAW);
    expect(escapeControl(once)).toBe(once);
  });

  it('escapeLines keeps the line breaks between lines and escapes the rest', () => {
    expect(escapeLines('one\u001b[8m\ntwo\u2028\n')).toBe('one\\u001b[8m\ntwo\\u2028\n');
  });

  it('jsonText is the same JSON, with nothing raw in it', () => {
    const value = { reason: 'a\u009b\u202e\u2028\u007f\u001b[8mb', list: ['\u2066x\u2069'] };
    const text = jsonText(value);
    expect(text.replace(/\n/g, '')).not.toMatch(RAW);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('terminal colour', () => {
  it('paints around the escaped text: a file cannot add an escape of its own', () => {
    expect(paint('x\u001b[8my', 'add', true)).toBe('\u001b[32mx\\u001b[8my\u001b[0m');
    expect(paint('x\u001b[8my', 'add', false)).toBe('x\\u001b[8my');
    const text = formatLines(
      [
        { kind: 'note', text: 'Skipped \u001b[8m: \u202ehidden' },
        { kind: 'plain', text: 'next' },
      ],
      colourEnabled({ isTTY: false }, { NO_COLOR: '1' }),
    );
    expect(text).toBe('Skipped \\u001b[8m: \\u202ehidden\nnext');
  });
});
