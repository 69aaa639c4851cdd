/**
 * Bucket versioning and MFA delete (one configuration, PutBucketVersioning).
 *
 * A bucket that never had versioning reads as null and can never return to
 * that state: Suspended is the closest restore, so writing null suspends and
 * `satisfies` accepts Suspended where null is expected.
 */
import * as z from 'zod';
import type { ResourceFamily } from './spec.js';

export interface VersioningConfiguration {
  readonly Status: 'Enabled' | 'Suspended';
  /** Present once MFA delete has ever been configured; missing reads as Disabled. */
  readonly MFADelete?: 'Enabled' | 'Disabled';
}

export interface VersioningValues {
  /** null = versioning was never enabled on this bucket. */
  'bucket.versioning': VersioningConfiguration | null;
}

const bucketName = z.string().min(3).max(63);

export const versioningSchema = z.strictObject({
  Status: z.enum(['Enabled', 'Suspended']),
  MFADelete: z.enum(['Enabled', 'Disabled']).optional(),
});

const mfaDelete = (value: VersioningConfiguration | null) => value?.MFADelete ?? 'Disabled';

/**
 * The VersioningConfiguration a put sends. MFADelete goes out only when it is
 * Enabled (which AWS accepts only with the root user's MFA): leaving it out
 * keeps whatever S3 has, so an ordinary put never touches MFA delete.
 */
export function versioningConfiguration(value: VersioningConfiguration | null) {
  return {
    Status: value?.Status ?? 'Suspended',
    ...(mfaDelete(value) === 'Enabled' ? { MFADelete: 'Enabled' } : {}),
  };
}

export const versioningFamily: ResourceFamily<VersioningValues> = {
  resources: {
    'bucket.versioning': {
      label: 'Versioning',
      reads: ['s3:GetBucketVersioning'],
      scope: 'bucket',
      schema: versioningSchema.nullable(),
      write: ({ bucket }, value) => ({
        service: 's3',
        operation: 'PutBucketVersioning',
        input: { Bucket: bucket, VersioningConfiguration: versioningConfiguration(value) },
      }),
      satisfies: (expected, live) => {
        if (live === null) return expected === null;
        // Never enabled (null) can only be restored as Suspended.
        return (
          (expected?.Status ?? 'Suspended') === live.Status &&
          mfaDelete(expected) === mfaDelete(live)
        );
      },
    },
  },
  operations: [
    {
      service: 's3',
      operation: 'GetBucketVersioning',
      iamAction: 's3:GetBucketVersioning',
      kind: 'read',
      scope: 'bucket',
    },
    {
      service: 's3',
      operation: 'PutBucketVersioning',
      iamAction: 's3:PutBucketVersioning',
      kind: 'write',
      scope: 'bucket',
      // Neither MFA nor MFADelete: turning MFA delete on needs a one-time
      // code, so it happens only in the wizard and never from a plan file.
      input: z.strictObject({
        Bucket: bucketName,
        VersioningConfiguration: z.strictObject({ Status: z.enum(['Enabled', 'Suspended']) }),
      }),
    },
  ],
};
