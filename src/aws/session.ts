/**
 * A connected session: who the caller is, and the handful of operations the
 * rest of s3-harden needs. Every SDK call goes through `call`, which
 * normalises errors and counts calls (so tests can prove none is repeated).
 */

import type { RunIdentity } from '../plan/model/call.js';
import type {
  ApiCall,
  Plan,
  Posture,
  PostureValues,
  ResourceKey,
  Target,
} from '../plan/model/types.js';
import type { PolicyValidation } from '../plan/policy/validation.js';
import { RESOURCES } from '../plan/resources/index.js';
import { listAllBuckets } from './bucket-list.js';
import {
  type Clients,
  type ConnectionOptions,
  createClients,
  destroyClients,
  sharedCredentials,
} from './clients.js';
import { send } from './commands.js';
import { AwsError, isAbsent, normaliseError } from './errors.js';
import type { ReadSend } from './families/family.js';
import { READERS, readsAhead } from './families/index.js';
import { readBucketTags } from './families/tagging.js';
import { type Identity, identityFrom } from './identity.js';
import { createPolicyValidator } from './policy-validation.js';
import { profileProblem } from './profiles.js';
import { type RegionalSend, readMemo, routeRegion } from './read-memo.js';
import { readLogTarget, resourceReads } from './resource-reads.js';

export type { Identity } from './identity.js';

export interface ObserveOptions {
  /**
   * The bucket does not exist yet (the plan creates it): its own resources are
   * taken as `assumed` (default: not configured) instead of read; account-wide
   * ones are read as usual; 'bucket.exists' is read to confirm it is still absent.
   */
  readonly newBucket?: { readonly region: string; readonly assumed?: Partial<PostureValues> };
  /** Reads that may fail without failing the observe (they become `unreadable`). */
  readonly optional?: readonly ResourceKey[];
  /** The bucket receiving server access logs: its `logTarget.*` resources are read there. */
  readonly logBucket?: string;
  /**
   * The bucket's region, already known (ListBuckets' BucketRegion): its reads
   * go out at once, with no HeadBucket. Should one find the bucket gone
   * (NoSuchBucket), or one of its own reads be refused, HeadBucket is sent
   * after all and decides as it would have first: its error is observe's.
   */
  readonly region?: string;
  /**
   * What these resources read as before (a plan's reading): the calls a
   * read makes after its listing (the keys it describes) go out beside it.
   */
  readonly previous?: Readonly<Record<string, unknown>>;
}

/** The credentials are for another account than the one the session was opened for. */
export class AccountMismatchError extends Error {
  override name = 'AccountMismatchError';
  constructor(expected: string, who: Identity) {
    super(
      `the plan is for account ${expected}, but these credentials are for account ${who.accountId}`,
    );
  }
}

export interface AwsSession {
  /** The caller (STS); opened with `expectAccount`, only the account until `verified`. */
  readonly identity: Identity;
  /**
   * The caller's identity once STS has answered; rejects when it is not the
   * account the session was opened for (ConnectionOptions.expectAccount).
   */
  readonly verified: Promise<Identity>;
  /** The region the session's clients use. */
  readonly region: string;
  readonly endpoint?: string;
  readonly profile?: string;
  listBuckets(): Promise<string[]>;
  /** The bucket list with each bucket's region where ListBuckets says it (BucketRegion). */
  listBucketsWithRegions(): Promise<{ readonly name: string; readonly region?: string }[]>;
  /**
   * This view in another region (same account, credentials, endpoint and
   * memo): its clients are made on first use and kept until close. Account-wide
   * calls (S3 Control, STS, the bucket list) still go to the
   * session's own region, so they are sent once however many regions ask.
   */
  inRegion(region: string): AwsSession;
  /** One call that is no resource's read (ListAccounts, AssumeRole): counted, errors normalised, never memoised. */
  request(call: ApiCall): Promise<Record<string, unknown>>;
  /** The bucket's tags (none: empty), for the exceptions they hold; memoised in a view. */
  bucketTags(bucket: string): Promise<Record<string, string>>;
  /** Confirms the bucket exists and is reachable; returns its region. */
  locateBucket(bucket: string): Promise<{ region: string }>;
  /** Reads the given resources of a bucket (and its account) in parallel. */
  observe(
    bucket: string,
    resources: readonly ResourceKey[],
    options?: ObserveOptions,
  ): Promise<Posture>;
  /**
   * Adds the log target's resources (`logTarget.*`, read on `logBucket`) to a
   * posture, without reading the bucket itself again. `expectExists` (a plan
   * saw it): its reads go out beside whether it exists, not after.
   */
  observeLogTarget(
    posture: Posture,
    logBucket: string,
    options?: { readonly expectExists?: boolean },
  ): Promise<Posture>;
  /**
   * A fresh read of one resource; null when not configured. With the run's
   * identity, a resource the run creates is read as that very one (by ID or tag).
   */
  read(target: Target, resource: ResourceKey, identity?: RunIdentity): Promise<unknown>;
  /** The output of a create whose answer was lost, found again by identity; null: none. */
  recover(target: Target, resource: ResourceKey, identity: RunIdentity): Promise<unknown>;
  /** Runs one write, retrying a 409 OperationAborted with backoff. */
  execute(call: ApiCall): Promise<Record<string, unknown>>;
  /** How many calls of each `service:operation` this session has made (all views). */
  callCounts(): Record<string, number>;
  /**
   * A view of this session for one run whose reads are memoised: the same read
   * is sent once (an audit, then the plans built from it); a write through the
   * view forgets what was read. The plain session always reads afresh.
   */
  memoised(): AwsSession;
  /**
   * In a memoised view: forgets the reads of `bucket` once the run is done
   * with it, so a long audit holds the buckets in flight, not the fleet. The
   * account's and region's reads stay. The plain session keeps nothing: no-op.
   */
  release(bucket: string): void;
  /**
   * Checks the policy documents `plan` writes with IAM Access Analyzer
   * (ValidatePolicy, CheckNoPublicAccess). Never rejects: an endpoint without
   * the service, or a denial, is found once per session and the result says
   * the checks were skipped, and why.
   */
  validatePolicies(plan: Plan): Promise<PolicyValidation>;
  close(): void;
}

