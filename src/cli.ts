/**
 * Entry point. A plain wizard start (no command, only the wizard's own
 * flags) goes straight to the wizard; anything else — a command, --help,
 * a flag in error — to the commander program, loaded only then. Each
 * command is imported only when chosen, so the wizard's first frame waits
 * for neither the argument parser nor the AWS SDK, and `--help` loads
 * neither Ink nor the SDK.
 */
import { guard } from './commands/run-command.js';
import { wizardArguments } from './commands/wizard-arguments.js';

// The SDK warns on stderr about Node 20 support; on a terminal UI that would
// tear the screen. The README recommends Node 22+ instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A reader that went away (`s3-harden plan --json | head`) must not crash the
// process mid-apply with a stack trace: later output is dropped, the work and
// its journal finish, and the exit code still tells what happened. A streamed
// `audit --json`, which writes nothing else, stops there instead (see
// src/commands/audit.ts).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const wizard = wizardArguments(argv.slice(2));
  if (wizard) {
    const { runWizard } = await import('./commands/wizard.js');
    await guard(() => runWizard(wizard));
    return;
  }
  const { runProgram } = await import('./commands/program.js');
  await runProgram(argv);
}
