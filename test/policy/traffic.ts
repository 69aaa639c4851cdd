/**
 * The traffic matrix: real requests a hardened bucket must keep serving, and
 * requests it must refuse, each with the request context AWS really builds
 * for it (principal, action, resource, aws:SecureTransport, the network it
 * comes from, aws:PrincipalIsAWSService / aws:ViaAWSService, aws:SourceArn,
 * the SSE and ACL headers as the SDK sends them — none on UploadPart).
 *
 * A row is judged for a scenario (./scenarios.ts): what the bucket reads as
 * after the plan. Its expectation follows from what the operator asked for
 * (the answers and the fixture), never from the policy the plan wrote, so a
 * wrong statement cannot make its own expectation. A request is one or more
 * legs — the S3 authorisation and, for an object under the KMS key the plan
 * creates, the KMS authorisation S3 makes on the caller's behalf — and is
 * allowed only when every leg is.
 *
 * No simulator here (it is AGPL and this module also feeds the README's
 * table, scripts/traffic-table.mjs): ./traffic-matrix.test.ts evaluates the
 * legs with test/helpers/simulator.ts.
 */

import type { PostureValues, PublicAccessBlock } from '../../src/plan/model/types.js';
import type { PolicyDocument } from '../../src/plan/policy/document.js';
import { CREATED_KEY_ARN } from '../../src/plan/resources/kms.js';
import type { BucketPolicyAnswers } from '../../src/steps/bucket-policy.js';
import {
  ACCOUNT,
  BUCKET,
  BUCKET_ARN,
  DISTRIBUTION,
  LOG_BUCKET,
  OPERATOR,
  OTHER_SOURCE,
  PARTNER_ACCOUNT,
  READER_ROLE,
  REGION,
  REPLICATION_ROLE,
  type Scenario,
  VPCE,
} from './scenarios.js';

/** One authorisation, as the simulator takes it. */
export interface Leg {
  readonly principal: string | 'anonymous';
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  /** The principal's own IAM policies. */
  readonly identityPolicies: readonly PolicyDocument[];
  readonly resourcePolicy: PolicyDocument | null;
  readonly restrictPublicBuckets?: boolean;
}

/**
 * A request: its legs, all of which must be allowed; or a refusal S3 makes
 * before any policy (an ACL it does not accept), with the reason.
 */
export type Request =
  | { readonly legs: readonly Leg[]; readonly refusedByS3?: undefined }
  | { readonly legs?: undefined; readonly refusedByS3: string };

export type Expected = 'allow' | 'deny';

export interface TrafficRow {
  readonly id: string;
  /** Who asks, for the README table. */
  readonly who: string;
  /** What they ask, for the README table. */
  readonly what: string;
  /** When the README says it holds (the rule `expected` follows), for the table. */
  readonly when: string;
  /** 'allow' rows keep working; 'deny' rows are refused. */
  readonly kind: Expected;
  /** What this scenario must do, or null when the row does not apply to it. */
  expected(s: Situation): Expected | null;
  requests(s: Situation): readonly Request[];
}

/** What a scenario leaves, in the terms the rows ask about. */
export interface Situation {
  readonly scenario: Scenario;
  readonly bucketPolicy: PolicyDocument | null;
  readonly logTargetPolicy: PolicyDocument | null;
  /** The log bucket's own Block Public Access restricts public policies (the plan hardens it). */
  readonly logTargetRestricted: boolean;
  readonly accessPointPolicy: PolicyDocument | null;
  /** The policy of the KMS key the plan creates, when new objects are encrypted with it. */
  readonly createdKeyPolicy: PolicyDocument | null;
  readonly ownershipEnforced: boolean;
  readonly blockPublicAcls: boolean;
  readonly restrictPublicBuckets: boolean;
  readonly macieOn: boolean;
  readonly network: 'vpce' | 'ip' | null;
  readonly operatorExempt: boolean;
  readonly httpsOnly: boolean;
  readonly tls12: boolean;
  readonly pin: { readonly algorithm: string } | { readonly key: string } | null;
  readonly partnerGranted: boolean;
  readonly readersGranted: boolean;
  readonly accessPoint: boolean;
}

const ALGORITHMS: Record<string, string> = {
  'sse-s3': 'AES256',
  'sse-kms': 'aws:kms',
  'dsse-kms': 'aws:kms:dsse',
};

