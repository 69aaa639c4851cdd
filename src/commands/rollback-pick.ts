/**
 * Which journal `s3-harden rollback` works on when none is named: the latest
 * for `--bucket B`; else, on a terminal, one picked from the unfinished and
 * recent journals; without a terminal, that list printed and exit 1.
 */
import { join } from 'node:path';
import { stateDir } from '../plan/apply/journal.js';
import { type JournalSummary, scanJournals } from '../plan/apply/journal-scan.js';
import { escapeControl } from '../plan/render/sanitise.js';
import { CommandError } from './exit-codes.js';

/** How many finished journals the list offers after the unfinished ones. */
const RECENT = 10;

export function journalsDir(): string {
  return join(stateDir(), 'journals');
}

/** Unfinished journals (an apply or a rollback that never ended) first, then the most recent, newest first. */
export function journalChoices(journals: readonly JournalSummary[]): JournalSummary[] {
  const open = (journal: JournalSummary) =>
    journal.state === 'unfinished' || journal.state === 'rollback incomplete';
  return [
    ...journals.filter(open),
    ...journals.filter((journal) => !open(journal)).slice(0, RECENT),
  ];
}

/** The latest journal for `bucket`, or a one-line refusal. */
export function latestFor(bucket: string, journals: readonly JournalSummary[]): string {
  const latest = journals.find((journal) => journal.target.bucket === bucket);
  if (!latest) {
    throw new CommandError(
      `no journal for bucket ${escapeControl(bucket)} in ${escapeControl(journalsDir())}: nothing to roll back`,
    );
  }
  return latest.path;
}

/**
 * The journal to roll back when the command names none; null: the operator
 * cancelled the pick. `print` takes the list shown without a terminal.
 */
export async function chooseJournal(
  bucket: string | undefined,
  terminal: boolean,
  print: (text: string) => void,
): Promise<string | null> {
  const journals = scanJournals(journalsDir());
  if (bucket !== undefined) return latestFor(bucket, journals);
  const choices = journalChoices(journals);
  if (choices.length === 0) {
    throw new CommandError(`no journals in ${escapeControl(journalsDir())}: nothing to roll back`);
  }
  // Ink and React load only for the list on a terminal (and the row format without one).
  const { journalRow, pickJournal } = await import('../screens/journal-picker.js');
  if (terminal) return pickJournal(choices);
  print('Unfinished and recent applies (bucket, began, changes, state):');
  for (const journal of choices) {
    print(`  ${journalRow(journal)}`);
    print(`    ${escapeControl(journal.path)}`);
  }
  throw new CommandError(
    'no journal named: pass its path (s3-harden rollback PATH), or --bucket B for the latest journal of bucket B',
  );
}
