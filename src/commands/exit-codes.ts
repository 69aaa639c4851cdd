/** The exit codes (../flow/exit-codes.ts), and the error a command reports as one line. */
import { EXIT, type ExitCode } from '../flow/exit-codes.js';

export { EXIT, type ExitCode };

/** A failure the command reports as one line and maps to an exit code. */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.error,
  ) {
    super(message);
  }
}
