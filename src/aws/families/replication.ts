/**
 * The AWS half of the replication family.
 *
 * - bucket.replication: GetBucketReplication, normalised to the role and
 *   each rule's destination and SSE-KMS selection.
 * - bucket.replicationTargets: GetBucketReplication again (a memoised run
 *   sends it once), then for each destination bucket of an enabled rule
 *   GetObjectLockConfiguration, and for a KMS default encryption
 *   GetBucketEncryption, DescribeKey and (customer managed) GetKeyPolicy. A
 *   destination or key that cannot be read keeps the reason: the audit says
 *   "unknown", the Object Lock step warns, neither guesses.
 */
import { GetBucketReplicationCommand } from '@aws-sdk/client-s3';
import type { Target } from '../../plan/model/types.js';
import type { PolicyDocument } from '../../plan/policy/document.js';
import {
  type DestinationLock,
  destinationBuckets,
  MAX_DESTINATIONS,
  type ReplicationRule,
  type ReplicationTargets,
  type ReplicationValue,
  type SourceKey,
} from '../../plan/resources/replication.js';
import { extractEncryption } from './encryption.js';
import type { AwsFamily, ReadSend } from './family.js';
import { objectLock } from './object-lock.js';
import { policyFromOutput } from './policy.js';

interface RawRule {
  ID?: unknown;
  Status?: unknown;
  Destination?: {
    Bucket?: unknown;
    Account?: unknown;
    StorageClass?: unknown;
    EncryptionConfiguration?: { ReplicaKmsKeyID?: unknown };
  };
  SourceSelectionCriteria?: { SseKmsEncryptedObjects?: { Status?: unknown } };
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';

function rule(raw: RawRule): ReplicationRule | null {
  const destination = raw.Destination;
  if (!nonEmpty(destination?.Bucket)) return null;
  const kms = raw.SourceSelectionCriteria?.SseKmsEncryptedObjects?.Status;
  const replicaKey = destination.EncryptionConfiguration?.ReplicaKmsKeyID;
  return {
    ...(nonEmpty(raw.ID) ? { ID: raw.ID } : {}),
    Status: raw.Status === 'Enabled' ? 'Enabled' : 'Disabled',
    Destination: {
      Bucket: destination.Bucket,
      ...(nonEmpty(destination.Account) ? { Account: destination.Account } : {}),
      ...(nonEmpty(destination.StorageClass) ? { StorageClass: destination.StorageClass } : {}),
      ...(nonEmpty(replicaKey) ? { ReplicaKmsKeyID: replicaKey } : {}),
    },
    ...(kms === 'Enabled' || kms === 'Disabled' ? { SseKmsEncryptedObjects: kms } : {}),
  };
}

/** The replication role and rules, or null when the bucket does not replicate (or names no role). */
export function replication(output: Record<string, unknown>): ReplicationValue | null {
  const configuration = output.ReplicationConfiguration as
    | { Role?: unknown; Rules?: RawRule[] }
    | undefined;
  const role = configuration?.Role;
  if (!nonEmpty(role)) return null;
  const rules = (configuration?.Rules ?? [])
    .map(rule)
    .filter((item): item is ReplicationRule => item !== null);
  return { Role: role, Rules: rules };
}

/** Kept to the first line: a reason is shown on one line. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').slice(0, 2000);
}

async function destinationLock(bucket: string, send: ReadSend): Promise<DestinationLock> {
  try {
    const output = await send({
      service: 's3',
      operation: 'GetObjectLockConfiguration',
      input: { Bucket: bucket },
    });
    return { bucket, objectLock: objectLock(output) !== null };
  } catch (error) {
    if ((error as { absent?: boolean }).absent) return { bucket, objectLock: false };
    return { bucket, objectLock: null, reason: reasonOf(error) };
  }
}

/** The bucket's default-encryption KMS key, its manager and policy; null without KMS. */
async function sourceKey(target: Target, send: ReadSend): Promise<SourceKey | null> {
  let output: Record<string, unknown>;
  try {
    output = await send({
      service: 's3',
      operation: 'GetBucketEncryption',
      input: { Bucket: target.bucket },
    });
  } catch (error) {
    if ((error as { absent?: boolean }).absent) return null;
    throw error;
  }
  const byDefault = extractEncryption(output)?.Rules.find(
    (item) => item.ApplyServerSideEncryptionByDefault,
  )?.ApplyServerSideEncryptionByDefault;
  if (!byDefault || byDefault.SSEAlgorithm === 'AES256') return null;
  const keyId = byDefault.KMSMasterKeyID;
  // No key named: S3 uses the AWS managed key aws/s3, whose policy defers to IAM.
  if (typeof keyId !== 'string') return { keyId: 'alias/aws/s3', manager: 'AWS' };
  let metadata: { Arn?: unknown; KeyManager?: unknown } | undefined;
  try {
    const described = await send({
      service: 'kms',
      operation: 'DescribeKey',
      input: { KeyId: keyId },
    });
    metadata = described.KeyMetadata as typeof metadata;
  } catch (error) {
    return { keyId, reason: reasonOf(error) };
  }
  const arn = nonEmpty(metadata?.Arn) ? metadata.Arn : undefined;
  const manager: SourceKey['manager'] =
    metadata?.KeyManager === 'AWS' || metadata?.KeyManager === 'CUSTOMER'
      ? metadata.KeyManager
      : undefined;
  const known: SourceKey = { keyId, ...(arn ? { arn } : {}), ...(manager ? { manager } : {}) };
  if (manager !== 'CUSTOMER') return known;
  let policy: PolicyDocument | null;
  try {
    const read = await send({
      service: 'kms',
      operation: 'GetKeyPolicy',
      input: { KeyId: arn ?? keyId, PolicyName: 'default' },
    });
    policy = policyFromOutput(read, 'key policy');
  } catch (error) {
    return { ...known, reason: reasonOf(error) };
  }
  return policy ? { ...known, policy } : { ...known, reason: 'the key policy came back empty' };
}

async function readTargets(target: Target, send: ReadSend): Promise<ReplicationTargets | null> {
  // Absent ("not found") ends the read as null: the bucket does not replicate.
  const value = replication(
    await send({
      service: 's3',
      operation: 'GetBucketReplication',
      input: { Bucket: target.bucket },
    }),
  );
  if (!value) return null;
  const buckets = destinationBuckets(value).slice(0, MAX_DESTINATIONS);
  const [destinations, key] = await Promise.all([
    Promise.all(buckets.map((bucket) => destinationLock(bucket, send))),
    sourceKey(target, send),
  ]);
  return { destinations, key };
}

export const replicationAws: AwsFamily = {
  commands: { s3: { GetBucketReplication: GetBucketReplicationCommand } },
  readers: {
    'bucket.replication': {
      call: ({ bucket }) => ({
        service: 's3',
        operation: 'GetBucketReplication',
        input: { Bucket: bucket },
      }),
      extract: replication,
    },
    'bucket.replicationTargets': { query: readTargets },
  },
};
