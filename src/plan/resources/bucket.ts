/**
 * The bucket itself, for the wizard's "create a new bucket": CreateBucket
 * (optionally with Object Lock, which only creation can switch on without
 * versioning first), undone by DeleteBucket while it is still empty.
 */
import { z } from 'zod';
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
