/**
 * One account's part of an audit: its buckets found (a selection, with the
 * regions ListBuckets gave), each read in its own region through the run's
 * memoised view and judged, a few at a time; the account-level controls
 * alone when no bucket could carry them. The command (./audit.ts) and the
 * many-account run (./audit-accounts.ts) both build their reports from it.
 */
import { AwsError } from '../aws/errors.js';
import { forEachInOrder } from '../aws/families/map-limit.js';
import type { AwsSession } from '../aws/index.js';
import { readBucketTagExceptions } from '../flow/bucket-exceptions.js';
import type { CisVersion } from '../plan/audit/cis.js';
import {
  ACCOUNT_CONTROLS,
  auditReads,
  evaluateAccountControls,
  evaluateControls,
} from '../plan/audit/controls.js';
import type { AccountAudit, BucketAudit } from '../plan/audit/schema.js';
import { exceptResults } from '../plan/exceptions/audit-exceptions.js';
import type { Exception } from '../plan/exceptions/exceptions.js';
import type { Posture, ResourceKey } from '../plan/model/types.js';
import { inRegions, isFatal } from './bucket-regions.js';
import { CommandError } from './exit-codes.js';
import { type BucketSelection, selectBuckets } from './fleet-select.js';

/** Why HeadBucket failed, as the report's `errorKind`. */
function errorKind(error: unknown): NonNullable<BucketAudit['errorKind']> {
  if (!(error instanceof AwsError)) return 'other';
  if (error.kind === 'no-such-bucket') return 'not-found';
  return error.kind === 'access-denied' ? 'denied' : 'other';
}

/** The exceptions an audit honours (file and tags) and the day they are judged on. */
export interface AuditExceptions {
  /** From the exceptions file; each bucket's tags add its own. */
  readonly exceptions: readonly Exception[];
  readonly now: Date;
  /** Where a tag that could not be honoured (no reason, no such control, unreadable) is said. */
  readonly warn: (line: string) => void;
  /** Whose CIS numbers the tags' control names are in (--cis-version). */
  readonly cisVersion?: CisVersion;
  /** On multi-account runs, the account each row names. */
  readonly accountId?: string;
}

const NO_EXCEPTIONS: AuditExceptions = { exceptions: [], now: new Date(), warn: () => {} };

/**
 * One bucket: found, then read, then judged. Never rejects but for a fatal
 * error. `listed`: the bucket came from ListBuckets (--all, --match), so one
 * not found was deleted during the run, and its row says so. `knownRegion`
 * (ListBuckets' BucketRegion): its reads go out at once, one round trip,
 * with no HeadBucket unless they find it gone or refused.
 */
export async function auditBucket(
  view: AwsSession,
  bucket: string,
  listed = false,
  context: AuditExceptions = NO_EXCEPTIONS,
  knownRegion?: string,
): Promise<BucketAudit> {
  // What its tags say is held until the row is known: a bucket that cannot
  // be audited has nothing more to say.
  const warnings: string[] = [];
  let posture: Posture;
  let tagged: Exception[];
  try {
    // Listed with its region: no HeadBucket (observe sends one only should the
    // reads find the bucket gone or refused). Else HeadBucket finds the region
    // first, from the session's; memoised for every region, so observe does
    // not send it again.
    const region = knownRegion ?? (await view.locateBucket(bucket)).region;
    // Read in its own region: Macie, Access Analyzer, KMS, CloudTrail answer
    // there (once per region, memoised); account Block Public Access once per account.
    const local = view.inRegion(region);
    const reads = auditReads();
    // Every read is optional: one refused read is one control's "unknown", not the row's.
    // The tags are one more read, sent with the others, once per bucket.
    [posture, tagged] = await Promise.all([
      local.observe(bucket, reads, {
        optional: reads,
        ...(knownRegion ? { region: knownRegion } : {}),
      }),
      readBucketTagExceptions(
        local,
        bucket,
        (line) => warnings.push(line),
        context.cisVersion,
      ).then((read) => read.exceptions),
    ]);
  } catch (error) {
    if (isFatal(error)) throw error;
    const kind = errorKind(error);
    const message =
      listed && kind === 'not-found'
        ? `Bucket ${bucket} no longer exists: it was deleted after the bucket list was read.`
        : (error as Error).message;
    return {
      bucket,
      ...(context.accountId ? { accountId: context.accountId } : {}),
      region: null,
      results: [],
      error: message,
      errorKind: kind,
    };
  }
  for (const line of warnings) context.warn(line);
  const results = evaluateControls(posture);
  return {
    bucket,
    ...(context.accountId ? { accountId: context.accountId } : {}),
    region: posture.region,
    results: exceptResults(results, bucket, [...context.exceptions, ...tagged], context.now),
  };
}

/**
 * The account-level controls on their own, for a run where no bucket row
 * carries them (no bucket, or none could be audited). A refused read is the
 * control's unknown, as for a bucket.
 */
