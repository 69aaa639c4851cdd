/**
 * The AWS half of the Macie family. The Macie SDK is not imported here: its
 * commands are deferred (see DeferredCommand in ../clients.ts), so the
 * module loads only when a Macie resource is read or written.
 *
 * - account.macie: GetMacieSession; "Macie is not enabled" (an
 *   AccessDeniedException, see ../errors.ts) reads as null.
 * - bucket.macieJob: ListClassificationJobs (names containing "s3-harden",
 *   newest first), kept to jobs that scan exactly this bucket, then
 *   DescribeClassificationJob of the newest active one (else the newest).
 * - account.macieJobs: ListClassificationJobs of every job not cancelled,
 *   whoever made it, all pages (one listing per run serves every bucket).
 * - account.macieAdministrator: GetAdministratorAccount; null when the
 *   account has no administrator, or Macie is not enabled.
 * - bucket.objectStats: Macie's statistics for the bucket (DescribeBuckets);
 *   when Macie cannot tell (not enabled, not available, not yet in its
 *   inventory), a listing of at most MAX_LIST_PAGES pages (ListObjectsV2).
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Target } from '../../plan/model/types.js';
import {
  JOB_NAME_PREFIX,
  JOB_STATUSES,
  type MacieAdministratorValue,
  type MacieJobSummary,
  type MacieJobValue,
  type MacieSessionValue,
  normaliseJobSummary,
  normaliseMacieBucketStats,
  normaliseMacieJob,
  type ObjectStatsValue,
} from '../../plan/resources/macie.js';
import { deferredCommand } from '../clients.js';
import { AwsError, MACIE_NOT_ENABLED } from '../errors.js';
import type { AwsFamily, ReadSend } from './family.js';

/** Jobs per page (Macie allows up to 200). */
const JOB_PAGE_SIZE = 200;
/** A runaway paginator stops here. */
const MAX_JOB_PAGES = 25;
/** Objects per listing page, and how many pages a listing reads at most. */
const LIST_PAGE_SIZE = 1000;
export const MAX_LIST_PAGES = 5;

/** True when Macie said it is not enabled (moto answers a disabled session with ResourceNotFoundException). */
export function isMacieNotEnabled(error: unknown): boolean {
  return (
    error instanceof AwsError &&
    (error.code === MACIE_NOT_ENABLED || error.code === 'ResourceNotFoundException')
  );
}

async function readSession(send: ReadSend): Promise<MacieSessionValue | null> {
  let output: Record<string, unknown>;
  try {
    output = await send({ service: 'macie2', operation: 'GetMacieSession', input: {} });
  } catch (error) {
    if (isMacieNotEnabled(error)) return null;
    throw error;
  }
  const status = output.status;
  if (status === 'ENABLED' || status === 'PAUSED') return { status };
  throw new AwsError(
    'service',
    `macie2:GetMacieSession answered an unknown status ${JSON.stringify(status ?? null)}.`,
  );
}

async function readAdministrator(send: ReadSend): Promise<MacieAdministratorValue | null> {
  let output: Record<string, unknown>;
  try {
    output = await send({ service: 'macie2', operation: 'GetAdministratorAccount', input: {} });
  } catch (error) {
    if (isMacieNotEnabled(error)) return null;
    throw error;
  }
  const administrator = output.administrator as
    | { accountId?: unknown; relationshipStatus?: unknown }
    | undefined;
  if (typeof administrator?.accountId !== 'string') return null;
  return {
    accountId: administrator.accountId,
    relationshipStatus:
      typeof administrator.relationshipStatus === 'string'
        ? administrator.relationshipStatus
        : 'Unknown',
  };
}

interface JobSummary {
  jobId?: string;
  name?: string;
  jobStatus?: string;
  bucketDefinitions?: { accountId?: string; buckets?: string[] }[];
}

/** Whether a listed job is s3-harden's and scans this bucket, and only it. */
function scansBucket(job: JobSummary, target: Target): boolean {
  const definitions = job.bucketDefinitions ?? [];
  return (
    typeof job.jobId === 'string' &&
    typeof job.name === 'string' &&
    job.name.startsWith(JOB_NAME_PREFIX) &&
    definitions.length === 1 &&
    definitions[0]?.accountId === target.accountId &&
    definitions[0]?.buckets?.length === 1 &&
    definitions[0]?.buckets[0] === target.bucket
  );
}

/**
 * ListClassificationJobs with `criteria`, page by page (bounded, a repeated
 * token ends it), handing each page's items to `take` until it says it has
 * what it needs.
 */
async function pageJobs(
  send: ReadSend,
  criteria: { filterCriteria: object; sortCriteria: object },
  take: (items: readonly unknown[]) => 'more' | 'enough',
): Promise<void> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < MAX_JOB_PAGES; page++) {
    const output = await send({
      service: 'macie2',
      operation: 'ListClassificationJobs',
      input: { ...criteria, maxResults: JOB_PAGE_SIZE, ...(token ? { nextToken: token } : {}) },
    });
    if (take((output.items as unknown[] | undefined) ?? []) === 'enough') return;
    token =
      typeof output.nextToken === 'string' && output.nextToken !== ''
        ? output.nextToken
        : undefined;
    if (!token || seen.has(token)) return;
    seen.add(token);
  }
}

