/**
 * The least-privilege IAM policy for applying a plan: every read `apply` makes
 * (identity, the drift check, the policy checks, the read-back after each
 * write and after each undo), every write, and every undo call, grouped by
 * the resource it acts on. Actions come from the operation catalogue
 * (iamActionFor), so the policy names exactly what the tool calls.
 *
 * READS lists, per resource, the operations its reader in src/aws/families
 * sends; it is a complete Record over ResourceKey, so a new resource does not
 * compile without its reads, and test/unit/iam-policy.test.ts runs every
 * reader against it and checks every SDK command has a catalogue entry.
 */
import { findOperation, iamActionFor, writeOperations } from './operations.js';
import { accessPointArn, accessPointName } from './resources/access-point.js';
import { RESOURCES } from './resources/index.js';
import type { ApiCall, Plan, ResourceKey, Service } from './types.js';
import { POLICY_RESOURCES } from './validation.js';

/** `service:Operation`, as the catalogue keys operations. */
export type OperationKey = `${Service}:${string}`;

const KMS_SCAN: readonly OperationKey[] = [
  'kms:ListAliases',
  'kms:DescribeKey',
  'kms:GetKeyRotationStatus',
];

/** The operations each resource's reader sends (src/aws/families/*). */
export const READS: Readonly<Record<ResourceKey, readonly OperationKey[]>> = {
  'bucket.exists': ['s3:HeadBucket'],
  'bucket.publicAccessBlock': ['s3:GetPublicAccessBlock'],
  'account.publicAccessBlock': ['s3control:GetPublicAccessBlock'],
  'bucket.ownershipControls': ['s3:GetBucketOwnershipControls'],
  'bucket.acl': ['s3:GetBucketAcl'],
  'bucket.versioning': ['s3:GetBucketVersioning'],
  'bucket.objectLock': ['s3:GetObjectLockConfiguration'],
  'bucket.policy': ['s3:GetBucketPolicy'],
  'bucket.encryption': ['s3:GetBucketEncryption'],
  'account.kmsKeys': KMS_SCAN,
  'kms.key': KMS_SCAN,
  'kms.alias': KMS_SCAN,
  'kms.rotation': KMS_SCAN,
  'bucket.logging': ['s3:GetBucketLogging'],
  'logTarget.exists': ['s3:HeadBucket'],
  'logTarget.policy': ['s3:GetBucketPolicy'],
  'logTarget.encryption': ['s3:GetBucketEncryption'],
  'logTarget.objectLock': ['s3:GetObjectLockConfiguration'],
  'logTarget.requestPayment': ['s3:GetBucketRequestPayment'],
  'bucket.accessPoint': ['s3control:GetAccessPoint'],
  'bucket.accessPointPolicy': ['s3control:GetAccessPointPolicy'],
  'account.analyzer': ['accessanalyzer:ListAnalyzers'],
  'bucket.findings': [
    'accessanalyzer:ListAnalyzers',
    'accessanalyzer:ListFindingsV2',
    'accessanalyzer:GetFindingV2',
  ],
  'account.vpcEndpoints': ['ec2:DescribeVpcEndpoints'],
  'account.macie': ['macie2:GetMacieSession'],
  'account.macieJobs': ['macie2:ListClassificationJobs'],
  'bucket.macieJob': ['macie2:ListClassificationJobs', 'macie2:DescribeClassificationJob'],
  'bucket.objectStats': ['macie2:DescribeBuckets', 's3:ListObjectsV2'],
};

/** Every command starts by asking who the caller is. */
const IDENTITY: OperationKey = 'sts:GetCallerIdentity';
/** Policies a plan writes are checked again at apply (fail-soft when denied). */
const POLICY_CHECKS: readonly OperationKey[] = [
  'accessanalyzer:ValidatePolicy',
  'accessanalyzer:CheckNoPublicAccess',
];

export interface IamStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export interface IamPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly IamStatement[];
}

