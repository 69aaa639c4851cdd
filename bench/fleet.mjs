// Seeds N buckets in the emulator in mixed states, the way a real account
// looks after years of hand edits: some hardened, most half done. Written
// straight through @aws-sdk/client-s3 (bench/ is outside the app's layering).
// The mix is deterministic (fixed-seed PRNG), so runs compare like with like.
// Spread over member accounts (`accounts`), each gets its share of the names
// in order, seeded through a role assumed there: moto answers an assumed
// role's credentials as that account, as AWS would.
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
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { EMULATOR_ACCOUNT } from './aws-cli.mjs';
import { mapLimit } from './map-limit.mjs';

const keyArn = (account) =>
  `arn:aws:kms:us-east-1:${account}:key/0b1e5c3a-bench-0000-0000-000000000000`;

/** The member accounts of a multi-account bench run: 200000000001, 200000000002, … */
export function memberAccounts(count) {
  return Array.from({ length: count }, (_, i) => String(200_000_000_001 + i));
}

/**
 * How `names` are shared among `accounts` accounts: in order, as evenly as
 * whole buckets allow (1,000 over 3: 333, 333, 334).
 */
export function splitNames(names, accounts) {
  return Array.from({ length: accounts }, (_, k) =>
    names.slice(
      Math.floor((k * names.length) / accounts),
      Math.floor(((k + 1) * names.length) / accounts),
    ),
  );
}

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
function logTargetPolicy(bucket, account) {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'S3ServerAccessLogs',
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: { StringEquals: { 'aws:SourceAccount': account } },
      },
    ],
  });
}

/** The emulator's default account's credentials (the bench's caller). */
const CALLER = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export function benchS3Client(endpoint, credentials = CALLER) {
  // Node 20 is supported by the pinned SDK; its notice would only clutter the report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
}

/** Credentials in `account`: the role `roleName` there, assumed by the bench's caller. */
export async function assumeIn(endpoint, account, roleName = 'bench-seed') {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const sts = new STSClient({ endpoint, region: 'us-east-1', credentials: CALLER });
  try {
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/${roleName}`,
        RoleSessionName: 'bench',
      }),
    );
    return {
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretAccessKey ?? '',
      sessionToken: Credentials?.SessionToken ?? '',
    };
  } finally {
    sts.destroy();
  }
}

async function seedBucket(s3, bucket, state, logTarget, account) {
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
              ...(kms ? { KMSMasterKeyID: keyArn(account) } : {}),
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

/** One account's share: its first bucket the log target of the others. */
async function seedAccount(s3, names, states, account, concurrency) {
  const [logTarget] = names;
  await s3.send(new CreateBucketCommand({ Bucket: logTarget }));
  await s3.send(
    new PutBucketPolicyCommand({ Bucket: logTarget, Policy: logTargetPolicy(logTarget, account) }),
  );
  await mapLimit(names.slice(1), concurrency, (bucket, i) =>
    seedBucket(s3, bucket, states[i + 1], logTarget, account),
  );
}

/**
 * Creates `count` buckets in mixed states, in the emulator's default account
 * or shared among member `accounts` (IDs); returns their names, each
 * account's, and a tally of the states (printed with the results, so a
 * reader sees what was audited).
 */
export async function seedFleet(endpoint, count, { concurrency = 8, accounts } = {}) {
  const names = fleetNames(count);
  const random = prng(20261128);
  const states = names.map((_, i) => fleetState(i, random));
  const owners = accounts?.length ? accounts : [EMULATOR_ACCOUNT];
  const shares = splitNames(names, owners.length);
  let start = 0;
  for (const [k, account] of owners.entries()) {
    const share = shares[k];
    const s3 = benchS3Client(
      endpoint,
      accounts?.length ? await assumeIn(endpoint, account) : CALLER,
    );
    try {
      await seedAccount(s3, share, states.slice(start, start + share.length), account, concurrency);
    } finally {
      s3.destroy();
    }
    start += share.length;
  }
  const logTargets = new Set(shares.map((share) => share[0]));
  const seeded = states.filter((_, i) => !logTargets.has(names[i]));
  const tally = (key, value) => seeded.filter((state) => state[key] === value).length;
  const over = accounts?.length
    ? ` over ${owners.length} accounts (${shares.map((share) => share.length).join(', ')})`
    : '';
  return {
    names,
    accounts: owners.map((account, k) => ({ id: account, names: shares[k] })),
    summary:
      `${count} buckets${over}: ${tally('publicAccessBlock', 'all')} with Block Public Access all on,` +
      ` ${seeded.length - tally('encryption', 'none')} with default encryption set,` +
      ` ${tally('policy', 'tls-deny')} with a complete TLS deny,` +
      ` ${tally('versioning', 'Enabled')} versioned, ${tally('logging', true)} logging,` +
      ` ${tally('objectLock', true)} with Object Lock` +
      (accounts?.length
        ? ' (the first bucket of each account is its log target)'
        : ' (bucket 0 is the log target)'),
  };
}
