/**
 * Where hardening would break S3 replication, judged from the replication
 * configuration (../resources/replication.ts) and what a plan leaves:
 *
 * - a Deny of the bucket policy that catches the replication role on the
 *   reads replication makes (evaluated with the lockout guard's evaluator,
 *   ./lockout.ts, for the role: it calls with its own ARN, over TLS, from
 *   AWS's network — through none of your VPC endpoints or IP ranges);
 * - a KMS key the role cannot decrypt with (a key policy that neither names
 *   it nor leaves it to IAM), and rules that do not replicate SSE-KMS
 *   objects at all (SourceSelectionCriteria SseKmsEncryptedObjects not
 *   Enabled: S3 then skips every object encrypted with a KMS key);
 * - Object Lock on the source without it on a destination: S3 fails to
 *   replicate locked objects there (DstBucketObjectLockConfigMissing).
 *
 * Each finding carries the exact fix. Pure: no I/O.
 */
import type { Posture } from '../model/types.js';
import type { KmsKeySummary } from '../resources/kms.js';
import {
  destinationBucket,
  enabledRules,
  type ReplicationRule,
  type ReplicationTargets,
  type ReplicationValue,
  ruleLabel,
} from '../resources/replication.js';
import { asList, isObject, type PolicyDocument, statementsOf, wildcard } from './document.js';
import { type CallerContext, evaluateDeny } from './lockout.js';
import { partitionOf } from './statements.js';

/** What replication reads on the source bucket itself. */
export const REPLICATION_BUCKET_ACTIONS: readonly string[] = [
  's3:GetReplicationConfiguration',
  's3:ListBucket',
];
/** What it reads of each object version it replicates. */
export const REPLICATION_OBJECT_ACTIONS: readonly string[] = [
  's3:GetObjectVersionForReplication',
  's3:GetObjectVersionAcl',
  's3:GetObjectVersionTagging',
];
/** And, to replicate locked objects, their retention and legal hold. */
export const REPLICATION_LOCK_ACTIONS: readonly string[] = [
  's3:GetObjectRetention',
  's3:GetObjectLegalHold',
];

/** The role as the lockout evaluator sees its requests. */
function roleRequester(role: string): CallerContext {
  // From AWS's network: an address in none of your ranges, no VPC endpoint.
  return { principalArn: role, secureTransport: true, tlsVersion: 1.2, sourceIp: '0.0.0.0' };
}

export interface RoleDenial {
  /** The statement's position (0-based) and Sid. */
  readonly index: number;
  readonly sid?: string;
  readonly certainty: 'denies' | 'may deny';
  /** The replication actions it denies the role. */
  readonly actions: readonly string[];
}

interface Where {
  readonly bucket: string;
  readonly region: string;
}

/** Every Deny of `policy` that catches the replication role on what replication reads. */
export function replicationDenials(
  policy: PolicyDocument | null,
  role: string,
  where: Where,
  objectLock: boolean,
): RoleDenial[] {
  const bucketArn = `arn:${partitionOf(where.region)}:s3:::${where.bucket}`;
  const checks: [readonly string[], string][] = [
    [REPLICATION_BUCKET_ACTIONS, bucketArn],
    [
      objectLock
        ? [...REPLICATION_OBJECT_ACTIONS, ...REPLICATION_LOCK_ACTIONS]
        : REPLICATION_OBJECT_ACTIONS,
      `${bucketArn}/object`,
    ],
  ];
  const requester = roleRequester(role);
  const denials: RoleDenial[] = [];
  statementsOf(policy).forEach((statement, index) => {
    let certain = false;
    const actions: string[] = [];
    for (const [needed, arn] of checks) {
      for (const action of needed) {
        const verdict = evaluateDeny(statement, requester, [action], arn);
        if (!verdict) continue;
        actions.push(action);
        if (verdict.certainty === 'denies') certain = true;
      }
    }
    if (actions.length === 0) return;
    const sid =
      isObject(statement) && typeof statement.Sid === 'string' ? statement.Sid : undefined;
    denials.push({
      index,
      ...(sid ? { sid } : {}),
      certainty: certain ? 'denies' : 'may deny',
      actions,
    });
  });
  return denials;
}

/** "Sid "X"" or "statement #n". */
export function statementName(denial: Pick<RoleDenial, 'index' | 'sid'>): string {
  return denial.sid ? `Sid ${JSON.stringify(denial.sid)}` : `statement #${denial.index + 1}`;
}

