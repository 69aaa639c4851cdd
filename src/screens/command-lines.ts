/**
 * Shell commands on a screen narrower than they are, still pasteable: broken
 * only at the spaces between arguments, each row but the last ending in ` \`
 * (the shell's line continuation), continuations indented. A JSON argument
 * wider than the row breaks after a `,` between its elements, inside its
 * quotes, where a newline is only whitespace to JSON. Nothing else is cut:
 * a token with no such place runs past the row (the `w` file has it whole).
 * Pure.
 */

const CONTINUATION = ' \\';
const HANG = 4;

/** The words of a command as the shell splits them, quotes kept. */
export function shellTokens(command: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const char of command) {
    if (quote) {
      current += char;
      if (char === quote) quote = null;
    } else if (char === ' ') {
      if (current) tokens.push(current);
      current = '';
    } else {
      if (char === "'" || char === '"') quote = char;
      current += char;
    }
  }
  if (current) tokens.push(current);
  return tokens;
}

/** A single-quoted JSON token in pieces of at most `width`, split after commas outside JSON strings. */
function splitJson(token: string, width: number): string[] {
  if (!/^'[[{]/.test(token)) return [token];
  const pieces: string[] = [];
  let start = 0;
  let lastComma = -1;
  let inString = false;
  for (let index = 0; index < token.length; index += 1) {
    const char = token[index];
    if (char === '"' && token[index - 1] !== '\\') inString = !inString;
    if (char === ',' && !inString) lastComma = index;
    if (index - start + 1 > width && lastComma >= start) {
      pieces.push(token.slice(start, lastComma + 1));
      start = lastComma + 1;
      lastComma = -1;
    }
  }
  pieces.push(token.slice(start));
  return pieces;
}

/** An option and its value as one unit, when they fit on a row together: `--acl private` stays on one row. */
function units(tokens: readonly string[], room: number): string[] {
  const out: string[] = [];
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] as string;
    const next = tokens[index + 1];
    if (token.startsWith('--') && next !== undefined && !next.startsWith('--')) {
      const pair = `${token} ${next}`;
      if (pair.length <= room) {
        out.push(pair);
        index += 1;
        continue;
      }
    }
    out.push(token);
  }
  return out;
}

/**
 * `command` in rows of at most `width` where its arguments allow, the first
 * starting with `indent` spaces, the rest hanging under it.
 */
export function commandRows(command: string, width: number, indent = 0): string[] {
  const first = ' '.repeat(indent);
  if (indent + command.length <= width) return [first + command];
  const pad = ' '.repeat(indent + HANG);
  const rows: string[] = [];
  let row = first;
  const room = width - CONTINUATION.length;
  const flush = () => {
    rows.push(row + CONTINUATION);
    row = pad;
  };
  for (const token of units(shellTokens(command), room - pad.length)) {
    const blank = row.trim() === '';
    if (!blank && row.length + 1 + token.length > room) flush();
    if (row.length + token.length + (row.trim() ? 1 : 0) <= room) {
      row += (row.trim() ? ' ' : '') + token;
      continue;
    }
    // Wider than a row: a JSON argument breaks inside its quotes, between elements.
    const pieces = splitJson(token, room - row.length);
    row += pieces[0];
    for (const piece of pieces.slice(1)) {
      rows.push(row);
      row = pad + piece;
    }
  }
  rows.push(row);
  return rows;
}

/** Where an AWS CLI command starts in prose: "… run: aws s3api …" or "(aws s3api …)". */
const COMMAND_START = /(?:^|[\s(])(aws (?:s3api|s3control|s3|kms|macie2|accessanalyzer|sts) )/;

/**
 * A note that quotes a command, split so the command can stand on rows of
 * its own: the prose before it, the command, and the prose after it (a
 * closing parenthesis and what follows). Null when the text has no command.
 */
export function splitCommand(
  text: string,
): { before: string; command: string; after: string } | null {
  const found = COMMAND_START.exec(text);
  if (!found) return null;
  const start = found.index + found[0].length - (found[1] as string).length;
  const opened = text[start - 1] === '(';
  let quote: string | null = null;
  let end = text.length;
  for (let index = start; index < text.length; index += 1) {
    const char = text[index] as string;
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === "'" || char === '"') quote = char;
    else if ((opened && char === ')') || char === ';') {
      end = index;
      break;
    }
  }
  return {
    before: text.slice(0, start).trimEnd(),
    command: text.slice(start, end).trimEnd(),
    after: text.slice(end).trimStart(),
  };
}
