// The AWS CLI commands an operator runs when following
// docs/s3-security-guide.txt by hand: the reads behind its audit checklist,
// and the writes that give a bucket the settings of s3-harden's `baseline`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMULATOR_ACCOUNT } from './aws-cli.mjs';

/** Once per account: which buckets there are, and the account's Block Public Access. */
export const ACCOUNT_READS = [
  ['s3api', 'list-buckets'],
  ['s3control', 'get-public-access-block', '--account-id', EMULATOR_ACCOUNT],
];

/** Once per bucket: one command per configuration the checklist asks about. */
export const BUCKET_READS = [
  'get-public-access-block',
  'get-bucket-ownership-controls',
  'get-bucket-encryption',
  'get-bucket-policy',
  'get-bucket-versioning',
  'get-object-lock-configuration',
  'get-bucket-logging',
];

export const bucketReads = (bucket) =>
  BUCKET_READS.map((command) => ['s3api', command, '--bucket', bucket]);

const ALL_BLOCKED = JSON.stringify({
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
});

function denyInsecureTransport(bucket) {
  const resources = [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`];
  const deny = (Sid, Condition) => ({
    Sid,
    Effect: 'Deny',
    Principal: '*',
    Action: ['s3:*'],
    Resource: resources,
    Condition,
  });
  return {
    Version: '2012-10-17',
    Statement: [
      deny('S3HardenDenyInsecureTransport', { Bool: { 'aws:SecureTransport': 'false' } }),
      deny('S3HardenDenyOldTls', { NumericLessThan: { 's3:TlsVersion': '1.2' } }),
    ],
  };
}

function allowLogDelivery(bucket, logBucket) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        // Sids are alphanumeric: baseline drops the bucket name's dots and dashes.
        Sid: `S3HardenAccessLogsFrom${bucket.replace(/[^A-Za-z0-9]/g, '')}`,
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: ['s3:PutObject'],
        Resource: `arn:aws:s3:::${logBucket}/s3-access-logs/*`,
        Condition: {
          ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${bucket}` },
          StringEquals: { 'aws:SourceAccount': EMULATOR_ACCOUNT },
        },
      },
    ],
  };
}

/**
 * The guide's commands for what `s3-harden plan --preset baseline` plans on a
 * fresh bucket, in the guide's order and style (inline JSON, policies from
 * files). The guide has no command for Object Ownership or for the log
 * bucket's policy; they are written the same way. The policy documents are
 * the ones baseline writes, so both sides end in the same state (checked).
 */
export function baselineCommands(bucket, dir) {
  const logBucket = `${bucket}-logs`;
  const policyFile = join(dir, `${bucket}-policy.json`);
  const logPolicyFile = join(dir, `${logBucket}-policy.json`);
  writeFileSync(policyFile, JSON.stringify(denyInsecureTransport(bucket), null, 2));
  writeFileSync(logPolicyFile, JSON.stringify(allowLogDelivery(bucket, logBucket), null, 2));
  const logging = {
    LoggingEnabled: {
      TargetBucket: logBucket,
      TargetPrefix: 's3-access-logs/',
      TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource: 'DeliveryTime' } },
    },
  };
  const encryption = {
    Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
  };
  return [
    [
      's3api',
      'put-public-access-block',
      '--bucket',
      bucket,
      '--public-access-block-configuration',
      ALL_BLOCKED,
    ],
    [
      's3api',
      'put-bucket-encryption',
      '--bucket',
      bucket,
      '--server-side-encryption-configuration',
      JSON.stringify(encryption),
    ],
    [
      's3api',
      'put-bucket-ownership-controls',
      '--bucket',
      bucket,
      '--ownership-controls',
      '{"Rules":[{"ObjectOwnership":"BucketOwnerEnforced"}]}',
    ],
    [
      's3api',
      'put-bucket-versioning',
      '--bucket',
      bucket,
      '--versioning-configuration',
      'Status=Enabled',
    ],
    ['s3api', 'create-bucket', '--bucket', logBucket, '--region', 'us-east-1'],
    ['s3api', 'put-bucket-policy', '--bucket', logBucket, '--policy', `file://${logPolicyFile}`],
    [
      's3api',
      'put-bucket-logging',
      '--bucket',
      bucket,
      '--bucket-logging-status',
      JSON.stringify(logging),
    ],
    ['s3api', 'put-bucket-policy', '--bucket', bucket, '--policy', `file://${policyFile}`],
    [
      's3control',
      'put-public-access-block',
      '--account-id',
      EMULATOR_ACCOUNT,
      '--public-access-block-configuration',
      ALL_BLOCKED,
    ],
  ];
}

/**
 * "s3api put-bucket-policy" → "s3:PutBucketPolicy", to compare with a plan's calls.
 * @param {string[]} args
 */
export function operationOf(args) {
  const [service, command] = args;
  const operation = command.replace(/(^|-)(\w)/g, (_, __, letter) => letter.toUpperCase());
  return `${service === 's3api' ? 's3' : service}:${operation}`;
}