/** One line per Deny that catches the role, with the fix; for the bucket-policy change. */
export function replicationDenyWarnings(
  posture: Pick<Posture, 'bucket' | 'region' | 'values'>,
  after: PolicyDocument | null,
  objectLock: boolean,
): string[] {
  const value = posture.values['bucket.replication'];
  if (!value || enabledRules(value).length === 0) return [];
  return replicationDenials(after, value.Role, posture, objectLock).map(
    (denial) =>
      `${statementName(denial)} ${denial.certainty} the replication role ${value.Role} ${denial.actions.join(', ')}: S3 ${denial.certainty === 'denies' ? 'can no longer replicate' : 'may no longer replicate'} new objects to ${destinationBuckets(value)}; exempt the role in that statement (ArnNotEquals aws:PrincipalArn ${value.Role}) or narrow it`,
  );
}

function destinationBuckets(value: ReplicationValue): string {
  return [
    ...new Set(enabledRules(value).map((rule) => destinationBucket(rule.Destination.Bucket))),
  ].join(', ');
}

/** How a key policy lets the role decrypt: by name (or everyone), through the account's IAM, or not. */
export type KeyAccess = 'named' | 'iam' | 'no';

/**
 * Whether a key policy lets `role` use kms:Decrypt, judged as the key
 * policy checks of ./key-policy.ts judge it (conditions are not judged): an
 * Allow naming the role or everyone, or the account (its root or ID: then
 * the role's IAM policy decides, which s3-harden cannot read).
 */
export function keyAccess(policy: PolicyDocument, role: string): KeyAccess {
  const account = /^arn:[\w-]+:iam::(\d{12}):/.exec(role)?.[1];
  let access: KeyAccess = 'no';
  for (const statement of statementsOf(policy)) {
    if (!isObject(statement) || statement.Effect !== 'Allow') continue;
    if (!asList(statement.Action).some((pattern) => wildcard(pattern, 'kms:Decrypt', true)))
      continue;
    const principal = statement.Principal;
    if (principal === '*') return 'named';
    if (!isObject(principal)) continue;
    const names = asList(principal.AWS);
    if (names.some((name) => name === '*' || name === role)) return 'named';
    if (account && names.some((name) => name === account || name.endsWith(`:${account}:root`))) {
      access = 'iam';
    }
  }
  return access;
}

/** The role's name (the last part of its ARN, after any path). */
export function roleName(role: string): string {
  return role.slice(role.lastIndexOf('/') + 1);
}

/** The key policy statement that lets the role decrypt through S3. */
export function decryptStatement(role: string, region: string): Record<string, unknown> {
  return {
    Sid: 'S3HardenReplicationDecrypt',
    Effect: 'Allow',
    Principal: { AWS: role },
    Action: 'kms:Decrypt',
    Resource: '*',
    Condition: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
  };
}

/**
 * `aws iam put-role-policy` that lets the role decrypt with `keyArn` through
 * S3 (any key of the account and region when the key's ARN is not known).
 */
export function roleDecryptCommand(
  role: string,
  keyArn: string | undefined,
  where: { readonly accountId: string; readonly region: string },
): string {
  const resource =
    keyArn ?? `arn:${partitionOf(where.region)}:kms:${where.region}:${where.accountId}:key/*`;
  const document = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: resource,
        Condition: { StringEquals: { 'kms:ViaService': `s3.${where.region}.amazonaws.com` } },
      },
    ],
  };
  return `aws iam put-role-policy --role-name ${roleName(role)} --policy-name s3-harden-replication-kms --policy-document '${JSON.stringify(document)}'`;
}

const ARN_OF_KEY = /^arn:[\w-]+:kms:[\w-]+:\d{12}:key\/[\w-]+$/;

/** What breaks when the key `keyId` (undefined: aws/s3) protects new objects of a replicating bucket. */
export function replicationKeyWarnings(
  posture: Pick<Posture, 'accountId' | 'region' | 'values' | 'unreadable'>,
  keyId: string | undefined,
  listed: KmsKeySummary | undefined,
  keysListed: boolean,
): string[] {
  const unread = posture.unreadable['bucket.replication'];
  if (unread) {
    return [
      `the replication configuration could not be read (${unread}): if the bucket replicates, its role needs kms:Decrypt on the key, and its rules SSE-KMS objects selected, or new objects stop replicating`,
    ];
  }
  const value = posture.values['bucket.replication'];
  if (!value || enabledRules(value).length === 0) return [];
  const role = value.Role;
  const arn = listed?.arn || (keyId && ARN_OF_KEY.test(keyId) ? keyId : undefined);
  const fix = roleDecryptCommand(role, arn, posture);
  const stops = 'or new objects fail to replicate';
  const awsManaged =
    keyId === undefined ||
    keyId === 'alias/aws/s3' ||
    keyId.endsWith(':alias/aws/s3') ||
    listed?.manager === 'AWS';
  if (awsManaged) {
    return [
      `the replication role ${role} needs kms:Decrypt on the AWS managed key aws/s3 in its IAM policy (that key's policy leaves it to IAM), ${stops}: ${fix}`,
    ];
  }
  const name = listed?.aliases[0] ?? keyId;
  if (!listed?.policy) {
    const why = !keysListed
      ? "the account's keys were not listed"
      : !listed
        ? 'it is not among the keys listed'
        : 'kms:GetKeyPolicy was refused';
    return [
      `the key policy of ${name} could not be checked (${why}): make sure the replication role ${role} may kms:Decrypt with it through S3, ${stops}; where the key policy leaves it to IAM: ${fix}`,
    ];
  }
  const access = keyAccess(listed.policy, role);
  if (access === 'named') return [];
  if (access === 'iam') {
    return [
      `the key policy of ${name} leaves the replication role ${role} to IAM: its IAM policy must allow kms:Decrypt on the key (s3-harden cannot read it), ${stops}; if it does not: ${fix}`,
    ];
  }
  return [
    `the key policy of ${name} does not let the replication role ${role} decrypt: new objects fail to replicate; add this statement to it (aws kms get-key-policy --key-id ${listed.arn} --policy-name default, then aws kms put-key-policy): ${JSON.stringify(decryptStatement(role, posture.region))}`,
  ];
}

