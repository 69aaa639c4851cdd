/**
 * The lossless JSON scanner (src/plan/policy/json-text.ts): it accepts exactly
 * what JSON.parse accepts, its spans give back each value as written, numbers
 * compare by exact value, and its pretty-printer matches JSON.stringify's.
 */
import { describe, expect, it } from 'vitest';
import {
  exactNumber,
  formatJson,
  hasDuplicateKeys,
  type JsonNode,
  JsonTextError,
  MAX_JSON_DEPTH,
  sameJson,
  scanJson,
  sourceOf,
} from '../../src/plan/policy/json-text.js';
import { pick, type Random, seededRandom } from '../helpers/random.js';

/** What JSON.parse makes of a node, rebuilt from the tree (numbers via their text). */
function rebuilt(text: string, node: JsonNode): unknown {
  switch (node.kind) {
    case 'object':
      return Object.fromEntries(node.members.map((m) => [m.key, rebuilt(text, m.value)]));
    case 'array':
      return node.items.map((item) => rebuilt(text, item));
    case 'number':
      return Number(sourceOf(text, node));
    default:
      return node.value;
  }
}

const accepts = (text: string): boolean => {
  try {
    scanJson(text);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(JsonTextError);
    return false;
  }
};
const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** `sameJson` of two texts; false when either is not JSON. */
function sameJsonText(a: string, b: string): boolean {
  try {
    return sameJson(scanJson(a), a, scanJson(b), b);
  } catch (error) {
    if (error instanceof JsonTextError) return false;
    throw error;
  }
}

const NUMBERS = ['1.0', '1e3', '1E+3', '9007199254740993', '-0', '0.10', '12345678901234567890'];

/** Random JSON text with varied spacing, escapes and numbers as typed. */
function randomJson(random: Random, depth = 0): string {
  const space = () => pick(random, ['', ' ', '\n  ', '\t', '\r\n']);
  const kind = depth > 3 ? pick(random, ['n', 's', 'l']) : pick(random, ['o', 'a', 'n', 's', 'l']);
  if (kind === 'o') {
    const count = Math.floor(random() * 4);
    const members = Array.from(
      { length: count },
      (_, index) =>
        `${space()}"k${index}\\u00e9"${space()}:${space()}${randomJson(random, depth + 1)}`,
    );
    return `{${members.join(',')}${space()}}`;
  }
  if (kind === 'a') {
    const count = Math.floor(random() * 4);
    const items = Array.from({ length: count }, () => `${space()}${randomJson(random, depth + 1)}`);
    return `[${items.join(',')}${space()}]`;
  }
  if (kind === 'n') return pick(random, [...NUMBERS, '0', '-12.5e-3', '3']);
  if (kind === 's')
    return pick(random, ['"a"', '"\\"\\\\\\/"', '"\\ud83d\\ude00"', '"é\\n"', '""']);
  return pick(random, ['true', 'false', 'null']);
}

describe('scanJson', () => {
  it('gives back every value exactly as written, numbers included', () => {
    const text = `{ "N" : 1.0,"big":12345678901234567890 ,\n "list": [1e3, -0, 9007199254740993],
      "s": "\\u0041\\n", "t": true, "z": null }`;
    const root = scanJson(text);
    if (root.kind !== 'object') throw new Error('not an object');
    expect(root.members.map((m) => m.key)).toEqual(['N', 'big', 'list', 's', 't', 'z']);
    expect(root.members.map((m) => sourceOf(text, m.value))).toEqual([
      '1.0',
      '12345678901234567890',
      '[1e3, -0, 9007199254740993]',
      '"\\u0041\\n"',
      'true',
      'null',
    ]);
    expect(root.members.map((m) => sourceOf(text, m.keySpan))[0]).toBe('"N"');
    const s = root.members[3]?.value;
    expect(s?.kind === 'string' && s.value).toBe('A\n');
    expect(rebuilt(text, root)).toEqual(JSON.parse(text));
    expect(sourceOf(text, root)).toBe(text);
  });

  it('accepts exactly what JSON.parse accepts', () => {
    const cases = [
      '{}',
      ' [ ] ',
      '"\\u00"',
      '"\\x41"',
      '"a\tb"',
      '01',
      '1.',
      '.5',
      '+1',
      '-',
      '1e',
      'tru',
      '[1,]',
      '{"a":1,}',
      '{"a" 1}',
      '{a:1}',
      "'a'",
      '\uFEFF{}',
      '{}x',
      '',
      '   ',
      '[1 2]',
      '"\\ud800"',
      'nul',
      '\u00a0[]',
      '[\f]',
      '{"a":1}/*c*/',
      '-0.0e-0',
      '"\u2028"',
    ];
    for (const text of cases) expect(accepts(text), JSON.stringify(text)).toBe(parses(text));
  });

  it('agrees with JSON.parse on random texts and their one-character mutations', () => {
    const random = seededRandom(13);
    const alphabet = ['{', '}', '[', ']', ',', ':', '"', '\\', '0', '1', '-', '.', 'e', ' ', 'x'];
    for (let round = 0; round < 600; round += 1) {
      const text = randomJson(random);
      expect(accepts(text), text).toBe(true);
      expect(rebuilt(text, scanJson(text))).toEqual(JSON.parse(text));
      const at = Math.floor(random() * text.length);
      const mutated =
        random() < 0.5
          ? text.slice(0, at) + text.slice(at + 1)
          : text.slice(0, at) + pick(random, alphabet) + text.slice(at);
      expect(accepts(mutated), mutated).toBe(parses(mutated));
    }
  });

  it('refuses nesting deeper than any policy, without exhausting the stack', () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(accepts(deep(MAX_JSON_DEPTH))).toBe(true);
    expect(() => scanJson(deep(100_000))).toThrow(JsonTextError);
  });

  it('finds a key written twice, at any depth', () => {
    expect(hasDuplicateKeys(scanJson('{"a":1,"b":[{"c":1}]}'))).toBe(false);
    expect(hasDuplicateKeys(scanJson('{"a":1,"a":2}'))).toBe(true);
    expect(hasDuplicateKeys(scanJson('[{"b":{"c":1,"\\u0063":2}}]'))).toBe(true);
  });
});