function pab(after: Partial<PostureValues>, key: keyof PublicAccessBlock): boolean {
  const bucket = after['bucket.publicAccessBlock'] as PublicAccessBlock | null | undefined;
  const account = after['account.publicAccessBlock'] as PublicAccessBlock | null | undefined;
  return bucket?.[key] === true || account?.[key] === true;
}

/** The created key's policy, when the bucket's default encryption names the created key. */
function createdKeyPolicy(after: Partial<PostureValues>): PolicyDocument | null {
  const key = after['kms.key'] as { Policy?: PolicyDocument } | null | undefined;
  const rule = after['bucket.encryption']?.Rules[0]?.ApplyServerSideEncryptionByDefault;
  const usesCreated = JSON.stringify(rule?.KMSMasterKeyID) === JSON.stringify(CREATED_KEY_ARN);
  if (!key || !usesCreated) return null;
  return key.Policy ?? DEFAULT_KEY_POLICY;
}

/** What KMS gives a key created without a policy. */
const DEFAULT_KEY_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

export function situation(scenario: Scenario): Situation {
  const { after, fixture } = scenario;
  const answers = scenario.answers['bucket-policy'] as BucketPolicyAnswers;
  const encryption = answers.uploadEncryption;
  const ownership = after['bucket.ownershipControls'];
  return {
    scenario,
    bucketPolicy: (after['bucket.policy'] ?? null) as PolicyDocument | null,
    logTargetPolicy: (after['logTarget.policy'] ?? null) as PolicyDocument | null,
    logTargetRestricted:
      (after['logTarget.publicAccessBlock'] as PublicAccessBlock | null | undefined)
        ?.RestrictPublicBuckets === true,
    accessPointPolicy: (after['bucket.accessPointPolicy'] ?? null) as PolicyDocument | null,
    createdKeyPolicy: createdKeyPolicy(after),
    ownershipEnforced: ownership?.ObjectOwnership === 'BucketOwnerEnforced',
    blockPublicAcls: pab(after, 'BlockPublicAcls'),
    restrictPublicBuckets: pab(after, 'RestrictPublicBuckets'),
    macieOn:
      (after['account.macie'] as { status?: string } | null | undefined)?.status === 'ENABLED',
    network: answers.vpceOnly ? 'vpce' : answers.sourceCidrs.trim() ? 'ip' : null,
    operatorExempt: answers.exemptPrincipal === OPERATOR,
    httpsOnly: answers.httpsOnly,
    tls12: answers.minimumTls12,
    pin:
      encryption === 'off'
        ? null
        : encryption === 'kms-key'
          ? { key: answers.kmsKeyArn }
          : { algorithm: ALGORITHMS[encryption] as string },
    partnerGranted: answers.crossAccounts.includes(PARTNER_ACCOUNT) || fixture.id === 'shared',
    readersGranted: answers.readOnlyRoles.includes(READER_ROLE),
    accessPoint: after['bucket.accessPoint'] != null,
  };
}

// ---- principals and their request contexts -------------------------------

