/**
 * Default encryption and Object Lock's default retention apply to objects
 * written after they change: what is already in the bucket keeps the
 * encryption it was written with, and no retention. The changes that set
 * them say so, with how many objects that is and the exact S3 Batch
 * Operations job that brings them in line (`aws s3control create-job` with
 * a manifest generated from the bucket itself, filtered to what needs it).
 *
 * The count is Macie's statistics of the bucket when the Macie step read
 * them (`bucket.objectStats`), else one listing page (`bucket.objectCount`:
 * "1,000 or more" past its 1,000 keys). An empty bucket needs no note.
 *
 * The jobs run as pasted once two shell variables are set: BATCH_ROLE_ARN,
 * a role S3 Batch Operations may assume, and REPORT_BUCKET, where its
 * completion report goes (failed tasks only).
 */
import type { Posture } from '../plan/model/types.js';
import { partitionOf } from '../plan/policy/statements.js';
import type { DefaultRetention } from '../plan/resources/object-lock.js';

export interface ObjectCount {
  readonly count: number;
  /** The count is a lower bound (the listing had more). */
  readonly atLeast: boolean;
}

/** How many objects the bucket holds, or why that is not known. */
export function existingObjects(
  posture: Pick<Posture, 'values' | 'unreadable'>,
): ObjectCount | { readonly unknown: string } {
  const stats = posture.values['bucket.objectStats'];
  if (stats !== undefined) {
    return stats === null
      ? { count: 0, atLeast: false }
      : { count: stats.objectCount, atLeast: stats.truncated };
  }
  const listed = posture.values['bucket.objectCount'];
  if (listed !== undefined) {
    return listed === null
      ? { count: 0, atLeast: false }
      : { count: listed.objectCount, atLeast: listed.truncated };
  }
  return {
    unknown:
      posture.unreadable['bucket.objectCount'] ??
      posture.unreadable['bucket.objectStats'] ??
      'not read',
  };
}

/** "the 1,234 existing objects", "the 1,000 or more existing objects", "the existing object". */
export function describeCount(count: ObjectCount): string {
  const number = count.count.toLocaleString('en-US');
  if (count.atLeast) return `the ${number} or more existing objects`;
  return count.count === 1 ? 'the existing object' : `the ${number} existing objects`;
}

/** The objects the note is about, or null when there are none. */
function subject(posture: Pick<Posture, 'values' | 'unreadable'>): string | null {
  const count = existingObjects(posture);
  if ('unknown' in count) {
    return count.unknown === 'not read'
      ? 'the existing objects (their number was not read)'
      : `the existing objects (their number could not be read: ${count.unknown})`;
  }
  if (count.count === 0 && !count.atLeast) return null;
  return describeCount(count);
}

/** How to fill in the job's two shell variables, given what the role needs. */
function variables(permissions: string): string {
  return `with BATCH_ROLE_ARN set to a role S3 Batch Operations can assume (${permissions}) and REPORT_BUCKET to a bucket for its report`;
}

