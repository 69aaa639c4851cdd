// Seeds N buckets in the emulator in mixed states, the way a real account
// looks after years of hand edits: some hardened, most half done. Written
// straight through @aws-sdk/client-s3 (bench/ is outside the app's layering).
// The mix is deterministic (fixed-seed PRNG), so runs compare like with like.
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLoggingCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { EMULATOR_ACCOUNT } from './aws-cli.mjs';
import { mapLimit } from './map-limit.mjs';

const KEY_ARN = `arn:aws:kms:us-east-1:${EMULATOR_ACCOUNT}:key/0b1e5c3a-bench-0000-0000-000000000000`;

/** Bucket names of a fleet of `count`: bench-fleet-0000 … (index 0 receives the logs). */
export function fleetNames(count) {
  return Array.from({ length: count }, (_, i) => `bench-fleet-${String(i).padStart(4, '0')}`);
}

/** mulberry32: a tiny seeded PRNG, so the mix is the same on every run. */
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (random, options) => options[Math.floor(random() * options.length)];

/**
 * The state of bucket `index`: every tenth is fully hardened, the rest draw
 * each control independently. Index 0 is the log target for the others.
 */
export function fleetState(index, random) {
  if (index % 10 === 1) {
    return {
      publicAccessBlock: 'all',
      ownership: 'BucketOwnerEnforced',
      encryption: 'aws:kms',
      policy: 'tls-deny',
      versioning: 'Enabled',
      logging: true,
      objectLock: false,
    };
  }
  return {
    publicAccessBlock: pick(random, ['none', 'partial', 'all']),
    ownership: pick(random, [
      'none',
      'ObjectWriter',
      'BucketOwnerPreferred',
      'BucketOwnerEnforced',
    ]),
    encryption: pick(random, ['none', 'AES256', 'aws:kms', 'aws:kms:dsse']),
    // 'tls-deny-objects-only' is the common gap: the Deny misses the bucket ARN.
    policy: pick(random, ['none', 'tls-deny', 'allow-read', 'tls-deny-objects-only']),
    versioning: pick(random, ['never', 'Enabled', 'Suspended']),
    logging: random() < 0.4,
    objectLock: random() < 0.05,
  };
}

function policyFor(bucket, kind) {
  const both = [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`];
  const tlsDeny = (resources) => ({
    Sid: 'EnforceHTTPS',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: resources,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
  const statements = {
    'tls-deny': [tlsDeny(both)],
    'tls-deny-objects-only': [tlsDeny(`arn:aws:s3:::${bucket}/*`)],
    'allow-read': [
      {
        Sid: 'CrossAccountRead',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::987654321098:root' },
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: both,
      },
    ],
  }[kind];
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** The log target's policy: logging.s3.amazonaws.com may write from this account. */
function logTargetPolicy(bucket) {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'S3ServerAccessLogs',
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: { StringEquals: { 'aws:SourceAccount': EMULATOR_ACCOUNT } },
      },
    ],
  });
}

export function benchS3Client(endpoint) {
  // Node 20 is supported by the pinned SDK; its notice would only clutter the report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

async function seedBucket(s3, bucket, state, logTarget) {
  const send = (Command, input) => s3.send(new Command({ Bucket: bucket, ...input }));
  await send(CreateBucketCommand, state.objectLock ? { ObjectLockEnabledForBucket: true } : {});
  if (state.publicAccessBlock !== 'none') {
    const all = state.publicAccessBlock === 'all';
    await send(PutPublicAccessBlockCommand, {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: all,
        RestrictPublicBuckets: all,
      },
    });
  }
  if (state.ownership !== 'none') {
    await send(PutBucketOwnershipControlsCommand, {
      OwnershipControls: { Rules: [{ ObjectOwnership: state.ownership }] },
    });
  }
  if (state.encryption !== 'none') {
    const kms = state.encryption !== 'AES256';
    await send(PutBucketEncryptionCommand, {
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: state.encryption,
              ...(kms ? { KMSMasterKeyID: KEY_ARN } : {}),
            },
            BucketKeyEnabled: state.encryption === 'aws:kms',
          },
        ],
      },
    });
  }
  if (state.policy !== 'none')
    await send(PutBucketPolicyCommand, { Policy: policyFor(bucket, state.policy) });
  if (state.versioning !== 'never' && !state.objectLock) {
    await send(PutBucketVersioningCommand, {
      VersioningConfiguration: { Status: state.versioning },
    });
  }
  if (state.logging) {
    await send(PutBucketLoggingCommand, {
      BucketLoggingStatus: {
        LoggingEnabled: { TargetBucket: logTarget, TargetPrefix: `logs/${bucket}/` },
      },
    });
  }
}

/**
 * Creates `count` buckets in mixed states; returns their names and a tally of
 * the states (printed with the results, so a reader sees what was audited).
 */
export async function seedFleet(endpoint, count, { concurrency = 8 } = {}) {
  const names = fleetNames(count);
  const random = prng(20261128);
  const states = names.map((_, i) => fleetState(i, random));
  const s3 = benchS3Client(endpoint);
  try {
    // The log target first: every other bucket's logging points at it.
    const [logTarget] = names;
    await s3.send(new CreateBucketCommand({ Bucket: logTarget }));
    await s3.send(
      new PutBucketPolicyCommand({ Bucket: logTarget, Policy: logTargetPolicy(logTarget) }),
    );
    await mapLimit(names.slice(1), concurrency, (bucket, i) =>
      seedBucket(s3, bucket, states[i + 1], logTarget),
    );
  } finally {
    s3.destroy();
  }
  const tally = (key, value) => states.slice(1).filter((state) => state[key] === value).length;
  return {
    names,
    summary:
      `${count} buckets: ${tally('publicAccessBlock', 'all')} with Block Public Access all on,` +
      ` ${states.length - 1 - tally('encryption', 'none')} with default encryption set,` +
      ` ${tally('policy', 'tls-deny')} with a complete TLS deny,` +
      ` ${tally('versioning', 'Enabled')} versioned, ${tally('logging', true)} logging,` +
      ` ${tally('objectLock', true)} with Object Lock (bucket 0 is the log target)`,
  };
}
