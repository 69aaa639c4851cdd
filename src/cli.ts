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
import { osReason } from './plan/files/safe-file.js';

// The SDK warns on stderr about Node 20 support; on a terminal UI that would
// tear the screen. The README recommends Node 22+ instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// An empty AWS_REGION is unset, as for an empty AWS_ENDPOINT_URL: the SDK
// would take "" for the region ("Region not accepted"), never reaching the
// profile's. (src/commands/connection.ts checks the rest of the environment.)
if (process.env.AWS_REGION === '') delete process.env.AWS_REGION;

// A reader that went away (`s3-harden plan --json | head`) must not crash the
// process mid-apply with a stack trace: later output is dropped, the work and
// its journal finish, and the exit code still tells what happened. A streamed
// `audit --json`, which writes nothing else, stops there instead (see
// src/commands/audit.ts). Any other failure to write them (`> /dev/full`, a
// full disk, EIO) is the same for the work, but the output asked for is
// lost: a run that would have exited 0 or 2 (a plan, a report) says so in
// one line and exits 1; one that fails anyway has said why already.
let lost: { readonly what: string; readonly error: NodeJS.ErrnoException } | undefined;
for (const [what, stream] of [
  ['standard output', process.stdout],
  ['standard error', process.stderr],
] as const) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') lost ??= { what, error };
  });
}
process.on('exit', (code) => {
  if (!lost || (code !== 0 && code !== 2)) return;
  // (Lost with it, when it is standard error that failed.)
  process.stderr.write(`s3-harden: cannot write ${lost.what}: ${osReason(lost.error)}\n`);
  process.exitCode = 1;
});

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
