/**
 * The connection flags every command takes (--profile, --region,
 * --endpoint-url), checked before any AWS call. No argument parser here:
 * the wizard's fast start (./wizard-arguments.ts) checks them too.
 */
import type { ConnectionOptions } from '../aws/clients.js';

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

/** Why `value` is not an endpoint URL, or null. */
export function endpointProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL (e.g. http://127.0.0.1:5000).`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `"${value}" must be an http:// or https:// URL.`;
  }
  // AWS signs every request itself; a user name or password in the URL is
  // sent nowhere useful, and would be printed in every command line and
  // message that names the endpoint, and saved in plan files and journals.
  if (url.username || url.password) {
    return `the endpoint URL must not carry a user name or password (${url.protocol}//…@${url.host}): AWS signs requests with your credentials; pass those with --profile or the environment.`;
  }
  return null;
}

export function connectionOptions(flags: ConnectionFlags): ConnectionOptions {
  return {
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.region ? { region: flags.region } : {}),
    ...(flags.endpointUrl ? { endpoint: flags.endpointUrl } : {}),
  };
}
