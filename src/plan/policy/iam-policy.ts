/**
 * The least-privilege IAM policy for applying a plan: every read `apply` makes
 * (identity, the drift check, the policy checks, the read-back after each
 * write and after each undo), every write, and every undo call, grouped by
 * the resource it acts on. Actions come from the operation catalogue
 * (iamActionFor), so the policy names exactly what the tool calls.
 *
 * READS lists, per resource, the operations its reader in src/aws/families
 * sends, as each resource spec declares them (`reads`: a resource does not
 * compile without); test/unit/iam-policy.test.ts runs every reader against
 * it and checks every SDK command has a catalogue entry.
 *
 * Why one file of ~450 lines: the groups, the ARN each one is scoped to and
 * the three policies built from them (a plan's, every feature's, and the
 * writes per bucket) are one table read three ways; split, a group added
 * for a new resource (the CloudTrail bucket, the trails) would be named in
 * three places.
 */
import { derivedFrom } from '../apply/drift.js';
import type { OperationKey } from '../model/call.js';
import { findOperation, iamActionFor, writeOperations } from '../model/operations.js';
import type { ApiCall, Plan, ResourceKey, Service } from '../model/types.js';
import { accessPointArn, accessPointName } from '../resources/access-point.js';
import { isTrailBucketResource, trailBucketName } from '../resources/cloudtrail.js';
import { RESOURCES } from '../resources/index.js';
import { CHANGE_TAG, defaultAliasName, KEY_TAG, PLAN_TAG } from '../resources/kms.js';
import { macieServiceRoleArn, partitionOf } from './statements.js';
import { POLICY_RESOURCES } from './validation.js';

export type { OperationKey };

/** The operations each resource's reader sends: declared by each resource (../resources). */
export const READS: Readonly<Record<ResourceKey, readonly OperationKey[]>> = Object.fromEntries(
  (Object.keys(RESOURCES) as ResourceKey[]).map((resource) => [
    resource,
    RESOURCES[resource].reads,
  ]),
) as Record<ResourceKey, readonly OperationKey[]>;

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

/**
 * Where an action may act, and so which statement it goes in. Resources are
 * as narrow as IAM allows: the buckets by name; KMS keys of the account and
 * region, the writes only on keys tagged for this bucket; the analyzer and
 * classification jobs of the account and region; "*" only for the actions
 * that take no resource (IAM's wildcard-only actions).
 */
type Group =
  | 'bucket'
  | 'logBucket'
  | 'trailBucket'
  | 'accessPoint'
  | 'kmsCreate'
  | 'kmsTagNewKey'
  | 'kmsBucketKey'
  | 'kmsAlias'
  | 'kmsRead'
  | 'analyzer'
  | 'macieJob'
  | 'trail'
  | 'account';

const SIDS: Record<Group, string> = {
  bucket: 'Bucket',
  logBucket: 'LogBucket',
  trailBucket: 'CloudTrailBucket',
  accessPoint: 'AccessPoint',
  kmsCreate: 'KmsCreateTaggedKey',
  kmsTagNewKey: 'KmsTagNewKey',
  kmsBucketKey: 'KmsKeyOfThisBucket',
  kmsAlias: 'KmsAlias',
  kmsRead: 'KmsReadKeys',
  analyzer: 'AccessAnalyzer',
  macieJob: 'MacieJobs',
  trail: 'CloudTrailTrails',
  account: 'AccountWide',
};

const ORDER: readonly Group[] = [
  'bucket',
  'logBucket',
  'trailBucket',
  'accessPoint',
  'kmsCreate',
  'kmsTagNewKey',
  'kmsBucketKey',
  'kmsAlias',
  'kmsRead',
  'analyzer',
  'macieJob',
  'trail',
  'account',
];

/** KMS actions on the key a plan created, found by its tag. */
const KMS_BUCKET_KEY_ACTIONS = new Set([
  'kms:ScheduleKeyDeletion',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:PutKeyPolicy',
  'kms:CreateAlias',
  'kms:DeleteAlias',
]);
/** KMS reads of any key of the account and region (the scan describes every aliased key). */
const KMS_READ_ACTIONS = new Set([
  'kms:DescribeKey',
  'kms:GetKeyRotationStatus',
  'kms:GetKeyPolicy',
  'kms:ListResourceTags',
]);

/** The bucket an S3 bucket operation acts on: the plan's, its log bucket, or the CloudTrail bucket. */
type BucketGroup = 'bucket' | 'logBucket' | 'trailBucket';

