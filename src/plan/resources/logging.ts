/**
 * Server access logging: the bucket's logging configuration, and what log
 * delivery needs of the bucket that receives the logs (the "log target"):
 * same region, no Object Lock, no Requester Pays, SSE-S3 default encryption,
 * and a policy that lets logging.s3.amazonaws.com write. A wrong target fails
 * silently (logs never arrive), so the tool reads and fixes the target too.
 * The target's resources reuse the bucket families, pointed at Target.logBucket.
 */
import * as z from 'zod';
import type { PublicAccessBlock, Target } from '../model/call.js';
import type { PolicyDocument } from '../policy/document.js';
import { type BucketExists, bucketFamily } from './bucket.js';
import { type EncryptionConfiguration, encryptionFamily } from './encryption.js';
import { type LifecycleConfiguration, lifecycleFamily } from './lifecycle.js';
import { type ObjectLockConfiguration, objectLockFamily } from './object-lock.js';
import {
  type AclGrant,
  type OwnershipControls,
  objectOwnershipFamily,
} from './object-ownership.js';
import { bucketPolicyFamily } from './policy.js';
import { publicAccessBlockFamily } from './public-access-block.js';
import type { ResourceFamily, ResourceSpec } from './spec.js';
import { UnwritableValueError } from './unwritable.js';
import { type VersioningConfiguration, versioningFamily } from './versioning.js';

export type PartitionDateSource = 'EventTime' | 'DeliveryTime';

export interface LoggingEnabled {
  readonly TargetBucket: string;
  readonly TargetPrefix: string;
  readonly TargetObjectKeyFormat?:
    | { readonly SimplePrefix: Record<string, never> }
    | { readonly PartitionedPrefix: { readonly PartitionDateSource: PartitionDateSource } };
}

export interface LoggingValues {
  'bucket.logging': LoggingEnabled | null;
  'logTarget.exists': BucketExists | null;
  'logTarget.policy': PolicyDocument | null;
  'logTarget.encryption': EncryptionConfiguration | null;
  'logTarget.objectLock': ObjectLockConfiguration | null;
  /** Who pays for requests: "Requester" breaks log delivery. */
  'logTarget.requestPayment': 'BucketOwner' | 'Requester' | null;
  /** The target hardened like any bucket, within what log delivery allows. */
  'logTarget.publicAccessBlock': PublicAccessBlock | null;
  'logTarget.ownershipControls': OwnershipControls | null;
  /** Read-only: grants that stop ACLs from being turned off until removed. */
  'logTarget.acl': readonly AclGrant[] | null;
  'logTarget.versioning': VersioningConfiguration | null;
  'logTarget.lifecycle': LifecycleConfiguration | null;
}

const bucketName = z.string().min(3).max(63);

export const loggingEnabledSchema = z.strictObject({
  TargetBucket: bucketName,
  TargetPrefix: z.string().max(1024),
  TargetObjectKeyFormat: z
    .union([
      z.strictObject({ SimplePrefix: z.strictObject({}) }),
      z.strictObject({
        PartitionedPrefix: z.strictObject({
          PartitionDateSource: z.enum(['EventTime', 'DeliveryTime']),
        }),
      }),
    ])
    .optional(),
});

export function logBucketOf(target: Pick<Target, 'logBucket'>): string {
  if (!target.logBucket) throw new Error('no log target bucket was chosen for this plan');
  return target.logBucket;
}

/** A bucket resource's spec, pointed at the log target bucket instead. */
function onLogTarget<V>(spec: ResourceSpec<V>, label: string): ResourceSpec<V> {
  return {
    ...spec,
    label,
    scope: 'logTarget',
    write: (target, value) => spec.write({ ...target, bucket: logBucketOf(target) }, value),
  };
}

export const loggingFamily: ResourceFamily<LoggingValues> = {
  resources: {
    'bucket.logging': {
      label: 'Server access logging',
      reads: ['s3:GetBucketLogging'],
      scope: 'bucket',
      schema: loggingEnabledSchema.nullable(),
      // The key format is compared only when the reading carries one: S3 keeps
      // it, but emulators (moto) drop it, and S3's own default is SimplePrefix.
      satisfies: (expected, live) =>
        expected === null || live === null
          ? expected === live
          : expected.TargetBucket === live.TargetBucket &&
            expected.TargetPrefix === live.TargetPrefix &&
            (live.TargetObjectKeyFormat === undefined ||
              JSON.stringify(live.TargetObjectKeyFormat) ===
                JSON.stringify(expected.TargetObjectKeyFormat ?? { SimplePrefix: {} })),
      write: ({ bucket }, value) => ({
        service: 's3',
        operation: 'PutBucketLogging',
        input: {
          Bucket: bucket,
          BucketLoggingStatus: value === null ? {} : { LoggingEnabled: value },
        },
      }),
    },
    'logTarget.exists': onLogTarget(bucketFamily.resources['bucket.exists'], 'Log bucket'),
    'logTarget.policy': onLogTarget(
      bucketPolicyFamily.resources['bucket.policy'],
      'Log bucket policy',
    ),
    'logTarget.encryption': onLogTarget(
      encryptionFamily.resources['bucket.encryption'],
      'Log bucket default encryption',
    ),
    'logTarget.objectLock': onLogTarget(
      objectLockFamily.resources['bucket.objectLock'],
      'Log bucket Object Lock',
    ),
    'logTarget.publicAccessBlock': onLogTarget(
      publicAccessBlockFamily.resources['bucket.publicAccessBlock'],
      'Log bucket Block Public Access',
    ),
    'logTarget.ownershipControls': onLogTarget(
      objectOwnershipFamily.resources['bucket.ownershipControls'],
      'Log bucket Object Ownership',
    ),
    'logTarget.acl': onLogTarget(objectOwnershipFamily.resources['bucket.acl'], 'Log bucket ACL'),
    'logTarget.versioning': onLogTarget(
      versioningFamily.resources['bucket.versioning'],
      'Log bucket versioning',
    ),
    'logTarget.lifecycle': onLogTarget(
      lifecycleFamily.resources['bucket.lifecycle'],
      'Log bucket lifecycle',
    ),
    'logTarget.requestPayment': {
      readOnly: true,
      label: 'Log bucket Requester Pays',
      reads: ['s3:GetBucketRequestPayment'],
      scope: 'logTarget',
      schema: z.enum(['BucketOwner', 'Requester']).nullable(),
      write: () => {
        throw new UnwritableValueError('Requester Pays is only read, never written, by s3-harden');
      },
    },
  },
  operations: [
    {
      service: 's3',
      operation: 'GetBucketLogging',
      iamAction: 's3:GetBucketLogging',
      kind: 'read',
      scope: 'bucket',
    },
    {
      service: 's3',
      operation: 'GetBucketRequestPayment',
      iamAction: 's3:GetBucketRequestPayment',
      kind: 'read',
      scope: 'bucket',
    },
    {
      service: 's3',
      operation: 'PutBucketLogging',
      iamAction: 's3:PutBucketLogging',
      kind: 'write',
      scope: 'bucket',
      input: z.strictObject({
        Bucket: bucketName,
        BucketLoggingStatus: z.strictObject({ LoggingEnabled: loggingEnabledSchema.optional() }),
      }),
    },
  ],
};
