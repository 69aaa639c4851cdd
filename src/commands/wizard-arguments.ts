/**
 * The wizard's flags, and its fast start: `s3-harden` with nothing but these
 * flags, all valid, opens the wizard without loading the argument parser
 * (commander is most of the entry's code, and the first frame should not
 * wait for it). Anything else — a command, --help, an unknown flag, a value
 * that fails its check — returns null and goes to the full program
 * (./program.ts), which says what is wrong in its usual words.
 */
import { parseArgs } from 'node:util';
import {
  CIS_VERSIONS,
  type CisVersion,
  DEFAULT_CIS_VERSION,
  parseCisVersion,
} from '../plan/audit/cis.js';
import { bucketNameProblem } from '../plan/model/bucket-name.js';
import { PRESETS, type Preset } from '../plan/model/types.js';
import {
  connectionOptions,
  endpointProblem,
  environmentProblem,
  regionProblem,
} from './connection.js';
import type { WizardCommandOptions } from './wizard.js';

interface FlagSpec {
  readonly help: string;
  /** Why a value is refused, or null; absent: any value. */
  readonly problem?: (value: string) => string | null;
}

/** The flags of `s3-harden` with no command; the program declares them from this too. */
export const WIZARD_FLAGS = {
  profile: { help: 'AWS profile from your shared config (default: AWS_PROFILE or default chain)' },
  region: { help: 'AWS region (default: AWS_REGION or the profile’s)', problem: regionProblem },
  'endpoint-url': {
    help: 'custom S3 endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL)',
    problem: endpointProblem,
  },
  bucket: { help: 'bucket to harden (skips the picker)', problem: bucketNameProblem },
  'log-bucket': {
    help: 'one bucket for the access logs of every bucket you harden, each under s3-access-logs/<bucket>/',
    problem: bucketNameProblem,
  },
  preset: {
    help: 'which secure defaults to propose (default: ask)',
    problem: (value) => (PRESETS.includes(value as Preset) ? null : `"${value}" is not a preset`),
  },
  exceptions: {
    help: 'intended exceptions (JSON: bucket glob, controls, reason, optional expiry); default ./.s3-harden.json if present',
  },
  'cis-version': {
    help: `number the CIS controls as this CIS AWS Foundations Benchmark does: ${CIS_VERSIONS.join(', ')} (default ${DEFAULT_CIS_VERSION})`,
    problem: (value) =>
      parseCisVersion(value)
        ? null
        : `"${value}" is not a CIS version s3-harden knows (${CIS_VERSIONS.join(', ')})`,
  },
} as const satisfies Record<string, FlagSpec>;

type WizardFlag = keyof typeof WIZARD_FLAGS;

const PARSE_OPTIONS = Object.fromEntries(
  Object.keys(WIZARD_FLAGS).map((name) => [name, { type: 'string' } as const]),
) as Record<WizardFlag, { type: 'string' }>;

/** The wizard's options when `args` (after node and the script) are a plain, valid wizard start; else null. */
export function wizardArguments(args: readonly string[]): WizardCommandOptions | null {
  let values: Partial<Record<WizardFlag, string>>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: PARSE_OPTIONS,
      strict: true,
      allowPositionals: false,
    }));
  } catch {
    return null;
  }
  for (const [name, spec] of Object.entries(WIZARD_FLAGS) as [WizardFlag, FlagSpec][]) {
    const value = values[name];
    if (value !== undefined && spec.problem?.(value)) return null;
  }
  const { profile, region, bucket } = values;
  const preset = values.preset as Preset | undefined;
  const flags = {
    ...(profile !== undefined ? { profile } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(values['endpoint-url'] !== undefined ? { endpointUrl: values['endpoint-url'] } : {}),
  };
  // A setting in the environment that is unusable: the program says which.
  if (environmentProblem(flags)) return null;
  return {
    connection: connectionOptions(flags),
    ...(preset ? { preset } : {}),
    ...(bucket ? { bucket } : {}),
    ...(values['log-bucket'] ? { logBucket: values['log-bucket'] } : {}),
    ...(values.exceptions !== undefined ? { exceptionsFile: values.exceptions } : {}),
    ...(values['cis-version'] !== undefined
      ? { cisVersion: parseCisVersion(values['cis-version']) as CisVersion }
      : {}),
  };
}
