import {
  GetBucketLoggingCommand,
  GetBucketRequestPaymentCommand,
  PutBucketLoggingCommand,
} from '@aws-sdk/client-s3';
import type { LoggingEnabled } from '../../plan/resources/logging.js';
import { logBucketOf } from '../../plan/resources/logging.js';
import { bucketAws } from './bucket.js';
import { encryptionAws } from './encryption.js';
import type { AwsFamily, Reader } from './family.js';
import { lifecycleAws } from './lifecycle.js';
import { objectLockAws } from './object-lock.js';
import { objectOwnershipAws } from './object-ownership.js';
import { bucketPolicyAws } from './policy.js';
import { publicAccessBlockAws } from './public-access-block.js';
import { versioningAws } from './versioning.js';

/** A bucket reader, pointed at the log target bucket instead. */
function onLogTarget(reader: Reader | undefined): Reader {
  if (!reader) throw new Error('missing bucket reader for the log target');
  if ('query' in reader) {
    return {
      query: (target, send) => reader.query({ ...target, bucket: logBucketOf(target) }, send),
    };
  }
  return {
    call: (target) => reader.call({ ...target, bucket: logBucketOf(target) }),
    extract: reader.extract,
  };
}

/** Keeps the fields the plan compares; a bucket without logging reads as null. */
function logging(output: Record<string, unknown>): LoggingEnabled | null {
  const enabled = output.LoggingEnabled as Record<string, unknown> | undefined;
  if (!enabled || typeof enabled.TargetBucket !== 'string') return null;
  const format = enabled.TargetObjectKeyFormat as
    | { SimplePrefix?: unknown; PartitionedPrefix?: { PartitionDateSource?: string } }
    | undefined;
  const source = format?.PartitionedPrefix?.PartitionDateSource;
  return {
    TargetBucket: enabled.TargetBucket,
    TargetPrefix: typeof enabled.TargetPrefix === 'string' ? enabled.TargetPrefix : '',
    ...(format?.PartitionedPrefix
      ? {
          TargetObjectKeyFormat: {
            PartitionedPrefix: {
              PartitionDateSource: source === 'DeliveryTime' ? 'DeliveryTime' : 'EventTime',
            },
          },
        }
      : format?.SimplePrefix
        ? { TargetObjectKeyFormat: { SimplePrefix: {} } }
        : {}),
  };
}

export const loggingAws: AwsFamily = {
  commands: {
    s3: {
      GetBucketLogging: GetBucketLoggingCommand,
      PutBucketLogging: PutBucketLoggingCommand,
      GetBucketRequestPayment: GetBucketRequestPaymentCommand,
    },
  },
  readers: {
    'bucket.logging': {
      call: ({ bucket }) => ({
        service: 's3',
        operation: 'GetBucketLogging',
        input: { Bucket: bucket },
      }),
      extract: logging,
    },
    'logTarget.exists': onLogTarget(bucketAws.readers['bucket.exists']),
    'logTarget.policy': onLogTarget(bucketPolicyAws.readers['bucket.policy']),
    'logTarget.encryption': onLogTarget(encryptionAws.readers['bucket.encryption']),
    'logTarget.objectLock': onLogTarget(objectLockAws.readers['bucket.objectLock']),
    'logTarget.publicAccessBlock': onLogTarget(
      publicAccessBlockAws.readers['bucket.publicAccessBlock'],
    ),
    'logTarget.ownershipControls': onLogTarget(
      objectOwnershipAws.readers['bucket.ownershipControls'],
    ),
    'logTarget.acl': onLogTarget(objectOwnershipAws.readers['bucket.acl']),
    'logTarget.versioning': onLogTarget(versioningAws.readers['bucket.versioning']),
    'logTarget.lifecycle': onLogTarget(lifecycleAws.readers['bucket.lifecycle']),
    'logTarget.requestPayment': {
      call: (target) => ({
        service: 's3',
        operation: 'GetBucketRequestPayment',
        input: { Bucket: logBucketOf(target) },
      }),
      extract: (output) => (output.Payer === 'Requester' ? 'Requester' : 'BucketOwner'),
    },
  },
};
