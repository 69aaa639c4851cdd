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
import { sourceIpProblem } from './plan/lockout.js';
import { PRESETS, type Preset } from './plan/types.js';
import { STEP_ORDER } from './steps/index.js';
import { vpceProblem } from './steps/policy-inputs.js';
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

/** The caller's context for the lockout check, and its override: on `plan` and `apply`. */
function lockoutOptions(): Option[] {
  return [
    new Option(
      '--source-ip <ip>',
      'your public IP address, for the lockout check of IP allowlists',
    ).argParser((value: string) => {
      const problem = sourceIpProblem(value);
      if (problem) throw new InvalidArgumentError(`${problem}.`);
      return value;
    }),
    new Option(
      '--vpce <id>',
      'the VPC endpoint your requests go through (default: none)',
    ).argParser((value: string) => {
      const problem = vpceProblem(value);
      if (problem) throw new InvalidArgumentError(`${problem}.`);
      return value;
    }),
    new Option('--allow-lockout', 'go on even when a Deny in the plan would lock you out'),
  ];
}

interface LockoutFlags {
  sourceIp?: string;
  vpce?: string;
  allowLockout?: boolean;
}

function lockoutFlags(flags: LockoutFlags) {
  return {
    ...(flags.sourceIp ? { sourceIp: flags.sourceIp } : {}),
    ...(flags.vpce ? { vpce: flags.vpce } : {}),
    ...(flags.allowLockout ? { allowLockout: true } : {}),
  };
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

  const planCommand = addConnectionOptions(
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
      .option(
        '--iam-policy',
        'print the least-privilege IAM policy for applying (and undoing) the plan instead of the diff',
      )
      .option('--create-bucket', 'the bucket does not exist yet: create it first (in --region)')
      .option('--object-lock', 'with --create-bucket: enable Object Lock at creation (permanent)'),
  );
  for (const option of lockoutOptions()) planCommand.addOption(option);
  planCommand.action(
    async (
      flags: ConnectionFlags &
        LockoutFlags & {
          bucket: string;
          preset: Preset;
          skip?: StepId[];
          only?: StepId[];
          out?: string;
          json?: boolean;
          iamPolicy?: boolean;
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
          ...(flags.iamPolicy ? { iamPolicy: true } : {}),
          connection: connectionOptions(flags),
          ...(flags.out ? { out: flags.out } : {}),
          ...(flags.createBucket ? { create: { objectLock: Boolean(flags.objectLock) } } : {}),
          ...lockoutFlags(flags),
        }),
      );
    },
  );

  const applyCommand = addConnectionOptions(
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
      )
      .option(
        '--ignore-unfinished',
        'apply even though an earlier apply to this bucket did not finish (see `s3-harden rollback`)',
      ),
  );
  for (const option of lockoutOptions()) applyCommand.addOption(option);
  applyCommand.action(
    async (
      file: string,
      flags: ConnectionFlags &
        LockoutFlags & {
          yes?: boolean;
          allowIrreversible?: boolean;
          allowSecurityWarnings?: boolean;
          ignoreUnfinished?: boolean;
        },
    ) => {
      const { runApply } = await import('./commands/apply.js');
      await guard(() =>
        runApply({
          file,
          yes: Boolean(flags.yes),
          allowIrreversible: Boolean(flags.allowIrreversible),
          allowSecurityWarnings: Boolean(flags.allowSecurityWarnings),
          ignoreUnfinished: Boolean(flags.ignoreUnfinished),
          connection: connectionOptions(flags),
          ...lockoutFlags(flags),
        }),
      );
    },
  );

  addConnectionOptions(
    program
      .command('rollback')
      .description(
        'Undo what an interrupted apply recorded in its journal, newest first; safe to run again.',
      )
      .argument(
        '<journal>',
        'journal file (journals/ in the state directory; apply names an unfinished one)',
      )
      .option('-y, --yes', 'roll back without asking (required when not in a terminal)'),
  ).action(async (file: string, flags: ConnectionFlags & { yes?: boolean }) => {
    const { runRollback } = await import('./commands/rollback.js');
    await guard(() =>
      runRollback({ file, yes: Boolean(flags.yes), connection: connectionOptions(flags) }),
    );
  });

  program.addHelpText(
    'after',
    `
Exit codes: 0 done / nothing to change, 1 error (nothing left half-applied; for plan, also a
            policy error found by IAM Access Analyzer, or a Deny that would lock you out),
            2 plan has changes,
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
