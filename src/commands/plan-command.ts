/**
 * `s3-harden plan`: its flags, their checks, and which run they start — one
 * bucket (./plan.ts), a fleet (./fleet-plan.ts) or a fleet in each of several
 * accounts (./fleet-accounts.ts). Nothing is written to AWS.
 */
import { type Command, Option } from 'commander';
import type { CisVersion } from '../plan/audit/cis.js';
import { PRESETS, type Preset } from '../plan/model/types.js';
import { STEP_ORDER } from '../steps/ids.js';
import type { StepId } from '../steps/types.js';
import {
  type AccountFlags,
  accountsSelection,
  parseAccounts,
  parseExternalId,
  parseRegions,
  parseRoleName,
} from './audit-flags.js';
import {
  addConnectionOptions,
  bucketSelection,
  cisVersionOption,
  EXCEPTIONS_HELP,
  type LockoutFlags,
  lockoutFlags,
  lockoutOptions,
  parseBucket,
  parseBucketNames,
  parseConcurrency,
  parseGlob,
  parseOutPath,
  parseStepList,
  parseVpceList,
  presetOption,
} from './cli-options.js';
import { type ConnectionFlags, connectionOptions } from './connection.js';
import { fail, guard } from './run-command.js';

/** Buckets a fleet plan reads at once when --concurrency is not given. */
const DEFAULT_FLEET_CONCURRENCY = 8;

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

export function addPlanCommand(program: Command): void {
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
      .option(
        '--out <file>',
        'save the plan file here, for review and a later `s3-harden apply`',
        parseOutPath,
      )
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
      const both = (flags.only ?? []).filter((step) => flags.skip?.includes(step));
      if (both.length > 0) {
        // The plan would quietly have nothing of it, and say "No changes".
        fail(`--only and --skip both name ${both.join(', ')}: name each step in one of them.`);
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
}
