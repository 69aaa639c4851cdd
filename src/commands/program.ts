/**
 * The command line as commander parses it: the program, the wizard's own
 * flags (no command), the help text, and each command from its module
 * (./plan-command.ts, ./apply-command.ts, ./audit-command.ts). Loaded only
 * when the arguments are not a plain wizard start (src/cli.ts), so the
 * wizard's first frame does not wait for the argument parser.
 */
import { Command, CommanderError } from 'commander';
import type { CisVersion } from '../plan/audit/cis.js';
import type { Preset } from '../plan/model/types.js';
import { escapeControl } from '../plan/render/sanitise.js';
import { VERSION } from '../version.js';
import { addApplyCommand, addRollbackCommand } from './apply-command.js';
import { addAuditCommand } from './audit-command.js';
import {
  addConnectionOptions,
  cisVersionOption,
  EXCEPTIONS_HELP,
  parseBucket,
  presetOption,
} from './cli-options.js';
import { type ConnectionFlags, connectionOptions } from './connection.js';
import { EXIT } from './exit-codes.js';
import { addPlanCommand } from './plan-command.js';
import { guard } from './run-command.js';
import { WIZARD_FLAGS } from './wizard-arguments.js';

export function buildProgram(): Command {
  const program = new Command('s3-harden')
    .description(
      'Harden an Amazon S3 bucket step by step: observe, plan, review the diff, apply, roll back on failure.',
    )
    .version(VERSION, '-v, --version')
    .showSuggestionAfterError()
    // Each command owns its flags: the wizard's --bucket is not plan's --bucket.
    .enablePositionalOptions()
    .configureOutput({
      // Commander quotes the argument it refuses: shown escaped, like any text from outside.
      // One line: commander's "(Did you mean …?)" joins it, and a line break
      // in a quoted argument is shown escaped. A URL's password (refused in
      // --endpoint-url) is not repeated in the quote.
      outputError: (text, write) => {
        const line = text
          .replace(/^error: /, '')
          .replace(/\n\(Did you mean/g, ' (Did you mean')
          .replace(/\n$/, '');
        write(`s3-harden: ${escapeControl(redactUserinfo(line))}\n`);
      },
    })
    .exitOverride()
    // `s3-harden help` and `s3-harden help plan`, beside --help: the wizard's
    // own action would otherwise turn commander's help command off.
    .helpCommand('help [command]', 'Show help for s3-harden or one of its commands.')
    .hook('preAction', (_program, command) => carryProgramFlags(program, command));

  addConnectionOptions(program)
    .option('--bucket <name>', WIZARD_FLAGS.bucket.help, parseBucket)
    .option('--log-bucket <name>', WIZARD_FLAGS['log-bucket'].help, parseBucket)
    .addOption(presetOption())
    .option('--exceptions <file>', EXCEPTIONS_HELP)
    .addOption(cisVersionOption())
    .action(
      async (
        flags: ConnectionFlags & {
          bucket?: string;
          preset?: Preset;
          logBucket?: string;
          exceptions?: string;
          cisVersion?: CisVersion;
        },
      ) => {
        // `s3-harden plann`: not "too many arguments" — the word is a command that is not one.
        const [word] = program.args;
        if (word !== undefined) {
          const commands = program.commands.map((command) => command.name());
          program.error(`unknown command '${word}' (commands: ${commands.join(', ')}, help).`);
        }
        const { runWizard } = await import('./wizard.js');
        await guard(() =>
          runWizard({
            connection: connectionOptions(flags),
            ...(flags.preset ? { preset: flags.preset } : {}),
            ...(flags.bucket ? { bucket: flags.bucket } : {}),
            ...(flags.logBucket ? { logBucket: flags.logBucket } : {}),
            ...(flags.exceptions !== undefined ? { exceptionsFile: flags.exceptions } : {}),
            ...(flags.cisVersion ? { cisVersion: flags.cisVersion } : {}),
          }),
        );
      },
    );

  addPlanCommand(program);
  addApplyCommand(program);
  addRollbackCommand(program);
  addAuditCommand(program);
  // After the commands are added, so they keep refusing excess arguments (commander copies the setting at creation).
  program.allowExcessArguments();

  program.addHelpText(
    'after',
    `
Exit codes:
  0  done, or nothing to change
  1  error: nothing is left half-applied; for plan, also a policy error found
     by IAM Access Analyzer, or a Deny that would lock you out
  2  plan has changes, or audit --fail-on found what it names
  3  rollback incomplete: the commands to finish by hand are printed
  4  audit/plan --accounts: some accounts could not be audited or planned;
     apply of a multi-account plan: some accounts could not be entered
Examples:
  s3-harden                                   interactive wizard
  s3-harden plan --bucket my-bucket --out plan.json
  s3-harden apply plan.json
  s3-harden plan --match 'logs-*' --out fleet.json    a section per bucket
  s3-harden apply fleet.json --on-error continue
  s3-harden audit --all --fail-on fail
  s3-harden audit --all --accounts all --role-name s3-harden-audit`,
  );
  return program;
}

/** `scheme://user:password@host` → `scheme://…@host`, wherever it appears in `text`. */
function redactUserinfo(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s'"]*@/gi, '$1…@');
}

const CONNECTION_FLAGS = new Set(['profile', 'region', 'endpointUrl']);

/**
 * `s3-harden --profile prod rollback`: with positional options the program
 * parses the flags before a command, and the command would run without them
 * — with the default credentials, in another account. The connection flags
 * are carried to the command (as the AWS CLI takes them anywhere); the
 * wizard's own flags (--bucket, --preset…) mean something else or nothing
 * to a command, so they are refused with the line that works.
 */
function carryProgramFlags(program: Command, command: Command): void {
  if (command === program) return;
  for (const option of program.options) {
    const key = option.attributeName();
    if (program.getOptionValueSource(key) !== 'cli') continue;
    const value: unknown = program.getOptionValue(key);
    const spelled = option.long ?? option.flags;
    if (!CONNECTION_FLAGS.has(key)) {
      command.error(
        `${spelled} before the command is the wizard's flag; put it after the command: s3-harden ${command.name()} ${spelled} …`,
      );
    }
    if (command.getOptionValueSource(key) === 'cli' && command.getOptionValue(key) !== value) {
      command.error(
        `${spelled} is given twice, before and after "${command.name()}", with different values; give it once.`,
      );
    }
    command.setOptionValueWithSource(key, value, 'cli');
  }
}

/** Parses `argv` (node, script, arguments…) and runs the command it names. */
export async function runProgram(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : EXIT.error;
      return;
    }
    throw error;
  }
}
