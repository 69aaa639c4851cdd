/**
 * The plans the traffic matrix judges: every preset, each option of the
 * bucket-policy step alone and combined, on fixture buckets that already
 * carry statements someone else wrote. Plans come from buildPlan over
 * synthetic postures (no emulator: the emulator never evaluates a policy),
 * exactly as `plan` and the wizard make them.
 */

import type {
  Plan,
  Posture,
  PostureValues,
  Preset,
  ResourceKey,
} from '../../src/plan/model/types.js';
import type { PolicyDocument } from '../../src/plan/policy/document.js';
import type { BucketPolicyAnswers } from '../../src/steps/bucket-policy.js';
import {
  type Answers,
  buildPlan,
  defaultAnswers,
  plannedValues,
  readsFor,
  relatedBucketFor,
  stepsForPreset,
} from '../../src/steps/index.js';

export const ACCOUNT = '123456789012';
export const PARTNER_ACCOUNT = '222233334444';
export const REGION = 'us-east-1';
export const BUCKET = 'app-data';
export const LOG_BUCKET = `${BUCKET}-logs`;
export const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
export const OPERATOR = `arn:aws:iam::${ACCOUNT}:user/operator`;
export const VPCE = 'vpce-0123456789abcdef0';
export const OFFICE_CIDR = '203.0.113.0/24';
export const DISTRIBUTION = `arn:aws:cloudfront::${ACCOUNT}:distribution/EDFDVBD6EXAMPLE`;
export const READER_ROLE = `arn:aws:iam::${ACCOUNT}:role/Reader`;
export const REPLICATION_ROLE = `arn:aws:iam::${ACCOUNT}:role/s3-replication`;
export const PINNED_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
/** Another bucket that already sends its access logs into the fixture bucket. */
export const OTHER_SOURCE = 'web-frontend';

/** A bucket as it is before the plan: what someone else already set. */
export interface Fixture {
  readonly id: string;
  readonly description: string;
  readonly policy: PolicyDocument | null;
  /** The replication role of the bucket's replication configuration, if any. */
  readonly replicationRole?: string;
}

const objects = `${BUCKET_ARN}/*`;

export const FIXTURES: readonly Fixture[] = [
  { id: 'open', description: 'nothing configured', policy: null },
  {
    id: 'shared',
    description: 'a CloudFront OAC grant, a partner account (no Sid), a foreign Deny, replication',
    replicationRole: REPLICATION_ROLE,
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AllowCloudFrontServicePrincipal',
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: 's3:GetObject',
          Resource: objects,
          Condition: { StringEquals: { 'AWS:SourceArn': DISTRIBUTION } },
        },
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${PARTNER_ACCOUNT}:root` },
          Action: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
          Resource: objects,
        },
        {
          Sid: 'DenyObjectDeletionExceptAdmins',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:DeleteObjectVersion',
          Resource: objects,
          Condition: {
            ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/Admin` },
          },
        },
      ],
    },
  },
  {
    id: 'log-target',
    description: `receives ${OTHER_SOURCE}'s server access logs`,
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'S3ServerAccessLogsPolicy',
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${objects}`,
          Condition: {
            ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${OTHER_SOURCE}` },
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
          },
        },
      ],
    },
  },
  {
    id: 'stale-tool',
    description: "an earlier s3-harden's deny-unencrypted-uploads pair",
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'S3HardenDenyUnencryptedUploads',
          Effect: 'Deny',
          Principal: '*',
          Action: ['s3:PutObject'],
          Resource: [objects],
          Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
        },
        {
          Sid: 'S3HardenDenyWrongEncryption',
          Effect: 'Deny',
          Principal: '*',
          Action: ['s3:PutObject'],
          Resource: [objects],
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
        },
      ],
    },
  },
  {
    id: 'public-read',
    description: 'a public-read statement (a website left open)',
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PublicRead',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: objects,
        },
      ],
    },
  },
];

/** Options of the bucket-policy step, alone and combined, laid over the preset's defaults. */
export interface Variant {
  readonly id: string;
  readonly answers: Partial<BucketPolicyAnswers>;
  /** Also create the access point, with the bucket policy's grants. */
  readonly accessPoint?: boolean;
}

const vpce = { vpceOnly: true, vpceIds: VPCE };
const cidr = { sourceCidrs: OFFICE_CIDR };
const readers = { readOnlyRoles: READER_ROLE };
const partner = { crossAccounts: PARTNER_ACCOUNT };

