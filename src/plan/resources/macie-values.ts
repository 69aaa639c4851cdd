/**
 * Macie's values as s3-harden reads them: the session, a classification
 * job's settings and status, the account's job listing and a bucket's object
 * statistics, with the functions that turn SDK outputs into them. The
 * resources themselves (schemas, writes, undo) are in ./macie.ts.
 */
import { createHash } from 'node:crypto';
import type { Target } from '../model/call.js';
import { outputRef } from '../model/output-refs.js';

export const MACIE_STATUSES = ['ENABLED', 'PAUSED'] as const;
export type MacieStatus = (typeof MACIE_STATUSES)[number];

export interface MacieSessionValue {
  readonly status: MacieStatus;
}

/**
 * The Macie administrator this account is a member of, in this region. Its
 * jobs may cover the account's buckets but are the administrator's: the
 * member's ListClassificationJobs does not show them.
 */
export interface MacieAdministratorValue {
  readonly accountId: string;
  /** Macie's relationship status: Enabled while the administrator manages the account. */
  readonly relationshipStatus: string;
}

export const DAYS_OF_WEEK = [
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
  'SUNDAY',
] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

/** When a scheduled job runs. */
export type MacieSchedule =
  | { readonly frequency: 'DAILY' }
  | { readonly frequency: 'WEEKLY'; readonly dayOfWeek: DayOfWeek }
  | { readonly frequency: 'MONTHLY'; readonly dayOfMonth: number };

/** The managed data identifier selections s3-harden creates jobs with. */
export const IDENTIFIER_SELECTORS = ['RECOMMENDED', 'ALL', 'NONE'] as const;
export type IdentifierSelector = (typeof IDENTIFIER_SELECTORS)[number];
/** What Macie may report for a job made by other means (INCLUDE, EXCLUDE name a list of IDs). */
export const READ_SELECTORS = ['RECOMMENDED', 'ALL', 'NONE', 'INCLUDE', 'EXCLUDE'] as const;

export const JOB_STATUSES = [
  'RUNNING',
  'PAUSED',
  'CANCELLED',
  'COMPLETE',
  'IDLE',
  'USER_PAUSED',
] as const;
export type MacieJobStatus = (typeof JOB_STATUSES)[number];

/** A job's settings: everything CreateClassificationJob is given, and all a later read compares. */
export interface MacieJobSettings {
  readonly name: string;
  readonly description: string;
  readonly jobType: 'ONE_TIME' | 'SCHEDULED';
  /** SCHEDULED only. */
  readonly schedule?: MacieSchedule;
  /** 1–100: the share of eligible objects analysed (picked at random). */
  readonly samplingPercentage: number;
  readonly managedDataIdentifierSelector: IdentifierSelector | 'INCLUDE' | 'EXCLUDE';
  /** Custom data identifiers to use as well; required with NONE. */
  readonly customDataIdentifierIds?: readonly string[];
}

export interface MacieJobValue extends MacieJobSettings {
  /** Idempotency token: a retried CreateClassificationJob never makes a second job. */
  readonly clientToken: string;
  /**
   * As read (RUNNING, IDLE, COMPLETE, CANCELLED…). A job a plan creates has
   * none in its after-state; CANCELLED means the job no longer runs.
   */
  readonly status?: MacieJobStatus;
}

/** What a job would scan, as Macie's inventory or a listing of the bucket counts it. */
export interface ObjectStatsValue {
  /** Macie's bucket statistics (DescribeBuckets), or an S3 listing (ListObjectsV2). */
  readonly source: 'macie' | 'listing';
  readonly objectCount: number;
  readonly sizeBytes: number;
  /** Macie only: the objects Macie can analyse (supported formats and storage classes). */
  readonly classifiableObjectCount?: number;
  readonly classifiableSizeBytes?: number;
  /** Listing only: it stopped before the end, so the counts are a lower bound. */
  readonly truncated: boolean;
  /** Macie only: when Macie last refreshed these statistics (ISO time). */
  readonly asOf?: string;
}

/**
 * One condition of a job's runtime bucket selection (bucketCriteria): a
 * property of the bucket (ACCOUNT_ID, S3_BUCKET_NAME, …) compared with
 * values; a tag condition has key TAG and "key=value" values.
 */
export interface JobBucketCriterion {
  readonly key: string;
  readonly comparator: string;
  readonly values: readonly string[];
}

/** One classification job of the account and region, as the listing shows it (any creator). */
export interface MacieJobSummary {
  readonly jobId: string;
  readonly name: string;
  readonly jobType: 'ONE_TIME' | 'SCHEDULED';
  readonly status?: MacieJobStatus;
  /** The buckets the job names, per owning account; empty when it selects by criteria. */
  readonly bucketDefinitions: readonly {
    readonly accountId: string;
    readonly buckets: readonly string[];
  }[];
  /**
   * The job picks its buckets each run: a bucket is in when every include
   * holds and not every exclude does (Macie joins each block with AND).
   * null = the job names its buckets.
   */
  readonly bucketCriteria: {
    readonly includes: readonly JobBucketCriterion[];
    readonly excludes: readonly JobBucketCriterion[];
  } | null;
}

