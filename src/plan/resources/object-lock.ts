/**
 * Object Lock (write once, read many) and its default retention rule.
 *
 * Once enabled, Object Lock can never be turned off: there is no call that
 * makes it read back as null, so writing null is refused and a change that
 * enables it has no undo. Changing only the default retention of a bucket
 * that already has Object Lock is an ordinary, reversible put.
 */
import * as z from 'zod';
import type { ResourceFamily } from './spec.js';
import { UnwritableValueError } from './unwritable.js';

export const RETENTION_MODES = ['GOVERNANCE', 'COMPLIANCE'] as const;
export type RetentionMode = (typeof RETENTION_MODES)[number];

/** Exactly one of Days and Years. */
export interface DefaultRetention {
  readonly Mode: RetentionMode;
  readonly Days?: number;
  readonly Years?: number;
}

export interface ObjectLockConfiguration {
  readonly ObjectLockEnabled: 'Enabled';
  readonly Rule?: { readonly DefaultRetention: DefaultRetention };
}

export interface ObjectLockValues {
  /** null = Object Lock is not enabled on this bucket. */
  'bucket.objectLock': ObjectLockConfiguration | null;
}

/** Whether an Object Lock value (as planned or read) has it on. */
export function objectLockOn(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { ObjectLockEnabled?: unknown }).ObjectLockEnabled === 'Enabled'
  );
}

/** Why S3 refuses to undo a versioning change once Object Lock is on. */
export const VERSIONING_PINNED =
  'cannot be undone: Object Lock is on, and S3 never suspends versioning on an Object Lock bucket';

/**
 * Why the undo of a change on `resource` can no longer run once Object Lock
 * is on, or null: the undo of enabling versioning suspends it, which S3
 * refuses on an Object Lock bucket.
 */
export function undoPinnedByObjectLock(
  resource: string,
  before: unknown,
  objectLock: boolean,
): string | null {
  if (!objectLock || resource !== 'bucket.versioning') return null;
  const status = (before as { Status?: unknown } | null)?.Status;
  return status === 'Enabled' ? null : VERSIONING_PINNED;
}

export const MAX_RETENTION_DAYS = 36500;
export const MAX_RETENTION_YEARS = 100;

const bucketName = z.string().min(3).max(63);

export const defaultRetentionSchema = z
  .strictObject({
    Mode: z.enum(RETENTION_MODES),
    Days: z.number().int().min(1).max(MAX_RETENTION_DAYS).optional(),
    Years: z.number().int().min(1).max(MAX_RETENTION_YEARS).optional(),
  })
  .refine((retention) => (retention.Days === undefined) !== (retention.Years === undefined), {
    message: 'a default retention has exactly one of Days and Years',
  });

export const objectLockSchema = z.strictObject({
  ObjectLockEnabled: z.literal('Enabled'),
  Rule: z.strictObject({ DefaultRetention: defaultRetentionSchema }).optional(),
});

export const objectLockFamily: ResourceFamily<ObjectLockValues> = {
  resources: {
    'bucket.objectLock': {
      label: 'Object Lock',
      reads: ['s3:GetObjectLockConfiguration'],
      scope: 'bucket',
      schema: objectLockSchema.nullable(),
      write: ({ bucket }, value) => {
        if (value === null) {
          throw new UnwritableValueError(
            `Object Lock cannot be turned off once enabled (bucket ${bucket})`,
          );
        }
        return {
          service: 's3',
          operation: 'PutObjectLockConfiguration',
          input: { Bucket: bucket, ObjectLockConfiguration: value },
        };
      },
    },
  },
  operations: [
    {
      service: 's3',
      operation: 'GetObjectLockConfiguration',
      iamAction: 's3:GetBucketObjectLockConfiguration',
      kind: 'read',
      scope: 'bucket',
    },
    {
      service: 's3',
      operation: 'PutObjectLockConfiguration',
      iamAction: 's3:PutBucketObjectLockConfiguration',
      kind: 'write',
      scope: 'bucket',
      input: z.strictObject({ Bucket: bucketName, ObjectLockConfiguration: objectLockSchema }),
    },
  ],
};