export interface IamPolicyResult {
  readonly policy: IamPolicyDocument;
  /** Why a statement is broader than it could be, one line each. */
  readonly notes: readonly string[];
}

/** What the policy is for: the plan's target, its calls and the resources it reads. */
export interface PolicyScope {
  readonly accountId: string;
  readonly region: string;
  readonly bucket: string;
  readonly logBucket?: string;
  /** Resources read (drift check and read-backs). */
  readonly reads: readonly ResourceKey[];
  /** Calls made: writes and undos. */
  readonly calls: readonly ApiCall[];
  /** Extra operations (the wizard's bucket list, policy checks). */
  readonly extra?: readonly OperationKey[];
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

type Group = 'bucket' | 'logBucket' | 'accessPoint' | 'kms' | 'account';

const SIDS: Record<Group, string> = {
  bucket: 'Bucket',
  logBucket: 'LogBucket',
  accessPoint: 'AccessPoint',
  // IAM statement ids are alphanumeric: the note says why this one is "*".
  kms: 'KmsAnyKey',
  account: 'AccountWide',
};

/** Which resource an operation acts on, given the resource it reads or writes. */
function groupOf(key: OperationKey, onLogBucket: boolean): Group {
  const [service] = key.split(':') as [Service];
  const spec = findOperation(service, key.slice(service.length + 1));
  if (service === 's3' && spec?.scope === 'bucket') return onLogBucket ? 'logBucket' : 'bucket';
  if (service === 's3control' && /AccessPoint/.test(key)) return 'accessPoint';
  if (service === 'kms') return 'kms';
  return 'account';
}

function actionOf(key: OperationKey): string {
  const [service] = key.split(':') as [Service];
  return iamActionFor({ service, operation: key.slice(service.length + 1) });
}

function keyOf(call: Pick<ApiCall, 'service' | 'operation'>): OperationKey {
  return `${call.service}:${call.operation}`;
}

/** The policy for the operations and resources in `scope`. */
export function buildIamPolicy(scope: PolicyScope): IamPolicyResult {
  const partition = partitionOf(scope.region);
  const groups = new Map<Group, Set<string>>();
  const add = (key: OperationKey, onLogBucket: boolean) => {
    const group = groupOf(key, onLogBucket);
    const actions = groups.get(group) ?? new Set<string>();
    actions.add(actionOf(key));
    groups.set(group, actions);
  };
  add(IDENTITY, false);
  for (const key of scope.extra ?? []) add(key, false);
  for (const resource of scope.reads) {
    const onLogBucket = RESOURCES[resource].scope === 'logTarget';
    for (const key of READS[resource]) add(key, onLogBucket);
  }
  for (const call of scope.calls) {
    const onLogBucket =
      scope.logBucket !== undefined &&
      scope.logBucket !== scope.bucket &&
      call.input.Bucket === scope.logBucket;
    add(keyOf(call), onLogBucket);
  }
  const notes: string[] = [];
  const serviceLinkedRoles: string[] = [];
  const actions = new Set(scope.calls.map(keyOf));
  const serviceNames: string[] = [];
  if (actions.has('accessanalyzer:CreateAnalyzer')) {
    serviceNames.push('access-analyzer.amazonaws.com');
    serviceLinkedRoles.push(
      `arn:${partition}:iam::${scope.accountId}:role/aws-service-role/access-analyzer.amazonaws.com/AWSServiceRoleForAccessAnalyzer`,
    );
  }
  if (actions.has('macie2:EnableMacie')) {
    serviceNames.push('macie.amazonaws.com');
    serviceLinkedRoles.push(
      `arn:${partition}:iam::${scope.accountId}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`,
    );
  }
  const resourceOf: Record<Group, string | readonly string[]> = {
    bucket: `arn:${partition}:s3:::${scope.bucket}`,
    logBucket: `arn:${partition}:s3:::${scope.logBucket ?? scope.bucket}`,
    accessPoint: accessPointArn(
      partition,
      scope.region,
      scope.accountId,
      accessPointName(scope.bucket),
    ),
    kms: '*',
    account: '*',
  };
  if (groups.has('kms')) {
    notes.push(
      'KMS actions are on "*": the key scan lists and describes every aliased key, and a key the plan creates has no ARN before apply.',
    );
  }
  const order: Group[] = ['bucket', 'logBucket', 'accessPoint', 'kms', 'account'];
  const statements: IamStatement[] = order.flatMap((group) => {
    const list = groups.get(group);
    if (!list || list.size === 0) return [];
    return [
      { Sid: SIDS[group], Effect: 'Allow', Action: [...list].sort(), Resource: resourceOf[group] },
    ];
  });
  if (serviceLinkedRoles.length > 0) {
    statements.push({
      Sid: 'ServiceLinkedRoles',
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource:
        serviceLinkedRoles.length === 1 ? (serviceLinkedRoles[0] as string) : serviceLinkedRoles,
      Condition: { StringEquals: { 'iam:AWSServiceName': serviceNames } },
    });
    notes.push(
      'iam:CreateServiceLinkedRole is needed only the first time Access Analyzer or Macie is used in the account.',
    );
  }
  return { policy: { Version: '2012-10-17', Statement: statements }, notes };
}

/** The policy for applying `plan` (and rolling it back). */
export function iamPolicyForPlan(plan: Plan): IamPolicyResult {
  const reads = new Set<ResourceKey>(Object.keys(plan.observed) as ResourceKey[]);
  for (const change of plan.changes) reads.add(change.resource);
  // apply re-reads the whole log target (does it exist, its policy, encryption…).
  if (plan.target.logBucket) {
    for (const resource of Object.keys(RESOURCES) as ResourceKey[]) {
      if (RESOURCES[resource].scope === 'logTarget') reads.add(resource);
    }
  }
  // Finding the bucket's region reads it (HeadBucket).
  reads.add('bucket.exists');
  const writesPolicy = plan.changes.some((change) => change.resource in POLICY_RESOURCES);
  return buildIamPolicy({
    ...plan.target,
    reads: [...reads],
    calls: plan.changes.flatMap((change) =>
      change.undo ? [change.call, change.undo] : [change.call],
    ),
    extra: writesPolicy ? POLICY_CHECKS : [],
  });
}

/** Writes a plan may make on the log bucket (logTarget.* resources). */
const LOG_BUCKET_WRITES: readonly OperationKey[] = [
  's3:CreateBucket',
  's3:DeleteBucket',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketEncryption',
  's3:DeleteBucketEncryption',
];

/**
 * The policy for every feature on `bucket` and its log bucket: every resource
 * read, every write operation in the catalogue, the wizard's bucket list and
 * the policy checks.
 */
export function iamPolicyForEverything(target: {
  readonly accountId: string;
  readonly region: string;
  readonly bucket: string;
  readonly logBucket: string;
}): IamPolicyResult {
  const calls: ApiCall[] = writeOperations().map((spec) => ({
    service: spec.service,
    operation: spec.operation,
    input: spec.service === 's3' && spec.scope === 'bucket' ? { Bucket: target.bucket } : {},
  }));
  for (const key of LOG_BUCKET_WRITES) {
    const [service, operation] = key.split(':') as [Service, string];
    calls.push({ service, operation, input: { Bucket: target.logBucket } });
  }
  return buildIamPolicy({
    ...target,
    reads: Object.keys(RESOURCES) as ResourceKey[],
    calls,
    extra: ['s3:ListBuckets', ...POLICY_CHECKS],
  });
}

/**
 * The policy as printed: with `json`, the policy document alone (ready for
 * `aws iam create-policy --policy-document`); else the notes as `#` lines,
 * then the document.
 */
export function renderIamPolicy(result: IamPolicyResult, json: boolean): string {
  const document = `${JSON.stringify(result.policy, null, 2)}\n`;
  if (json) return document;
  return `${result.notes.map((note) => `# ${note}\n`).join('')}${document}`;
}
