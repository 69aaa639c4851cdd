/**
 * The one filter between text from outside (a plan file, a fleet plan file,
 * a journal, argv) and the terminal. What could drive the terminal or hide
 * what follows is shown escaped instead, as `\u001b`: C0 and C1 control
 * characters (ESC, CSI U+009B, line breaks), the bidi controls that reorder
 * what is shown (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C) and the
 * line and paragraph separators U+2028/U+2029.
 */

const UNSAFE = /[\p{Cc}\p{Bidi_Control}\p{Zl}\p{Zp}]/gu;

/** `text` as one harmless line: every unsafe character escaped (`\u001b`). */
export function escapeControl(text: string): string {
  return text.replace(
    UNSAFE,
    (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

/** Several lines: each escaped as escapeControl does, the line breaks between them kept. */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeControl).join('\n');
}

/**
 * JSON for the terminal: JSON.stringify already escapes C0 characters in
 * strings, not C1, bidi controls or U+2028; those become `\u…` escapes, so the
 * output is still the same JSON.
 */
export function jsonText(value: unknown): string {
  return escapeLines(JSON.stringify(value, null, 2));
}
