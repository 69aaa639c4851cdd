/**
 * Read-only: the bucket's replication configuration, as far as hardening can
 * break it, and what that replication depends on elsewhere.
 *
 * - `bucket.replication`: the role S3 replication acts through and each
 *   rule's destination (bucket ARN, account, storage class, the replica KMS
 *   key) and whether it replicates SSE-KMS objects. The bucket policy's
 *   network Denies let the role through by ARN: S3 makes replication's reads
 *   with that role from AWS's own network, through none of your VPC
 *   endpoints or IP ranges, and it is neither a service principal nor a
 *   forward access session. A created KMS key's policy lets it decrypt.
 * - `bucket.replicationTargets` (volatile): each destination bucket's Object
 *   Lock (locked objects replicate only into a bucket with Object Lock), and
 *   the policy of the source's default-encryption KMS key (the role must be
 *   able to decrypt what it replicates). A destination of another account is
 *   often unreadable: the reason is kept, and the verdict is "unknown".
 *
 * Neither is ever written: a plan never changes replication, it keeps it working.
 */
import * as z from 'zod';
import type { PolicyDocument } from '../policy/document.js';
import { policyDocumentSchema } from './policy.js';
import type { ResourceFamily } from './spec.js';
import { UnwritableValueError } from './unwritable.js';

export interface ReplicationDestination {
  /** The destination bucket's ARN, as the rule names it. */
  readonly Bucket: string;
  /** The account that owns it, when the rule names one. */
  readonly Account?: string;
  readonly StorageClass?: string;
  /** EncryptionConfiguration.ReplicaKmsKeyID: the key replicas of SSE-KMS objects get. */
  readonly ReplicaKmsKeyID?: string;
}

export interface ReplicationRule {
  readonly ID?: string;
  readonly Status: 'Enabled' | 'Disabled';
  readonly Destination: ReplicationDestination;
  /**
   * SourceSelectionCriteria.SseKmsEncryptedObjects.Status. S3 replicates
   * objects encrypted with SSE-KMS or DSSE-KMS only when it is Enabled (and
   * the rule names a ReplicaKmsKeyID); absent: not set.
   */
  readonly SseKmsEncryptedObjects?: 'Enabled' | 'Disabled';
}

export interface ReplicationValue {
  /** The IAM role replication assumes. */
  readonly Role: string;
  readonly Rules: readonly ReplicationRule[];
}

/** One destination bucket's Object Lock, or why it is not known. */
export interface DestinationLock {
  /** The destination bucket's name. */
  readonly bucket: string;
  /** null: not known (`reason` says why). */
  readonly objectLock: boolean | null;
  readonly reason?: string;
}

/** The source's default-encryption KMS key, as replication needs it. */
export interface SourceKey {
  /** As default encryption names it (alias/aws/s3 when it names none). */
  readonly keyId: string;
  readonly arn?: string;
  readonly manager?: 'AWS' | 'CUSTOMER';
  /** A customer-managed key's policy. */
  readonly policy?: PolicyDocument;
  /** Why the manager or the policy is not known. */
  readonly reason?: string;
}

export interface ReplicationTargets {
  /** Each destination of an enabled rule, once. */
  readonly destinations: readonly DestinationLock[];
  /** null: default encryption uses no KMS key. */
  readonly key: SourceKey | null;
}

export interface ReplicationValues {
  /** null = the bucket does not replicate. */
  'bucket.replication': ReplicationValue | null;
  /** null = the bucket does not replicate. */
  'bucket.replicationTargets': ReplicationTargets | null;
}

/** At most this many destination buckets are read (S3 allows one per rule). */
export const MAX_DESTINATIONS = 20;

/** The bucket name out of a destination's ARN (arn:aws:s3:::name), or the value as it is. */
export function destinationBucket(arn: string): string {
  const at = arn.indexOf(':::');
  return at >= 0 ? arn.slice(at + 3) : arn;
}

/** The rules that replicate now. */
export function enabledRules(value: ReplicationValue | null | undefined): ReplicationRule[] {
  return (value?.Rules ?? []).filter((rule) => rule.Status === 'Enabled');
}

/** The destination bucket names of the enabled rules, once each, in rule order. */
export function destinationBuckets(value: ReplicationValue | null | undefined): string[] {
  return [
    ...new Set(enabledRules(value).map((rule) => destinationBucket(rule.Destination.Bucket))),
  ];
}

/** "rule ID" or "rule #n" (1-based), for messages. */
export function ruleLabel(value: ReplicationValue, rule: ReplicationRule): string {
  return rule.ID ? `rule ${JSON.stringify(rule.ID)}` : `rule #${value.Rules.indexOf(rule) + 1}`;
}

const text = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^\P{Cc}*$/u, 'must not contain control characters');

export const replicationRuleSchema = z.strictObject({
  ID: text(255).optional(),
  Status: z.enum(['Enabled', 'Disabled']),
  Destination: z.strictObject({
    Bucket: text(2048).min(1),
    Account: z
      .string()
      .regex(/^\d{12}$/)
      .optional(),
    StorageClass: text(64).optional(),
    ReplicaKmsKeyID: text(2048).optional(),
  }),
  SseKmsEncryptedObjects: z.enum(['Enabled', 'Disabled']).optional(),
});

export const replicationValueSchema = z.strictObject({
  Role: z.string().regex(/^arn:[\w-]+:iam::\d{12}:role\/\S{1,512}$/),
  Rules: z.array(replicationRuleSchema).max(1000),
});

export const replicationTargetsSchema = z.strictObject({
  destinations: z
    .array(
      z.strictObject({
        bucket: text(2048),
        objectLock: z.boolean().nullable(),
        reason: text(2000).optional(),
      }),
    )
    .max(MAX_DESTINATIONS),
  key: z
    .strictObject({
      keyId: text(2048),
      arn: text(2048).optional(),
      manager: z.enum(['AWS', 'CUSTOMER']).optional(),
      policy: policyDocumentSchema.optional(),
      reason: text(2000).optional(),
    })
    .nullable(),
});

const readOnly = (what: string) => () => {
  throw new UnwritableValueError(`${what} is read-only: a plan never changes it`);
};

export const replicationFamily: ResourceFamily<ReplicationValues> = {
  resources: {
    'bucket.replication': {
      readOnly: true,
      label: 'Replication',
      reads: ['s3:GetBucketReplication'],
      scope: 'bucket',
      schema: replicationValueSchema.nullable(),
      write: readOnly('Replication'),
    },
    'bucket.replicationTargets': {
      readOnly: true,
      // Other buckets' settings and a key policy: judged again at every
      // read, never a reason to call a saved plan stale.
      volatile: true,
      label: 'Replication destinations and key',
      reads: [
        's3:GetBucketReplication',
        's3:GetObjectLockConfiguration',
        's3:GetBucketEncryption',
        'kms:DescribeKey',
        'kms:GetKeyPolicy',
      ],
      scope: 'bucket',
      schema: replicationTargetsSchema.nullable(),
      write: readOnly('What replication depends on'),
    },
  },
  operations: [
    {
      service: 's3',
      operation: 'GetBucketReplication',
      iamAction: 's3:GetReplicationConfiguration',
      kind: 'read',
      scope: 'bucket',
    },
  ],
};
