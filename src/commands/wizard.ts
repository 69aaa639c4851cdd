/**
 * `s3-harden` with no command: the interactive wizard. Refuses without a
 * terminal and points to the scriptable commands instead.
 */
import { join } from 'node:path';
import type { ConnectionOptions } from '../aws/clients.js';
import type { AwsSession } from '../aws/session.js';
import { openJournal, stateDir } from '../plan/apply/journal.js';
import { findUnfinishedJournals } from '../plan/apply/journal-scan.js';
import { acquireLock } from '../plan/apply/lock.js';
import type { CisVersion } from '../plan/audit/cis.js';
import type { Exception } from '../plan/exceptions/exceptions.js';
import { writeRegularFile } from '../plan/files/safe-file.js';
import type { Preset } from '../plan/model/types.js';
import { escapeControl } from '../plan/render/sanitise.js';
import { CommandError, type ExitCode } from './exit-codes.js';
import { invocation } from './invocation.js';

export interface WizardCommandOptions {
  readonly connection: ConnectionOptions;
  /** Undefined: the wizard opens with the preset choice. */
  readonly preset?: Preset;
  readonly bucket?: string;
  /** One log bucket for the access logs, under a prefix per bucket. */
  readonly logBucket?: string;
  /** --exceptions: the exceptions file (default ./.s3-harden.json when there is one). */
  readonly exceptionsFile?: string;
  /** --cis-version: whose CIS numbers the posture shows and the tags are read in. */
  readonly cisVersion?: CisVersion;
}

/**
 * A new file name in the working directory for a plan the wizard saves:
 * never an existing file, never through a symbolic link.
 */
export function savePlanFile(bucket: string, text: string, path = planFileName(bucket)): string {
  writeRegularFile(path, text, { exclusive: true, mode: 0o644 });
  return path;
}

/** `s3-harden-plan-BUCKET-YYYYMMDD-HHMMSS.json`: the name the review offers. */
export function planFileName(bucket: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `s3-harden-plan-${bucket}-${stamp}.json`;
}

/** The review's AWS CLI script: a new file, never through a symbolic link, executable. */
export function writeNewFile(path: string, text: string): string {
  writeRegularFile(path, text, { exclusive: true, mode: 0o755 });
  return path;
}

/** The wizard's "roll the unfinished apply back first": the same rollback as the command, in the open session. */
export async function rollBackInSession(
  path: string,
  session: AwsSession,
): Promise<{ restored: boolean; lines: string[] }> {
  // Loaded only when a rollback is asked for: the schemas it checks the
  // journal with are not needed to draw the wizard.
  const { appendToJournal, loadJournal, rollbackJournal, rollbackLines } = await import(
    '../plan/apply/rollback.js'
  );
  const journal = loadJournal(path);
  if (!journal) return { restored: true, lines: ['The journal records no change.'] };
  const lock = acquireLock(journal.target, 'rollback');
  const writer = appendToJournal(path);
  try {
    const outcome = await rollbackJournal(journal, {
      run: (call) => session.execute(call),
      read: (resource, identity) => session.read(journal.target, resource, identity),
      recover: (resource, identity) => session.recover(journal.target, resource, identity),
      record: (entry) => writer.append(entry),
      cli: {
        region: journal.target.region,
        ...(session.endpoint ? { endpoint: session.endpoint } : {}),
      },
    });
    // The lines quote the journal (its change titles): escaped for the screen.
    return { restored: outcome.restored, lines: rollbackLines(outcome, path).map(escapeControl) };
  } finally {
    writer.close();
    lock.release();
  }
}

export async function runWizard(options: WizardCommandOptions): Promise<ExitCode> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new CommandError(
      'the wizard needs an interactive terminal. In scripts and CI use: s3-harden plan --bucket B --out plan.json, then s3-harden apply plan.json --yes',
    );
  }
  const { renderWizard } = await import('../screens/render-wizard.js');
  // Loaded once, when the wizard first asks (after its first frame): the
  // schema that checks the file is not needed to draw it.
  let exceptions: Promise<readonly Exception[]> | undefined;
  const loadExceptions = () => {
    exceptions ??= import('./exceptions-file.js').then((file) =>
      file.loadExceptions(options.exceptionsFile, options.cisVersion),
    );
    return exceptions;
  };
  const code = await renderWizard({
    ...(options.preset ? { preset: options.preset } : {}),
    ...(options.bucket ? { bucket: options.bucket } : {}),
    ...(options.logBucket ? { logBucket: options.logBucket } : {}),
    services: {
      connect: () => import('../aws/index.js').then((aws) => aws.connect(options.connection)),
      openJournal: (target) => openJournal(target),
      lock: (target) => acquireLock(target, 'wizard'),
      savePlan: savePlanFile,
      planName: (bucket) => planFileName(bucket),
      writeFile: writeNewFile,
      invocation: invocation(),
      // scripts/demo.mjs says so: its emulator goes when it quits.
      demo: process.env.S3_HARDEN_DEMO === '1',
      unfinishedJournals: (target) => findUnfinishedJournals(target, join(stateDir(), 'journals')),
      rollBack: rollBackInSession,
      exceptions: loadExceptions,
      ...(options.cisVersion ? { cisVersion: options.cisVersion } : {}),
    },
  });
  return code as ExitCode;
}
