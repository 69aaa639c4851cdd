/**
 * The command line as commander parses it: every command, its flags and
 * their checks, and the help text. Loaded only when the arguments are not a
 * plain wizard start (src/cli.ts), so the wizard's first frame does not wait
 * for the argument parser.
 *
 * Why one file of ~440 lines: every command's flags, declared flat in
 * commander's style; long, but one level deep.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { type CisVersion, parseCisVersion } from '../plan/audit/cis.js';
import { bucketNameProblem } from '../plan/model/bucket-name.js';
import { PRESETS, type Preset } from '../plan/model/types.js';
import { sourceIpProblem } from '../plan/policy/ip.js';
import { escapeLines } from '../plan/render/sanitise.js';
import { STEP_ORDER } from '../steps/ids.js';
import { vpceProblem } from '../steps/policy-inputs.js';
import type { StepId } from '../steps/types.js';
import { VERSION } from '../version.js';
import {
  type AccountFlags,
  accountsSelection,
  DEFAULT_ACCOUNT_CONCURRENCY,
  parseAccountConcurrency,
  parseAccounts,
  parseExternalId,
  parseRegions,
  parseRoleName,
  printAuditIamPolicy,
} from './audit-flags.js';
import {
  type ConnectionFlags,
  connectionOptions,
  endpointProblem,
  regionProblem,
} from './connection.js';
import { EXIT } from './exit-codes.js';
import { globProblem } from './fleet-select.js';
import { fail, guard } from './run-command.js';
import { WIZARD_FLAGS } from './wizard-arguments.js';

/** A commander argument parser from a "why not" check. */
function checked(problem: (value: string) => string | null) {
  return (value: string): string => {
    const why = problem(value);
    if (why) throw new InvalidArgumentError(why);
    return value;
  };
}

function addConnectionOptions(command: Command): Command {
  return command
    .addOption(new Option('--profile <name>', WIZARD_FLAGS.profile.help))
    .addOption(
      new Option('--region <region>', WIZARD_FLAGS.region.help).argParser(checked(regionProblem)),
    )
    .addOption(
      new Option('--endpoint-url <url>', WIZARD_FLAGS['endpoint-url'].help).argParser(
        checked(endpointProblem),
      ),
    );
}

function parseBucket(value: string): string {
  const problem = bucketNameProblem(value);
  if (problem) throw new InvalidArgumentError(`"${value}": ${problem}.`);
  return value;
}

const EXCEPTIONS_HELP = WIZARD_FLAGS.exceptions.help;

/** --cis-version, on the wizard, `plan` and `audit`: the tags' and the file's control names, and the IDs shown. */
function cisVersionOption(): Option {
  return new Option('--cis-version <version>', WIZARD_FLAGS['cis-version'].help).argParser(
    (value: string): CisVersion => {
      const problem = WIZARD_FLAGS['cis-version'].problem(value);
      if (problem) throw new InvalidArgumentError(`${problem}.`);
      return parseCisVersion(value) as CisVersion;
    },
  );
}

/** "a,b,c": each name checked (`plan` and `audit` take several buckets this way). */
function parseBucketNames(value: string): string[] {
  return value.split(',').map((name) => parseBucket(name.trim()));
}

/** How many buckets are read at once, on `plan` and `audit`. */
function parseConcurrency(value: string): number {
  const count = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(count >= 1 && count <= 64)) {
    // Commander already quotes the value: "argument '0' is invalid."
    throw new InvalidArgumentError('It must be a whole number from 1 to 64.');
  }
  return count;
}

function parseGlob(value: string): string {
  const problem = globProblem(value);
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return value;
}

/** Buckets a fleet plan reads at once when --concurrency is not given. */
const DEFAULT_FLEET_CONCURRENCY = 8;