/** The bucket's s3-harden jobs, newest first; stops at the first active one. */
async function listJobs(target: Target, send: ReadSend): Promise<JobSummary[]> {
  const found: JobSummary[] = [];
  const criteria = {
    filterCriteria: {
      includes: [{ comparator: 'CONTAINS', key: 'name', values: [JOB_NAME_PREFIX] }],
    },
    sortCriteria: { attributeName: 'createdAt', orderBy: 'DESC' },
  };
  await pageJobs(send, criteria, (items) => {
    for (const job of items as JobSummary[]) {
      if (!scansBucket(job, target)) continue;
      found.push(job);
      if (job.jobStatus !== 'CANCELLED') return 'enough';
    }
    return 'more';
  });
  return found;
}

async function readJob(target: Target, send: ReadSend): Promise<MacieJobValue | null> {
  let jobs: JobSummary[];
  try {
    jobs = await listJobs(target, send);
  } catch (error) {
    // Without Macie there are no jobs.
    if (isMacieNotEnabled(error)) return null;
    throw error;
  }
  const chosen = jobs.find((job) => job.jobStatus !== 'CANCELLED') ?? jobs[0];
  if (!chosen) return null;
  const output = await send({
    service: 'macie2',
    operation: 'DescribeClassificationJob',
    input: { jobId: chosen.jobId },
  });
  const value = normaliseMacieJob(output);
  // The listing's status stands in when the description leaves it out.
  const listed = JOB_STATUSES.find((status) => status === chosen.jobStatus);
  return value.status || !listed ? value : { ...value, status: listed };
}

/** Every job of the account and region that is not cancelled, oldest first; [] without Macie. */
async function listAllJobs(send: ReadSend): Promise<MacieJobSummary[]> {
  const jobs: MacieJobSummary[] = [];
  const criteria = {
    filterCriteria: { excludes: [{ comparator: 'EQ', key: 'jobStatus', values: ['CANCELLED'] }] },
    sortCriteria: { attributeName: 'createdAt', orderBy: 'ASC' },
  };
  try {
    await pageJobs(send, criteria, (items) => {
      for (const item of items) {
        const job = normaliseJobSummary(item);
        if (job && job.status !== 'CANCELLED') jobs.push(job);
      }
      return 'more';
    });
  } catch (error) {
    if (isMacieNotEnabled(error)) return [];
    throw error;
  }
  return jobs;
}

/** Macie's statistics for the bucket; undefined when Macie cannot give them. */
async function macieStats(target: Target, send: ReadSend): Promise<ObjectStatsValue | undefined> {
  try {
    const output = await send({
      service: 'macie2',
      operation: 'DescribeBuckets',
      input: {
        criteria: {
          accountId: { eq: [target.accountId] },
          bucketName: { eq: [target.bucket] },
        },
      },
    });
    const bucket = ((output.buckets as Record<string, unknown>[] | undefined) ?? []).find(
      (item) =>
        item.bucketName === target.bucket &&
        (item.accountId === undefined || item.accountId === target.accountId),
    );
    return bucket ? normaliseMacieBucketStats(bucket) : undefined;
  } catch {
    // Not enabled, not available at this endpoint, or denied: a listing counts instead.
    return undefined;
  }
}

/** Counts the bucket's objects (current versions, as Macie analyses) from at most MAX_LIST_PAGES pages. */
async function listingStats(target: Target, send: ReadSend): Promise<ObjectStatsValue> {
  let objectCount = 0;
  let sizeBytes = 0;
  let token: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const output = await send({
      service: 's3',
      operation: 'ListObjectsV2',
      input: {
        Bucket: target.bucket,
        MaxKeys: LIST_PAGE_SIZE,
        ...(token ? { ContinuationToken: token } : {}),
      },
    });
    for (const object of (output.Contents as { Size?: unknown }[] | undefined) ?? []) {
      objectCount += 1;
      if (typeof object.Size === 'number' && object.Size > 0) sizeBytes += object.Size;
    }
    token =
      output.IsTruncated === true && typeof output.NextContinuationToken === 'string'
        ? output.NextContinuationToken
        : undefined;
    if (!token) return { source: 'listing', objectCount, sizeBytes, truncated: false };
  }
  return { source: 'listing', objectCount, sizeBytes, truncated: true };
}

export const macieAws: AwsFamily = {
  commands: {
    macie2: {
      GetMacieSession: deferredCommand('GetMacieSession'),
      GetAdministratorAccount: deferredCommand('GetAdministratorAccount'),
      EnableMacie: deferredCommand('EnableMacie'),
      UpdateMacieSession: deferredCommand('UpdateMacieSession'),
      DescribeBuckets: deferredCommand('DescribeBuckets'),
      ListClassificationJobs: deferredCommand('ListClassificationJobs'),
      DescribeClassificationJob: deferredCommand('DescribeClassificationJob'),
      CreateClassificationJob: deferredCommand('CreateClassificationJob'),
      UpdateClassificationJob: deferredCommand('UpdateClassificationJob'),
    },
    s3: { ListObjectsV2: ListObjectsV2Command },
  },
  readers: {
    'account.macie': { query: (_target, send) => readSession(send) },
    'account.macieJobs': { query: (_target, send) => listAllJobs(send) },
    'account.macieAdministrator': { query: (_target, send) => readAdministrator(send) },
    'bucket.macieJob': { query: readJob },
    'bucket.objectStats': {
      query: async (target, send) =>
        (await macieStats(target, send)) ?? (await listingStats(target, send)),
    },
  },
};
