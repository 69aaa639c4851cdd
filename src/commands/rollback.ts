/**
 * `s3-harden rollback JOURNAL`: restores everything an interrupted apply
 * recorded. The journal is validated before any AWS call; each change is read,
 * undone newest first when it is not as before, and read back. Safe to run
 * again: progress is appended to the same journal. A created bucket that has
 * received objects is kept and reported with the command that removes it.
 */
import { createInterface } from 'node:readline/promises';
import type { ConnectionOptions } from '../aws/clients.js';
import { connect } from '../aws/index.js';
import { acquireLock } from '../plan/apply/lock.js';
import {
  appendToJournal,
  type JournalChange,
  JournalError,
  loadJournal,
  type ParsedJournal,
  type RollbackOutcome,
  type RollbackResult,
  rollbackJournal,
  rollbackLines,
} from '../plan/apply/rollback.js';
import { escapeControl, escapeLines } from '../plan/render/sanitise.js';
import { CommandError, EXIT, type ExitCode } from './exit-codes.js';

export interface RollbackCommandOptions {
  readonly file: string;
  readonly yes: boolean;
  readonly connection: ConnectionOptions;
}

export interface RollbackProgress {
  onStart?(change: JournalChange): void;
  onResult?(result: RollbackResult): void;
}

/**
 * Connects for the journal's account and region and rolls it back; shared by
 * the command and the wizard. Throws CommandError before any write when the
 * credentials are for another account.
 */
export async function rollbackFile(
  path: string,
  journal: ParsedJournal,
  connection: ConnectionOptions,
  progress: RollbackProgress = {},
): Promise<RollbackOutcome> {
  const { target } = journal;
  const session = await connect({ region: target.region, ...connection });
  try {
    if (session.identity.accountId !== target.accountId) {
      throw new CommandError(
        `the journal is for account ${target.accountId}, but these credentials are for account ${session.identity.accountId}`,
      );
    }
    // One operator at a time: an apply or another rollback of this bucket refuses meanwhile.
    const lock = acquireLock(target, 'rollback');
    const writer = appendToJournal(path);
    try {
      return await rollbackJournal(journal, {
        run: (call) => session.execute(call),
        read: (resource, identity) => session.read(target, resource, identity),
        recover: (resource, identity) => session.recover(target, resource, identity),
        record: (entry) => writer.append(entry),
        cli: { region: target.region, ...(session.endpoint ? { endpoint: session.endpoint } : {}) },
        ...progress,
      });
    } finally {
      writer.close();
      lock.release();
    }
  } finally {
    session.close();
  }
}

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await prompt.question(question)).trim() === 'yes';
  } finally {
    prompt.close();
  }
}

export async function runRollback(
  options: RollbackCommandOptions,
  stdout = process.stdout,
): Promise<ExitCode> {
  // Validate the whole journal first: a tampered one makes no API call at all.
  let journal: ParsedJournal | null;
  try {
    journal = loadJournal(options.file);
  } catch (error) {
    if (error instanceof JournalError) throw new CommandError(error.message);
    throw error;
  }
  if (!journal) {
    stdout.write(
      `${escapeControl(options.file)} records no change (the apply stopped before its first write).\n`,
    );
    return EXIT.ok;
  }
  if (!options.yes && !process.stdin.isTTY) {
    throw new CommandError(
      'refusing to roll back without confirmation: pass --yes when not in a terminal',
    );
  }
  const { target } = journal;
  if (options.connection.region && options.connection.region !== target.region) {
    throw new CommandError(
      `the journal is for region ${target.region}, but --region is ${options.connection.region}`,
    );
  }
  // Every line quotes the journal or argv: each escaped (its line breaks are ours).
  const print = (text: string) => stdout.write(`${escapeLines(text)}\n`);
  const count = journal.changes.length;
  if (!options.yes) {
    print(
      `${options.file} records ${count} change${count === 1 ? '' : 's'} to ${target.bucket} (account ${target.accountId}, ${target.region}).`,
    );
    if (
      !(await confirm('Roll back every change not already as before? Type "yes" to continue: '))
    ) {
      print('Nothing rolled back.');
      return EXIT.error;
    }
  }
  const outcome = await rollbackFile(options.file, journal, options.connection, {
    onStart: (change) => print(`  … checking ${change.title}`),
  });
  print('');
  print(rollbackLines(outcome, options.file).join('\n'));
  // A bucket kept because it has received objects is a manual step still to do:
  // exit 3 like a failed undo, although the journal is finished (nothing to retry).
  return outcome.restored ? EXIT.ok : EXIT.rollbackIncomplete;
}