/** Which statements an operation goes in, given the resource it reads or writes. */
function groupsOf(key: OperationKey, on: BucketGroup): Group[] {
  const [service] = key.split(':') as [Service];
  const operation = key.slice(service.length + 1);
  const spec = findOperation(service, operation);
  const action = actionOf(key);
  if (service === 's3' && spec?.scope === 'bucket') return [on];
  // Every trail action takes a trail ARN, except listing them.
  if (service === 'cloudtrail' && action !== 'cloudtrail:DescribeTrails') return ['trail'];
  // GetAccessPoint takes no resource in IAM; the writes take the access point's ARN.
  if (service === 's3control' && /AccessPoint/.test(key) && operation !== 'GetAccessPoint') {
    return ['accessPoint'];
  }
  if (action === 'kms:CreateKey') return ['kmsCreate'];
  // An alias call needs the alias and the key it names.
  if (action === 'kms:CreateAlias' || action === 'kms:DeleteAlias') {
    return ['kmsAlias', 'kmsBucketKey'];
  }
  if (KMS_BUCKET_KEY_ACTIONS.has(action)) return ['kmsBucketKey'];
  if (KMS_READ_ACTIONS.has(action)) return ['kmsRead'];
  if (
    ['access-analyzer:CreateAnalyzer', 'access-analyzer:DeleteAnalyzer'].includes(action) ||
    ['access-analyzer:ListFindings', 'access-analyzer:GetFinding'].includes(action)
  ) {
    return ['analyzer'];
  }
  if (/^macie2:(Create|Update|Describe)ClassificationJob$/.test(action)) return ['macieJob'];
  return ['account'];
}

function actionOf(key: OperationKey): string {
  const [service] = key.split(':') as [Service];
  return iamActionFor({ service, operation: key.slice(service.length + 1) });
}

function keyOf(call: Pick<ApiCall, 'service' | 'operation'>): OperationKey {
  return `${call.service}:${call.operation}`;
}

/**
 * The actions a call needs besides its own: CreateBucket with Object Lock
 * also needs s3:PutBucketObjectLockConfiguration and s3:PutBucketVersioning;
 * CreateKey with tags needs kms:TagResource, with a key policy kms:PutKeyPolicy
 * (KMS checks that the caller could still change the policy it sets).
 */
function impliedActions(call: ApiCall): string[] {
  if (call.service === 's3' && call.operation === 'CreateBucket') {
    return call.input.ObjectLockEnabledForBucket
      ? ['s3:PutBucketObjectLockConfiguration', 's3:PutBucketVersioning']
      : [];
  }
  if (call.service === 'kms' && call.operation === 'CreateKey') {
    return [
      ...(call.input.Tags ? ['kms:TagResource'] : []),
      ...(call.input.Policy ? ['kms:PutKeyPolicy'] : []),
    ];
  }
  return [];
}

function oneOrList(items: readonly string[]): string | readonly string[] {
  return items.length === 1 ? (items[0] as string) : items;
}

