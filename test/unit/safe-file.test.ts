/**
 * Reading and writing files without trusting the path
 * (src/plan/files/safe-file.ts): only regular files, the size checked on the
 * open descriptor and the read bounded, no blocking on a FIFO, no writing
 * through a symbolic link; and the journals directory is private.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openJournal } from '../../src/plan/apply/journal.js';
import {
  readRegularFile,
  UnsafeFileError,
  writeRegularFile,
} from '../../src/plan/files/safe-file.js';

const LIMIT = { bytes: 100, what: 'a test file' };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 's3-harden-safe-file-'));
});

/** The UnsafeFileError `run` throws (fails the test when it throws nothing or something else). */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UnsafeFileError);
    return (error as Error).message;
  }
  throw new Error('expected an UnsafeFileError');
}

describe('readRegularFile', () => {
  it('reads a regular file whole, up to the limit', () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, 'x'.repeat(100));
    expect(readRegularFile(file, LIMIT)).toBe('x'.repeat(100));
  });

  it('a file over the limit is refused from its size, in one line', () => {
    const file = join(dir, 'big.json');
    writeFileSync(file, 'x'.repeat(101));
    expect(refusal(() => readRegularFile(file, LIMIT))).toBe(
      `${file}: file is 101 bytes; a test file is at most 100`,
    );
  });

  it.runIf(existsSync('/proc/self/status'))(
    'a file whose size says 0 (a /proc file) is still read no further than the limit',
    () => {
      expect(statSync('/proc/self/status').size).toBe(0);
      expect(refusal(() => readRegularFile('/proc/self/status', LIMIT))).toBe(
        '/proc/self/status: file is more than 100 bytes; a test file is at most 100',
      );
    },
  );

  it.each([
    ['/dev/null', 'a character device'],
    ['/dev/zero', 'a character device'],
    ['/dev/urandom', 'a character device'],
  ])('%s is refused without reading: %s', (path, kind) => {
    expect(refusal(() => readRegularFile(path, LIMIT))).toBe(
      `cannot read ${path}: ${kind}, not a regular file`,
    );
  });

  it('a directory is refused', () => {
    expect(refusal(() => readRegularFile(dir, LIMIT))).toBe(
      `cannot read ${dir}: a directory, not a regular file`,
    );
  });

  it('a FIFO with no writer is refused at once, not waited on', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(() => readRegularFile(fifo, LIMIT))).toBe(
      `cannot read ${fifo}: a named pipe (FIFO), not a regular file`,
    );
  });

  it('a missing file', () => {
    expect(refusal(() => readRegularFile(join(dir, 'nope'), LIMIT))).toBe(
      `cannot read ${join(dir, 'nope')}: no such file`,
    );
  });
});

describe('writeRegularFile', () => {
  it('creates a file, and replaces a regular file that is there', () => {
    const file = join(dir, 'plan.json');
    writeRegularFile(file, 'one');
    writeRegularFile(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(statSync(file).mode & 0o777).toBe(0o644 & ~process.umask());
  });

  it('does not write through a symbolic link, unless forced', () => {
    const target = join(dir, 'elsewhere');
    writeFileSync(target, 'keep');
    const link = join(dir, 'plan.json');
    symlinkSync(target, link);
    expect(refusal(() => writeRegularFile(link, 'plan', { forceFlag: '--force' }))).toBe(
      `cannot write ${link}: it is a symbolic link; not following it (--force writes through it)`,
    );
    expect(readFileSync(target, 'utf8')).toBe('keep');
    writeRegularFile(link, 'plan', { force: true });
    expect(readFileSync(target, 'utf8')).toBe('plan');
  });

  it('a dangling symbolic link is not followed either (nothing created at its target)', () => {
    const target = join(dir, 'created-elsewhere');
    const link = join(dir, 'plan.json');
    symlinkSync(target, link);
    expect(refusal(() => writeRegularFile(link, 'plan'))).toMatch(/symbolic link/);
    expect(existsSync(target)).toBe(false);
  });

  it('exclusive: never an existing file, nor a symbolic link', () => {
    const file = join(dir, 'new.json');
    writeRegularFile(file, 'one', { exclusive: true });
    expect(refusal(() => writeRegularFile(file, 'two', { exclusive: true }))).toBe(
      `cannot write ${file}: it already exists`,
    );
    const link = join(dir, 'link.json');
    symlinkSync(join(dir, 'missing'), link);
    expect(refusal(() => writeRegularFile(link, 'two', { exclusive: true }))).toMatch(
      /symbolic link; not following it$/,
    );
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it('a FIFO is not written to (no reader: refused at once, not waited on)', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(() => writeRegularFile(fifo, 'plan', { forceFlag: '--force' }))).toBe(
      `cannot write ${fifo}: it is a named pipe (FIFO) with no reader`,
    );
  });

  it('a device is not written to', () => {
    expect(refusal(() => writeRegularFile('/dev/null', 'plan', { forceFlag: '--force' }))).toBe(
      'refusing to write /dev/null: it is a character device, not a regular file (--force writes to it)',
    );
  });
});

describe('the journals directory', () => {
  it('is made private (0700) even when it already existed with a looser mode', () => {
    const journals = join(dir, 'journals');
    mkdirSync(journals);
    chmodSync(journals, 0o755);
    const target = { accountId: '123456789012', region: 'us-east-1', bucket: 'my-bucket' };
    const journal = openJournal(target, journals);
    // The file appears with its first entry.
    journal.append({ type: 'begin', target, changes: 0, tool: 's3-harden' });
    journal.close();
    expect(statSync(journals).mode & 0o777).toBe(0o700);
    expect(statSync(journal.path).mode & 0o777).toBe(0o600);
  });
});