describe('exact numbers', () => {
  it('one value, however it is written', () => {
    const one = ['1', '1.0', '1.000', '1e0', '10e-1', '0.1e1', '100E-2'];
    expect(new Set(one.map(exactNumber))).toEqual(new Set(['1e0']));
    expect(exactNumber('-0')).toBe(exactNumber('0'));
    expect(exactNumber('0.0e99')).toBe('0');
    expect(exactNumber('1e3')).toBe(exactNumber('1000'));
    expect(exactNumber('-12.5e-3')).toBe('-125e-2');
    expect(exactNumber('1e999999999999999999')).toBe('1e999999999999999999');
  });

  it('tells apart what JSON.parse cannot', () => {
    expect(Number('9007199254740993')).toBe(Number('9007199254740992'));
    expect(exactNumber('9007199254740993')).not.toBe(exactNumber('9007199254740992'));
    expect(exactNumber('12345678901234567890')).not.toBe(exactNumber('12345678901234567000'));
    expect(exactNumber('0.1000000000000000000001')).not.toBe(exactNumber('0.1'));
  });
});

describe('sameJsonText', () => {
  it('ignores layout, key order and escapes', () => {
    expect(sameJsonText('{"a":1,"b":[true,null]}', ' { "b" : [ true , null ] , "a" : 1.0 } ')).toBe(
      true,
    );
    expect(sameJsonText('{"k":"A"}', '{"\\u006b":"\\u0041"}')).toBe(true);
    expect(sameJsonText('[-0]', '[0]')).toBe(true);
  });

  it('counts a changed value, a changed order in a list, a key more or less', () => {
    expect(sameJsonText('[9007199254740993]', '[9007199254740992]')).toBe(false);
    expect(sameJsonText('[1,2]', '[2,1]')).toBe(false);
    expect(sameJsonText('{"a":1}', '{"a":1,"b":1}')).toBe(false);
    expect(sameJsonText('{"a":1,"b":1}', '{"a":1,"c":1}')).toBe(false);
    expect(sameJsonText('{"a":"1"}', '{"a":1}')).toBe(false);
    expect(sameJsonText('{"a":1}', 'not json')).toBe(false);
  });

  it('a key twice: equal only to the same keys in the same order', () => {
    expect(sameJsonText('{"a":1,"a":2}', '{"a":1,"a":2}')).toBe(true);
    expect(sameJsonText('{"a":1,"a":2}', '{"a":2,"a":1}')).toBe(false);
    expect(sameJsonText('{"a":2}', '{"a":1,"a":2}')).toBe(false);
    expect(sameJsonText('{"a":1,"b":2}', '{"a":1,"a":2}')).toBe(false);
  });
});

describe('formatJson', () => {
  it('is JSON.stringify(value, null, 2) for what JSON.stringify wrote', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 300; round += 1) {
      const value = JSON.parse(randomJson(random));
      expect(formatJson(JSON.stringify(value))).toBe(JSON.stringify(value, null, 2));
    }
  });

  it('keeps every token as written', () => {
    const text = '{"\\u0041":[1.0,12345678901234567890],"e":{},"f":[],"s":"\\u00e9"}';
    expect(formatJson(text)).toBe(
      [
        '{',
        '  "\\u0041": [',
        '    1.0,',
        '    12345678901234567890',
        '  ],',
        '  "e": {},',
        '  "f": [],',
        '  "s": "\\u00e9"',
        '}',
      ].join('\n'),
    );
  });
});
