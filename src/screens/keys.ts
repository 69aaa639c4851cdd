/**
 * Splits what the terminal delivers in one read into keys. Over SSH, with a
 * held key or a paste, one read can carry several keys (`\x7f\x7f`, three
 * Down arrows, `name\r`); Ink hands a read's text to every `useInput`
 * handler as one "key", so two Backspaces became two invisible characters
 * and three arrows one move. No React, no Ink: ./key-stdin.ts feeds Ink one
 * key per read.
 *
 * A key is one of:
 * - an escape sequence: CSI (`ESC [ … final`, legacy `ESC [ [ A`), SS3
 *   (`ESC O x`), either after a second ESC (meta + arrow), or ESC and one
 *   character (meta + key);
 * - one control character (Backspace, Enter, Tab, Ctrl+C…);
 * - a run of printable text, kept whole so a paste is inserted as one edit.
 *
 * A paste's line breaks: one at the end of the read (or before another key)
 * is Enter — a pasted name followed by a newline is typed and submitted. One
 * with text on both sides in the same read is a line break inside pasted
 * text, and becomes a space: the fields that take lists split on spaces and
 * commas, and a single-line field never submits half a paste (nor hands the
 * rest, `y` included, to the next screen). A Tab between text is a space too.
 */

const ESC = '\u001B';

/** Enter, Tab and line feeds as terminals send them. */
const BREAKS = new Set(['\r', '\n', '\r\n', '\t']);

function isControl(code: number): boolean {
  return code < 0x20 || code === 0x7f;
}

type Parsed = { readonly key: string; readonly next: number } | 'pending' | undefined;

/** `ESC [` … final byte, starting at the `[` (index `at`). */
function csi(input: string, start: number, at: number): Parsed {
  let index = at + 1;
  for (; index < input.length; index++) {
    const code = input.charCodeAt(index);
    // Parameter and intermediate bytes.
    if (code >= 0x20 && code <= 0x3f) continue;
    // Legacy function keys: ESC [ [ A, ESC [ [ 5 ~.
    if (code === 0x5b && index === at + 1) continue;
    if (code >= 0x40 && code <= 0x7e)
      return { key: input.slice(start, index + 1), next: index + 1 };
    return undefined;
  }
  return 'pending';
}

/** A control sequence introduced at `at` (the byte after ESC). */
function sequence(input: string, start: number, at: number): Parsed {
  const kind = input[at];
  if (kind === undefined) return 'pending';
  if (kind === '[') return csi(input, start, at);
  if (kind === 'O') {
    const final = input.charCodeAt(at + 1);
    if (Number.isNaN(final)) return 'pending';
    return final >= 0x40 && final <= 0x7e
      ? { key: input.slice(start, at + 2), next: at + 2 }
      : undefined;
  }
  return undefined;
}

/** The key that starts with the ESC at `start`. */
function escapeKey(input: string, start: number): Parsed {
  if (start + 1 >= input.length) return 'pending';
  const direct = sequence(input, start, start + 1);
  if (direct !== undefined) return direct;
  if (input[start + 1] === ESC) {
    const meta = sequence(input, start, start + 2);
    if (meta !== undefined) return meta;
    return { key: ESC, next: start + 1 };
  }
  // Meta + one character (a surrogate pair stays whole).
  const code = input.codePointAt(start + 1) ?? 0;
  const width = code > 0xffff ? 2 : 1;
  return { key: input.slice(start, start + 1 + width), next: start + 1 + width };
}

/** The line break or tab at `index` ("\r\n" counts as one). */
function breakAt(input: string, index: number): string | undefined {
  if (input.startsWith('\r\n', index)) return '\r\n';
  const char = input[index] as string;
  return BREAKS.has(char) ? char : undefined;
}

/** Is there printable text at `index`? */
function textAt(input: string, index: number): boolean {
  const code = input.charCodeAt(index);
  return !Number.isNaN(code) && !isControl(code);
}

export interface Split {
  /** Complete keys, in order. */
  readonly keys: readonly string[];
  /** An escape sequence cut off at the end of the read: wait for the rest. */
  readonly pending: string;
}

/** One read's keys, and what is left of a sequence the read cut off. */
export function splitKeys(input: string): Split {
  const keys: string[] = [];
  let text = '';
  const endText = () => {
    if (text) keys.push(text);
    text = '';
  };
  let index = 0;
  while (index < input.length) {
    const code = input.charCodeAt(index);
    if (!isControl(code)) {
      // Printable text up to the next control character, surrogate pairs included.
      let end = index + 1;
      while (end < input.length && !isControl(input.charCodeAt(end))) end++;
      text += input.slice(index, end);
      index = end;
      continue;
    }
    const lineBreak = breakAt(input, index);
    if (lineBreak && text && textAt(input, index + lineBreak.length)) {
      // A line break inside pasted text.
      text += ' ';
      index += lineBreak.length;
      continue;
    }
    endText();
    if (lineBreak) {
      keys.push(lineBreak === '\t' ? '\t' : '\r');
      index += lineBreak.length;
      continue;
    }
    if (code === 0x1b) {
      const parsed = escapeKey(input, index);
      if (parsed === 'pending') return { keys, pending: input.slice(index) };
      if (parsed) {
        keys.push(parsed.key);
        index = parsed.next;
        continue;
      }
    }
    keys.push(input[index] as string);
    index += 1;
  }
  endText();
  return { keys, pending: '' };
}

/**
 * Splits reads as they come: a sequence cut off at the end of one read is
 * completed by the next; `flush` gives it up as keys when nothing more came
 * (ESC pressed alone, then nothing).
 */
export function createKeySplitter(): {
  push(chunk: string): readonly string[];
  readonly pending: boolean;
  flush(): readonly string[];
} {
  let pending = '';
  return {
    push(chunk) {
      const split = splitKeys(pending + chunk);
      pending = split.pending;
      return split.keys;
    },
    get pending() {
      return pending !== '';
    },
    flush() {
      // A lone ESC is the Escape key; a cut-off sequence is ESC, then its text.
      const keys: string[] = [];
      let left = pending;
      pending = '';
      while (left) {
        keys.push(ESC);
        const split = splitKeys(left.slice(1));
        keys.push(...split.keys);
        left = split.pending;
      }
      return keys;
    },
  };
}