const OBJECT = `${BUCKET_ARN}/reports/2026/q4.csv`;
const LOG_OBJECT = `arn:aws:s3:::${LOG_BUCKET}/s3-access-logs/${ACCOUNT}/${REGION}/${BUCKET}/2026/12/01/log`;
const CREATED_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0d3c5a1e-7b1f-4f6e-9c2a-5e8b7d6c4a3f`;
const OFFICE_IP = '203.0.113.10';
const ELSEWHERE_IP = '198.51.100.7';
/** An address of AWS's own network: where service calls come from. */
const AWS_IP = '52.94.133.131';
/**
 * The private address a forward access session reaches S3 from: Athena's
 * requests "come from a private IPv4 address for Athena, not the source IP
 * specified in aws:SourceIp" (Athena user guide, S3 permissions).
 */
const AWS_PRIVATE_IP = '10.2.147.21';
const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/App`;
const ANALYST_ROLE = `arn:aws:iam::${ACCOUNT}:role/Analyst`;
const PARTNER_ROLE = `arn:aws:iam::${PARTNER_ACCOUNT}:role/Uploader`;
const MACIE_ROLE = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`;
const CONFIG_ROLE = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`;
const OTHER_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/ffffffff-1111-2222-3333-444444444444`;

const ALLOW_ALL: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
/** AmazonMacieServiceRolePolicy, in the part that reads buckets: S3 reads, no KMS. */
const MACIE_ROLE_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:GetBucketLocation'],
      Resource: '*',
    },
  ],
};

/** AWSConfigServiceRolePolicy, in the part that describes a bucket (the recorder's supplementary configuration). */
const CONFIG_BUCKET_READS = [
  's3:GetBucketPolicy',
  's3:GetBucketAcl',
  's3:GetBucketVersioning',
  's3:GetEncryptionConfiguration',
  's3:GetBucketLogging',
  's3:GetBucketPublicAccessBlock',
];
const CONFIG_ROLE_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: CONFIG_BUCKET_READS, Resource: '*' }],
};

/** Where a caller with credentials sends requests from. */
type From = 'inside' | 'outside' | 'aws';

function networkKeys(s: Situation, caller: Caller): Record<string, string> {
  const from = caller.from;
  // A forward access session (Athena) comes from the service, wherever the
  // caller is: neither their IP nor their VPC endpoint.
  if (caller.viaService) return { 'aws:SourceIp': AWS_PRIVATE_IP };
  if (from === 'aws') return { 'aws:SourceIp': AWS_IP };
  if (from === 'outside') return { 'aws:SourceIp': ELSEWHERE_IP };
  // Through a VPC endpoint a request carries aws:SourceVpce and no public source IP.
  return s.network === 'vpce' ? { 'aws:SourceVpce': VPCE } : { 'aws:SourceIp': OFFICE_IP };
}

interface Caller {
  readonly arn: string;
  readonly identity: readonly PolicyDocument[];
  readonly from: From;
  readonly viaService?: string;
  /** Plain HTTP instead of TLS. */
  readonly http?: boolean;
  readonly tls?: string;
}

function accountOf(arn: string): string {
  return /::(\d{12}):/.exec(arn)?.[1] ?? ACCOUNT;
}

function callerKeys(s: Situation, caller: Caller): Record<string, string | readonly string[]> {
  return {
    'aws:SecureTransport': caller.http ? 'false' : 'true',
    'aws:PrincipalArn': caller.arn,
    'aws:PrincipalAccount': accountOf(caller.arn),
    'aws:PrincipalIsAWSService': 'false',
    'aws:ViaAWSService': caller.viaService ? 'true' : 'false',
    ...(caller.viaService ? { 'aws:CalledVia': [caller.viaService] } : {}),
    ...networkKeys(s, caller),
  };
}

function s3Keys(caller: Caller, headers: Record<string, string> = {}): Record<string, string> {
  return caller.http ? headers : { 's3:TlsVersion': caller.tls ?? '1.2', ...headers };
}

function bucketLeg(
  s: Situation,
  caller: Caller,
  action: string,
  resource: string,
  headers: Record<string, string> = {},
  policy: PolicyDocument | null = s.bucketPolicy,
): Leg {
  return {
    principal: caller.arn,
    action,
    resource,
    resourceAccount: ACCOUNT,
    context: { ...callerKeys(s, caller), ...s3Keys(caller, headers) },
    identityPolicies: caller.identity,
    resourcePolicy: policy,
    restrictPublicBuckets: s.restrictPublicBuckets,
  };
}

/** The KMS call S3 makes for the caller on an object under the created key, if it is one. */
function keyLegs(s: Situation, caller: Caller, actions: readonly string[]): Leg[] {
  if (!s.createdKeyPolicy) return [];
  return actions.map((action) => ({
    principal: caller.arn,
    action,
    resource: CREATED_KEY,
    resourceAccount: ACCOUNT,
    context: {
      ...callerKeys(s, caller),
      'kms:ViaService': `s3.${REGION}.amazonaws.com`,
      'kms:CallerAccount': accountOf(caller.arn),
    },
    identityPolicies: caller.identity,
    resourcePolicy: s.createdKeyPolicy,
  }));
}

interface Service {
  readonly name: string;
  readonly sourceArn: string;
  readonly sourceAccount: string;
}

function serviceKeys(service: Service): Record<string, string> {
  return {
    'aws:SecureTransport': 'true',
    'aws:PrincipalIsAWSService': 'true',
    'aws:PrincipalServiceName': service.name,
    'aws:SourceArn': service.sourceArn,
    'aws:SourceAccount': service.sourceAccount,
    // No network keys: on service-to-service calls AWS redacts them.
  };
}

function serviceLeg(
  s: Situation,
  service: Service,
  action: string,
  resource: string,
  policy: PolicyDocument | null,
): Leg {
  return {
    principal: service.name,
    action,
    resource,
    resourceAccount: ACCOUNT,
    context: { ...serviceKeys(service), 's3:TlsVersion': '1.2' },
    identityPolicies: [],
    resourcePolicy: policy,
    restrictPublicBuckets: s.restrictPublicBuckets,
  };
}

function serviceKeyLegs(s: Situation, service: Service, actions: readonly string[]): Leg[] {
  if (!s.createdKeyPolicy) return [];
  return actions.map((action) => ({
    principal: service.name,
    action,
    resource: CREATED_KEY,
    resourceAccount: ACCOUNT,
    context: { ...serviceKeys(service), 'kms:ViaService': `s3.${REGION}.amazonaws.com` },
    identityPolicies: [],
    resourcePolicy: s.createdKeyPolicy,
  }));
}

/** S3's own refusal of an ACL header, before any policy: Object Ownership and Block Public Access. */
function aclRefusal(s: Situation, acl: string): string | null {
  if (s.ownershipEnforced && acl !== 'bucket-owner-full-control') {
    return 'AccessControlListNotSupported (ACLs are off)';
  }
  if (s.blockPublicAcls && acl.startsWith('public-')) return 'AccessDenied (BlockPublicAcls)';
  return null;
}

function upload(s: Situation, caller: Caller, headers: Record<string, string>): Request {
  const acl = headers['s3:x-amz-acl'];
  const refused = acl ? aclRefusal(s, acl) : null;
  if (refused) return { refusedByS3: refused };
  return {
    legs: [
      bucketLeg(s, caller, 's3:PutObject', OBJECT, headers),
      ...keyLegs(s, caller, ['kms:GenerateDataKey']),
    ],
  };
}

/**
 * A multipart upload as the SDK's upload helpers send it: CreateMultipartUpload
 * with the headers, then UploadPart and CompleteMultipartUpload, which carry
 * none. S3 authorises all three as s3:PutObject; with SSE-KMS it generates the
 * data key at the start and decrypts it for every part.
 */
function multipart(s: Situation, caller: Caller, headers: Record<string, string> = {}): Request[] {
  return [
    upload(s, caller, headers),
    {
      legs: [
        bucketLeg(s, caller, 's3:PutObject', OBJECT),
        ...keyLegs(s, caller, ['kms:Decrypt', 'kms:GenerateDataKey']),
      ],
    },
    { legs: [bucketLeg(s, caller, 's3:PutObject', OBJECT)] },
  ];
}

function read(s: Situation, caller: Caller): Request[] {
  return [
    {
      legs: [bucketLeg(s, caller, 's3:GetObject', OBJECT), ...keyLegs(s, caller, ['kms:Decrypt'])],
    },
  ];
}

function readAndList(s: Situation, caller: Caller): Request[] {
  return [{ legs: [bucketLeg(s, caller, 's3:ListBucket', BUCKET_ARN)] }, ...read(s, caller)];
}

const operator = (from: From, extra: Partial<Caller> = {}): Caller => ({
  arn: OPERATOR,
  identity: [ALLOW_ALL],
  from,
  ...extra,
});
const app = (from: From, extra: Partial<Caller> = {}): Caller => ({
  arn: APP_ROLE,
  identity: [ALLOW_ALL],
  from,
  ...extra,
});
const partner: Caller = { arn: PARTNER_ROLE, identity: [ALLOW_ALL], from: 'outside' };
const reader: Caller = { arn: READER_ROLE, identity: [], from: 'inside' };

/** The IAM actions the plan and its undo make on a bucket, with the policy actions. */
function operatorActions(s: Situation, bucket: string): string[] {
  const actions = new Set(['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy']);
  for (const change of s.scenario.plan.changes) {
    for (const call of [change.call, change.undo]) {
      if (call?.service === 's3' && call.input.Bucket === bucket)
        actions.add(s3Action(call.operation));
    }
  }
  return [...actions].sort();
}

/** The IAM action of an S3 operation, where the names differ. */
function s3Action(operation: string): string {
  const renamed: Record<string, string> = {
    PutPublicAccessBlock: 's3:PutBucketPublicAccessBlock',
    DeletePublicAccessBlock: 's3:PutBucketPublicAccessBlock',
    PutBucketEncryption: 's3:PutEncryptionConfiguration',
    DeleteBucketEncryption: 's3:PutEncryptionConfiguration',
    DeleteBucketOwnershipControls: 's3:PutBucketOwnershipControls',
    PutObjectLockConfiguration: 's3:PutBucketObjectLockConfiguration',
    DeleteBucketLifecycle: 's3:PutLifecycleConfiguration',
    PutBucketLifecycleConfiguration: 's3:PutLifecycleConfiguration',
  };
  return renamed[operation] ?? `s3:${operation}`;
}

function operatorRequests(s: Situation, from: From, withLogBucket = true): Request[] {
  const onBucket = operatorActions(s, BUCKET).map(
    (action): Request => ({ legs: [bucketLeg(s, operator(from), action, BUCKET_ARN)] }),
  );
  if (!s.logTargetPolicy || !withLogBucket) return onBucket;
  const logArn = `arn:aws:s3:::${LOG_BUCKET}`;
  return [
    ...onBucket,
    ...operatorActions(s, LOG_BUCKET).map(
      (action): Request => ({
        legs: [bucketLeg(s, operator(from), action, logArn, {}, s.logTargetPolicy)],
      }),
    ),
  ];
}

const logDelivery = (source: string): Service => ({
  name: 'logging.s3.amazonaws.com',
  sourceArn: `arn:aws:s3:::${source}`,
  sourceAccount: ACCOUNT,
});
const cloudFront: Service = {
  name: 'cloudfront.amazonaws.com',
  sourceArn: DISTRIBUTION,
  sourceAccount: ACCOUNT,
};

/** The header of an upload that names what the pin asks for; and one that names something else. */
function pinnedHeaders(s: Situation, right: boolean): Record<string, string> {
  const pin = s.pin;
  if (!pin) return {};
  if ('key' in pin) {
    return {
      's3:x-amz-server-side-encryption': 'aws:kms',
      's3:x-amz-server-side-encryption-aws-kms-key-id': right ? pin.key : OTHER_KEY,
    };
  }
  const other = pin.algorithm === 'AES256' ? 'aws:kms' : 'AES256';
  return { 's3:x-amz-server-side-encryption': right ? pin.algorithm : other };
}

const always = (kind: Expected) => () => kind;

export const ROWS: readonly TrafficRow[] = [
  {
    id: 'operator-manages-policy',
    who: 'the operator (the caller of `apply`)',
    what: 'every read and write the plan and its undo make on the bucket and the log bucket, and Get/Put/DeleteBucketPolicy',
    when: 'from inside the allowed VPC endpoint or IP range when there is one',
    kind: 'allow',
    expected: always('allow'),
    requests: (s) => operatorRequests(s, 'inside'),
  },
  {
    id: 'operator-from-outside',
    who: 'the operator, from outside the allowed network',
    what: 'the same calls on the bucket',
    when: 'no network restriction, or the operator exempted (`e` in the review); otherwise refused — the lockout guard stops such a plan',
    kind: 'allow',
    expected: (s) => (s.network === null || s.operatorExempt ? 'allow' : 'deny'),
    requests: (s) => operatorRequests(s, 'outside', false),
  },
  {
    id: 'app-multipart-default-encryption',
    who: 'an application role of the account',
    what: 'a large upload by multipart, relying on default encryption (no SSE header on any part)',
    when: 'from inside the allowed network',
    kind: 'allow',
    expected: always('allow'),
    requests: (s) => multipart(s, app('inside')),
  },
  {
    id: 'app-upload-right-encryption',
    who: 'an application role of the account',
    what: 'PutObject naming the pinned algorithm or key',
    when: 'an upload-encryption condition is set',
    kind: 'allow',
    expected: (s) => (s.pin ? 'allow' : null),
    requests: (s) => [upload(s, app('inside'), pinnedHeaders(s, true))],
  },
  {
    id: 'app-reads',
    who: 'an application role of the account',
    what: 'ListBucket and GetObject',
    when: 'from inside the allowed network',
    kind: 'allow',
    expected: always('allow'),
    requests: (s) => readAndList(s, app('inside')),
  },
  {
    id: 'log-delivery-to-target',
    who: 'S3 server access logging (`logging.s3.amazonaws.com`)',
    what: "PutObject of the bucket's access logs into the log bucket",
    when: 'always',
    kind: 'allow',
    expected: (s) => (s.logTargetPolicy ? 'allow' : null),
    requests: (s) => [
      {
        legs: [serviceLeg(s, logDelivery(BUCKET), 's3:PutObject', LOG_OBJECT, s.logTargetPolicy)],
      },
    ],
  },
  {
    id: 'log-delivery-into-bucket',
    who: 'S3 server access logging, for another bucket that logs into this one',
    what: 'PutObject under the granted prefix',
    when: 'the bucket already receives access logs (its policy allows `logging.s3.amazonaws.com`)',
    kind: 'allow',
    expected: (s) => (s.scenario.fixture.id === 'log-target' ? 'allow' : null),
    requests: (s) => [
      {
        legs: [
          serviceLeg(
            s,
            logDelivery(OTHER_SOURCE),
            's3:PutObject',
            `${BUCKET_ARN}/logs/${OTHER_SOURCE}.log`,
            s.bucketPolicy,
          ),
        ],
      },
    ],
  },
  {
    id: 'cloudfront-oac-read',
    who: 'CloudFront, through an Origin Access Control granted by a statement s3-harden did not write',
    what: 'GetObject (and kms:Decrypt under a key the plan creates)',
    when: 'always',
    kind: 'allow',
    expected: (s) => (s.scenario.fixture.id === 'shared' ? 'allow' : null),
    requests: (s) => [
      {
        legs: [
          serviceLeg(s, cloudFront, 's3:GetObject', OBJECT, s.bucketPolicy),
          ...serviceKeyLegs(s, cloudFront, ['kms:Decrypt']),
        ],
      },
    ],
  },
  {
    id: 'macie-discovery',
    who: "Macie's service-linked role (`AWSServiceRoleForAmazonMacie`)",
    what: 'ListBucket and GetObject of a classification job (and kms:Decrypt)',
    when: 'Macie is on after the plan',
    kind: 'allow',
    expected: (s) => (s.macieOn ? 'allow' : null),
    requests: (s) =>
      readAndList(s, { arn: MACIE_ROLE, identity: [MACIE_ROLE_POLICY], from: 'aws' }),
  },
  {
    // Security Hub's S3 controls are AWS Config rules: a recorder refused by a
    // network Deny leaves the compliance review without evidence.
    id: 'config-recorder',
    who: "AWS Config's service-linked role (`AWSServiceRoleForConfig`)",
    what: 'the recorder describing the bucket (GetBucketPolicy, GetBucketAcl, GetBucketVersioning…)',
    when: 'always',
    kind: 'allow',
    expected: () => 'allow',
    requests: (s) => {
      const role: Caller = { arn: CONFIG_ROLE, identity: [CONFIG_ROLE_POLICY], from: 'aws' };
      return CONFIG_BUCKET_READS.map((action) => ({
        legs: [bucketLeg(s, role, action, BUCKET_ARN)],
      }));
    },
  },
  {
    id: 'replication',
    who: "the bucket's replication role",
    what: 'GetReplicationConfiguration, ListBucket, GetObjectVersionForReplication (and kms:Decrypt)',
    when: 'the bucket replicates',
    kind: 'allow',
    expected: (s) => (s.scenario.fixture.replicationRole ? 'allow' : null),
    requests: (s) => {
      const role: Caller = { arn: REPLICATION_ROLE, identity: [ALLOW_ALL], from: 'aws' };
      return [
        { legs: [bucketLeg(s, role, 's3:GetReplicationConfiguration', BUCKET_ARN)] },
        { legs: [bucketLeg(s, role, 's3:ListBucket', BUCKET_ARN)] },
        {
          legs: [
            bucketLeg(s, role, 's3:GetObjectVersionForReplication', OBJECT),
            ...keyLegs(s, role, ['kms:Decrypt']),
          ],
        },
      ];
    },
  },
  {
    id: 'athena-via-service',
    who: 'an analyst querying with Athena (forward access session, `aws:ViaAWSService`)',
    what: 'ListBucket and GetObject (and kms:Decrypt)',
    when: "always: S3 sees Athena's private address, not the analyst's IP or VPC endpoint, and the network Denies let forward access sessions through",
    kind: 'allow',
    expected: always('allow'),
    requests: (s) =>
      readAndList(s, {
        arn: ANALYST_ROLE,
        identity: [ALLOW_ALL],
        from: 'inside',
        viaService: 'athena.amazonaws.com',
      }),
  },
  {
    id: 'reader-role',
    who: 'a read-only role granted by the plan',
    what: 'ListBucket and GetObject, with no IAM policy of its own (and kms:Decrypt)',
    when: 'read-only roles are granted; from inside the allowed network',
    kind: 'allow',
    expected: (s) => (s.readersGranted ? 'allow' : null),
    requests: (s) => readAndList(s, reader),
  },
  {
    id: 'reader-via-access-point',
    who: 'a read-only role, through the access point the plan creates',
    what: 'GetObject via the access point',
    when: 'the access point is created with the bucket policy’s grants',
    kind: 'allow',
    expected: (s) => (s.readersGranted && s.accessPoint ? 'allow' : null),
    requests: (s) => {
      const name = (s.scenario.after['bucket.accessPoint'] as { Name: string }).Name;
      const ap = `arn:aws:s3:${REGION}:${ACCOUNT}:accesspoint/${name}`;
      return [
        {
          legs: [
            bucketLeg(
              s,
              reader,
              's3:GetObject',
              `${ap}/object/reports/2026/q4.csv`,
              {},
              s.accessPointPolicy,
            ),
            bucketLeg(s, reader, 's3:GetObject', OBJECT),
            ...keyLegs(s, reader, ['kms:Decrypt']),
          ],
        },
      ];
    },
  },
  {
    id: 'partner-upload',
    who: 'a partner account granted cross-account writes (its own role)',
    what: 'PutObject without an ACL header (ACLs are off), and kms:GenerateDataKey',
    when: 'no network restriction (one cuts the partner off, and the plan warns with the Sid); no public statement kept',
    kind: 'allow',
    expected: (s) => partnerExpected(s),
    requests: (s) => [upload(s, partner, {})],
  },
  {
    id: 'partner-upload-with-acl',
    who: 'the partner, with an older client',
    what: 'PutObject with `x-amz-acl: bucket-owner-full-control`',
    when: 'as above',
    kind: 'allow',
    expected: (s) => partnerExpected(s),
    requests: (s) => [upload(s, partner, { 's3:x-amz-acl': 'bucket-owner-full-control' })],
  },
  {
    id: 'partner-multipart',
    who: 'the partner',
    what: 'a multipart upload (CreateMultipartUpload, UploadPart, CompleteMultipartUpload)',
    when: 'as above',
    kind: 'allow',
    expected: (s) => partnerExpected(s),
    requests: (s) => multipart(s, partner),
  },
  {
    id: 'partner-read',
    who: 'the partner',
    what: 'GetObject (and kms:Decrypt)',
    when: 'as above',
    kind: 'allow',
    expected: (s) => partnerExpected(s),
    requests: (s) => read(s, partner),
  },
  // ---- refused ----
  {
    id: 'anonymous',
    who: 'anyone, unsigned',
    what: 'GetObject, PutObject, ListBucket',
    when: 'always (a public-read statement kept from before is blocked by Block Public Access)',
    kind: 'deny',
    expected: always('deny'),
    requests: (s) =>
      (
        [
          ['s3:GetObject', OBJECT],
          ['s3:PutObject', OBJECT],
          ['s3:ListBucket', BUCKET_ARN],
        ] as const
      ).map(
        ([action, resource]): Request => ({
          legs: [
            {
              principal: 'anonymous',
              action,
              resource,
              resourceAccount: ACCOUNT,
              context: {
                'aws:SecureTransport': 'true',
                's3:TlsVersion': '1.2',
                'aws:SourceIp': ELSEWHERE_IP,
              },
              identityPolicies: [],
              resourcePolicy: s.bucketPolicy,
              restrictPublicBuckets: s.restrictPublicBuckets,
            },
          ],
        }),
      ),
  },
  {
    id: 'anonymous-log-bucket',
    who: 'anyone, unsigned',
    what: 'GetObject, PutObject and ListBucket on the log bucket',
    when: 'the plan writes the log bucket (its Block Public Access is on)',
    kind: 'deny',
    expected: (s) => (s.logTargetPolicy ? 'deny' : null),
    requests: (s) =>
      (
        [
          ['s3:GetObject', LOG_OBJECT],
          ['s3:PutObject', LOG_OBJECT],
          ['s3:ListBucket', `arn:aws:s3:::${LOG_BUCKET}`],
        ] as const
      ).map(
        ([action, resource]): Request => ({
          legs: [
            {
              principal: 'anonymous',
              action,
              resource,
              resourceAccount: ACCOUNT,
              context: {
                'aws:SecureTransport': 'true',
                's3:TlsVersion': '1.2',
                'aws:SourceIp': ELSEWHERE_IP,
              },
              identityPolicies: [],
              resourcePolicy: s.logTargetPolicy,
              restrictPublicBuckets: s.logTargetRestricted,
            },
          ],
        }),
      ),
  },
  {
    id: 'plain-http-log-bucket',
    who: 'anyone, the operator included, over plain HTTP',
    what: 'GetObject and ListBucket on the log bucket',
    when: 'the plan writes the log bucket (HTTPS only, as on the bucket)',
    kind: 'deny',
    expected: (s) => (s.logTargetPolicy ? 'deny' : null),
    requests: (s) =>
      (
        [
          ['s3:GetObject', LOG_OBJECT],
          ['s3:ListBucket', `arn:aws:s3:::${LOG_BUCKET}`],
        ] as const
      ).map(
        ([action, resource]): Request => ({
          legs: [
            bucketLeg(
              s,
              operator('inside', { http: true }),
              action,
              resource,
              {},
              s.logTargetPolicy,
            ),
          ],
        }),
      ),
  },
  {
    id: 'plain-http',
    who: 'anyone, the operator included, over plain HTTP',
    what: 'GetObject, ListBucket, GetBucketPolicy',
    when: 'HTTPS only is on (every preset)',
    kind: 'deny',
    expected: (s) => (s.httpsOnly ? 'deny' : null),
    requests: (s) =>
      (
        [
          ['s3:GetObject', OBJECT],
          ['s3:ListBucket', BUCKET_ARN],
          ['s3:GetBucketPolicy', BUCKET_ARN],
        ] as const
      ).map(
        ([action, resource]): Request => ({
          legs: [bucketLeg(s, operator('inside', { http: true }), action, resource)],
        }),
      ),
  },
  {
    id: 'old-tls',
    who: 'a client on TLS 1.1',
    what: 'GetObject',
    when: 'TLS 1.2 or later is on (S3 refuses TLS below 1.2 itself as well)',
    kind: 'deny',
    expected: (s) => (s.tls12 ? 'deny' : null),
    requests: (s) => [
      { legs: [bucketLeg(s, app('inside', { tls: '1.1' }), 's3:GetObject', OBJECT)] },
    ],
  },
  {
    id: 'outside-network',
    who: 'a role of the account from outside the allowed VPC endpoints or IP ranges',
    what: 'GetObject, PutObject',
    when: 'a network restriction is set',
    kind: 'deny',
    expected: (s) => (s.network ? 'deny' : null),
    requests: (s) => [
      { legs: [bucketLeg(s, app('outside'), 's3:GetObject', OBJECT)] },
      { legs: [bucketLeg(s, app('outside'), 's3:PutObject', OBJECT)] },
    ],
  },
  {
    id: 'wrong-encryption',
    who: 'an application role of the account',
    what: 'PutObject naming another algorithm, or another KMS key',
    when: 'an upload-encryption condition is set',
    kind: 'deny',
    expected: (s) => (s.pin ? 'deny' : null),
    requests: (s) => [upload(s, app('inside'), pinnedHeaders(s, false))],
  },
  {
    id: 'kms-without-key',
    who: 'an application role of the account',
    what: 'PutObject with `aws:kms` but no key ID (S3 would use the AWS managed key)',
    when: 'a KMS key is pinned',
    kind: 'deny',
    expected: (s) => (s.pin && 'key' in s.pin ? 'deny' : null),
    requests: (s) => [upload(s, app('inside'), { 's3:x-amz-server-side-encryption': 'aws:kms' })],
  },
  {
    id: 'public-acl',
    who: 'an application role of the account',
    what: 'PutObject with `x-amz-acl: public-read`',
    when: 'always (ACLs off, Block Public Access)',
    kind: 'deny',
    expected: always('deny'),
    requests: (s) => [upload(s, app('inside'), { 's3:x-amz-acl': 'public-read' })],
  },
];

/** The partner keeps working unless a network restriction or a kept public statement cuts it off. */
function partnerExpected(s: Situation): Expected | null {
  if (!s.partnerGranted) return null;
  if (s.network !== null) return 'deny';
  // RestrictPublicBuckets: while the policy is public, only the account and AWS services get in.
  if (s.scenario.fixture.id === 'public-read') return 'deny';
  return 'allow';
}

/** A table cell: pipes escaped, one line. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/**
 * The README's "What keeps working" tables, from the rows above
 * (scripts/traffic-table.mjs writes them; ./readme-table.test.ts fails when
 * the README is out of date).
 */
export function trafficTables(): string {
  const table = (kind: Expected) =>
    [
      '| Who | Request | When |',
      '| --- | --- | --- |',
      ...ROWS.filter((row) => row.kind === kind).map(
        (row) => `| ${cell(row.who)} | ${cell(row.what)} | ${cell(row.when)} |`,
      ),
    ].join('\n');
  return ['Keeps working:', '', table('allow'), '', 'Refused:', '', table('deny'), ''].join('\n');
}
