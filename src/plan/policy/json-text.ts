/**
 * A lossless JSON scanner: strict RFC 8259 JSON (what JSON.parse accepts) read
 * into a tree that keeps where each value stands in the text and each number
 * as written. JSON.parse turns `1.0` into 1 and 12345678901234567890 into
 * 12345678901234567000; a policy someone else wrote must go back to S3 as
 * they wrote it, so s3-harden copies its statements from the text by these
 * spans (./policy-text.ts) instead of serialising what JSON.parse made of them.
 *
 * Also here: equality by meaning with exact numbers (`sameJson`: key order,
 * whitespace and escapes do not count; 1.0 = 1 = 1e0, but 2^53 + 1 ≠ 2^53),
 * and a pretty-printer that keeps every token as written (`formatJson`).
 */

interface Span {
  /** Offset of the value's first character in the text. */
  readonly start: number;
  /** Offset just past its last character. */
  readonly end: number;
}

export interface JsonMember {
  /** The key, its escapes decoded. */
  readonly key: string;
  /** The key's string literal, quotes included, as written. */
  readonly keySpan: Span;
  readonly value: JsonNode;
}

export type JsonNode =
  | (Span & { readonly kind: 'object'; readonly members: readonly JsonMember[] })
  | (Span & { readonly kind: 'array'; readonly items: readonly JsonNode[] })
  | (Span & { readonly kind: 'string'; readonly value: string })
  | (Span & { readonly kind: 'number' })
  | (Span & { readonly kind: 'literal'; readonly value: true | false | null });

export class JsonTextError extends Error {
  override name = 'JsonTextError';
}

/** Deeper than any policy S3 accepts, shallow enough never to exhaust the stack. */
export const MAX_JSON_DEPTH = 256;

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** Parses `text` as one JSON value; throws JsonTextError where JSON.parse would throw. */
export function scanJson(text: string): JsonNode {
  let at = 0;

  const fail = (what: string): never => {
    throw new JsonTextError(`${what} at offset ${at}`);
  };
  const skipSpace = () => {
    while (at < text.length) {
      const c = text.charCodeAt(at);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      at += 1;
    }
  };
  const expect = (char: string) => {
    if (text[at] !== char) fail(`expected ${JSON.stringify(char)}`);
    at += 1;
  };

  const string = (): string => {
    expect('"');
    let value = '';
    let run = at;
    for (;;) {
      if (at >= text.length) fail('unterminated string');
      const c = text.charCodeAt(at);
      if (c === 0x22) break;
      if (c < 0x20) fail('control character in string');
      if (c !== 0x5c) {
        at += 1;
        continue;
      }
      value += text.slice(run, at);
      const escaped = text[at + 1] ?? '';
      if (escaped === 'u') {
        const hex = text.slice(at + 2, at + 6);
        if (!HEX4.test(hex)) fail('bad \\u escape');
        value += String.fromCharCode(Number.parseInt(hex, 16));
        at += 6;
      } else {
        const decoded = ESCAPES[escaped];
        if (decoded === undefined) fail('bad escape');
        value += decoded;
        at += 2;
      }
      run = at;
    }
    value += text.slice(run, at);
    at += 1;
    return value;
  };

  const value = (depth: number): JsonNode => {
    if (depth > MAX_JSON_DEPTH) fail('nested too deep');
    skipSpace();
    const start = at;
    const c = text[at];
    if (c === '{') {
      at += 1;
      const members: JsonMember[] = [];
      skipSpace();
      if (text[at] === '}') {
        at += 1;
        return { kind: 'object', start, end: at, members };
      }
      for (;;) {
        skipSpace();
        const keyStart = at;
        const key = string();
        const keySpan = { start: keyStart, end: at };
        skipSpace();
        expect(':');
        members.push({ key, keySpan, value: value(depth + 1) });
        skipSpace();
        if (text[at] === ',') {
          at += 1;
          continue;
        }
        expect('}');
        return { kind: 'object', start, end: at, members };
      }
    }
    if (c === '[') {
      at += 1;
      const items: JsonNode[] = [];
      skipSpace();
      if (text[at] === ']') {
        at += 1;
        return { kind: 'array', start, end: at, items };
      }
      for (;;) {
        items.push(value(depth + 1));
        skipSpace();
        if (text[at] === ',') {
          at += 1;
          continue;
        }
        expect(']');
        return { kind: 'array', start, end: at, items };
      }
    }
    if (c === '"') {
      const decoded = string();
      return { kind: 'string', start, end: at, value: decoded };
    }
    for (const [word, literal] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return { kind: 'literal', start, end: at, value: literal };
      }
    }
    NUMBER.lastIndex = at;
    const number = NUMBER.exec(text);
    if (!number) return fail('unexpected character');
    at += number[0].length;
    return { kind: 'number', start, end: at };
  };

  const root = value(0);
  skipSpace();
  if (at !== text.length) fail('unexpected text after the value');
  return root;
}

