/**
 * `s3-harden rollback [JOURNAL]`: restores everything an apply recorded
 * (without a journal: ./rollback-pick.ts). The changes are shown as a diff
 * first; account-wide ones are asked about apart, and with --yes those a
 * later apply relies on are kept unless --include-account. The journal is validated before any AWS call; each change is read,
 * undone newest first when it is not as before, and read back. Safe to run
 * again: progress is appended to the same journal. A created bucket that has
 * received objects is kept and reported with the command that removes it.
 */
import { createInterface } from 'node:readline/promises';
import type { ConnectionOptions } from '../aws/clients.js';
import { connect } from '../aws/index.js';
import { affects, isAccountWide, reliedOnBy } from '../plan/apply/journal-reliance.js';
import { scanJournals } from '../plan/apply/journal-scan.js';
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
import { shellQuote } from '../plan/render/cli-equivalent.js';
import { escapeControl, escapeLines } from '../plan/render/sanitise.js';
import { type AccountWideNote, undoPreview } from '../plan/render/undo-preview.js';
import { CommandError, EXIT, type ExitCode } from './exit-codes.js';
import { chooseJournal, journalsDir } from './rollback-pick.js';
import { colourEnabled, formatLines } from './style.js';

export interface RollbackCommandOptions {
  /** Absent: the latest journal of `bucket`, else one picked from a list. */
  readonly file?: string;
  readonly bucket?: string;
  readonly yes: boolean;
  /** With --yes: also undo account-wide changes a later apply relies on. */
  readonly includeAccount?: boolean;
  readonly connection: ConnectionOptions;
}

export interface RollbackProgress {
  onStart?(change: JournalChange): void;
  onResult?(result: RollbackResult): void;
  /** Changes to leave as they are (account-wide ones kept), by id. */
  readonly leave?: ReadonlySet<string>;
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

/** The answer, trimmed and lower-cased; null when stdin ends first (Ctrl+D): never a yes. */
async function ask(question: string): Promise<string | null> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await new Promise<string | null>((resolve) => {
      prompt.once('close', () => resolve(null));
      prompt.question(question).then(
        (answer) => resolve(answer.trim().toLowerCase()),
        () => resolve(null),
      );
    });
  } finally {
    prompt.close();
  }
}

/** Each account-wide change of the journal: what else it affects, and the later applies relying on it. */
function accountWideNotes(journal: ParsedJournal, path: string): Map<string, AccountWideNote> {
  const others = scanJournals(journalsDir());
  const notes = new Map<string, AccountWideNote>();
  for (const change of journal.changes) {
    if (!isAccountWide(change)) continue;
    notes.set(change.id, {
      affects: affects(change, journal),
      reliedOnBy: reliedOnBy(change, journal, path, others),
    });
  }
  return notes;
}

export async function runRollback(
  options: RollbackCommandOptions,
  stdout = process.stdout,
): Promise<ExitCode> {
  // Every line quotes the journal or argv: each escaped (its line breaks are ours).
  const print = (text: string) => stdout.write(`${escapeLines(text)}\n`);
  const terminal = Boolean(process.stdin.isTTY && stdout.isTTY);
  const file = options.file ?? (await chooseJournal(options.bucket, terminal, print));
  if (file === null) {
    print('Nothing rolled back.');
    return EXIT.error;
  }
  // Validate the whole journal first: a tampered one makes no API call at all.
  let journal: ParsedJournal | null;
  try {
    journal = loadJournal(file);
  } catch (error) {
    if (error instanceof JournalError) throw new CommandError(error.message);
    throw error;
  }
  if (!journal) {
    stdout.write(
      `${escapeControl(file)} records no change (the apply stopped before its first write).\n`,
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
  const colour = colourEnabled(stdout);
  const notes = accountWideNotes(journal, file);
  print(`Journal: ${file}`);
  // Escaped line by line by undoPreview: the colour codes formatLines adds are ours.
  stdout.write(`${formatLines(undoPreview(journal, notes), colour)}\n`);
  const wide = journal.changes.filter((change) => notes.has(change.id));
  const relied = wide.filter((change) => (notes.get(change.id)?.reliedOnBy.length ?? 0) > 0);
  const local = journal.changes.length - wide.length;
  // Account-wide changes left as they are, and why.
  const leave = new Map<string, string>();
  if (options.yes) {
    if (!options.includeAccount) {
      for (const change of relied) {
        leave.set(change.id, 'a later apply relies on it (above); --include-account undoes it too');
      }
    }
  } else {
    if (local > 0) {
      const question = `\nRoll back the ${local} change${local === 1 ? '' : 's'} to ${target.bucket} not already as before? Type "yes" to continue: `;
      if ((await ask(question)) !== 'yes') {
        print('Nothing rolled back.');
        return EXIT.error;
      }
    }
    if (wide.length > 0 && !options.includeAccount) {
      // Asked apart, defaulting to no when a later apply relies on any of them.
      const safe = relied.length === 0;
      const titles = wide.map((change) => change.title).join(', ');
      const answer = await ask(
        `\nAlso undo ${wide.length === 1 ? 'the account-wide change' : `the ${wide.length} account-wide changes`} (${titles})? ${
          safe ? 'No later apply relies on it' : 'A later apply relies on it (above)'
        }. [${safe ? 'Y/n' : 'y/N'}] `,
      );
      const yes = answer === '' ? safe : answer === 'y' || answer === 'yes';
      if (!yes) {
        for (const change of wide) {
          leave.set(change.id, 'you chose to keep it');
        }
        if (local === 0) {
          print('Nothing rolled back.');
          return EXIT.error;
        }
      }
    }
  }
  const outcome = await rollbackFile(file, journal, options.connection, {
    onStart: (change) => print(`  … checking ${change.title}`),
    leave: new Set(leave.keys()),
  });
  print('');
  print(rollbackLines(outcome, file).join('\n'));
  if (leave.size > 0) {
    print('');
    print('Kept as they are (account-wide):');
    for (const change of journal.changes.filter((c) => leave.has(c.id))) {
      print(
        `  = ${change.title}: ${leave.get(change.id)}; it affects ${notes.get(change.id)?.affects}`,
      );
    }
    const again = [
      's3-harden rollback',
      shellQuote(file),
      '--include-account',
      ...(options.connection.profile ? ['--profile', shellQuote(options.connection.profile)] : []),
      ...(options.connection.endpoint
        ? ['--endpoint-url', shellQuote(options.connection.endpoint)]
        : []),
    ].join(' ');
    print(`To undo them later: ${again}`);
  }
  // Left on purpose is not a failure; a bucket kept because it has received
  // objects is a manual step still to do: exit 3 like a failed undo, although
  // the journal is finished (nothing to retry).
  const onlyLeft =
    outcome.finished &&
    outcome.results.every(
      (result) =>
        result.status === 'rolled-back' || result.status === 'already' || result.status === 'left',
    );
  return outcome.restored || onlyLeft ? EXIT.ok : EXIT.rollbackIncomplete;
}
