/**
 * Many accounts from one caller: the organisation's member accounts
 * (Organizations ListAccounts, ACTIVE only) and a session in each through a
 * role assumed there (STS AssumeRole, RoleSessionName "s3-harden", with the
 * ExternalId when given). The role's ARN takes the caller's partition (aws,
 * aws-us-gov, aws-cn), never a fixed "arn:aws:". Each member session has
 * its own credentials cache: the role is assumed once, and again only
 * shortly before those credentials expire.
 */
import type { CredentialsProvider, TemporaryCredentials } from './clients.js';
import { AwsError } from './errors.js';
import { type AwsSession, connect } from './session.js';

/** RoleSessionName of every assumed role: CloudTrail shows who read. */
export const ROLE_SESSION_NAME = 's3-harden';

/** Credentials are assumed again this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export interface MemberAccount {
  readonly id: string;
  readonly name?: string;
}

/** The partition of an ARN (arn:PARTITION:…); "aws" when it does not parse. */
export function partitionOfArn(arn: string): string {
  const match = /^arn:(aws[a-z-]*):/.exec(arn);
  return match?.[1] ?? 'aws';
}

/** arn:<partition>:iam::<account>:role/<name>, in the caller's partition. */
export function roleArn(callerArn: string, accountId: string, roleName: string): string {
  return `arn:${partitionOfArn(callerArn)}:iam::${accountId}:role/${roleName}`;
}

/** The organisation's ACTIVE accounts (suspended, closing and closed ones are left out), by ID. */
export async function listActiveAccounts(session: AwsSession): Promise<MemberAccount[]> {
  const accounts: MemberAccount[] = [];
  let token: string | undefined;
  do {
    const page = await session.request({
      service: 'organizations',
      operation: 'ListAccounts',
      input: token ? { NextToken: token } : {},
    });
    const listed =
      (page.Accounts as { Id?: string; Name?: string; Status?: string; State?: string }[]) ?? [];
    for (const account of listed) {
      // State replaces the deprecated Status (2025); either says ACTIVE.
      const state = account.State ?? account.Status;
      if (!account.Id || state !== 'ACTIVE') continue;
      accounts.push({ id: account.Id, ...(account.Name ? { name: account.Name } : {}) });
    }
    token = typeof page.NextToken === 'string' ? page.NextToken : undefined;
  } while (token);
  return accounts.sort((a, b) => a.id.localeCompare(b.id));
}

export interface AssumeOptions {
  readonly roleName: string;
  readonly externalId?: string;
}

/** Why an account could not be entered: one line, with the role's ARN. */
export class AssumeError extends Error {
  override name = 'AssumeError';
  constructor(
    message: string,
    readonly roleArn: string,
  ) {
    super(message);
  }
}

/**
 * A session in `accountId` as the role named there, assumed from `caller`
 * (its region, endpoint and call counts' owner stay the caller's for the
 * AssumeRole calls). Rejects with an AssumeError when the role cannot be
 * assumed or its credentials do not work.
 */
export async function assumeAccount(
  caller: AwsSession,
  accountId: string,
  options: AssumeOptions,
): Promise<AwsSession> {
  const arn = roleArn(caller.identity.arn, accountId, options.roleName);
  const assume = async (): Promise<TemporaryCredentials> => {
    const output = await caller.request({
      service: 'sts',
      operation: 'AssumeRole',
      input: {
        RoleArn: arn,
        RoleSessionName: ROLE_SESSION_NAME,
        ...(options.externalId ? { ExternalId: options.externalId } : {}),
      },
    });
    const credentials = output.Credentials as
      | {
          AccessKeyId?: string;
          SecretAccessKey?: string;
          SessionToken?: string;
          Expiration?: Date | string;
        }
      | undefined;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new AwsError('credentials', `AssumeRole of ${arn} returned no credentials`);
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
      ...(credentials.Expiration ? { expiration: new Date(credentials.Expiration) } : {}),
    };
  };
  // This account's credentials cache: one AssumeRole, again only near expiry.
  let cached: Promise<TemporaryCredentials> | undefined;
  const fresh = (): Promise<TemporaryCredentials> => {
    const pending = assume();
    cached = pending;
    // A failed assume is not kept: the next request tries again.
    pending.catch(() => {
      if (cached === pending) cached = undefined;
    });
    return pending;
  };
  const provider: CredentialsProvider = async () => {
    const current = cached ?? fresh();
    const credentials = await current;
    const expires = credentials.expiration?.getTime();
    if (expires === undefined || expires - Date.now() > REFRESH_MARGIN_MS) return credentials;
    return cached === current ? fresh() : (cached ?? fresh());
  };
  try {
    await provider();
    return await connect({
      region: caller.region,
      ...(caller.endpoint ? { endpoint: caller.endpoint } : {}),
      credentials: provider,
    });
  } catch (error) {
    throw new AssumeError(`cannot assume ${arn}: ${(error as Error).message}`, arn);
  }
}
