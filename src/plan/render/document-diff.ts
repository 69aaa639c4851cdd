/**
 * A line diff of two documents (e.g. bucket policies pretty-printed), for
 * resources the review shows whole rather than field by field. Every line of
 * both documents appears: unchanged lines once, removed lines marked "-",
 * added lines marked "+".
 */
import { diffArrays } from 'diff';

export interface DocumentLine {
  readonly kind: 'same' | 'add' | 'remove';
  readonly text: string;
}

function linesOf(text: string | null): string[] {
  return text === null ? [] : text.split('\n');
}

export function documentDiff(before: string | null, after: string | null): DocumentLine[] {
  const out: DocumentLine[] = [];
  for (const part of diffArrays(linesOf(before), linesOf(after))) {
    const kind = part.added ? 'add' : part.removed ? 'remove' : 'same';
    for (const text of part.value) out.push({ kind, text });
  }
  return out;
}