/** The text of a node, exactly as written. */
export function sourceOf(text: string, node: Span): string {
  return text.slice(node.start, node.end);
}

/**
 * A number's exact value as a canonical string: sign, significant digits and
 * exponent (`1.0`, `1`, `10e-1` → "1e0"; `-0` → "0"). Equal strings mean the
 * same real number; no precision is lost, however many digits.
 */
export function exactNumber(raw: string): string {
  const match = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(raw);
  if (!match) throw new JsonTextError(`not a JSON number: ${raw}`);
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const digits = `${whole}${fraction}`.replace(/^0+/, '');
  if (digits === '') return '0';
  const significant = digits.replace(/0+$/, '');
  // The value is 0.<digits> × 10^(exponent + whole digits after the leading zeros).
  const scale =
    BigInt(exponent) + BigInt(whole.length) - BigInt(`${whole}${fraction}`.length - digits.length);
  // As significant[0].significant[1..] × 10^e:
  return `${sign}${significant}e${(scale - 1n).toString()}`;
}

/** Whether an object has a key twice (JSON.parse keeps the last; other readers may not). */
export function hasDuplicateKeys(node: JsonNode): boolean {
  if (node.kind === 'array') return node.items.some(hasDuplicateKeys);
  if (node.kind !== 'object') return false;
  const keys = new Set(node.members.map((member) => member.key));
  return keys.size !== node.members.length || node.members.some((m) => hasDuplicateKeys(m.value));
}

/**
 * Equality by meaning with exact numbers: key order, whitespace and string
 * escapes do not count; a number counts by its exact value (1.0 = 1, but
 * 9007199254740993 ≠ 9007199254740992, which JSON.parse cannot tell apart).
 * An object with a key twice equals only one with the same keys in the same order.
 */
export function sameJson(a: JsonNode, aText: string, b: JsonNode, bText: string): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'string':
    case 'literal':
      return a.value === (b as typeof a).value;
    case 'number':
      return exactNumber(sourceOf(aText, a)) === exactNumber(sourceOf(bText, b));
    case 'array': {
      const items = (b as typeof a).items;
      return (
        a.items.length === items.length &&
        a.items.every((item, index) => sameJson(item, aText, items[index] as JsonNode, bText))
      );
    }
    case 'object': {
      const members = (b as typeof a).members;
      if (a.members.length !== members.length) return false;
      const byKey = new Map(members.map((member) => [member.key, member.value]));
      const duplicates =
        byKey.size !== members.length ||
        new Set(a.members.map((member) => member.key)).size !== a.members.length;
      if (duplicates) {
        return a.members.every((member, index) => {
          const other = members[index] as JsonMember;
          return member.key === other.key && sameJson(member.value, aText, other.value, bText);
        });
      }
      return a.members.every((member) => {
        const other = byKey.get(member.key);
        return other !== undefined && sameJson(member.value, aText, other, bText);
      });
    }
  }
}

/**
 * The text indented by two spaces a level, every string and number exactly as
 * written: for text JSON.stringify wrote, the same as JSON.stringify(value, null, 2).
 */
export function formatJson(text: string): string {
  const format = (node: JsonNode, indent: string): string => {
    const inner = `${indent}  `;
    if (node.kind === 'object') {
      if (node.members.length === 0) return '{}';
      const members = node.members.map(
        (member) => `${inner}${sourceOf(text, member.keySpan)}: ${format(member.value, inner)}`,
      );
      return `{\n${members.join(',\n')}\n${indent}}`;
    }
    if (node.kind === 'array') {
      if (node.items.length === 0) return '[]';
      const items = node.items.map((item) => `${inner}${format(item, inner)}`);
      return `[\n${items.join(',\n')}\n${indent}]`;
    }
    return sourceOf(text, node);
  };
  return format(scanJson(text), '');
}
