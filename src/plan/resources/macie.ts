/**
 * Amazon Macie for one bucket, as four resources:
 *
 * - `account.macie`      whether Macie is enabled in the account and region:
 *                        `{ status: 'ENABLED' | 'PAUSED' }`, null = not enabled.
 * - `account.macieJobs`  read-only: every job of the account and region that
 *                        is not cancelled, whoever made it (for the audit).
 * - `bucket.macieJob`    the sensitive-data discovery (classification) job
 *                        s3-harden made for the bucket; null = none.
 * - `bucket.objectStats` read-only: how many objects the bucket holds and how
 *                        large they are, i.e. what a job would scan.
 *
 * Undo never deletes Macie's data. Macie has no "never enabled" to return
 * to short of DisableMacie, which permanently deletes every finding, job and
 * setting of the account in the region. So the absent value (null) is
 * written as UpdateMacieSession `PAUSED`, its closest restore that keeps
 * the data (as a bucket that never had versioning is restored as
 * Suspended), and `satisfies` accepts PAUSED where null is expected. That
 * keeps `undo === write(before)` for the change that enables Macie, and
 * DisableMacie is in no catalogue: a plan file can never name it.
 *
 * A classification job's settings cannot change after creation, and a
 * cancelled job can never run again. The job's ID is only known once
 * CreateClassificationJob has run, so cancelling it (the undo, and the
 * write of a job that is absent or cancelled) names it with an OutputRef
 * to that change's output: a plan can only ever cancel the job it created.
 * s3-harden finds its jobs again by name: they start with "s3-harden" and
 * scan exactly this bucket.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { outputRef } from '../model/output-refs.js';
import type { Target } from '../model/types.js';
import type { ResourceFamily } from './spec.js';
import { UnwritableValueError } from './unwritable.js';

export const MACIE_STATUSES = ['ENABLED', 'PAUSED'] as const;
export type MacieStatus = (typeof MACIE_STATUSES)[number];

export interface MacieSessionValue {
  readonly status: MacieStatus;
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
const READ_SELECTORS = ['RECOMMENDED', 'ALL', 'NONE', 'INCLUDE', 'EXCLUDE'] as const;

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

const count = (value: unknown) =>
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

const noControl = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^\P{Cc}*$/u, 'must not contain control characters');

/** Why `name` cannot name a job s3-harden creates, or null. */
export function jobNameProblem(name: string): string | null {
  if (name.trim() === '') return `Enter a job name, e.g. ${JOB_NAME_PREFIX} my-bucket 2026-11-27`;
  if (!name.startsWith(JOB_NAME_PREFIX))
    return `The job name must start with "${JOB_NAME_PREFIX}": that is how s3-harden finds the job again`;
  if (name.length > MAX_JOB_NAME) return `The job name is at most ${MAX_JOB_NAME} characters`;
  if (/\p{Cc}/u.test(name)) return 'The job name must not contain control characters';
  return null;
}

const CUSTOM_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/;

/** Why `id` is not a custom data identifier ID, or null. */
export function customIdentifierProblem(id: string): string | null {
  return CUSTOM_ID.test(id)
    ? null
    : `${JSON.stringify(id)} is not a custom data identifier ID (letters, digits and -)`;
}

const jobName = z.string().superRefine((name, context) => {
  const problem = jobNameProblem(name);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});
const customIds = z
  .array(z.string().regex(CUSTOM_ID, 'not a custom data identifier ID'))
  .min(1)
  .max(MAX_CUSTOM_IDENTIFIERS);
const scheduleSchema = z.discriminatedUnion('frequency', [
  z.strictObject({ frequency: z.literal('DAILY') }),
  z.strictObject({ frequency: z.literal('WEEKLY'), dayOfWeek: z.enum(DAYS_OF_WEEK) }),
  z.strictObject({ frequency: z.literal('MONTHLY'), dayOfMonth: z.number().int().min(1).max(31) }),
]);
const sampling = z.number().int().min(1).max(100);
const clientToken = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a client token');

export const macieSessionSchema = z.strictObject({ status: z.enum(MACIE_STATUSES) });