/** A JSON value as one single-quoted shell word; `$NAME` inside it is left to the shell. */
function shellJson(value: unknown): string {
  const json = JSON.stringify(value).replace(/'/g, `'\\''`);
  return `'${json.replace(/\$([A-Z][A-Z0-9_]*)/g, `'"$$$1"'`)}'`;
}

interface Where {
  readonly accountId: string;
  readonly region: string;
  readonly bucket: string;
}

function bucketArn(where: Where, bucket: string): string {
  return `arn:${partitionOf(where.region)}:s3:::${bucket}`;
}

/** `aws s3control create-job` running `operation` on the objects the filter picks. */
function createJob(where: Where, operation: unknown, filter: unknown): string {
  const generator = {
    S3JobManifestGenerator: {
      ExpectedBucketOwner: where.accountId,
      SourceBucket: bucketArn(where, where.bucket),
      EnableManifestOutput: false,
      Filter: filter,
    },
  };
  const report = {
    Bucket: bucketArn(where, '$REPORT_BUCKET'),
    Format: 'Report_CSV_20180820',
    Enabled: true,
    Prefix: `s3-harden/${where.bucket}`,
    ReportScope: 'FailedTasksOnly',
  };
  return [
    'aws s3control create-job',
    `--account-id ${where.accountId}`,
    `--region ${where.region}`,
    `--operation ${shellJson(operation)}`,
    `--manifest-generator ${shellJson(generator)}`,
    `--report ${shellJson(report)}`,
    '--priority 10',
    '--role-arn "$BATCH_ROLE_ARN"',
    '--no-confirmation-required',
  ].join(' ');
}

/** What the new default encryption is, as the re-encryption job needs it. */
export type NewEncryption =
  | { readonly algorithm: 'AES256' }
  | {
      readonly algorithm: 'aws:kms' | 'aws:kms:dsse';
      /** The key's ARN; absent: `lookup` names it (a created key, an alias). */
      readonly keyArn?: string;
      /** What `aws kms describe-key --key-id` takes to find its ARN. */
      readonly lookup?: string;
      readonly bucketKey: boolean;
      /** The KMS key of the encryption before, when it named one by ARN: its objects are picked too. */
      readonly previousKeyArn?: string;
    };

/**
 * The note for a change of default encryption: it applies to new objects
 * only, how many objects keep the old one, and the job that re-encrypts
 * them. Null for an empty bucket.
 */
export function encryptionNote(posture: Posture, next: NewEncryption): string | null {
  const objects = subject(posture);
  if (objects === null) return null;
  const keep = objects === 'the existing object' ? 'keeps' : 'keep';
  const head = `applies to new objects only: ${objects} ${keep} the encryption they were written with`;
  const target = bucketArn(posture, posture.bucket);
  if (next.algorithm === 'AES256') {
    const operation = {
      S3PutObjectCopy: {
        TargetResource: target,
        MetadataDirective: 'COPY',
        NewObjectMetadata: { SSEAlgorithm: 'AES256' },
      },
    };
    const job = createJob(posture, operation, { MatchAnyObjectEncryption: [{ NOTSSE: {} }] });
    return `${head}; to encrypt the unencrypted ones, run this S3 Batch Operations job, a copy in place (each copy is a new version; objects over 5 GB are skipped), ${variables('s3:GetObject* and s3:PutObject* on the bucket')}: ${job}`;
  }
  const key = next.keyArn ?? '$KMS_KEY_ARN';
  const prelude = next.keyArn
    ? ''
    : `KMS_KEY_ARN=$(aws kms describe-key --key-id ${next.lookup ?? 'alias/aws/s3'} --region ${posture.region} --query KeyMetadata.Arn --output text) && `;
  if (next.algorithm === 'aws:kms:dsse') {
    const id = next.keyArn ?? '"$KMS_KEY_ARN"';
    return `${head}; S3 Batch Operations cannot copy into DSSE-KMS (its copy takes AES256 or KMS only): rewrite each object in place with ${prelude}aws s3api copy-object --bucket ${posture.bucket} --key KEY --copy-source ${posture.bucket}/KEY --metadata-directive COPY --server-side-encryption aws:kms:dsse --ssekms-key-id ${id}`;
  }
  const operation = {
    S3PutObjectCopy: {
      TargetResource: target,
      MetadataDirective: 'COPY',
      NewObjectMetadata: { SSEAlgorithm: 'KMS' },
      SSEAwsKmsKeyId: key,
      BucketKeyEnabled: next.bucketKey,
    },
  };
  const filter = {
    MatchAnyObjectEncryption: [
      { NOTSSE: {} },
      { SSES3: {} },
      ...(next.previousKeyArn && next.previousKeyArn !== next.keyArn
        ? [{ SSEKMS: { KmsKeyArn: next.previousKeyArn } }]
        : []),
    ],
  };
  return `${head}; to re-encrypt them, run this S3 Batch Operations job, a copy in place (each copy is a new version; objects over 5 GB are skipped), ${variables('s3:GetObject* and s3:PutObject* on the bucket, kms:Decrypt and kms:GenerateDataKey on the keys')}: ${prelude}${createJob(posture, operation, filter)}`;
}

/** The end of the default retention period for an object written at `from`, as S3 takes a date. */
export function retainUntil(from: string, retention: DefaultRetention): string {
  const date = new Date(from);
  if (Number.isNaN(date.getTime())) return from;
  if (retention.Days !== undefined) date.setUTCDate(date.getUTCDate() + retention.Days);
  else date.setUTCFullYear(date.getUTCFullYear() + (retention.Years ?? 0));
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * The note for a new default retention: it locks object versions written
 * from now on; the existing ones keep what they have, and the job that
 * locks them until the same date from the plan's reading. Null for an
 * empty bucket.
 */
export function retentionNote(posture: Posture, retention: DefaultRetention): string | null {
  const objects = subject(posture);
  if (objects === null) return null;
  const until = retainUntil(posture.observedAt, retention);
  const operation = {
    S3PutObjectRetention: { Retention: { Mode: retention.Mode, RetainUntilDate: until } },
  };
  // Only what is there now: later objects get the default retention anyway.
  const job = createJob(posture, operation, { CreatedBefore: posture.observedAt });
  const irreversible =
    retention.Mode === 'COMPLIANCE' ? ' (under COMPLIANCE no one can shorten that either)' : '';
  return `the default retention applies to object versions written from now on: ${objects} keep the retention they have (none, unless set per object); to lock them until ${until} too${irreversible}, run this S3 Batch Operations job, ${variables('s3:PutObjectRetention on the bucket')}: ${job}`;
}
