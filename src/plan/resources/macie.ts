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
import * as z from 'zod';
import type { Target } from '../model/call.js';
import { type CliContext, shellQuote } from '../render/cli-equivalent.js';
import {
  CREATED_JOB_ID,
  DAYS_OF_WEEK,
  IDENTIFIER_SELECTORS,
  isActiveJob,
  JOB_CHANGE,
  JOB_NAME_PREFIX,
  JOB_STATUSES,
  MACIE_STATUSES,
  MAX_CUSTOM_IDENTIFIERS,
  MAX_JOB_DESCRIPTION,
  MAX_JOB_NAME,
  type MacieJobValue,
  type MacieValues,
  READ_SELECTORS,
  scheduleFrequency,
} from './macie-values.js';
import type { ResourceFamily } from './spec.js';
import { UnwritableValueError } from './unwritable.js';

export * from './macie-values.js';

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

const macieAdministratorSchema = z.strictObject({
  accountId: z.string().regex(/^\d{12}$/, 'not an AWS account ID'),
  relationshipStatus: z.string().max(64),
});

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

/** The `aws` command that prints the ID of the classification job named `name`. */
function jobLookup(name: string, cli: CliContext): string {
  const criteria = { includes: [{ comparator: 'EQ', key: 'name', values: [name] }] };
  return [
    'aws macie2 list-classification-jobs',
    `--filter-criteria ${shellQuote(JSON.stringify(criteria))}`,
    `--query 'items[0].jobId' --output text`,
    ...(cli.profile ? [`--profile ${shellQuote(cli.profile)}`] : []),
    ...(cli.region ? [`--region ${shellQuote(cli.region)}`] : []),
    ...(cli.endpoint ? [`--endpoint-url ${shellQuote(cli.endpoint)}`] : []),
  ].join(' ');
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
      volatile: true,
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
    'account.macieAdministrator': {
      readOnly: true,
      volatile: true,
      label: 'Macie administrator account',
      reads: ['macie2:GetAdministratorAccount'],
      scope: 'account',
      schema: macieAdministratorSchema.nullable(),
      write: () => {
        throw new UnwritableValueError(
          'Macie administrator account is read-only: a plan never changes it',
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
      // A lost CreateClassificationJob answer: the job is found by its name.
      lookup: (path, after, _planId, cli) =>
        path === 'jobId' && after ? { command: jobLookup(after.name, cli) } : null,
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
      volatile: true,
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
      operation: 'GetAdministratorAccount',
      iamAction: 'macie2:GetAdministratorAccount',
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
