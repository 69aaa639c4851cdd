/**
 * The connection flags every command takes, validated before any AWS call.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { ConnectionOptions } from '../aws/clients.js';

export interface ConnectionFlags {
  readonly profile?: string;
  readonly region?: string;
  readonly endpointUrl?: string;
}

function parseRegion(value: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(value)) {
    throw new InvalidArgumentError(`"${value}" is not an AWS region name (e.g. eu-west-1).`);
  }
  return value;
}

function parseEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a URL (e.g. http://127.0.0.1:5000).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`"${value}" must be an http:// or https:// URL.`);
  }
  return value;
}

export function addConnectionOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--profile <name>',
        'AWS profile from your shared config (default: AWS_PROFILE or default chain)',
      ),
    )
    .addOption(
      new Option(
        '--region <region>',
        'AWS region (default: AWS_REGION or the profile’s)',
      ).argParser(parseRegion),
    )
    .addOption(
      new Option(
        '--endpoint-url <url>',
        'custom S3 endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL)',
      ).argParser(parseEndpoint),
    );
}

export function connectionOptions(flags: ConnectionFlags): ConnectionOptions {
  return {
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.region ? { region: flags.region } : {}),
    ...(flags.endpointUrl ? { endpoint: flags.endpointUrl } : {}),
  };
}