export interface MacieValues {
  /** null = Macie is not enabled in the account and region. */
  'account.macie': MacieSessionValue | null;
  /**
   * Read-only: every classification job of the account and region that is
   * not cancelled, whoever made it (the audit asks whether one covers a
   * bucket); [] when Macie is not enabled.
   */
  'account.macieJobs': readonly MacieJobSummary[];
  /** Read-only: null = no Macie administrator (a standalone account, or Macie not enabled). */
  'account.macieAdministrator': MacieAdministratorValue | null;
  /** The most recent job s3-harden made for this bucket (an active one first); null = none. */
  'bucket.macieJob': MacieJobValue | null;
  /** Read-only; null for a bucket the plan creates (it starts empty). */
  'bucket.objectStats': ObjectStatsValue | null;
}

/** Every job s3-harden names starts with this; it is how a later run finds it. */
export const JOB_NAME_PREFIX = 's3-harden';
export const MAX_JOB_NAME = 500;
export const MAX_JOB_DESCRIPTION = 200;
/** Custom data identifiers a job may use. */
export const MAX_CUSTOM_IDENTIFIERS = 30;

/** The change id (= resource key) whose output names the created job. */
export const JOB_CHANGE = 'bucket.macieJob';
/** The created job's ID, from CreateClassificationJob's output. */
export const CREATED_JOB_ID = outputRef(JOB_CHANGE, 'jobId');

/** "s3-harden my-bucket 2026-11-27": the default job name, dated by the plan's reading. */
export function defaultJobName(bucket: string, observedAt: string): string {
  return `${JOB_NAME_PREFIX} ${bucket} ${observedAt.slice(0, 10)}`;
}

export function defaultJobDescription(bucket: string): string {
  return `Sensitive-data discovery for s3://${bucket}, created by s3-harden.`;
}

/** A job is active unless it is absent or cancelled (a completed one-time job still counts: it ran). */
export function isActiveJob(value: MacieJobValue | null | undefined): value is MacieJobValue {
  return value !== null && value !== undefined && value.status !== 'CANCELLED';
}

/**
 * The client token of a job: derived from the bucket, the job's settings
 * and when the plan's posture was read, so the same plan always sends the
 * same token (a retry never creates a second job) and a different plan a
 * different one.
 */
