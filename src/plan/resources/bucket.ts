/**
 * The bucket itself, for the wizard's "create a new bucket" and a log bucket
 * the plan creates: CreateBucket (optionally with Object Lock, which only
 * creation can switch on without versioning first), undone by DeleteBucket
 * while it is still empty. One that has received objects (logs delivered in
 * between) is kept: its objects are the operator's to check, never the tool's
 * to delete.
 */
import * as z from 'zod';
import type { ApiCall } from '../model/call.js';
import { type CliContext, shellQuote } from '../render/cli-equivalent.js';
import type { ResourceFamily } from './spec.js';

export interface BucketExists {
  readonly Region: string;
  /** Object Lock switched on at creation (CreateBucket's ObjectLockEnabledForBucket). */
  readonly ObjectLockEnabledForBucket?: true;
}

export interface BucketValues {
  'bucket.exists': BucketExists | null;
}

const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'not an AWS region name');

export const bucketFamily: ResourceFamily<BucketValues> = {
  resources: {
    'bucket.exists': {
      label: 'Bucket',
      reads: ['s3:HeadBucket'],
      scope: 'bucket',
      schema: z
        .strictObject({ Region: region, ObjectLockEnabledForBucket: z.literal(true).optional() })
        .nullable(),
      write: ({ bucket }, value) =>
        value === null
          ? { service: 's3', operation: 'DeleteBucket', input: { Bucket: bucket } }
          : {
              service: 's3',
              operation: 'CreateBucket',
              input: {
                Bucket: bucket,
                // us-east-1 is the one region that refuses its own name as a constraint.
                ...(value.Region === 'us-east-1'
                  ? {}
                  : { CreateBucketConfiguration: { LocationConstraint: value.Region } }),
                ...(value.ObjectLockEnabledForBucket ? { ObjectLockEnabledForBucket: true } : {}),
              },
            },
      // A read tells the region, not how the bucket was created: Object Lock is
      // verified by its own resource.
      satisfies: (expected, live) =>
        expected === null ? live === null : live !== null && live.Region === expected.Region,
    },
  },
  operations: [
    {
      service: 's3',
      operation: 'CreateBucket',
      iamAction: 's3:CreateBucket',
      kind: 'write',
      scope: 'bucket',
      input: z.strictObject({
        Bucket: z.string().min(3).max(63),
        CreateBucketConfiguration: z.strictObject({ LocationConstraint: region }).optional(),
        ObjectLockEnabledForBucket: z.literal(true).optional(),
      }),
    },
    {
      service: 's3',
      operation: 'DeleteBucket',
      iamAction: 's3:DeleteBucket',
      kind: 'write',
      scope: 'bucket',
      input: z.strictObject({ Bucket: z.string().min(3).max(63) }),
    },
  ],
};

/** How a rollback reports a created bucket it did not delete. */
export const KEPT_NOT_EMPTY = 'kept: it has received objects since it was created';

/** "1 bucket it created was kept", "2 buckets it created were kept": for verdicts. */
export function keptBuckets(count: number): string {
  return count === 1 ? '1 bucket it created was kept' : `${count} buckets it created were kept`;
}

/** S3 refused to undo a bucket's creation because the bucket holds objects. */
export function refusedAsNotEmpty(undo: ApiCall, error: unknown): boolean {
  return (
    undo.service === 's3' &&
    undo.operation === 'DeleteBucket' &&
    (error as { code?: unknown } | null)?.code === 'BucketNotEmpty'
  );
}

/**
 * The command that deletes a kept bucket with everything in it, for the
 * operator to run once they have looked at what it holds (`aws s3 rb --force`
 * empties it first; `aws s3api delete-bucket` fails on a bucket with objects).
 */
export function removeBucketCommand(undo: ApiCall, context: CliContext = {}): string {
  const bucket = String(undo.input.Bucket);
  const parts = ['aws', 's3', 'rb', shellQuote(`s3://${bucket}`), '--force'];
  if (context.profile) parts.push('--profile', shellQuote(context.profile));
  if (context.region) parts.push('--region', shellQuote(context.region));
  if (context.endpoint) parts.push('--endpoint-url', shellQuote(context.endpoint));
  return parts.join(' ');
}