/** The policy for the operations and resources in `scope`. */
export function buildIamPolicy(scope: PolicyScope): IamPolicyResult {
  const partition = partitionOf(scope.region);
  const groups = new Map<Group, Set<string>>();
  const addAction = (group: Group, action: string) => {
    const actions = groups.get(group) ?? new Set<string>();
    actions.add(action);
    groups.set(group, actions);
  };
  const add = (key: OperationKey, on: BucketGroup) => {
    for (const group of groupsOf(key, on)) addAction(group, actionOf(key));
  };
  add(IDENTITY, 'bucket');
  for (const key of scope.extra ?? []) add(key, 'bucket');
  for (const resource of scope.reads) {
    const on: BucketGroup =
      RESOURCES[resource].scope === 'logTarget'
        ? 'logBucket'
        : isTrailBucketResource(resource)
          ? 'trailBucket'
          : 'bucket';
    for (const key of READS[resource]) add(key, on);
  }
  const aliases = new Set<string>();
  const trailBucket = trailBucketName(scope);
  for (const call of scope.calls) {
    const on: BucketGroup =
      call.input.Bucket === trailBucket
        ? 'trailBucket'
        : scope.logBucket !== undefined &&
            scope.logBucket !== scope.bucket &&
            call.input.Bucket === scope.logBucket
          ? 'logBucket'
          : 'bucket';
    add(keyOf(call), on);
    for (const action of impliedActions(call)) {
      if (action === 'kms:TagResource') addAction('kmsTagNewKey', action);
      else if (action === 'kms:PutKeyPolicy') addAction('kmsBucketKey', action);
      else addAction(on, action);
    }
    if (call.service === 'kms' && typeof call.input.AliasName === 'string') {
      aliases.add(call.input.AliasName);
    }
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
    serviceLinkedRoles.push(macieServiceRoleArn(partition, scope.accountId));
  }
  const where = `${scope.region}:${scope.accountId}`;
  const keys = `arn:${partition}:kms:${where}:key/*`;
  const tag = { [`aws:RequestTag/${KEY_TAG}`]: scope.bucket };
  const resourceOf: Record<Group, string | readonly string[]> = {
    bucket: `arn:${partition}:s3:::${scope.bucket}`,
    logBucket: `arn:${partition}:s3:::${scope.logBucket ?? scope.bucket}`,
    trailBucket: `arn:${partition}:s3:::${trailBucket}`,
    accessPoint: accessPointArn(
      partition,
      scope.region,
      scope.accountId,
      accessPointName(scope.bucket),
    ),
    kmsCreate: '*',
    kmsTagNewKey: keys,
    kmsBucketKey: keys,
    kmsAlias: oneOrList(
      [...(aliases.size > 0 ? aliases : [defaultAliasName(scope.bucket)])]
        .sort()
        .map((alias) => `arn:${partition}:kms:${where}:${alias}`),
    ),
    kmsRead: keys,
    analyzer: `arn:${partition}:access-analyzer:${where}:analyzer/*`,
    macieJob: `arn:${partition}:macie2:${where}:classification-job/*`,
    // Any trail of the account homed here: the step reads every one, and
    // writes the selectors of the one it picks (only its own trail is ever
    // created, started, stopped or deleted: the catalogue allows no other).
    trail: `arn:${partition}:cloudtrail:${where}:trail/*`,
    account: '*',
  };
  const conditionOf: Partial<Record<Group, IamStatement['Condition']>> = {
    kmsCreate: {
      StringEquals: tag,
      // The bucket tag, and the plan and change tags that find the key again after a lost answer.
      'ForAllValues:StringEquals': { 'aws:TagKeys': [KEY_TAG, CHANGE_TAG, PLAN_TAG] },
    },
    kmsTagNewKey: { StringEquals: tag },
    kmsBucketKey: { StringEquals: { [`aws:ResourceTag/${KEY_TAG}`]: scope.bucket } },
  };
  if (groups.has('kmsCreate')) {
    notes.push(
      `KMS: CreateKey takes no resource, so it is allowed only with the tag ${KEY_TAG}=${scope.bucket}; every write after it is scoped to keys with that tag.`,
    );
  }
  const statements: IamStatement[] = ORDER.flatMap((group) => {
    const list = groups.get(group);
    if (!list || list.size === 0) return [];
    const condition = conditionOf[group];
    return [
      {
        Sid: SIDS[group],
        Effect: 'Allow',
        Action: [...list].sort(),
        Resource: resourceOf[group],
        ...(condition ? { Condition: condition } : {}),
      },
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
  // apply's gate reads again what the changes were derived from (../apply/drift.ts).
  for (const resource of Object.keys(derivedFrom(plan)) as ResourceKey[]) reads.add(resource);
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
  // The log bucket hardened like any bucket (steps/log-target.ts).
  's3:PutPublicAccessBlock',
  's3:DeletePublicAccessBlock',
  's3:PutBucketOwnershipControls',
  's3:DeleteBucketOwnershipControls',
  's3:PutBucketVersioning',
  's3:PutBucketLifecycleConfiguration',
  's3:DeleteBucketLifecycle',
];

/** Writes a plan may make on s3-harden's CloudTrail bucket (steps/cloudtrail.ts). */
const TRAIL_BUCKET_WRITES: readonly OperationKey[] = [
  's3:CreateBucket',
  's3:DeleteBucket',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketEncryption',
  's3:DeleteBucketEncryption',
  's3:PutPublicAccessBlock',
  's3:DeletePublicAccessBlock',
  's3:PutBucketOwnershipControls',
  's3:DeleteBucketOwnershipControls',
  's3:PutBucketVersioning',
  's3:PutBucketLifecycleConfiguration',
  's3:DeleteBucketLifecycle',
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
  // Inputs as the plans write them, where the input decides what else is needed.
  const inputs: Record<string, Record<string, unknown>> = {
    'kms:CreateKey': { Policy: '{}', Tags: [{ TagKey: KEY_TAG, TagValue: target.bucket }] },
    'kms:CreateAlias': { AliasName: defaultAliasName(target.bucket) },
    's3:CreateBucket': { Bucket: target.bucket, ObjectLockEnabledForBucket: true },
  };
  const calls: ApiCall[] = writeOperations().map((spec) => ({
    service: spec.service,
    operation: spec.operation,
    input:
      inputs[`${spec.service}:${spec.operation}`] ??
      (spec.service === 's3' && spec.scope === 'bucket' ? { Bucket: target.bucket } : {}),
  }));
  for (const key of LOG_BUCKET_WRITES) {
    const [service, operation] = key.split(':') as [Service, string];
    calls.push({ service, operation, input: { Bucket: target.logBucket } });
  }
  for (const key of TRAIL_BUCKET_WRITES) {
    const [service, operation] = key.split(':') as [Service, string];
    calls.push({ service, operation, input: { Bucket: trailBucketName(target) } });
  }
  return buildIamPolicy({
    ...target,
    reads: Object.keys(RESOURCES) as ResourceKey[],
    calls,
    extra: ['s3:ListBuckets', 's3:GetBucketTagging', ...POLICY_CHECKS],
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
