/**
 * Reading plan files, fleet plan files and journals, and writing plan files,
 * without trusting the path. A read opens without blocking (a FIFO never
 * hangs), checks on the open descriptor that it is a regular file no larger
 * than the limit, and reads no more than the limit (a file that grows is not
 * read whole). A write does not follow a symbolic link and writes only a
 * regular file, unless told to. Messages are one line; nothing but node:fs
 * here, so the journal scan can use it before the plan model loads.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';

export class UnsafeFileError extends Error {
  override name = 'UnsafeFileError';
  /** The OS's code when the open failed (ENOENT: there is no such file). */
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

/** How much a read may return, and what the file is meant to be (for the message). */
export interface ReadLimit {
  readonly bytes: number;
  /** e.g. "a plan file": "file is N bytes; a plan file is at most M". */
  readonly what: string;
}

/** O_NONBLOCK: opening a FIFO returns at once (then fstat refuses it); O_NOCTTY: a terminal never becomes ours. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
const CHUNK = 64 * 1024;

/** What a path that is not a regular file is, in words. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** Why `path` could not be opened, in a few words. */
function openProblem(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENXIO') {
    // Opening a socket fails with ENXIO: name what it is.
    try {
      return `${kindOf(statSync(path))}, not a regular file`;
    } catch {
      // Gone in between: the error as it was.
    }
  }
  return (error as Error).message;
}

function tooLarge(path: string, size: string, limit: ReadLimit): UnsafeFileError {
  return new UnsafeFileError(
    `${path}: file is ${size} bytes; ${limit.what} is at most ${limit.bytes}`,
  );
}

/**
 * The text of the regular file at `path`, at most `limit.bytes` bytes; throws
 * UnsafeFileError with one line for anything else (missing, a directory, a
 * FIFO, a device, a socket, too large).
 */
export function readRegularFile(path: string, limit: ReadLimit): string {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (error) {
    throw new UnsafeFileError(
      `cannot read ${path}: ${openProblem(path, error)}`,
      (error as NodeJS.ErrnoException).code,
    );
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new UnsafeFileError(`cannot read ${path}: ${kindOf(stats)}, not a regular file`);
    }
    if (stats.size > limit.bytes) throw tooLarge(path, String(stats.size), limit);
    // Bounded even when the size lies (a file that grows, a /proc file that reports 0).
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, limit.bytes + 1 - total));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > limit.bytes) throw tooLarge(path, `more than ${limit.bytes}`, limit);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export interface WriteOptions {
  /** Write through a symbolic link, or to something that is not a regular file. */
  readonly force?: boolean;
  /** Only create: refuse a path that exists (the wizard's new file names). */
  readonly exclusive?: boolean;
  readonly mode?: number;
  /** The flag that sets `force`, named in a refusal ("--force"); none: not named. */
  readonly forceFlag?: string;
}

/**
 * Writes `text` to `path` as a regular file: a symbolic link there is not
 * followed and a FIFO or device is not written to, unless `force`. An existing
 * regular file is replaced (unless `exclusive`). Throws UnsafeFileError with
 * one line, naming the path and the system's reason; a write that fails part
 * way (a full disk) removes the regular file it was writing, so no cut-off
 * plan is left where the whole one was asked for (one that was there before
 * is gone either way: opening it emptied it).
 */
export function writeRegularFile(path: string, text: string, options: WriteOptions = {}): void {
  const mode = options.mode ?? 0o644;
  const flags = options.force
    ? options.exclusive
      ? 'wx'
      : 'w'
    : constants.O_WRONLY |
      constants.O_CREAT |
      (options.exclusive ? constants.O_EXCL : constants.O_TRUNC) |
      (constants.O_NOFOLLOW ?? 0) |
      // A FIFO with no reader fails at once (ENXIO) instead of blocking.
      (constants.O_NONBLOCK ?? 0) |
      (constants.O_NOCTTY ?? 0);
  let fd: number;
  try {
    fd = openSync(path, flags, mode);
  } catch (error) {
    throw new UnsafeFileError(`cannot write ${path}: ${writeProblem(path, error, options)}`);
  }
  let stats: Stats | undefined;
  try {
    stats = fstatSync(fd);
    if (!options.force && !stats.isFile()) {
      throw new UnsafeFileError(
        `refusing to write ${path}: it is ${kindOf(stats)}, not a regular file${forceHint(options, 'writes to it')}`,
      );
    }
    const bytes = Buffer.from(text, 'utf8');
    for (let done = 0; done < bytes.length; ) {
      done += writeSync(fd, bytes, done, bytes.length - done);
    }
    // A full disk may tell only now (NFS, some FUSE file systems).
    const written = fd;
    fd = -1;
    closeSync(written);
  } catch (error) {
    if (error instanceof UnsafeFileError) throw error;
    if (stats?.isFile()) removeWritten(path, stats);
    throw new UnsafeFileError(`cannot write ${path}: ${osReason(error)}`);
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Removes the file at `path` if it is still the one written (not a link to it, nor another since). */
function removeWritten(path: string, written: Stats): void {
  try {
    const now = lstatSync(path);
    if (now.isFile() && now.ino === written.ino && now.dev === written.dev) unlinkSync(path);
  } catch {
    // Gone already, or not ours to remove: the error said is the write's.
  }
}

/**
 * A system error's reason in words, with its code: "no space left on device
 * (ENOSPC)" for Node's "ENOSPC: no space left on device, write".
 */
export function osReason(error: unknown): string {
  const { code, message } = error as Partial<NodeJS.ErrnoException>;
  const text = typeof message === 'string' ? message : String(error);
  if (typeof code !== 'string' || !text.startsWith(`${code}: `)) return text;
  // After the words: the system call, and for some the path (", open '/x'").
  return `${text.slice(code.length + 2).replace(/, \w+(?: '.*')?$/, '')} (${code})`;
}

function forceHint(options: WriteOptions, what: string): string {
  return options.forceFlag ? ` (${options.forceFlag} ${what})` : '';
}

function writeProblem(path: string, error: unknown, options: WriteOptions): string {
  const code = (error as NodeJS.ErrnoException).code;
  let stats: Stats | null = null;
  try {
    stats = lstatSync(path);
  } catch {
    // Not there (a missing directory, say): the error as it was.
  }
  if (stats?.isSymbolicLink() && (code === 'ELOOP' || code === 'EEXIST')) {
    return `it is a symbolic link; not following it${forceHint(options, 'writes through it')}`;
  }
  if (code === 'EEXIST') return 'it already exists';
  if (code === 'ENXIO' && stats) return `it is ${kindOf(stats)} with no reader`;
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENOENT') return 'no such directory';
  return osReason(error);
}
