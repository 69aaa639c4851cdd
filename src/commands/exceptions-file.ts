/**
 * Where the exceptions come from on the command line: `--exceptions FILE`,
 * else `.s3-harden.json` in the current directory when there is one. The
 * reading lives here so src/plan/exceptions stays pure. A bad file stops the
 * command with one line naming the file (exit 1, as other bad input does):
 * an exception silently dropped would fail, or change, what was meant to stay.
 */
import { readFileSync } from 'node:fs';
import type { CisVersion } from '../plan/audit/cis.js';
import {
  EXCEPTIONS_FILE,
  type Exception,
  ExceptionsError,
  parseExceptions,
} from '../plan/exceptions/exceptions.js';
import { escapeControl } from '../plan/render/sanitise.js';
import { CommandError } from './exit-codes.js';

/** The exceptions in force: the file given, or the default one if present, else none. */
export function loadExceptions(file: string | undefined, version?: CisVersion): Exception[] {
  const path = file ?? EXCEPTIONS_FILE;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    // No default file is no exceptions; a file named on the command line must exist.
    if (file === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CommandError(
      `exceptions file ${escapeControl(path)}: cannot read it (${(error as Error).message})`,
    );
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
