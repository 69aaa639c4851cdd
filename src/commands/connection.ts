/**
 * The connection flags every command takes (--profile, --region,
 * --endpoint-url), checked before any AWS call. No argument parser here:
 * the wizard's fast start (./wizard-arguments.ts) checks them too.
 */
import type { ConnectionOptions } from '../aws/clients.js';
import { CommandError } from './exit-codes.js';

export interface ConnectionFlags {
  readonly profile?: string;
  readonly region?: string;
  readonly endpointUrl?: string;
}

/** Why `value` is not a region name, or null. */
export function regionProblem(value: string): string | null {
  return /^[a-z]{2}(-[a-z]+)+-\d+$/.test(value)
    ? null
    : `"${value}" is not an AWS region name (e.g. eu-west-1).`;
}

/**
 * Why `value` is not an endpoint URL, or null. `variable`: the environment
 * variable it came from, which the message starts with (the flag's is
 * quoted by commander).
 */
export function endpointProblem(value: string, variable?: string): string | null {
  const named = variable ? `${variable} ` : '';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${named}"${value}" is not a URL (e.g. http://127.0.0.1:5000).`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `${named}"${value}" must be an http:// or https:// URL.`;
  }
  // AWS signs every request itself; a user name or password in the URL is
  // sent nowhere useful, and would be printed in every command line and
  // message that names the endpoint, and saved in plan files and journals.
  if (url.username || url.password) {
    return `${variable ?? 'the endpoint URL'} must not carry a user name or password (${url.protocol}//…@${url.host}): AWS signs requests with your credentials; pass those with --profile or the environment.`;
  }
  return null;
}

/**
 * The SDK's own check of a region (a host name label): what it refuses with
 * "Region not accepted". An environment region is held to this only, not to
 * regionProblem's AWS shape: an emulator may name its region anything
 * (Garage's is "garage"), and AWS_REGION is how to say so.
 */
const HOST_LABEL = /^(?!-)[a-zA-Z0-9-]{1,63}(?<!-)$/;

/**
 * Why a connection setting in the environment that the flags do not
 * override is unusable, or null: named, in one line, before any AWS call.
 * An empty AWS_REGION (or AWS_DEFAULT_REGION) is not one: it counts as unset
 * (src/cli.ts), as an empty AWS_ENDPOINT_URL does for the SDK and an empty
 * S3_HARDEN_TIMEOUT_MS for s3-harden. The SDK takes "" for the region and
 * refuses it ("Region not accepted"), never reaching the profile's; the AWS
 * CLI (botocore) takes it too and fails on https://s3..amazonaws.com.
 * AWS_REGION="" is what `export AWS_REGION=$REGION` leaves when a script had
 * none.
 */
export function environmentProblem(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  const endpoint = env.AWS_ENDPOINT_URL;
  if (flags.endpointUrl === undefined && endpoint) {
    const problem = endpointProblem(endpoint, 'AWS_ENDPOINT_URL');
    if (problem) return problem;
  }
  if (flags.region !== undefined) return null;
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const region = env[name];
    if (region && !HOST_LABEL.test(region)) {
      return `${name} "${region}" is not an AWS region name (e.g. eu-west-1).`;
    }
    // The first one set is the one used: AWS_REGION wins.
    if (region) return null;
  }
  return null;
}

/** The clients' settings from the flags; a CommandError when the environment's are unusable. */
export function connectionOptions(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
): ConnectionOptions {
  const problem = environmentProblem(flags, env);
  if (problem) throw new CommandError(problem);
  return {
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.region ? { region: flags.region } : {}),
    ...(flags.endpointUrl ? { endpoint: flags.endpointUrl } : {}),
  };
}
