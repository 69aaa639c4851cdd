/**
 * Entry point. Parses arguments and hands off to one command. Each command
 * is imported only when chosen, so the wizard's first frame never waits for
 * the AWS SDK and `--help` loads neither Ink nor the SDK.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  addConnectionOptions,
  type ConnectionFlags,
  connectionOptions,
} from './commands/connection.js';
import { CommandError, EXIT } from './commands/exit-codes.js';
import { bucketNameProblem } from './plan/bucket-name.js';
import { PRESETS, type Preset } from './plan/types.js';
import { STEP_ORDER } from './steps/index.js';
import type { StepId } from './steps/types.js';
import { VERSION } from './version.js';

// The SDK warns on stderr about Node 20 support; on a terminal UI that would
// tear the screen. The README recommends Node 22+ instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function parseBucket(value: string): string {
  const problem = bucketNameProblem(value);
  if (problem) throw new InvalidArgumentError(`"${value}": ${problem}.`);
  return value;
}

function parseStepList(value: string, previous: StepId[] = []): StepId[] {
  const ids = value.split(',').map((id) => id.trim());
  for (const id of ids) {
    if (!STEP_ORDER.includes(id as StepId)) {
      throw new InvalidArgumentError(`"${id}" is not a step (steps: ${STEP_ORDER.join(', ')}).`);
    }
  }
  return [...previous, ...(ids as StepId[])];
}

const presetOption = (fallback?: Preset) =>
  new Option(
    '--preset <name>',
    `which secure defaults to propose${fallback ? '' : ' (default: ask)'}`,
  )
    .choices(PRESETS)
    .default(fallback ?? undefined);

function fail(message: string, code: number = EXIT.error): never {
  process.stderr.write(`s3-harden: ${message}\n`);
  process.exit(code);
}

async function guard(run: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await run();
  } catch (error) {
    if (error instanceof CommandError) fail(error.message, error.exitCode);
    // AwsError, PlanFileError, AnswerError…: all carry a one-line message.
    if (error instanceof Error && error.name !== 'Error') fail(error.message);
    fail(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

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
      outputError: (text, write) => write(`s3-harden: ${text.replace(/^error: /, '')}`),
    })
    .exitOverride();

  addConnectionOptions(program)
    .option('--bucket <name>', 'bucket to harden (skips the picker)', parseBucket)
    .addOption(presetOption())
    .action(async (flags: ConnectionFlags & { bucket?: string; preset?: Preset }) => {
      const { runWizard } = await import('./commands/wizard.js');
      await guard(() =>
        runWizard({
          connection: connectionOptions(flags),
          ...(flags.preset ? { preset: flags.preset } : {}),
          ...(flags.bucket ? { bucket: flags.bucket } : {}),
        }),
      );
    });

  addConnectionOptions(
    program
      .command('plan')
      .description(
        'Dry run: show the changes a preset would make, and optionally save them as a plan file. No writes.',
      )
      .requiredOption('--bucket <name>', 'bucket to plan for', parseBucket)
      .addOption(presetOption('baseline').choices(PRESETS.filter((preset) => preset !== 'custom')))
      .option(
        '--skip <steps>',
        `leave out steps, comma-separated (${STEP_ORDER.join(', ')})`,
        parseStepList,
      )
      .option('--only <steps>', `plan only these steps, comma-separated`, parseStepList)
      .option('--out <file>', 'save the plan file here, for review and a later `s3-harden apply`')
      .option('--json', 'print the plan as JSON')
      .option('--create-bucket', 'the bucket does not exist yet: create it first (in --region)')
      .option('--object-lock', 'with --create-bucket: enable Object Lock at creation (permanent)'),
  ).action(
    async (
      flags: ConnectionFlags & {
        bucket: string;
        preset: Preset;
        skip?: StepId[];
        only?: StepId[];
        out?: string;
        json?: boolean;
        createBucket?: boolean;
        objectLock?: boolean;
      },
    ) => {
      if (flags.objectLock && !flags.createBucket) {
        fail(
          '--object-lock only applies with --create-bucket; for an existing bucket the object-lock step enables it.',
        );
      }
      const { runPlan } = await import('./commands/plan.js');
      await guard(() =>
        runPlan({
          bucket: flags.bucket,
          preset: flags.preset,
          skip: flags.skip ?? [],
          ...(flags.only ? { only: flags.only } : {}),
          json: Boolean(flags.json),
          connection: connectionOptions(flags),
          ...(flags.out ? { out: flags.out } : {}),
          ...(flags.createBucket ? { create: { objectLock: Boolean(flags.objectLock) } } : {}),
        }),
      );
    },
  );

  addConnectionOptions(
    program
      .command('apply')
      .description(
        'Apply a saved plan file: refuses a stale plan, journals every write, rolls back on failure.',
      )
      .argument('<plan-file>', 'plan file written by `s3-harden plan --out` or the wizard')
      .option('-y, --yes', 'apply without asking (required when not in a terminal)')
      .option(
        '--allow-irreversible',
        'with --yes: also apply changes that cannot be undone (Object Lock)',
      )
      .option(
        '--allow-security-warnings',
        'with --yes: also apply policies IAM Access Analyzer reports security warnings for',
      ),
  ).action(
    async (
      file: string,
      flags: ConnectionFlags & {
        yes?: boolean;
        allowIrreversible?: boolean;
        allowSecurityWarnings?: boolean;
      },
    ) => {
      const { runApply } = await import('./commands/apply.js');
      await guard(() =>
        runApply({
          file,
          yes: Boolean(flags.yes),
          allowIrreversible: Boolean(flags.allowIrreversible),
          allowSecurityWarnings: Boolean(flags.allowSecurityWarnings),
          connection: connectionOptions(flags),
        }),
      );
    },
  );

  program.addHelpText(
    'after',
    `
Exit codes: 0 done / nothing to change, 1 error (nothing left half-applied; for plan, also a
            policy error found by IAM Access Analyzer), 2 plan has changes,
            3 rollback incomplete (manual commands printed).
Examples:
  s3-harden                                   interactive wizard
  s3-harden plan --bucket my-bucket --out plan.json
  s3-harden apply plan.json`,
  );
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : EXIT.error;
      return;
    }
    throw error;
  }
}
