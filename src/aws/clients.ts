/**
 * One place that builds SDK clients: the default credential chain, an
 * optional named profile, region and custom endpoint (the local emulator,
 * LocalStack, MinIO). EC2, Macie, Access Analyzer and CloudTrail are
 * deferred: their SDK modules load on the first call, never before.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { requestHandlerOptions, resolveTimeouts } from './timeouts.js';

export interface ConnectionOptions {
  /** Named profile from the shared config files (otherwise AWS_PROFILE / default). */
  readonly profile?: string;
  readonly region?: string;
  /** Custom endpoint; otherwise AWS_ENDPOINT_URL, otherwise AWS. */
  readonly endpoint?: string;
  /**
   * What the clients sign with: a member account's assumed role
   * (./accounts.ts), or the session's one resolution of the default chain
   * (sharedCredentials). The profile, if any, still names the shared config.
   */
  readonly credentials?: CredentialsProvider;
  /**
   * The account the caller must be in (a plan's): the session opens at once
   * and reads in it while STS confirms the caller beside them (one round
   * trip less before a plan's first write); see AwsSession.verified.
   */
  readonly expectAccount?: string;
}

/** Temporary credentials, as the SDK takes them from a provider. */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

export type CredentialsProvider = () => Promise<TemporaryCredentials>;

export interface Clients {
  readonly s3: S3Client;
  readonly s3control: S3ControlClient;
  readonly sts: STSClient;
  readonly kms: KMSClient;
  /** KMS without the SDK's retries, for the writes a retry would repeat (CreateKey). */
  readonly kmsSingleAttempt: KMSClient;
  /** Loads @aws-sdk/client-ec2 on its first call (listing S3 VPC endpoints). */
  readonly ec2: DeferredClient;
  /** Loads @aws-sdk/client-macie2 on its first call (the Macie step). */
  readonly macie2: DeferredClient;
  /**
   * Loads @aws-sdk/client-accessanalyzer on its first call (the analyzer and
   * its findings, policy validation); knows an endpoint without the service.
   */
  readonly accessanalyzer: DeferredClient;
  /** Loads @aws-sdk/client-cloudtrail on its first call (the CloudTrail data events step and control). */
  readonly cloudtrail: DeferredClient;
  /** Loads @aws-sdk/client-organizations on its first call (`audit --accounts all`). */
  readonly organizations: DeferredClient;
  /** The custom endpoint in use, if any. */
  readonly endpoint?: string;
}

/**
 * A command of a deferred client: only the operation's name and input, so a
 * family's command table can name it without loading the SDK module; the
 * client builds the SDK command when it sends it.
 */
export class DeferredCommand {
  constructor(
    readonly operation: string,
    readonly input: unknown,
  ) {}
}

/** The command class of `operation` on a deferred client, for a family's command table. */
export function deferredCommand(operation: string): new (input: never) => DeferredCommand {
  return class extends DeferredCommand {
    constructor(input: never) {
      super(operation, input);
    }
  };
}