/** Exactly one of --bucket, --all and --match picks the buckets `plan` and `audit` cover. */
function bucketSelection(flags: { bucket?: string[]; all?: boolean; match?: string }) {
  const given = [flags.bucket && '--bucket', flags.all && '--all', flags.match && '--match'].filter(
    Boolean,
  );
  if (given.length !== 1) {
    fail(
      given.length === 0
        ? 'choose the buckets: --bucket NAME[,NAME...], --all or --match GLOB.'
        : `choose the buckets one way: ${given.join(', ')} were given together.`,
    );
  }
  if (flags.all) return { kind: 'all' } as const;
  if (flags.match) return { kind: 'match', pattern: flags.match } as const;
  const buckets = flags.bucket ?? [];
  const twice = buckets.find((name, index) => buckets.indexOf(name) !== index);
  if (twice) fail(`bucket ${twice} is listed twice.`);
  return { kind: 'list', buckets } as const;
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

/**
 * The caller's context for the lockout check, and its override: on `plan`
 * and `apply`. `plan` gives its own --vpce (a list, see vpceFlags).
 */
function lockoutOptions(vpce?: Option): Option[] {
  return [
    new Option(
      '--source-ip <ip>',
      'your public IP address, for the lockout check of IP allowlists',
    ).argParser((value: string) => {
      const problem = sourceIpProblem(value);
      if (problem) throw new InvalidArgumentError(`${problem}.`);
      return value;
    }),
    vpce ??
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
    fallback ? 'which secure defaults to propose' : WIZARD_FLAGS.preset.help,
  )
    .choices(PRESETS)
    .default(fallback ?? undefined);

/** --restrict-vpce: repeated or comma-separated endpoint IDs, each checked. */
function parseVpceList(value: string, previous: string[] = []): string[] {
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new InvalidArgumentError('give at least one vpce- ID.');
  for (const id of ids) {
    const problem = vpceProblem(id);
    if (problem) throw new InvalidArgumentError(`${problem}.`);
  }
  return [...new Set([...previous, ...ids])];
}

/**
 * What `plan` prints: the diff (text), JSON (--json, --format json) or a bash
 * script (--cli, --format cli); two of them asked at once is a usage error.
 */
function planOutput(flags: {
  json?: boolean;
  cli?: boolean;
  format?: 'text' | 'json' | 'cli' | 'terraform';
  iamPolicy?: boolean;
}): { json: boolean; cliScript?: true; terraform?: true } {
  const asked = [
    flags.json && '--json',
    flags.cli && '--cli',
    flags.format && `--format ${flags.format}`,
  ].filter((flag): flag is string => Boolean(flag));
  const format = flags.format ?? (flags.cli ? 'cli' : flags.json ? 'json' : 'text');
  if ((flags.json && format !== 'json') || (flags.cli && format !== 'cli')) {
    fail(`${asked.join(' and ')} ask for two outputs: choose one.`);
  }
  if (format === 'cli' && flags.iamPolicy) {
    fail(
      `${flags.cli ? '--cli' : '--format cli'} and --iam-policy ask for two outputs: choose one.`,
    );
  }
  if (format === 'terraform' && flags.iamPolicy) {
    fail('--format terraform and --iam-policy ask for two outputs: choose one.');
  }
  return {
    json: format === 'json',
    ...(format === 'cli' ? { cliScript: true as const } : {}),
    ...(format === 'terraform' ? { terraform: true as const } : {}),
  };
}

/**
 * `plan`'s --vpce: the endpoint(s) you come through, for the lockout check.
 * Under a preset that asks for the VPC endpoint restriction (strict, worm)
 * and without --restrict-vpce, they are also the restriction: `plan --preset
 * strict --vpce vpce-…` restricts the bucket to the endpoint you use.
 */
function vpceFlags(
  flags: Omit<LockoutFlags, 'vpce'> & { vpce?: string[]; restrictVpce?: string[]; preset: Preset },
) {
  const ids = flags.vpce ?? [];
  const restrict =
    flags.restrictVpce ??
    (ids.length > 0 && (flags.preset === 'strict' || flags.preset === 'worm') ? ids : undefined);
  if (flags.restrictVpce && ids.length > 1) {
    fail('with --restrict-vpce, --vpce names the one endpoint your requests go through.');
  }
  return {
    ...(restrict ? { restrictVpce: restrict } : {}),
    ...lockoutFlags({ ...flags, vpce: ids[0] }),
  };
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
      // Commander quotes the argument it refuses: shown escaped, like any text from outside.
      outputError: (text, write) =>
        write(`s3-harden: ${escapeLines(text.replace(/^error: /, ''))}`),
    })
    .exitOverride()
    // `s3-harden help` and `s3-harden help plan`, beside --help: the wizard's
    // own action would otherwise turn commander's help command off.
    .helpCommand('help [command]', 'Show help for s3-harden or one of its commands.');

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

  const planCommand = addConnectionOptions(
    program
      .command('plan')
      .description(
        'Dry run: show the changes a preset would make, and optionally save them as a plan file. No writes.',
      )
      .option(
        '--bucket <names>',
        'bucket to plan for; several (comma-separated or repeated) make a fleet plan',
        (value: string, previous: string[] = []) => [...previous, ...parseBucketNames(value)],
      )
      .option('--all', 'plan every bucket of the account, each in its own region (a fleet plan)')
      .option(
        '--regions <regions>',
        'with several buckets: only those in these regions (names separated by commas)',
        parseRegions,
      )
      .option(
        '--accounts <ids>',
        'with --all or --match: a fleet plan in each of these accounts (IDs separated by commas), or all: every ACTIVE account of the organisation; needs --role-name',
        parseAccounts,
      )
      .option(
        '--exclude-accounts <ids>',
        'leave these accounts out of --accounts (IDs separated by commas)',
        parseAccounts,
      )
      .option(
        '--role-name <name>',
        'the role to assume in each account of --accounts (saved in the plan file; apply assumes it again)',
        parseRoleName,
      )
      .option(
        '--external-id <id>',
        'the ExternalId the role trust policy requires (never saved: give it to apply again)',
        parseExternalId,
      )
      .option(
        '--match <glob>',
        'plan the buckets whose names match, e.g. "logs-*" (* any run, ? one character)',
        parseGlob,
      )
      .option(
        '--concurrency <n>',
        `with several buckets: how many are read at once (1-64, default ${DEFAULT_FLEET_CONCURRENCY})`,
        parseConcurrency,
      )
      .addOption(presetOption('baseline').choices(PRESETS.filter((preset) => preset !== 'custom')))
      .option(
        '--skip <steps>',
        `leave out steps, comma-separated (${STEP_ORDER.join(', ')})`,
        parseStepList,
      )
      .option('--only <steps>', `plan only these steps, comma-separated`, parseStepList)
      .option('--out <file>', 'save the plan file here, for review and a later `s3-harden apply`')
      .option(
        '--force',
        'with --out: write through a symbolic link, or to a file that is not a regular one',
      )
      .option('--json', 'print the plan as JSON')
      .option(
        '--cli',
        'print the plan as a bash script of AWS CLI commands instead of the diff (plan --cli > harden.sh; not journaled)',
      )
      .addOption(
        new Option(
          '--format <format>',
          'text (default), json (as --json), cli (as --cli: a bash script of AWS CLI commands), or terraform (the hardened bucket as HCL with import blocks; --out is then a directory)',
        ).choices(['text', 'json', 'cli', 'terraform']),
      )
      .option(
        '--iam-policy',
        'print the least-privilege IAM policy for applying (and undoing) the plan instead of the diff',
      )
      .option(
        '--log-bucket <name>',
        'send every bucket’s access logs to this one bucket, each under s3-access-logs/<bucket>/ (created if missing)',
        parseBucket,
      )
      .option(
        '--restrict-vpce <ids>',
        'the bucket policy denies requests not made through these VPC endpoints (vpce-…, comma-separated)',
        parseVpceList,
      )
      .option('--create-bucket', 'the bucket does not exist yet: create it first (in --region)')
      .option('--object-lock', 'with --create-bucket: enable Object Lock at creation (permanent)')
      .option('--exceptions <file>', EXCEPTIONS_HELP)
      .addOption(cisVersionOption()),
  );
  const planVpce = new Option(
    '--vpce <ids>',
    'the VPC endpoint your requests go through, for the lockout check; with strict or worm and no --restrict-vpce, also the endpoints the bucket is restricted to (as --restrict-vpce)',
  ).argParser(parseVpceList);
  for (const option of lockoutOptions(planVpce)) planCommand.addOption(option);
  planCommand.action(
    async (
      flags: ConnectionFlags &
        AccountFlags &
        Omit<LockoutFlags, 'vpce'> & {
          vpce?: string[];
          bucket?: string[];
          all?: boolean;
          match?: string;
          regions?: string[];
          concurrency?: number;
          preset: Preset;
          skip?: StepId[];
          only?: StepId[];
          out?: string;
          force?: boolean;
          json?: boolean;
          cli?: boolean;
          format?: 'text' | 'json' | 'cli' | 'terraform';
          iamPolicy?: boolean;
          createBucket?: boolean;
          objectLock?: boolean;
          logBucket?: string;
          restrictVpce?: string[];
          exceptions?: string;
          cisVersion?: CisVersion;
        },
    ) => {
      const output = planOutput(flags);
      const vpce = vpceFlags(flags);
      if (flags.objectLock && !flags.createBucket) {
        fail(
          '--object-lock only applies with --create-bucket; for an existing bucket the object-lock step enables it.',
        );
      }
      const accounts = accountsSelection(flags);
      if (accounts) {
        if (output.cliScript) fail('--cli prints one account’s commands: leave out --accounts.');
        if (flags.logBucket) {
          fail('--log-bucket names one bucket, in one account: leave out --accounts.');
        }
        if (flags.createBucket || flags.iamPolicy || output.terraform) {
          fail('--accounts plans each account’s buckets (--all or --match), as a fleet plan.');
        }
      }
      const selection = bucketSelection(flags);
      if (selection.kind !== 'list' || selection.buckets.length > 1) {
        if (flags.createBucket) fail('--create-bucket plans one bucket: pass one --bucket name.');
        if (flags.iamPolicy) fail('--iam-policy works on one bucket: pass one --bucket name.');
        if (output.terraform)
          fail('--format terraform works on one bucket: pass one --bucket name.');
        const { runFleetPlan } = await import('./fleet-plan.js');
        const { runAccountsFleetPlan } = await import('./fleet-accounts.js');
        const { loadExceptions } = await import('./exceptions-file.js');
        await guard(async () =>
          (accounts
            ? (fleet: Parameters<typeof runFleetPlan>[0]) =>
                runAccountsFleetPlan({ ...fleet, accounts })
            : runFleetPlan)({
            exceptions: loadExceptions(flags.exceptions, flags.cisVersion),
            ...(flags.cisVersion ? { cisVersion: flags.cisVersion } : {}),
            selection,
            preset: flags.preset,
            skip: flags.skip ?? [],
            ...(flags.only ? { only: flags.only } : {}),
            ...output,
            concurrency: flags.concurrency ?? DEFAULT_FLEET_CONCURRENCY,
            ...(flags.regions ? { regions: flags.regions } : {}),
            connection: connectionOptions(flags),
            ...(flags.out ? { out: flags.out } : {}),
            ...(flags.force ? { force: true } : {}),
            ...(flags.logBucket ? { logBucket: flags.logBucket } : {}),
            ...vpce,
          }),
        );
        return;
      }
      if (flags.concurrency !== undefined) fail('--concurrency applies to several buckets only.');
      if (flags.regions)
        fail('--regions applies to several buckets only (--all, --match, --bucket a,b).');
      const { runPlan } = await import('./plan.js');
      const { loadExceptions } = await import('./exceptions-file.js');
      await guard(async () =>
        runPlan({
          exceptions: loadExceptions(flags.exceptions, flags.cisVersion),
          ...(flags.cisVersion ? { cisVersion: flags.cisVersion } : {}),
          bucket: selection.buckets[0] as string,
          preset: flags.preset,
          skip: flags.skip ?? [],
          ...(flags.only ? { only: flags.only } : {}),
          ...output,
          ...(flags.iamPolicy ? { iamPolicy: true } : {}),
          connection: connectionOptions(flags),
          ...(flags.out ? { out: flags.out } : {}),
          ...(flags.force ? { force: true } : {}),
          ...(flags.createBucket ? { create: { objectLock: Boolean(flags.objectLock) } } : {}),
          ...(flags.logBucket ? { logBucket: flags.logBucket } : {}),
          ...vpce,
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
      )
      .option(
        '--expect-digest <digest>',
        'apply only the plan with this digest (shown by `plan` and the review): for CI after a review',
      )
      .addOption(
        new Option(
          '--on-error <mode>',
          'fleet plans: after a bucket fails and is rolled back, stop or continue with the next',
        )
          .choices(['stop', 'continue'])
          .default('stop'),
      )
      .option(
        '--json',
        'print the result as JSON on stdout (a stale plan: what drifted, with values); the rest goes to stderr',
      )
      .option(
        '--external-id <id>',
        'a multi-account plan (plan --accounts): the ExternalId its role needs (never saved in the file)',
        parseExternalId,
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
          expectDigest?: string;
          onError: 'stop' | 'continue';
          json?: boolean;
          externalId?: string;
        },
    ) => {
      const { runApply } = await import('./apply.js');
      await guard(() =>
        runApply({
          file,
          yes: Boolean(flags.yes),
          json: Boolean(flags.json),
          allowIrreversible: Boolean(flags.allowIrreversible),
          allowSecurityWarnings: Boolean(flags.allowSecurityWarnings),
          ignoreUnfinished: Boolean(flags.ignoreUnfinished),
          ...(flags.expectDigest !== undefined ? { expectDigest: flags.expectDigest } : {}),
          onError: flags.onError,
          ...(flags.externalId !== undefined ? { externalId: flags.externalId } : {}),
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
        'Undo what an apply recorded in its journal, newest first, after showing it as a diff; safe to run again. Without a journal: pick one (a terminal), or --bucket.',
      )
      .argument(
        '[journal]',
        'journal file (journals/ in the state directory; apply prints it with the undo command)',
      )
      .option('--bucket <name>', 'roll back the latest journal of this bucket')
      .option('-y, --yes', 'roll back without asking (required when not in a terminal)')
      .option(
        '--include-account',
        'also undo account-wide changes (account Block Public Access…) that a later apply relies on',
      ),
  ).action(
    async (
      file: string | undefined,
      flags: ConnectionFlags & { yes?: boolean; bucket?: string; includeAccount?: boolean },
    ) => {
      const { runRollback } = await import('./rollback.js');
      await guard(() =>
        runRollback({
          ...(file !== undefined ? { file } : {}),
          ...(flags.bucket !== undefined ? { bucket: flags.bucket } : {}),
          yes: Boolean(flags.yes),
          includeAccount: Boolean(flags.includeAccount),
          connection: connectionOptions(flags),
        }),
      );
    },
  );

  addConnectionOptions(
    program
      .command('audit')
      .description(
        'Read-only posture report: buckets × controls (Block Public Access, ACLs, encryption, HTTPS, versioning, MFA delete, lifecycle, Object Lock, replication, logging, CloudTrail data events, Macie, Access Analyzer) with their Security Hub (FSBP) and CIS IDs.',
      )
      .option(
        '--bucket <names>',
        'bucket to audit; repeat the flag or separate names with commas',
        (value: string, previous: string[] = []) => [...previous, ...parseBucketNames(value)],
      )
      .option('--all', 'audit every bucket the account owns')
      .option(
        '--match <glob>',
        'audit the buckets whose names match, e.g. "logs-*" (* any run, ? one character)',
        parseGlob,
      )
      .option('--concurrency <n>', 'buckets audited at once, 1–64', parseConcurrency, 16)
      .option('--json', 'print the report as JSON (schema s3-harden/audit, version 1)')
      .addOption(cisVersionOption())
      .addOption(
        new Option(
          '--format <format>',
          'text (default), json (as --json), sarif (SARIF 2.1.0, for code-scanning dashboards), or asff (AWS Security Finding Format, for Security Hub batch-import-findings)',
        ).choices(['text', 'json', 'sarif', 'asff']),
      )
      .option(
        '--fail-on <level>',
        'exit 2 when the audit finds: never, fail, unknown, or only these controls (e.g. S3.5,S3.8); a --bucket that cannot be audited trips all but never',
        'never',
      )
      .option('--exceptions <file>', EXCEPTIONS_HELP)
      .option(
        '--accounts <ids>',
        'audit these accounts (IDs separated by commas), or all: every ACTIVE account of the organisation (organizations:ListAccounts); needs --role-name',
        parseAccounts,
      )
      .option(
        '--exclude-accounts <ids>',
        'leave these accounts out of --accounts (IDs separated by commas)',
        parseAccounts,
      )
      .option(
        '--role-name <name>',
        'the role to assume in each account: arn:<your partition>:iam::<account>:role/NAME (your own account uses your credentials)',
        parseRoleName,
      )
      .option(
        '--external-id <id>',
        'the ExternalId the role trust policy requires',
        parseExternalId,
      )
      .option(
        '--account-concurrency <n>',
        `accounts audited at once, 1–32 (default ${DEFAULT_ACCOUNT_CONCURRENCY}); each runs --concurrency buckets at once`,
        parseAccountConcurrency,
      )
      .addOption(
        new Option(
          '--iam-policy <which>',
          'print an IAM policy and exit, with no AWS call: role (the role to deploy in each member account for --accounts) or caller (what the caller needs to list accounts and assume --role-name); in the partition of --region',
        ).choices(['role', 'caller']),
      )
      .option(
        '--regions <regions>',
        'only buckets in these regions (names separated by commas); each bucket is read in its own region',
        parseRegions,
      ),
  ).action(
    async (
      flags: ConnectionFlags &
        AccountFlags & {
          bucket?: string[];
          all?: boolean;
          match?: string;
          regions?: string[];
          iamPolicy?: 'role' | 'caller';
          concurrency: number;
          json?: boolean;
          format?: 'text' | 'json' | 'sarif' | 'asff';
          failOn: string;
          cisVersion?: CisVersion;
          exceptions?: string;
        },
    ) => {
      if (flags.json && flags.format && flags.format !== 'json') {
        fail(`--json and --format ${flags.format} ask for two outputs: choose one.`);
      }
      if (flags.iamPolicy) {
        if (flags.format && flags.format !== 'json') {
          fail(`--format ${flags.format} and --iam-policy ask for two outputs: choose one.`);
        }
        await printAuditIamPolicy(flags.iamPolicy, flags);
        return;
      }
      const accounts = accountsSelection(flags);
      const selection = bucketSelection(flags);
      const { runAudit, failOnFlag } = await import('./audit.js');
      const { loadExceptions } = await import('./exceptions-file.js');
      await guard(() =>
        runAudit({
          exceptions: loadExceptions(flags.exceptions, flags.cisVersion),
          selection,
          concurrency: flags.concurrency,
          json: Boolean(flags.json) || flags.format === 'json',
          ...(flags.format === 'sarif' ? { sarif: true } : {}),
          ...(flags.format === 'asff' ? { asff: true } : {}),
          failOn: failOnFlag(flags.failOn, flags.cisVersion),
          connection: connectionOptions(flags),
          ...(flags.cisVersion ? { cisVersion: flags.cisVersion } : {}),
          ...(flags.regions ? { regions: flags.regions } : {}),
          ...(accounts ? { accounts } : {}),
        }),
      );
    },
  );

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