/** Any job s3-harden finds for the bucket (some may have been made by hand). */
export const macieJobSchema = z
  .strictObject({
    name: noControl(MAX_JOB_NAME),
    description: noControl(2000),
    jobType: z.enum(['ONE_TIME', 'SCHEDULED']),
    schedule: scheduleSchema.optional(),
    samplingPercentage: sampling,
    managedDataIdentifierSelector: z.enum(READ_SELECTORS),
    customDataIdentifierIds: z.array(z.string().max(128)).max(1000).optional(),
    clientToken: z.string().max(64),
    status: z.enum(JOB_STATUSES).optional(),
  })
  .refine(
    (job) => (job.jobType === 'SCHEDULED') === (job.schedule !== undefined),
    'a scheduled job has a schedule, a one-time job none',
  );

const nonNegative = z.number().int().min(0);
export const objectStatsSchema = z.strictObject({
  source: z.enum(['macie', 'listing']),
  objectCount: nonNegative,
  sizeBytes: nonNegative,
  classifiableObjectCount: nonNegative.optional(),
  classifiableSizeBytes: nonNegative.optional(),
  truncated: z.boolean(),
  asOf: z.string().max(64).optional(),
});

const criterionSchema = z.strictObject({
  key: z.string().max(64),
  comparator: z.string().max(32),
  values: z.array(z.string().max(1024)).max(1000),
});

export const macieJobSummarySchema = z.strictObject({
  jobId: z.string().min(1).max(128),
  name: z.string().max(MAX_JOB_NAME),
  jobType: z.enum(['ONE_TIME', 'SCHEDULED']),
  status: z.enum(JOB_STATUSES).optional(),
  bucketDefinitions: z
    .array(
      z.strictObject({
        accountId: z.string().max(12),
        buckets: z.array(z.string().max(63)).max(1000),
      }),
    )
    .max(1000),
  bucketCriteria: z
    .strictObject({
      includes: z.array(criterionSchema).max(100),
      excludes: z.array(criterionSchema).max(100),
    })
    .nullable(),
});

const accountId = z.string().regex(/^\d{12}$/, 'an account ID is 12 digits');
const bucketName = z.string().min(3).max(63);

/** Exactly the created job: a plan never cancels another. */
const createdJobId = z.strictObject({
  fromOutput: z.strictObject({ change: z.literal(JOB_CHANGE), path: z.literal('jobId') }),
});

function createJobInput(
  { accountId: account, bucket }: Pick<Target, 'accountId' | 'bucket'>,
  job: MacieJobValue,
): Record<string, unknown> {
  const custom = job.customDataIdentifierIds ?? [];
  return {
    clientToken: job.clientToken,
    name: job.name,
    ...(job.description ? { description: job.description } : {}),
    jobType: job.jobType,
    ...(job.jobType === 'SCHEDULED' && job.schedule
      ? {
          scheduleFrequency: scheduleFrequency(job.schedule),
          // The first run scans every existing object; later runs what is new or changed.
          initialRun: true,
        }
      : {}),
    samplingPercentage: job.samplingPercentage,
    managedDataIdentifierSelector: job.managedDataIdentifierSelector,
    ...(custom.length > 0 ? { customDataIdentifierIds: [...custom] } : {}),
    s3JobDefinition: { bucketDefinitions: [{ accountId: account, buckets: [bucket] }] },
  };
}