const CONFLICT_RETRIES = 5;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function connect(given: ConnectionOptions = {}): Promise<AwsSession> {
  // Every client of the session, in every region, signs with one resolution of the credentials.
  const options = given.credentials
    ? given
    : { ...given, credentials: sharedCredentials(given.profile) };
  const clients = createClients(options);
  const { endpoint } = clients;
  const counts: Record<string, number> = {};
  // The session's own region's clients, and the others' once first used.
  const regional = new Map<string, Clients>();
  const clientsIn = (where: string | undefined): Clients => {
    if (where === undefined || where === region) return clients;
    let made = regional.get(where);
    if (!made) {
      made = createClients({ ...options, region: where });
      regional.set(where, made);
    }
    return made;
  };

  const call = async (apiCall: ApiCall, where?: string): Promise<Record<string, unknown>> => {
    const key = `${apiCall.service}:${apiCall.operation}`;
    counts[key] = (counts[key] ?? 0) + 1;
    try {
      return await send(
        clientsIn(where === undefined ? undefined : routeRegion(apiCall, where, region)),
        apiCall,
      );
    } catch (error) {
      throw Object.assign(
        normaliseError(error, { call: apiCall, ...(endpoint ? { endpoint } : {}) }),
        {
          absent: isAbsent(error),
        },
      );
    }
  };

  const explain = async (error: unknown): Promise<AwsError> => {
    const failure = normaliseError(error, endpoint ? { endpoint } : {});
    // "No credentials" (or no region) for a named profile: say whether the profile exists.
    return (await profileProblem(failure, options.profile)) ?? failure;
  };
  const asking = call({ service: 'sts', operation: 'GetCallerIdentity', input: {} }).then(
    (who) => identityFrom(who, endpoint),
    async (error) => {
      throw await explain(error);
    },
  );
  // Awaited below, or through `verified`: never an unhandled rejection.
  asking.catch(() => {});
  let region: string;
  let identity: Identity;
  let verified: Promise<Identity>;
  try {
    const { expectAccount } = options;
    if (expectAccount) {
      // Reads start now, in the account the caller expects; STS answers
      // beside them, and a session in another account is refused before
      // anything it read is used (`verified`).
      region = await clients.s3.config.region();
      identity = { accountId: expectAccount, arn: '', userId: '' };
      verified = asking.then((who) => {
        if (who.accountId !== expectAccount) throw new AccountMismatchError(expectAccount, who);
        identity = who;
        return who;
      });
      verified.catch(() => {});
    } else {
      [region, identity] = await Promise.all([clients.s3.config.region(), asking]);
      verified = Promise.resolve(identity);
    }
  } catch (error) {
    destroyClients(clients);
    throw await explain(error);
  }

  // Access Analyzer's policy checks; remembers for the session whether it is
  // available. Counted like every call, but the SDK's error reaches the
  // validator as it is: it tells "no such service here" from a refusal.
  const policyValidator = createPolicyValidator(
    (apiCall) => {
      const key = `${apiCall.service}:${apiCall.operation}`;
      counts[key] = (counts[key] ?? 0) + 1;
      return send(clients, apiCall);
    },
    endpoint ? { endpoint } : {},
  );

  /**
   * The session's operations over one way of reading: straight to AWS, or
   * memoised (see `memoised`).
   */
  const view = (
    readRegional: RegionalSend,
    onWrite: () => void,
    viewRegion: string,
    release: (bucket: string) => void = () => {},
    memoisedView = false,
  ): AwsSession => {
    // One observe is one reading: a read its resources share (the HeadBucket
    // of s3-harden's trail bucket, a key listing) is sent once, even outside
    // a memoised view. Nothing is kept after it.
    const oneReading = (): AwsSession =>
      memoisedView ? self : view(readMemo(readRegional).read, onWrite, viewRegion, release, true);
    const readCall: ReadSend = (apiCall) =>
      readRegional(apiCall, routeRegion(apiCall, viewRegion, region));
    const { read, readInto } = resourceReads(readCall);

    const locateBucket = async (bucket: string) => {
      const head = await readCall({
        service: 's3',
        operation: 'HeadBucket',
        input: { Bucket: bucket },
      });
      return { region: typeof head.BucketRegion === 'string' ? head.BucketRegion : viewRegion };
    };

    const listBucketsWithRegions = () => listAllBuckets(readCall);

    const self: AwsSession = {
      get identity() {
        return identity;
      },
      verified,
      region: viewRegion,
      ...(endpoint ? { endpoint } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      async listBuckets() {
        return (await listBucketsWithRegions()).map((bucket) => bucket.name);
      },
      listBucketsWithRegions,
      inRegion: (where) => view(readRegional, onWrite, where, release, memoisedView),
      release,
      request: (apiCall) => call(apiCall),
      locateBucket,
      bucketTags: (bucket) => readBucketTags(readCall, bucket),
      async observe(bucket, resources, options = {}) {
        if (!memoisedView) return oneReading().observe(bucket, resources, options);
        const target = {
          accountId: identity.accountId,
          region: viewRegion,
          bucket,
          ...(options.logBucket ? { logBucket: options.logBucket } : {}),
        };
        const values: Record<string, unknown> = {};
        const unreadable: Record<string, string> = {};
        const planned = options.newBucket;
        // Answered into this reading's memo for the readers that make them; their errors are theirs.
        if (options.previous) {
          for (const ahead of readsAhead(options.previous, resources))
            readCall(ahead).catch(() => {});
        }
        const readOne = (resource: ResourceKey) =>
          readInto(target, resource, values, unreadable, options.optional?.includes(resource));
        if (planned) {
          await Promise.all([
            readOne('bucket.exists'),
            ...resources.map(async (resource) => {
              if (resource === 'bucket.exists') return;
              if (RESOURCES[resource].scope === 'bucket')
                values[resource] = planned.assumed?.[resource] ?? null;
              else await readOne(resource);
            }),
          ]);
          return {
            ...target,
            region: planned.region,
            principalArn: (await verified).arn,
            observedAt: new Date().toISOString(),
            values,
            unreadable,
          };
        }
        // HeadBucket answers whether the bucket exists: 'bucket.exists' is not read twice.
        const read = resources.filter((resource) => resource !== 'bucket.exists');
        let region: string;
        if (options.region) {
          region = options.region;
          const failures = await Promise.all(read.map(readOne));
          // Gone since the list was read, or one of its own reads refused (all
          // of it may be): HeadBucket is sent after all, and its answer decides
          // as it would have first. Nothing failed: nothing more is sent.
          const doubt = failures.some(
            (failure, index) =>
              failure?.kind === 'no-such-bucket' ||
              (failure?.kind === 'access-denied' &&
                RESOURCES[read[index] as ResourceKey].scope === 'bucket'),
          );
          if (doubt) await locateBucket(bucket);
        } else {
          const [located] = await Promise.all([locateBucket(bucket), ...read.map(readOne)]);
          region = located.region;
        }
        if (resources.includes('bucket.exists')) values['bucket.exists'] = { Region: region };
        return {
          ...target,
          region,
          principalArn: (await verified).arn,
          observedAt: new Date().toISOString(),
          values,
          unreadable,
        };
      },
      async observeLogTarget(posture, logBucket, options = {}) {
        if (!memoisedView) return oneReading().observeLogTarget(posture, logBucket, options);
        return readLogTarget(readInto, posture, logBucket, options.expectExists === true);
      },
      read,
      async recover(target, resource, identity) {
        const reader = READERS[resource];
        return 'query' in reader && reader.recover
          ? ((await reader.recover(target, readCall, identity)) ?? null)
          : null;
      },
      async execute(apiCall) {
        onWrite();
        for (let attempt = 0; ; attempt++) {
          try {
            const output = await call(apiCall, viewRegion);
            // Reads that ran alongside the write may not have seen it.
            onWrite();
            return output;
          } catch (error) {
            onWrite();
            if (
              !(error instanceof AwsError) ||
              // Only S3's "another operation is in progress" clears by waiting;
              // other 409s (it already exists) never do.
              error.code !== 'OperationAborted' ||
              attempt >= CONFLICT_RETRIES
            )
              throw error;
            await sleep(200 * 2 ** attempt + Math.random() * 100);
          }
        }
      },
      callCounts: () => ({ ...counts }),
      memoised() {
        const memo = readMemo(call);
        return view(memo.read, memo.forget, viewRegion, memo.release, true);
      },
      validatePolicies: (plan) => policyValidator.validate(plan),
      close: () => {
        destroyClients(clients);
        for (const made of regional.values()) destroyClients(made);
        regional.clear();
      },
    };
    return self;
  };

  return view(call, () => {}, region);
}