interface SdkClient {
  send(command: never, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  destroy(): void;
}

interface LoadedClient {
  readonly client: SdkClient;
  readonly commands: Readonly<Record<string, new (input: never) => unknown>>;
}

/** A client whose SDK module is imported on its first send. */
export interface DeferredClient {
  send(command: DeferredCommand, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  /** Whether the first send has loaded the SDK module (for tests and diagnostics). */
  readonly loaded: boolean;
  destroy(): void;
}

function deferredClient(service: string, load: () => Promise<LoadedClient>): DeferredClient {
  let loading: Promise<LoadedClient> | undefined;
  let loaded: LoadedClient | undefined;
  let destroyed = false;
  return {
    async send(command, options) {
      if (!(command instanceof DeferredCommand)) {
        throw new Error(`${service}: expected a deferred command`);
      }
      loading ??= load().then((result) => {
        loaded = result;
        // Closed while the module was loading: nothing may keep sockets open.
        if (destroyed) result.client.destroy();
        return result;
      });
      const { client, commands } = await loading;
      const Command = commands[command.operation];
      if (!Command) {
        throw new Error(
          `${service}:${command.operation} is not supported by this version of s3-harden`,
        );
      }
      return client.send(new Command(command.input as never) as never, options);
    },
    get loaded() {
      return loaded !== undefined;
    },
    destroy() {
      destroyed = true;
      loaded?.client.destroy();
    },
  };
}

/**
 * The SDK's logger for every client: silent. The SDK logs nothing through it
 * by default, except where it falls back to console.warn, such as a 9-line
 * "Multiple credential sources" warning when --profile meets
 * AWS_ACCESS_KEY_ID in the environment (the profile wins; errors say so).
 */
const QUIET_LOGGER = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Region used with a custom endpoint when none is configured: emulators accept any. */
const EMULATOR_REGION = 'us-east-1';

export function resolveEndpoint(options: ConnectionOptions, env = process.env): string | undefined {
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL;
  return endpoint ? endpoint.replace(/\/+$/, '') : undefined;
}

/**
 * The default credential chain (environment, the profile's static keys, its
 * role, SSO, process credentials, the instance's role…), resolved once for
 * every client it is given and refreshed before it expires. Each SDK client
 * left to itself resolves its own: a profile with a role assumed it once per
 * client and region (six AssumeRole calls for one bucket's audit), an SSO
 * profile exchanged its token as often.
 */
export function sharedCredentials(profile: string | undefined): CredentialsProvider {
  return defaultProvider({
    ...(profile ? { profile } : {}),
    logger: QUIET_LOGGER,
  }) as CredentialsProvider;
}

export function createClients(options: ConnectionOptions, env = process.env): Clients {
  const endpoint = resolveEndpoint(options, env);
  // An empty variable is unset (as the SDK takes an empty AWS_ENDPOINT_URL);
  // src/cli.ts removes an empty AWS_REGION so that the SDK, which reads it
  // itself, goes on to the profile's region instead of refusing "".
  const region =
    options.region ||
    env.AWS_REGION ||
    env.AWS_DEFAULT_REGION ||
    (endpoint ? EMULATOR_REGION : undefined);
  const timeouts = resolveTimeouts(env);
  const settings = {
    ...(region ? { region } : {}),
    // The profile still names the shared config the clients read (its region,
    // max_attempts…); the credentials, when given, are what they sign with.
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(endpoint ? { endpoint } : {}),
    logger: QUIET_LOGGER,
    // Retries are the SDK's adaptive mode: 3 attempts with jittered backoff,
    // and once S3 answers SlowDown / 503 / ThrottlingException, a client-side
    // rate limiter that slows every later request of that client — so a
    // fleet's many buckets in flight (--concurrency, the cap) back off
    // together instead of each retrying at full speed. AWS_RETRY_MODE
    // (standard, legacy) still wins, and AWS_MAX_ATTEMPTS / the profile's
    // max_attempts still set the attempts: maxAttempts is not set here.
    ...(env.AWS_RETRY_MODE ? {} : { retryMode: 'adaptive' }),
  };
  // Each client its own handler and agents (timeouts.ts): destroying one
  // client must not close another's sockets.
  const config = () => ({ ...settings, requestHandler: requestHandlerOptions(timeouts) });
  const s3 = new S3Client({
    ...config(),
    // Custom endpoints serve buckets by path, not by virtual host.
    forcePathStyle: Boolean(endpoint),
    // A bucket in another region is still found (and its region reported).
    followRegionRedirects: true,
  });
  const s3control = new S3ControlClient({
    ...config(),
    // S3 Control's endpoint rules prefix the account ID to the host, which breaks
    // http://127.0.0.1:PORT; with a custom endpoint, use the URL unchanged.
    ...(endpoint ? { endpointProvider: () => ({ url: new URL(endpoint) }) } : {}),
  });
  const sts = new STSClient(config());
  const kms = new KMSClient(config());
  // CreateKey has no idempotency token: a retry after a lost answer makes a
  // second key. It is sent once; a failure is settled by finding the key by
  // its plan tag (../plan/apply/executor.ts), never by sending it again.
  const kmsSingleAttempt = new KMSClient({ ...config(), maxAttempts: 1 });
  const ec2 = deferredClient('ec2', async () => {
    const sdk = await import('./ec2.js');
    return { client: new sdk.EC2Client(config()), commands: sdk.EC2_COMMANDS };
  });
  const macie2 = deferredClient('macie2', async () => {
    const sdk = await import('./macie.js');
    return { client: new sdk.Macie2Client(config()), commands: sdk.MACIE_COMMANDS };
  });
  const accessanalyzer = deferredClient('accessanalyzer', async () => {
    const sdk = await import('./access-analyzer.js');
    return {
      client: sdk.createAccessAnalyzerClient(config()),
      commands: sdk.ACCESS_ANALYZER_COMMANDS,
    };
  });
  const cloudtrail = deferredClient('cloudtrail', async () => {
    const sdk = await import('./cloudtrail.js');
    return { client: new sdk.CloudTrailClient(config()), commands: sdk.CLOUDTRAIL_COMMANDS };
  });
  const organizations = deferredClient('organizations', async () => {
    const sdk = await import('./organizations.js');
    return {
      client: new sdk.OrganizationsClient(config()),
      commands: sdk.ORGANIZATIONS_COMMANDS,
    };
  });
  return {
    s3,
    s3control,
    sts,
    kms,
    kmsSingleAttempt,
    ec2,
    macie2,
    accessanalyzer,
    cloudtrail,
    organizations,
    ...(endpoint ? { endpoint } : {}),
  };
}

export function destroyClients(clients: Clients): void {
  clients.s3.destroy();
  clients.s3control.destroy();
  clients.sts.destroy();
  clients.kms.destroy();
  clients.kmsSingleAttempt.destroy();
  clients.ec2.destroy();
  clients.macie2.destroy();
  clients.accessanalyzer.destroy();
  clients.cloudtrail.destroy();
  clients.organizations.destroy();
}
