/**
 * One operator at a time per bucket: apply and rollback hold a lock file
 * (locks/<account>-<bucket>.lock in the state directory) while they write.
 * It is created atomically (O_EXCL) and names its holder — pid, host,
 * command, start time — so a second apply or rollback refuses with who holds
 * it. A lock whose holder is a process of this host that no longer runs is
 * stale and taken over; one from another host is never broken automatically
 * (its process cannot be checked from here): the message says how to remove
 * it once you know that run has ended.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { osReason } from '../files/safe-file.js';
import type { Target } from '../model/types.js';
import { stateDir } from './journal.js';

export class LockError extends Error {
  override name = 'LockError';
}

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly startedAt: string;
}

export interface HeldLock {
  readonly path: string;
  release(): void;
}

/** Where the locks live: locks/ in the state directory, 0700. */
export function lockDir(): string {
  return join(stateDir(), 'locks');
}

function lockPath(target: Pick<Target, 'accountId' | 'bucket'>, directory: string): string {
  return join(directory, `${target.accountId}-${target.bucket}.lock`);
}

function readHolder(path: string): LockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    return typeof holder.pid === 'number' && typeof holder.host === 'string'
      ? {
          pid: holder.pid,
          host: holder.host,
          command: String(holder.command ?? 'unknown'),
          startedAt: String(holder.startedAt ?? 'unknown'),
        }
      : null;
  } catch {
    return null;
  }
}

/** Whether `pid` is a process of this host (signal 0 only checks). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates the lock file with its holder, or throws EEXIST. The holder is
 * written to a file of its own first and linked into place (atomic, and
 * refused when the lock exists): a run killed while taking the lock never
 * leaves an empty lock file that names nobody and blocks every later run.
 */
function create(path: string, holder: LockHolder): void {
  const draft = `${path}.${process.pid}.new`;
  const fd = openSync(draft, 'w', 0o600);
  try {
    try {
      const bytes = Buffer.from(`${JSON.stringify(holder)}\n`);
      for (let done = 0; done < bytes.length; ) {
        done += writeSync(fd, bytes, done, bytes.length - done);
      }
    } finally {
      closeSync(fd);
    }
    linkSync(draft, path);
  } finally {
    // Written or not (a full disk), the draft goes: nothing of it is left behind.
    unlinkSync(draft);
  }
}

/**
 * Takes over a stale lock: renames it aside (only one taker can), checks
 * that what it moved is the stale holder it judged, and puts it back
 * otherwise (a fresh lock taken meanwhile is never broken).
 */
function takeOver(path: string, stale: LockHolder): boolean {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return false;
  }
  const moved = readHolder(aside);
  if (moved && (moved.pid !== stale.pid || moved.startedAt !== stale.startedAt)) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone holds it again: theirs stands.
    }
    unlinkSync(aside);
    return false;
  }
  unlinkSync(aside);
  return true;
}

export function refusal(
  target: Pick<Target, 'bucket'>,
  path: string,
  holder: LockHolder | null,
): string {
  if (!holder) {
    return `another s3-harden holds the lock for ${target.bucket} (${path}, unreadable): if no other run is going on, remove that file`;
  }
  const where =
    holder.host === hostname() ? `pid ${holder.pid}` : `pid ${holder.pid} on ${holder.host}`;
  return `another s3-harden (${holder.command}, ${where}, since ${holder.startedAt}) is working on ${target.bucket}: wait for it to finish${holder.host === hostname() ? '' : `; if it has ended, remove ${path}`}`;
}

/**
 * Who holds the lock of the target's bucket now, when it is another run that
 * still runs (a live process of this host, or any holder on another host);
 * null when nobody does, or only a dead run or this process.
 */
export function otherHolder(
  target: Pick<Target, 'accountId' | 'bucket'>,
  directory = lockDir(),
): LockHolder | null {
  const holder = readHolder(lockPath(target, directory));
  if (!holder) return null;
  if (holder.host !== hostname()) return holder;
  return holder.pid !== process.pid && running(holder.pid) ? holder : null;
}

/**
 * Refuses (LockError naming the holder) while another run holds the
 * target's lock: for what a command decides before taking the lock itself
 * (apply's "already applied", judged by a read a rollback could undo).
 */
export function refuseWhileHeld(
  target: Pick<Target, 'accountId' | 'bucket'>,
  directory = lockDir(),
): void {
  const holder = otherHolder(target, directory);
  if (holder) throw new LockError(refusal(target, lockPath(target, directory), holder));
}

/** Takes the lock for the target's account and bucket, or throws LockError naming its holder. */
export function acquireLock(
  target: Pick<Target, 'accountId' | 'bucket'>,
  command: string,
  directory = lockDir(),
): HeldLock {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  // An existing directory keeps its mode; the locks are nobody else's to read.
  chmodSync(directory, 0o700);
  const path = lockPath(target, directory);
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command,
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      create(path, holder);
      let held = true;
      return {
        path,
        release() {
          if (!held) return;
          held = false;
          // Only our own lock: a taken-over stale one may be someone else's now.
          const current = readHolder(path);
          if (current?.pid === holder.pid && current.startedAt === holder.startedAt) {
            try {
              unlinkSync(path);
            } catch {
              // Gone already.
            }
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new LockError(`cannot take the lock ${path}: ${osReason(error)}`);
      }
    }
    if (!existsSync(path)) continue; // Released meanwhile: try again.
    const current = readHolder(path);
    const stale = current && current.host === hostname() && !running(current.pid);
    if (!stale || !takeOver(path, current)) throw new LockError(refusal(target, path, current));
  }
  throw new LockError(refusal(target, path, readHolder(path)));
}