export const macieFamily: ResourceFamily<MacieValues> = {
  resources: {
    'account.macie': {
      label: 'Macie (account and region)',
      reads: ['macie2:GetMacieSession'],
      scope: 'account',
      schema: macieSessionSchema.nullable(),
      write: (_target, value) =>
        value?.status === 'ENABLED'
          ? { service: 'macie2', operation: 'EnableMacie', input: { status: 'ENABLED' } }
          : // PAUSED, and null (see the module comment): suspended, its data kept.
            { service: 'macie2', operation: 'UpdateMacieSession', input: { status: 'PAUSED' } },
      satisfies: (expected, live) => {
        if (!expected) return !live || live.status === 'PAUSED';
        return Boolean(live) && live?.status === expected.status;
      },
    },
    'account.macieJobs': {
      readOnly: true,
      label: 'Macie classification jobs (account)',
      reads: ['macie2:ListClassificationJobs'],
      scope: 'account',
      schema: z.array(macieJobSummarySchema).max(10_000),
      write: () => {
        throw new UnwritableValueError(
          'Macie classification jobs (account) is read-only: a plan never changes it',
        );
      },
    },
    'bucket.macieJob': {
      label: 'Macie classification job',
      reads: ['macie2:ListClassificationJobs', 'macie2:DescribeClassificationJob'],
      scope: 'bucket',
      schema: macieJobSchema.nullable(),
      write: (target, value) =>
        isActiveJob(value)
          ? {
              service: 'macie2',
              operation: 'CreateClassificationJob',
              input: createJobInput(target, value),
            }
          : {
              service: 'macie2',
              operation: 'UpdateClassificationJob',
              input: { jobId: CREATED_JOB_ID, jobStatus: 'CANCELLED' },
            },
      // The job is recognised by its token; its status moves on by itself
      // (RUNNING, then COMPLETE or IDLE). No job and a cancelled one are alike:
      // nothing runs.
      satisfies: (expected, live) =>
        isActiveJob(expected)
          ? isActiveJob(live) && live.clientToken === expected.clientToken
          : !isActiveJob(live),
    },
    'bucket.objectStats': {
      readOnly: true,
      label: 'Objects in the bucket',
      reads: ['macie2:DescribeBuckets', 's3:ListObjectsV2'],
      scope: 'bucket',
      schema: objectStatsSchema.nullable(),
      write: () => {
        throw new UnwritableValueError(
          'Objects in the bucket is read-only: a plan never changes it',
        );
      },
    },
  },
  operations: [
    {
      service: 'macie2',
      operation: 'GetMacieSession',
      iamAction: 'macie2:GetMacieSession',
      kind: 'read',
      scope: 'none',
    },
    {
      service: 'macie2',
      operation: 'EnableMacie',
      iamAction: 'macie2:EnableMacie',
      kind: 'write',
      scope: 'none',
      input: z.strictObject({ status: z.literal('ENABLED') }),
    },
    {
      service: 'macie2',
      operation: 'UpdateMacieSession',
      iamAction: 'macie2:UpdateMacieSession',
      kind: 'write',
      scope: 'none',
      // Only ever to pause: resuming is left to the operator.
      input: z.strictObject({ status: z.literal('PAUSED') }),
    },
    {
      service: 'macie2',
      operation: 'DescribeBuckets',
      iamAction: 'macie2:DescribeBuckets',
      kind: 'read',
      scope: 'none',
    },
    {
      service: 'macie2',
      operation: 'ListClassificationJobs',
      iamAction: 'macie2:ListClassificationJobs',
      kind: 'read',
      scope: 'none',
    },
    {
      service: 'macie2',
      operation: 'DescribeClassificationJob',
      iamAction: 'macie2:DescribeClassificationJob',
      kind: 'read',
      scope: 'none',
    },
    {
      service: 'macie2',
      operation: 'CreateClassificationJob',
      iamAction: 'macie2:CreateClassificationJob',
      kind: 'write',
      // The bucket is inside s3JobDefinition, not a Bucket field; plan-file
      // validation still holds the call to write(after) for the plan's bucket.
      scope: 'none',
      input: z.strictObject({
        clientToken,
        name: jobName,
        description: noControl(MAX_JOB_DESCRIPTION).min(1).optional(),
        jobType: z.enum(['ONE_TIME', 'SCHEDULED']),
        scheduleFrequency: z
          .union([
            z.strictObject({ dailySchedule: z.strictObject({}) }),
            z.strictObject({
              weeklySchedule: z.strictObject({ dayOfWeek: z.enum(DAYS_OF_WEEK) }),
            }),
            z.strictObject({
              monthlySchedule: z.strictObject({
                dayOfMonth: z.number().int().min(1).max(31),
              }),
            }),
          ])
          .optional(),
        initialRun: z.literal(true).optional(),
        samplingPercentage: sampling,
        managedDataIdentifierSelector: z.enum(IDENTIFIER_SELECTORS),
        customDataIdentifierIds: customIds.optional(),
        s3JobDefinition: z.strictObject({
          bucketDefinitions: z
            .array(z.strictObject({ accountId, buckets: z.array(bucketName).length(1) }))
            .length(1),
        }),
      }),
    },
    {
      service: 'macie2',
      operation: 'UpdateClassificationJob',
      iamAction: 'macie2:UpdateClassificationJob',
      kind: 'write',
      scope: 'none',
      input: z.strictObject({ jobId: createdJobId, jobStatus: z.literal('CANCELLED') }),
    },
    {
      service: 's3',
      operation: 'ListObjectsV2',
      iamAction: 's3:ListBucket',
      kind: 'read',
      scope: 'bucket',
    },
  ],
};
