/**
 * Plan and apply text for a terminal: lines longer than its width wrap at
 * word boundaries, each continuation indented under the text it continues
 * ("warning: " and "note: " hang past their label). Commands are never
 * wrapped, nor any token cut: a command is copied whole, and an ARN or a
 * policy line longer than the terminal runs past it rather than breaking
 * in the middle. Width 0 (a pipe, a file) leaves every line as it is. Pure.
 * (The screens wrap with src/screens/wrap-lines.ts: Ink has no overflow, so
 * there a token longer than the screen must break.)
 */
import type { Line } from './render.js';

const LABEL = /^(?:[+~!-] )?(?:warning|note|error): /;
/** Lines of a JSON document in a diff: wrapping them would read as a different document. */
const DOCUMENT = /^(?:[+~!-] +)?["{}[\]]/;

/** The spaces a continuation of `text` starts with. */
function hangOf(text: string): number {
  const indent = text.length - text.trimStart().length;
  const rest = text.slice(indent);
  const label = LABEL.exec(rest);
  if (label) return indent + label[0].length;
  // "+ Create log bucket …" and "Skipped …": continue indented under the first word.
  return indent + (/^(?:[+~!-] |Skipped )/.test(rest) ? 2 : 0);
}

/** `text` in lines of at most `width` characters where its words allow. */
export function wrapText(text: string, width: number): string[] {
  const hang = hangOf(text);
  // Too little room left past the indent: wrapping would help no one.
  if (width - hang < 20) return [text];
  const indent = text.length - text.trimStart().length;
  const words = text.slice(indent).split(' ');
  const lines: string[] = [];
  let line = text.slice(0, indent);
  let empty = true;
  for (const word of words) {
    // Never break right after the indent and label: the first word stays with them.
    if (!empty && line.length >= hang && line.length + 1 + word.length > width) {
      lines.push(line);
      line = ' '.repeat(hang);
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

export function wrapLines(lines: readonly Line[], width: number): Line[] {
  if (width <= 0) return [...lines];
  return lines.flatMap((line): Line[] => {
    if (line.kind === 'command' || line.text.length <= width) return [line];
    if (DOCUMENT.test(line.text.trimStart())) return [line];
    return wrapText(line.text, width).map((text) => ({ kind: line.kind, text }));
  });
}
