/**
 * The flag parsers and option groups the commands share: bucket names,
 * connection, concurrency, globs, steps, the lockout check's context,
 * presets and VPC endpoint lists. Each parser throws commander's
 * InvalidArgumentError with one line, so a bad flag is one line and exit 1.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type CisVersion, parseCisVersion } from '../plan/audit/cis.js';
import { bucketNameProblem } from '../plan/model/bucket-name.js';
import { PRESETS, type Preset } from '../plan/model/types.js';
import { sourceIpProblem } from '../plan/policy/ip.js';
import { STEP_ORDER } from '../steps/ids.js';
import { vpceProblem } from '../steps/policy-inputs.js';
import type { StepId } from '../steps/types.js';
import { endpointProblem, regionProblem } from './connection.js';
import { globProblem } from './fleet-select.js';
import { fail } from './run-command.js';
import { WIZARD_FLAGS } from './wizard-arguments.js';

/** A commander argument parser from a "why not" check. */
export function checked(problem: (value: string) => string | null) {
  return (value: string): string => {
    const why = problem(value);
    if (why) throw new InvalidArgumentError(why);
    return value;
  };
}

export function addConnectionOptions(command: Command): Command {
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

export function parseBucket(value: string): string {
  const problem = bucketNameProblem(value);
  if (problem) throw new InvalidArgumentError(`"${value}": ${problem}.`);
  return value;
}

export const EXCEPTIONS_HELP = WIZARD_FLAGS.exceptions.help;

/** --cis-version, on the wizard, `plan` and `audit`: the tags' and the file's control names, and the IDs shown. */
export function cisVersionOption(): Option {
  return new Option('--cis-version <version>', WIZARD_FLAGS['cis-version'].help).argParser(
    (value: string): CisVersion => {
      const problem = WIZARD_FLAGS['cis-version'].problem(value);
      if (problem) throw new InvalidArgumentError(`${problem}.`);
      return parseCisVersion(value) as CisVersion;
    },
  );
}

/** "a,b,c": each name checked (`plan` and `audit` take several buckets this way). */
export function parseBucketNames(value: string): string[] {
  return value.split(',').map((name) => parseBucket(name.trim()));
}

/** How many buckets are read at once, on `plan` and `audit`. */
export function parseConcurrency(value: string): number {
  const count = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(count >= 1 && count <= 64)) {
    // Commander already quotes the value: "argument '0' is invalid."
    throw new InvalidArgumentError('It must be a whole number from 1 to 64.');
  }
  return count;
}

/** A file to write: `--out ""` (an unset variable in a script) must not quietly save nothing. */
export function parseOutPath(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('It must name a file.');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new InvalidArgumentError(
      'A file name with a control character (a newline, a tab…) is refused.',
    );
  }
  return value;
}

export function parseGlob(value: string): string {
  const problem = globProblem(value);
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return value;
}

/** Exactly one of --bucket, --all and --match picks the buckets `plan` and `audit` cover. */
export function bucketSelection(flags: { bucket?: string[]; all?: boolean; match?: string }) {
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

export function parseStepList(value: string, previous: StepId[] = []): StepId[] {
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
export function lockoutOptions(vpce?: Option): Option[] {
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

export interface LockoutFlags {
  sourceIp?: string;
  vpce?: string;
  allowLockout?: boolean;
}

export function lockoutFlags(flags: LockoutFlags) {
  return {
    ...(flags.sourceIp ? { sourceIp: flags.sourceIp } : {}),
    ...(flags.vpce ? { vpce: flags.vpce } : {}),
    ...(flags.allowLockout ? { allowLockout: true } : {}),
  };
}

export const presetOption = (fallback?: Preset) =>
  new Option(
    '--preset <name>',
    fallback ? 'which secure defaults to propose' : WIZARD_FLAGS.preset.help,
  )
    .choices(PRESETS)
    .default(fallback ?? undefined);

/** --restrict-vpce: repeated or comma-separated endpoint IDs, each checked. */
export function parseVpceList(value: string, previous: string[] = []): string[] {
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
