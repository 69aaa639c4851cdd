/**
 * One place that builds SDK clients: the default credential chain, an
 * optional named profile, region and custom endpoint (the local emulator,
 * LocalStack, MinIO).
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { STSClient } from '@aws-sdk/client-sts';

export interface ConnectionOptions {
  /** Named profile from the shared config files (otherwise AWS_PROFILE / default). */
  readonly profile?: string;
  readonly region?: string;
  /** Custom endpoint; otherwise AWS_ENDPOINT_URL, otherwise AWS. */
  readonly endpoint?: string;
}

export interface Clients {
  readonly s3: S3Client;
  readonly s3control: S3ControlClient;
  readonly sts: STSClient;
  readonly kms: KMSClient;
  /** The custom endpoint in use, if any. */
  readonly endpoint?: string;
}

/** Region used with a custom endpoint when none is configured: emulators accept any. */
const EMULATOR_REGION = 'us-east-1';

export function resolveEndpoint(options: ConnectionOptions, env = process.env): string | undefined {
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL;
  return endpoint ? endpoint.replace(/\/+$/, '') : undefined;
}

export function createClients(options: ConnectionOptions, env = process.env): Clients {
  const endpoint = resolveEndpoint(options, env);
  const region =
    options.region ??
    env.AWS_REGION ??
    env.AWS_DEFAULT_REGION ??
    (endpoint ? EMULATOR_REGION : undefined);
  const common = {
    ...(region ? { region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: 3,
  };
  const s3 = new S3Client({
    ...common,
    // Custom endpoints serve buckets by path, not by virtual host.
    forcePathStyle: Boolean(endpoint),
    // A bucket in another region is still found (and its region reported).
    followRegionRedirects: true,
  });
  const s3control = new S3ControlClient({
    ...common,
    // S3 Control's endpoint rules prefix the account ID to the host, which breaks
    // http://127.0.0.1:PORT; with a custom endpoint, use the URL unchanged.
    ...(endpoint ? { endpointProvider: () => ({ url: new URL(endpoint) }) } : {}),
  });
  const sts = new STSClient(common);
  const kms = new KMSClient(common);
  return { s3, s3control, sts, kms, ...(endpoint ? { endpoint } : {}) };
}

export function destroyClients(clients: Clients): void {
  clients.s3.destroy();
  clients.s3control.destroy();
  clients.sts.destroy();
  clients.kms.destroy();
}
