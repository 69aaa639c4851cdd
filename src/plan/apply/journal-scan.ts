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

/** Where a journal stands, from its entries: for the list `rollback` offers. */
export type JournalState =
  | 'unfinished'
  | 'applied'
  | 'rolled back'
  | 'rollback incomplete'
  | 'rolled back, bucket kept'
  | 'rolled back, account-wide kept';

export interface JournalSummary {
  readonly path: string;
  readonly target: Pick<Target, 'accountId' | 'bucket' | 'region'>;
  /** When the apply began. */
  readonly at: string;
  /** The changes it attempted (intents). */
  readonly changes: number;
  readonly state: JournalState;
  /** The resources of the changes it applied that no rollback has undone since. */
  readonly inEffect: readonly string[];
  /** What its plan read of the account-wide settings (absent in older journals). */
  readonly reads?: Readonly<Record<string, unknown>>;
}

const ROLLBACK_ENTRIES = new Set(['rolled-back', 'rollback-failed', 'conflict', 'kept']);

function stateOf(entries: readonly Partial<JournalEntry>[]): JournalState {
  let last = -1;
  for (const [index, entry] of entries.entries()) if (entry?.type === 'end') last = index;
  const rollbackAfter = (from: number) =>
    entries.slice(from + 1).some((entry) => ROLLBACK_ENTRIES.has(String(entry?.type)));
  if (last < 0) return rollbackAfter(-1) ? 'rollback incomplete' : 'unfinished';
  if (rollbackAfter(last)) return 'rollback incomplete';
  const outcome = (entries[last] as { outcome?: string }).outcome;
  if (outcome === 'applied') return 'applied';
  if (outcome === 'rolled-back-except-kept') return 'rolled back, bucket kept';
  if (outcome === 'rolled-back-except-account') return 'rolled back, account-wide kept';
  if (outcome === 'rolled-back') return 'rolled back';
  return 'rollback incomplete';
}

/**
 * Every journal in `directory` that begins like one, newest first, summarised
 * (unreadable files, FIFOs and devices are skipped, never read). Read without
 * judging: `rollback` validates the one it is given in full.
 */
export function scanJournals(directory: string): JournalSummary[] {
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => name.endsWith('.jsonl'));
  } catch {
    return [];
  }
  const summaries = names.flatMap((name): JournalSummary[] => {
    const path = join(directory, name);
    try {
      const entries = splitEntries(readJournalText(path)) as Partial<JournalEntry>[];
      const begin = entries[0] as
        | { type?: string; at?: unknown; target?: Partial<Target>; reads?: unknown }
        | undefined;
      const target = begin?.target;
      if (begin?.type !== 'begin' || typeof begin.at !== 'string' || !target) return [];
      if (typeof target.accountId !== 'string' || typeof target.bucket !== 'string') return [];
      const intents = new Map<string, string>();
      const undone = new Set<string>();
      const applied = new Set<string>();
      for (const entry of entries as { type?: string; changeId?: string; resource?: string }[]) {
        if (!entry?.changeId) continue;
        if (entry.type === 'intent' && entry.resource) intents.set(entry.changeId, entry.resource);
        if (entry.type === 'applied') applied.add(entry.changeId);
        if (entry.type === 'rolled-back') undone.add(entry.changeId);
      }
      const state = stateOf(entries);
      const inEffect =
        state === 'rolled back'
          ? []
          : [...intents]
              .filter(([id]) => applied.has(id) && !undone.has(id))
              .map(([, resource]) => resource);
      const reads =
        begin.reads && typeof begin.reads === 'object'
          ? { reads: begin.reads as Record<string, unknown> }
          : {};
      return [
        {
          path,
          target: {
            accountId: target.accountId,
            bucket: target.bucket,
            region: String(target.region ?? ''),
          },
          at: begin.at,
          changes: intents.size,
          state,
          inEffect,
          ...reads,
        },
      ];
    } catch {
      return [];
    }
  });
  return summaries.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}