export const VARIANTS: readonly Variant[] = [
  { id: 'defaults', answers: {} },
  { id: 'vpce', answers: vpce },
  { id: 'vpce+exempt', answers: { ...vpce, exemptPrincipal: OPERATOR } },
  { id: 'ip', answers: cidr },
  { id: 'ip+exempt', answers: { ...cidr, exemptPrincipal: OPERATOR } },
  { id: 'pin-sse-s3', answers: { uploadEncryption: 'sse-s3' } },
  { id: 'pin-sse-kms', answers: { uploadEncryption: 'sse-kms' } },
  { id: 'pin-dsse', answers: { uploadEncryption: 'dsse-kms' } },
  { id: 'pin-key', answers: { uploadEncryption: 'kms-key', kmsKeyArn: PINNED_KEY } },
  { id: 'readers', answers: readers },
  { id: 'partner', answers: partner },
  { id: 'no-tls', answers: { httpsOnly: false, minimumTls12: false } },
  {
    id: 'vpce+grants+pin',
    answers: { ...vpce, ...readers, ...partner, uploadEncryption: 'sse-kms' },
    accessPoint: true,
  },
  {
    id: 'ip+grants+key',
    answers: {
      ...cidr,
      ...readers,
      ...partner,
      uploadEncryption: 'kms-key',
      kmsKeyArn: PINNED_KEY,
      exemptPrincipal: OPERATOR,
    },
    accessPoint: true,
  },
];

export const PRESETS_JUDGED: readonly Exclude<Preset, 'custom'>[] = ['baseline', 'strict', 'worm'];

export interface Scenario {
  readonly name: string;
  readonly fixture: Fixture;
  readonly preset: Exclude<Preset, 'custom'>;
  readonly variant: Variant;
  readonly posture: Posture;
  readonly answers: Answers;
  readonly plan: Plan;
  /** What the bucket (and its log target) reads as once the plan is applied. */
  readonly after: Partial<PostureValues>;
}

function postureOf(fixture: Fixture): Posture {
  const stepIds = stepsForPreset('strict');
  const values: Record<string, unknown> = {};
  for (const resource of readsFor(stepIds) as ResourceKey[]) values[resource] = null;
  Object.assign(values, {
    'bucket.exists': { Region: REGION },
    'bucket.policy': fixture.policy,
    'bucket.acl': [],
    'account.kmsKeys': [],
    'account.vpcEndpoints': {
      region: REGION,
      endpoints: [{ id: VPCE, vpcId: 'vpc-0123456789abcdef0', state: 'available' }],
    },
    'bucket.replication': fixture.replicationRole
      ? {
          Role: fixture.replicationRole,
          Rules: [{ Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::replica-bucket' } }],
        }
      : null,
  });
  for (const resource of [
    'logTarget.exists',
    'logTarget.policy',
    'logTarget.encryption',
    'logTarget.objectLock',
    'logTarget.requestPayment',
  ]) {
    values[resource] = null;
  }
  return {
    accountId: ACCOUNT,
    region: REGION,
    bucket: BUCKET,
    logBucket: LOG_BUCKET,
    principalArn: OPERATOR,
    observedAt: '2026-12-01T12:00:00.000Z',
    values: values as Partial<PostureValues>,
    unreadable: {},
  };
}

export function scenario(
  fixture: Fixture,
  preset: Exclude<Preset, 'custom'>,
  variant: Variant,
): Scenario {
  const posture = postureOf(fixture);
  const stepIds = stepsForPreset(preset);
  const answers = defaultAnswers(posture, preset, stepIds);
  const policy = answers['bucket-policy'] as BucketPolicyAnswers;
  answers['bucket-policy'] = { ...policy, ...variant.answers };
  const objectLock = answers['object-lock'];
  if (objectLock) answers['object-lock'] = { ...objectLock, confirm: BUCKET };
  // A log bucket is not logged by default; the matrix judges the policies of
  // the operator who logs it anyway (every policy the tool can write).
  const logging = answers.logging;
  if (logging && !logging.enabled) answers.logging = { ...logging, enabled: true };
  if (variant.accessPoint && answers['access-point']) {
    answers['access-point'] = { create: true, vpcId: '', policy: 'from-bucket-policy' };
  }
  if (relatedBucketFor(stepIds, answers) !== LOG_BUCKET) {
    throw new Error(`scenario ${fixture.id}: the log target is not ${LOG_BUCKET}`);
  }
  const plan = buildPlan(posture, preset, stepIds, answers, new Date('2026-12-01T12:00:00Z'));
  return {
    name: `${preset} · ${variant.id} · ${fixture.id}`,
    fixture,
    preset,
    variant,
    posture,
    answers,
    plan,
    after: plannedValues(posture.values, plan.changes),
  };
}

/** Every scenario the matrix judges. */
export function allScenarios(): Scenario[] {
  return FIXTURES.flatMap((fixture) =>
    PRESETS_JUDGED.flatMap((preset) =>
      VARIANTS.map((variant) => scenario(fixture, preset, variant)),
    ),
  );
}
