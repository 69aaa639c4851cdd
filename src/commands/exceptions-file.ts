/**
 * Where the exceptions come from on the command line: `--exceptions FILE`,
 * else `.s3-harden.json` in the current directory when there is one. The
 * reading lives here so src/plan/exceptions stays pure. A bad file stops the
 * command with one line naming the file (exit 1, as other bad input does):
 * an exception silently dropped would fail, or change, what was meant to stay.
 */
import type { CisVersion } from '../plan/audit/cis.js';
import {
  EXCEPTIONS_FILE,
  type Exception,
  ExceptionsError,
  parseExceptions,
} from '../plan/exceptions/exceptions.js';
import { readRegularFile, UnsafeFileError } from '../plan/files/safe-file.js';
import { escapeControl } from '../plan/render/sanitise.js';
import { CommandError } from './exit-codes.js';

/** Thousands of exceptions fit in far less; anything larger is not an exceptions file. */
const MAX_EXCEPTIONS_BYTES = 1024 * 1024;

/** The exceptions in force: the file given, or the default one if present, else none. */
export function loadExceptions(file: string | undefined, version?: CisVersion): Exception[] {
  const path = file ?? EXCEPTIONS_FILE;
  let text: string;
  try {
    // Like a plan file: a FIFO, a device (/dev/zero) or a huge file is one line, not a hang or a crash.
    text = readRegularFile(path, { bytes: MAX_EXCEPTIONS_BYTES, what: 'an exceptions file' });
  } catch (error) {
    if (!(error instanceof UnsafeFileError)) throw error;
    // No default file is no exceptions; a file named on the command line must exist.
    if (file === undefined && error.code === 'ENOENT') return [];
    throw new CommandError(`exceptions file: ${escapeControl(error.message)}`);
  }
  try {
    return parseExceptions(text, path, version);
  } catch (error) {
    if (error instanceof ExceptionsError) {
      throw new CommandError(`exceptions file ${escapeControl(path)}: ${error.message}.`);
    }
    throw error;
  }
}