/** The enabled rules that skip objects encrypted with a KMS key. */
export function rulesSkippingKms(value: ReplicationValue | null | undefined): ReplicationRule[] {
  return enabledRules(value).filter((rule) => rule.SseKmsEncryptedObjects !== 'Enabled');
}

/** Why new objects under a KMS default would no longer replicate, with the fix; empty when none. */
export function sseKmsRuleWarnings(posture: Pick<Posture, 'bucket' | 'values'>): string[] {
  const value = posture.values['bucket.replication'];
  if (!value) return [];
  const skipping = rulesSkippingKms(value);
  if (skipping.length === 0) return [];
  const labels = skipping
    .map((rule) => `${ruleLabel(value, rule)} (to ${destinationBucket(rule.Destination.Bucket)})`)
    .join(', ');
  return [
    `${labels} ${skipping.length === 1 ? 'does' : 'do'} not replicate objects encrypted with a KMS key (SourceSelectionCriteria SseKmsEncryptedObjects is not Enabled): new objects stop replicating; add "SourceSelectionCriteria":{"SseKmsEncryptedObjects":{"Status":"Enabled"}} and, in Destination, "EncryptionConfiguration":{"ReplicaKmsKeyID":"<a key in the destination's region>"} (aws s3api get-bucket-replication --bucket ${posture.bucket} --query ReplicationConfiguration > replication.json; edit; aws s3api put-bucket-replication --bucket ${posture.bucket} --replication-configuration file://replication.json), and let the role kms:Encrypt with that key`,
  ];
}

/** A destination whose Object Lock is not known, and why. */
export interface UnknownDestination {
  readonly bucket: string;
  readonly reason: string;
}

/** The destinations that lack Object Lock (known), and those whose Object Lock is not known. */
export function lockDestinations(
  value: ReplicationValue | null | undefined,
  targets: ReplicationTargets | null | undefined,
  unreadable?: string,
): { readonly missing: string[]; readonly unknown: UnknownDestination[] } {
  const missing: string[] = [];
  const unknown: UnknownDestination[] = [];
  const names = [
    ...new Set(enabledRules(value).map((rule) => destinationBucket(rule.Destination.Bucket))),
  ];
  for (const bucket of names) {
    const read = targets?.destinations.find((item) => item.bucket === bucket);
    if (read?.objectLock === false) missing.push(bucket);
    else if (!read || read.objectLock === null) {
      unknown.push({ bucket, reason: read?.reason ?? unreadable ?? 'not read' });
    }
  }
  return { missing, unknown };
}

/** "b1 (why), b2 (why)". */
export function unknownList(unknown: readonly UnknownDestination[]): string {
  return unknown.map((item) => `${item.bucket} (${item.reason})`).join(', ');
}

/** The command that turns Object Lock on for a destination (versioning is on there already: replication needs it). */
export function destinationLockCommand(bucket: string): string {
  return `aws s3api put-object-lock-configuration --bucket ${bucket} --object-lock-configuration '{"ObjectLockEnabled":"Enabled"}'`;
}

/** `aws iam put-role-policy` granting the role what replicating locked objects reads. */
export function roleLockCommand(role: string, where: Where): string {
  const document = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [...REPLICATION_LOCK_ACTIONS],
        Resource: `arn:${partitionOf(where.region)}:s3:::${where.bucket}/*`,
      },
    ],
  };
  return `aws iam put-role-policy --role-name ${roleName(role)} --policy-name s3-harden-replication-object-lock --policy-document '${JSON.stringify(document)}'`;
}
