/**
 * The write-ahead journal: one JSON line per event, flushed to disk before
 * the write it describes, so a crash at any point leaves enough on disk to
 * roll back. It holds before-states and API calls, never credentials.
 */
import {
  chmodSync,
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  linkSync,
  mkdirSync,
  openSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { osReason, readRegularFile } from '../files/safe-file.js';
import type { ApiCall, ResourceKey, Target } from '../model/types.js';

export type JournalEntry =
  | {
      type: 'begin';
      at: string;
      target: Target;
      changes: number;
      tool: string;
      /** The plan's id: what it creates is tagged with it (absent in older journals). */
      planId?: string;
      /**
       * What the plan read of the account-wide settings it relies on (account
       * Block Public Access…), by resource: a rollback of an earlier journal
       * asks before undoing what this apply found in place. Absent in older journals.
       */
      reads?: Record<string, unknown>;
    }
  | {
      type: 'intent';
      at: string;
      changeId: string;
      resource: ResourceKey;
      title: string;
      before: unknown;
      /**
       * What the write leaves (OutputRefs unresolved): a rollback undoes the
       * change only while it still holds this. Absent in older journals.
       */
      after?: unknown;
      undo: ApiCall | null;
    }
  | {
      type: 'applied';
      at: string;
      changeId: string;
      /** The output fields later calls refer to (e.g. a created key's ID), for a later rollback. */
      output?: Record<string, unknown>;
    }
  | { type: 'failed'; at: string; changeId: string; error: string }
  | { type: 'rolled-back'; at: string; changeId: string }
  | { type: 'rollback-failed'; at: string; changeId: string; error: string; command: string | null }
  /** A rollback left it in place on purpose (a created bucket that has received objects). */
  | { type: 'kept'; at: string; changeId: string; reason: string; command: string }
  /** Not undone: it no longer holds what this run wrote (someone changed it since). */
  | { type: 'conflict'; at: string; changeId: string; now: unknown; wrote: unknown }
  | { type: 'end'; at: string; outcome: string };

/** Distributes Omit over the union so each entry keeps its own fields. */
type WithoutTime<T> = T extends unknown ? Omit<T, 'at'> : never;
export type JournalRecord = WithoutTime<JournalEntry>;

export interface Journal {
  readonly path: string;
  append(entry: JournalRecord): void;
  close(): void;
}

/** Where journals live: $S3_HARDEN_STATE_DIR, else $XDG_STATE_HOME/s3-harden, else ~/.local/state/s3-harden. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.S3_HARDEN_STATE_DIR) return env.S3_HARDEN_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 's3-harden');
}

/**
 * The journal could not be written (a full disk, EIO, no permission): one
 * line naming the file and the system's reason. Before the first write the
 * apply stops with it (nothing was made); an intent that cannot be written is
 * never acted on (../apply/executor.ts rolls back what came before).
 */
export class JournalWriteError extends Error {
  override name = 'JournalWriteError';
}

export function openJournal(
  target: Target,
  directory = join(stateDir(), 'journals'),
  now = new Date(),
): Journal {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    // mkdir's mode holds only for what it creates: one that was there already is made private too.
    chmodSync(directory, 0o700);
  } catch (error) {
    throw new JournalWriteError(
      `cannot make the journals directory ${directory}: ${osReason(error)}`,
    );
  }
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const suffix = Math.random().toString(36).slice(2, 8);
  const path = join(directory, `${stamp}-${target.bucket}-${suffix}.jsonl`);
  let fd: number | null = null;
  let open = true;
  return {
    path,
    append(entry) {
      if (!open) throw new Error(`journal ${path} is closed`);
      const line = `${JSON.stringify({ ...entry, at: new Date().toISOString() })}\n`;
      try {
        if (fd === null) {
          fd = createWithFirstLine(path, line);
          return;
        }
        appendLine(fd, line);
      } catch (error) {
        throw new JournalWriteError(`cannot write the journal ${path}: ${osReason(error)}`);
      }
    },
    close() {
      if (open && fd !== null) closeSync(fd);
      open = false;
    },
  };
}

/** The name a journal has while its first entry is written (see createWithFirstLine). */
export const PARTIAL_SUFFIX = '.partial';

/**
 * The journal appears with its first entry or not at all: written aside,
 * then linked into place (never over another file). A run killed before it
 * leaves at most the `.partial` file, which no scan reads as a journal (and
 * which rollback, given it, reads as recording no change); an empty journal
 * would be refused by rollback as not one of ours.
 */
function createWithFirstLine(path: string, line: string): number {
  const partial = `${path}${PARTIAL_SUFFIX}`;
  const aside = openSync(partial, 'wx', 0o600);
  try {
    try {
      writeWhole(aside, line);
      fsyncSync(aside);
    } finally {
      closeSync(aside);
    }
    linkSync(partial, path);
  } catch (error) {
    // Not written whole (a full disk): nothing of this run is left behind.
    try {
      unlinkSync(partial);
    } catch {
      // Gone already: the write's error is the one to say.
    }
    throw error;
  }
  unlinkSync(partial);
  return openSync(path, 'a');
}

/**
 * Appends `line` to the journal open at `fd` (opened to append) and flushes
 * it: all of it or, when the write fails part way (a full disk), none — the
 * part written is cut off again, so that an entry written later (space
 * freed meanwhile) cannot glue onto it into a line that makes the journal
 * unreadable.
 */
export function appendLine(fd: number, line: string): void {
  const before = fstatSync(fd).size;
  try {
    writeWhole(fd, line);
    fsyncSync(fd);
  } catch (error) {
    try {
      ftruncateSync(fd, before);
    } catch {
      // Left as a torn last line, which a read ignores.
    }
    throw error;
  }
}

/**
 * Writes all of `text`: a write may take only part of it (a disk that fills
 * part way), and a line cut short would be read back as a torn last line,
 * the change it announces unknown to a rollback. The write after a short
 * one says why (ENOSPC).
 */
function writeWhole(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let done = 0; done < bytes.length; ) {
    done += writeSync(fd, bytes, done, bytes.length - done);
  }
}

/**
 * A journal holds each change's states and undo (a bucket policy is at most
 * 20 KB) and what each rollback run appends: for a real plan, well under a
 * megabyte. A larger file is not one of ours, and is not read.
 */
export const MAX_JOURNAL_BYTES = 10 * 1024 * 1024;

/** A journal's text: only a regular file, at most MAX_JOURNAL_BYTES (UnsafeFileError otherwise). */
export function readJournalText(path: string): string {
  return readRegularFile(path, { bytes: MAX_JOURNAL_BYTES, what: 'an s3-harden journal' });
}

/** Reads a journal back; a torn last line (a crash mid-write) is ignored. */
export function readJournal(path: string): JournalEntry[] {
  const lines = readJournalText(path).split('\n').filter(Boolean);
  const entries: JournalEntry[] = [];
  for (const [index, line] of lines.entries()) {
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch (error) {
      if (index === lines.length - 1) break;
      throw error;
    }
  }
  return entries;
}
