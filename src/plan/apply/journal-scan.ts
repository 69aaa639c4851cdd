/**
 * Reading journals without judging them: split into entries, and find the
 * ones an apply never finished. No schema library here, so the wizard and
 * `apply` can look for unfinished journals before the plan model loads.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from '../model/types.js';
import { type JournalEntry, readJournalText } from './journal.js';
import { otherHolder } from './lock.js';

export class JournalError extends Error {
  override name = 'JournalError';
}

/** Splits a journal's text into entries; a torn last line (a crash mid-write) is ignored. */
export function splitEntries(content: string): unknown[] {
  const lines = content.split('\n').filter(Boolean);
  const entries: unknown[] = [];
  for (const [index, line] of lines.entries()) {
    try {
      entries.push(JSON.parse(line));
    } catch {
      if (index === lines.length - 1) break;
      throw new JournalError(`line ${index + 1} is not valid JSON`);
    }
  }
  return entries;
}

/**
 * Journals in `directory` for this account and bucket that have no `end`
 * entry, oldest first. None while another run holds the bucket's lock: its
 * journal is open because it is still writing, not because it crashed — an
 * apply then refuses with the holder's name when it asks for the lock, never
 * with "roll back that run first".
 */
export function findUnfinishedJournals(
  target: Pick<Target, 'accountId' | 'bucket'>,
  directory: string,
): string[] {
  if (otherHolder(target)) return [];
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => name.endsWith('.jsonl'));
  } catch {
    return [];
  }
  return names.sort().flatMap((name) => {
    const path = join(directory, name);
    try {
      // A FIFO or a device among the journals is skipped, never read (it would block or not end).
      const entries = splitEntries(readJournalText(path)) as Partial<JournalEntry>[];
      const begin = entries[0] as { type?: string; target?: Partial<Target> } | undefined;
      if (begin?.type !== 'begin') return [];
      if (begin.target?.accountId !== target.accountId || begin.target?.bucket !== target.bucket)
        return [];
      return entries.some((entry) => entry?.type === 'end') ? [] : [path];
    } catch {
      return [];
    }
  });
}
