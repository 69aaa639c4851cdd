/**
 * What a rollback will undo, as a plan-style diff read before it asks: each
 * change the journal recorded, newest first, from what the apply wrote back
 * to what was there before; account-wide ones marked with what else they
 * affect and the later applies that rely on them. Pure; every line escaped.
 */
import type { Reliance } from '../apply/journal-reliance.js';
import type { JournalChange, ParsedJournal } from '../apply/rollback.js';
import { fieldDiffs } from '../model/diff.js';
import type { Change } from '../model/types.js';
import { documentLines, formatValue, type Line } from './render.js';
import { escapeControl } from './sanitise.js';

export interface AccountWideNote {
  /** What else it affects ("every bucket in account 1234…"). */
  readonly affects: string;
  readonly reliedOnBy: readonly Reliance[];
}

const SYMBOL = { add: '+', change: '~', remove: '-' } as const;

/** One later journal, as a reader finds it again: bucket, when, how it relies, where. */
export function relianceText(reliance: Reliance): string {
  const { journal, how } = reliance;
  return `${journal.target.bucket} (apply of ${journal.at}, ${how}; ${journal.path})`;
}

function changeLines(change: JournalChange, note: AccountWideNote | undefined): Line[] {
  // Undoing goes from what the apply wrote (after) back to its before-state.
  const from = change.after;
  const to = change.before;
  const symbol = to === null ? 'remove' : from === null ? 'add' : 'change';
  const operation = change.undo ? `${change.undo.service}:${change.undo.operation}` : 'no undo';
  const lines: Line[] = [
    { kind: 'plain', text: '' },
    { kind: symbol, text: `${SYMBOL[symbol]} ${change.title}  (${operation})` },
  ];
  const whole =
    from === undefined
      ? null
      : documentLines({ resource: change.resource, before: from, after: to } as Change);
  if (whole) lines.push(...whole);
  else if (from === undefined) {
    lines.push({ kind: 'plain', text: `    back to ${formatValue(to)}` });
  } else {
    const fields = fieldDiffs(from, to);
    const width = Math.max(...fields.map((field) => field.path.length), 0);
    for (const field of fields) {
      const value =
        field.kind === 'change'
          ? `${formatValue(field.before)} -> ${formatValue(field.after)}`
          : formatValue(field.kind === 'add' ? field.after : field.before);
      lines.push({
        kind: field.kind,
        text: `    ${SYMBOL[field.kind]} ${field.path.padEnd(width)}  ${value}`,
      });
    }
    if (fields.length === 0) {
      lines.push({ kind: 'plain', text: `    ${formatValue(from)} -> ${formatValue(to)}` });
    }
  }
  if (note) {
    lines.push({ kind: 'warning', text: `    ! account-wide: affects ${note.affects}` });
    for (const reliance of note.reliedOnBy) {
      lines.push({ kind: 'warning', text: `    ! relied on by ${relianceText(reliance)}` });
    }
  }
  return lines;
}

/** The diff of the undo, newest first, and a count; account-wide changes carry their note. */
export function undoPreview(
  journal: ParsedJournal,
  notes: ReadonlyMap<string, AccountWideNote>,
): Line[] {
  const { bucket, accountId, region } = journal.target;
  const changes = [...journal.changes].reverse();
  const lines: Line[] = [
    {
      kind: 'heading',
      text: `Changes to undo for bucket ${bucket} (account ${accountId}, ${region}), newest first:`,
    },
    {
      kind: 'plain',
      text: 'Each is read first: one already as before is left alone, one changed since by someone else is left as it is.',
    },
  ];
  for (const change of changes) lines.push(...changeLines(change, notes.get(change.id)));
  const wide = changes.filter((change) => notes.has(change.id)).length;
  lines.push({ kind: 'plain', text: '' });
  lines.push({
    kind: 'summary',
    text: `Undo: ${changes.length} change${changes.length === 1 ? '' : 's'}, ${wide} of them account-wide.`,
  });
  return lines.map((line) => ({ ...line, text: escapeControl(line.text) }));
}