export async function auditAccount(view: AwsSession): Promise<AccountAudit> {
  const accountId = view.identity.accountId;
  const target = { accountId, region: view.region, bucket: '' };
  const values: Record<string, unknown> = {};
  const unreadable: Partial<Record<ResourceKey, string>> = {};
  const reads = [...new Set(ACCOUNT_CONTROLS.flatMap((control) => control.resources))];
  await Promise.all(
    reads.map(async (resource) => {
      try {
        values[resource] = await view.read(target, resource);
      } catch (error) {
        if (isFatal(error)) throw error;
        unreadable[resource] = (error as Error).message;
      }
    }),
  );
  return { results: evaluateAccountControls({ values, unreadable, accountId }) };
}

/**
 * Where an audit's rows go, one by one in the report's order (a promise: wait
 * before the next). It throws ReaderGone to stop the audit.
 */
export type RowSink = (row: BucketAudit) => void | Promise<void>;

/**
 * A row sink's reader went away (`audit --json | head -1`): the audit stops
 * there. Not an account's failure, nor a bucket's: ./audit.ts ends the run.
 */
export class ReaderGone extends Error {
  override name = 'ReaderGone';
  constructor() {
    super("the report's reader went away");
  }
}

/**
 * Audits `buckets` through one memoised view, `concurrency` at a time,
 * handing each row to `onRow` in their order as soon as it and the ones
 * before it are built: only the rows in flight are held.
 */
export async function streamBuckets(
  view: AwsSession,
  buckets: readonly string[],
  concurrency: number,
  onRow: RowSink,
  /** Each bucket's row is built (the progress; the command also drops its reads). */
  onDone: (bucket: string) => void = () => {},
  listed = false,
  context: AuditExceptions = NO_EXCEPTIONS,
  regions: ReadonlyMap<string, string> = new Map(),
): Promise<void> {
  await forEachInOrder(
    buckets,
    concurrency,
    async (bucket) => {
      const audit = await auditBucket(view, bucket, listed, context, regions.get(bucket));
      onDone(bucket);
      return audit;
    },
    onRow,
  );
}

/**
 * The bucket names a selection stands for, with the regions ListBuckets gave;
 * a glob that matches none is an error, as for `plan` (unless `quiet`: one
 * account of many may have none).
 */
async function bucketNames(
  view: AwsSession,
  selection: BucketSelection,
  quiet = false,
): Promise<{ names: string[]; regions: Map<string, string> }> {
  if (selection.kind === 'list')
    return { names: [...new Set(selection.buckets)], regions: new Map() };
  const listed = await view.listBucketsWithRegions();
  const names = selectBuckets(
    selection,
    listed.map((bucket) => bucket.name),
  );
  if (!quiet && selection.kind === 'match' && names.length === 0) {
    throw new CommandError(
      `no bucket matches ${selection.pattern} (of ${listed.length} in the account)`,
    );
  }
  const regions = new Map<string, string>();
  for (const bucket of listed) if (bucket.region) regions.set(bucket.name, bucket.region);
  return { names, regions };
}

/** What one account's part of an audit needs. */
export interface AccountScope {
  readonly selection: BucketSelection;
  readonly concurrency: number;
  readonly exceptions?: AuditExceptions;
  /** --regions: buckets elsewhere are left out. */
  readonly regions?: readonly string[];
  /** A multi-account run: rows name the account, a glob matching none here is no error. */
  readonly accountId?: string;
  readonly onBucket?: () => void;
  /** Called once the bucket count is known (the progress bar). */
  readonly onCount?: (buckets: number) => void;
}

/**
 * One account's rows, handed to `onRow` as they are built (in the bucket
 * list's order): its buckets (within --regions), each read in its own
 * region. Returns how many, and the account-level controls alone when no
 * row carries them.
 */
export async function auditAccountBuckets(
  view: AwsSession,
  scope: AccountScope,
  onRow: RowSink,
): Promise<{ buckets: number; account?: AccountAudit }> {
  const { names, regions } = await bucketNames(view, scope.selection, Boolean(scope.accountId));
  const buckets = await inRegions(view, names, regions, scope.regions);
  scope.onCount?.(buckets.length);
  const context = scope.exceptions ?? NO_EXCEPTIONS;
  let audited = false;
  await streamBuckets(
    view,
    buckets,
    scope.concurrency,
    (row) => {
      if (row.error === undefined) audited = true;
      return onRow(row);
    },
    (bucket) => {
      // The row is all the command keeps of a bucket, until it is written:
      // its answers go, so memory follows --concurrency, not the fleet's size.
      view.release(bucket);
      scope.onBucket?.();
    },
    scope.selection.kind !== 'list',
    scope.accountId ? { ...context, accountId: scope.accountId } : context,
    regions,
  );
  // Every audited bucket carries the account-level controls; with none, say them alone.
  const account = audited ? undefined : await auditAccount(view);
  return { buckets: buckets.length, ...(account ? { account } : {}) };
}
