/**
 * How every command ends: its exit code, or one line on stderr and a
 * non-zero exit. Shared by the commander program and the wizard's fast start.
 */
import { escapeControl } from '../plan/render/sanitise.js';
import { CommandError, EXIT } from './exit-codes.js';

/** One line on stderr, then exit (1 unless the error says otherwise); text from outside shown escaped. */
export function fail(message: string, code: number = EXIT.error): never {
  process.stderr.write(`s3-harden: ${escapeControl(message)}\n`);
  process.exit(code);
}

/** Runs a command; its result is the exit code, anything it throws one line. */
export async function guard(run: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await run();
  } catch (error) {
    if (error instanceof CommandError) fail(error.message, error.exitCode);
    // AwsError, PlanFileError, AnswerError…: all carry a one-line message.
    if (error instanceof Error && error.name !== 'Error') fail(error.message);
    fail(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  }
}