export function macieClientToken(
  target: Pick<Target, 'accountId' | 'region' | 'bucket'>,
  settings: MacieJobSettings,
  observedAt: string,
): string {
  const schedule = settings.schedule;
  const canonical = JSON.stringify([
    target.accountId,
    target.region,
    target.bucket,
    settings.name,
    settings.description,
    settings.jobType,
    schedule?.frequency ?? null,
    schedule?.frequency === 'WEEKLY' ? schedule.dayOfWeek : null,
    schedule?.frequency === 'MONTHLY' ? schedule.dayOfMonth : null,
    settings.samplingPercentage,
    settings.managedDataIdentifierSelector,
    [...(settings.customDataIdentifierIds ?? [])],
    observedAt,
  ]);
  return `s3-harden-${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}

/** Macie's scheduleFrequency for a schedule. */
export function scheduleFrequency(schedule: MacieSchedule): Record<string, unknown> {
  switch (schedule.frequency) {
    case 'DAILY':
      return { dailySchedule: {} };
    case 'WEEKLY':
      return { weeklySchedule: { dayOfWeek: schedule.dayOfWeek } };
    case 'MONTHLY':
      return { monthlySchedule: { dayOfMonth: schedule.dayOfMonth } };
  }
}

/** The schedule in Macie's scheduleFrequency, or undefined when it names none s3-harden knows. */
export function scheduleOf(frequency: unknown): MacieSchedule | undefined {
  const raw = (frequency ?? {}) as {
    dailySchedule?: unknown;
    weeklySchedule?: { dayOfWeek?: unknown };
    monthlySchedule?: { dayOfMonth?: unknown };
  };
  if (raw.dailySchedule) return { frequency: 'DAILY' };
  const day = raw.weeklySchedule?.dayOfWeek;
  if (typeof day === 'string' && (DAYS_OF_WEEK as readonly string[]).includes(day))
    return { frequency: 'WEEKLY', dayOfWeek: day as DayOfWeek };
  const date = raw.monthlySchedule?.dayOfMonth;
  if (typeof date === 'number' && Number.isInteger(date) && date >= 1 && date <= 31)
    return { frequency: 'MONTHLY', dayOfMonth: date };
  return undefined;
}

/** The plain value of a DescribeClassificationJob output. */
export function normaliseMacieJob(output: Record<string, unknown>): MacieJobValue {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const jobType = output.jobType === 'SCHEDULED' ? 'SCHEDULED' : 'ONE_TIME';
  const schedule = jobType === 'SCHEDULED' ? scheduleOf(output.scheduleFrequency) : undefined;
  const selector = (READ_SELECTORS as readonly string[]).includes(
    output.managedDataIdentifierSelector as string,
  )
    ? (output.managedDataIdentifierSelector as MacieJobSettings['managedDataIdentifierSelector'])
    : 'RECOMMENDED';
  const custom = Array.isArray(output.customDataIdentifierIds)
    ? output.customDataIdentifierIds.filter((id): id is string => typeof id === 'string')
    : [];
  const sampling = output.samplingPercentage;
  const status = output.jobStatus;
  return {
    name: text(output.name),
    description: text(output.description),
    jobType,
    ...(schedule ? { schedule } : {}),
    samplingPercentage:
      typeof sampling === 'number' && Number.isInteger(sampling) && sampling >= 1 && sampling <= 100
        ? sampling
        : 100,
    managedDataIdentifierSelector: selector,
    ...(custom.length > 0 ? { customDataIdentifierIds: custom } : {}),
    clientToken: text(output.clientToken),
    ...(typeof status === 'string' && (JOB_STATUSES as readonly string[]).includes(status)
      ? { status: status as MacieJobStatus }
      : {}),
  };
}

function criteriaBlock(block: unknown): JobBucketCriterion[] {
  const and = (block as { and?: unknown } | undefined)?.and;
  if (!Array.isArray(and)) return [];
  return and.flatMap((item): JobBucketCriterion[] => {
    const { simpleCriterion, tagCriterion } = (item ?? {}) as {
      simpleCriterion?: { comparator?: unknown; key?: unknown; values?: unknown };
      tagCriterion?: { comparator?: unknown; tagValues?: unknown };
    };
    if (simpleCriterion && typeof simpleCriterion.key === 'string') {
      return [
        {
          key: simpleCriterion.key,
          comparator:
            typeof simpleCriterion.comparator === 'string' ? simpleCriterion.comparator : 'EQ',
          values: Array.isArray(simpleCriterion.values)
            ? simpleCriterion.values.filter((value): value is string => typeof value === 'string')
            : [],
        },
      ];
    }
    if (tagCriterion) {
      const tags = Array.isArray(tagCriterion.tagValues) ? tagCriterion.tagValues : [];
      return [
        {
          key: 'TAG',
          comparator: typeof tagCriterion.comparator === 'string' ? tagCriterion.comparator : 'EQ',
          values: tags.map((tag) => {
            const { key, value } = (tag ?? {}) as { key?: unknown; value?: unknown };
            return `${typeof key === 'string' ? key : ''}=${typeof value === 'string' ? value : ''}`;
          }),
        },
      ];
    }
    // A condition of a kind s3-harden does not know: kept, so it is never read as "all buckets".
    return [{ key: 'UNKNOWN', comparator: 'EQ', values: [] }];
  });
}

/** The plain summary of one ListClassificationJobs item; null when it has no ID. */
export function normaliseJobSummary(item: unknown): MacieJobSummary | null {
  const raw = (item ?? {}) as {
    jobId?: unknown;
    name?: unknown;
    jobType?: unknown;
    jobStatus?: unknown;
    bucketDefinitions?: unknown;
    bucketCriteria?: { includes?: unknown; excludes?: unknown };
  };
  if (typeof raw.jobId !== 'string' || raw.jobId === '') return null;
  const definitions = Array.isArray(raw.bucketDefinitions) ? raw.bucketDefinitions : [];
  const status = raw.jobStatus;
  return {
    jobId: raw.jobId,
    name: typeof raw.name === 'string' ? raw.name : '',
    jobType: raw.jobType === 'SCHEDULED' ? 'SCHEDULED' : 'ONE_TIME',
    ...(typeof status === 'string' && (JOB_STATUSES as readonly string[]).includes(status)
      ? { status: status as MacieJobStatus }
      : {}),
    bucketDefinitions: definitions.map((definition) => {
      const { accountId, buckets } = (definition ?? {}) as {
        accountId?: unknown;
        buckets?: unknown;
      };
      return {
        accountId: typeof accountId === 'string' ? accountId : '',
        buckets: Array.isArray(buckets)
          ? buckets.filter((bucket): bucket is string => typeof bucket === 'string')
          : [],
      };
    }),
    bucketCriteria: raw.bucketCriteria
      ? {
          includes: criteriaBlock(raw.bucketCriteria.includes),
          excludes: criteriaBlock(raw.bucketCriteria.excludes),
        }
      : null,
  };
}

export const count = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0;

/** The plain value of one bucket of DescribeBuckets. */
export function normaliseMacieBucketStats(bucket: Record<string, unknown>): ObjectStatsValue {
  const updated = bucket.lastUpdated;
  const asOf =
    updated instanceof Date && !Number.isNaN(updated.getTime())
      ? updated.toISOString()
      : typeof updated === 'string' && updated !== ''
        ? updated
        : undefined;
  return {
    source: 'macie',
    objectCount: count(bucket.objectCount),
    sizeBytes: count(bucket.sizeInBytes),
    classifiableObjectCount: count(bucket.classifiableObjectCount),
    classifiableSizeBytes: count(bucket.classifiableSizeInBytes),
    truncated: false,
    ...(asOf ? { asOf } : {}),
  };
}
