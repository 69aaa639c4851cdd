/**
 * Writing HCL (Terraform's language) from plain values: quoted strings with
 * their escapes, references written as they are, blocks of attributes and
 * nested blocks, comments. For ./terraform.ts.
 */
/** A string as an HCL quoted literal: escapes, and `${` / `%{` kept literal. */
export function hclString(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string;
    const next = text[i + 1];
    if (char === '\\') out += '\\\\';
    else if (char === '"') out += '\\"';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if ((char === '$' || char === '%') && next === '{') out += `${char}${char}`;
    else if (char < ' ' || char === '\u007f' || char === '\u2028' || char === '\u2029') {
      out += `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    } else out += char;
  }
  return `"${out}"`;
}

/**
 * A document as a heredoc, one JSON line per row: what a reviewer reads in a
 * pull request, unlike one escaped line. Inside a heredoc backslashes and
 * quotes are literal; only template sequences (`${`, `%{`) are escaped. The
 * text must not hold a line that is just the delimiter: pretty-printed JSON
 * never does (every line is indented, or a bracket).
 */
export function heredoc(text: string): Raw {
  return raw(`<<EOT\n${text.replace(/([$%])\{/g, '$1$1{')}\nEOT`);
}

/** A comment line: one line, no control characters. */
export function comment(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return `# ${text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')}`;
}

export type Value = string | number | boolean | Raw;
/** An HCL expression written as is (a reference). */
export interface Raw {
  readonly raw: string;
}
export const raw = (text: string): Raw => ({ raw: text });

export function valueText(value: Value): string {
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value.raw;
}

/** A block's body: attributes (`key = value`) and nested blocks, in order. */
export type Body = ReadonlyArray<
  | readonly [string, Value | undefined]
  | { readonly block: string; readonly body: Body }
  | { readonly comment: string }
>;

export function bodyLines(body: Body, indent: string): string[] {
  const lines: string[] = [];
  for (const item of body) {
    if (Array.isArray(item)) {
      const [key, value] = item as readonly [string, Value | undefined];
      if (value !== undefined) lines.push(`${indent}${key} = ${valueText(value)}`);
    } else if ('block' in item && item.body.length === 0) {
      lines.push(`${indent}${item.block} {}`);
    } else if ('block' in item) {
      lines.push(`${indent}${item.block} {`, ...bodyLines(item.body, `${indent}  `), `${indent}}`);
    } else if ('comment' in item) {
      lines.push(`${indent}${comment(item.comment)}`);
    }
  }
  return lines;
}

export function resource(type: string, body: Body, notes: readonly string[] = []): string[] {
  return ['', ...notes.map(comment), `resource "${type}" "this" {`, ...bodyLines(body, '  '), '}'];
}

export function importBlock(type: string, id: string): string[] {
  return ['', 'import {', `  to = ${type}.this`, `  id = ${hclString(id)}`, '}'];
}
