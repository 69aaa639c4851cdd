/**
 * Who must be able to use the bucket's KMS key, and the key policy that lets
 * them. A customer-managed key decides who can read what it encrypts: the
 * default key policy trusts only the account's IAM policies, so a partner
 * account, CloudFront (Origin Access Control) or Macie that the bucket
 * policy grants cannot decrypt new objects once the bucket moves to the key.
 *
 * The grantees come from the bucket policy the plan leaves: every Allow of
 * s3:GetObject (read) or s3:PutObject (write) on the bucket's objects, and
 * Macie's service-linked role when Macie is on, and the replication role
 * when the bucket replicates. The key s3-harden creates gets a policy that
 * keeps the account's administrators (the default statement) and grants
 * each of them, scoped to use through S3 (kms:ViaService) or, for a
 * service, to the resource the bucket policy names (aws:SourceArn). For a
 * key that already exists, the same grantees are checked against its key
 * policy and each one it does not cover is a warning (the replication role
 * by ./replication.ts, with the exact fix).
 */

import type { Posture, PostureValues } from '../model/types.js';
import { isAwsManagedAlias, type KmsKeySummary } from '../resources/kms.js';
import {
  isObject,
  asList as list,
  type PolicyDocument,
  statementsOf,
  wildcard,
} from './document.js';
import { macieServiceRoleArn, partitionOf } from './statements.js';

/** Someone the bucket policy lets read or write objects. */
export interface KeyGrantee {
  readonly kind: 'aws' | 'service';
  /** An IAM principal ARN, or a service principal (cloudfront.amazonaws.com). */
  readonly principal: string;
  readonly access: 'read' | 'write';
  /** For a service: the aws:SourceArn values its bucket-policy grant is scoped to. */
  readonly sourceArns?: readonly string[];
}

export interface Grantees {
  readonly grantees: readonly KeyGrantee[];
  /** Grants the key policy cannot mirror safely, one line each. */
  readonly notes: readonly string[];
}

interface Where {
  readonly accountId: string;
  readonly region: string;
  readonly bucket: string;
}

/** What a statement lets do with the bucket's objects: nothing, read, or write (which includes reading back). */
function accessOf(statement: Record<string, unknown>, objectArn: string): 'read' | 'write' | null {
  if ('NotAction' in statement || 'NotResource' in statement) return null;
  if (!list(statement.Resource).some((pattern) => wildcard(pattern, objectArn))) return null;
  const actions = list(statement.Action);
  if (actions.some((pattern) => wildcard(pattern, 's3:PutObject', true))) return 'write';
  if (actions.some((pattern) => wildcard(pattern, 's3:GetObject', true))) return 'read';
  return null;
}

function sourceArnsOf(condition: unknown): string[] {
  if (!isObject(condition)) return [];
  for (const block of Object.values(condition)) {
    if (!isObject(block)) continue;
    for (const [key, value] of Object.entries(block)) {
      if (key.toLowerCase() === 'aws:sourcearn') return list(value);
    }
  }
  return [];
}

function describe(statement: Record<string, unknown>, index: number): string {
  return typeof statement.Sid === 'string'
    ? `Sid ${JSON.stringify(statement.Sid)}`
    : `statement #${index + 1}`;
}

/** S3 log delivery writes only into SSE-S3 buckets: it never needs a key. */
const NO_KEY_SERVICES = new Set(['logging.s3.amazonaws.com']);

/**
 * The principals the bucket policy (and Macie, and the replication role)
 * let use the bucket's objects. The replication role reads every object it
 * replicates through S3: a key it cannot decrypt with stops replication.
 */
export function keyGrantees(
  where: Where,
  bucketPolicy: PolicyDocument | null,
  macieOn: boolean,
  replicationRole?: string,
): Grantees {
  const partition = partitionOf(where.region);
  const objectArn = `arn:${partition}:s3:::${where.bucket}/object`;
  const root = `arn:${partition}:iam::${where.accountId}:root`;
  const byKey = new Map<string, KeyGrantee>();
  const notes: string[] = [];
  const add = (grantee: KeyGrantee) => {
    const key = `${grantee.kind} ${grantee.principal} ${(grantee.sourceArns ?? []).join(',')}`;
    const known = byKey.get(key);
    if (!known || (known.access === 'read' && grantee.access === 'write')) byKey.set(key, grantee);
  };
  statementsOf(bucketPolicy).forEach((statement, index) => {
    if (!isObject(statement) || statement.Effect !== 'Allow') return;
    const access = accessOf(statement, objectArn);
    if (!access) return;
    const principal = statement.Principal;
    if (principal === '*' || (isObject(principal) && list(principal.AWS).includes('*'))) {
      notes.push(
        `${describe(statement, index)} grants everyone (within its conditions): no key policy statement can mirror it; add one by hand if those callers must decrypt`,
      );
      return;
    }
    if (!isObject(principal)) return;
    for (const name of list(principal.AWS)) {
      const arn = /^\d{12}$/.test(name) ? `arn:${partition}:iam::${name}:root` : name;
      // The account itself is the default statement's: its IAM policies decide.
      if (arn !== root) add({ kind: 'aws', principal: arn, access });
    }
    for (const service of list(principal.Service)) {
      if (NO_KEY_SERVICES.has(service.toLowerCase())) continue;
      const sourceArns = sourceArnsOf(statement.Condition);
      if (sourceArns.length === 0) {
        notes.push(
          `${describe(statement, index)} grants ${service} with no aws:SourceArn: the key policy does not grant it unscoped; add a statement by hand, scoped to your resource`,
        );
        continue;
      }
      add({ kind: 'service', principal: service, access, sourceArns });
    }
  });
  if (macieOn) {
    add({
      kind: 'aws',
      principal: macieServiceRoleArn(partition, where.accountId),
      access: 'read',
    });
  }
  if (replicationRole) add({ kind: 'aws', principal: replicationRole, access: 'read' });
  return { grantees: [...byKey.values()], notes };
}

export const KEY_POLICY_ID = 's3-harden-key-policy';
/** The default key policy's statement: the account's IAM policies decide (administrators keep the key). */
export const ACCOUNT_STATEMENT_SID = 'EnableIAMPolicies';

function serviceSid(service: string, index: number): string {
  const name = service.split('.')[0] ?? 'Service';
  const word = name.charAt(0).toUpperCase() + name.slice(1).replace(/[^A-Za-z0-9]/g, '');
  return `S3Harden${word}${index > 0 ? index + 1 : ''}`;
}

const READ_ACTIONS = ['kms:Decrypt'];
/** Uploads generate a data key; multipart parts and reads decrypt it. */
const WRITE_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];

/** The key policy of the key s3-harden creates for a bucket with these grantees. */
export function createdKeyPolicy(where: Where, grantees: readonly KeyGrantee[]): PolicyDocument {
  const partition = partitionOf(where.region);
  const viaS3 = { StringEquals: { 'kms:ViaService': `s3.${where.region}.amazonaws.com` } };
  const statements: Record<string, unknown>[] = [
    {
      Sid: ACCOUNT_STATEMENT_SID,
      Effect: 'Allow',
      Principal: { AWS: `arn:${partition}:iam::${where.accountId}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ];
  // One statement per kind of use, for the IAM principals: their use only through S3.
  for (const [sid, access, actions] of [
    ['S3HardenDecryptThroughS3', 'read', READ_ACTIONS],
    ['S3HardenEncryptThroughS3', 'write', WRITE_ACTIONS],
  ] as const) {
    const principals = grantees
      .filter((grantee) => grantee.kind === 'aws' && grantee.access === access)
      .map((grantee) => grantee.principal)
      .sort();
    if (principals.length === 0) continue;
    statements.push({
      Sid: sid,
      Effect: 'Allow',
      Principal: { AWS: principals.length === 1 ? principals[0] : principals },
      Action: actions,
      Resource: '*',
      Condition: viaS3,
    });
  }
  const seen = new Map<string, number>();
  for (const grantee of grantees) {
    if (grantee.kind !== 'service') continue;
    const index = seen.get(grantee.principal) ?? 0;
    seen.set(grantee.principal, index + 1);
    const arns = [...(grantee.sourceArns ?? [])];
    statements.push({
      Sid: serviceSid(grantee.principal, index),
      Effect: 'Allow',
      Principal: { Service: grantee.principal },
      Action: grantee.access === 'write' ? WRITE_ACTIONS : READ_ACTIONS,
      Resource: '*',
      Condition: { ArnLike: { 'aws:SourceArn': arns.length === 1 ? arns[0] : arns } },
    });
  }
  return { Version: '2012-10-17', Id: KEY_POLICY_ID, Statement: statements };
}

/** The KMS actions a grantee needs through S3. */
function neededActions(grantee: KeyGrantee): readonly string[] {
  return grantee.access === 'write' ? WRITE_ACTIONS : READ_ACTIONS;
}

/**
 * Whether a key policy lets the grantee use the key as it needs, judged
 * conservatively: an Allow that names it (its ARN, its account's root or
 * ID, the service, or everyone) with the actions; conditions are not
 * judged. For the account's own principals a statement that trusts the
 * account's IAM policies counts, as their IAM policies are not known here —
 * except for Macie's service-linked role, whose managed policy grants no KMS
 * action: only the key policy can let it decrypt.
 */
function covers(policy: PolicyDocument, grantee: KeyGrantee): boolean {
  const account = /^arn:[\w-]+:iam::(\d{12}):/.exec(grantee.principal)?.[1];
  const viaAccount =
    account !== undefined && !grantee.principal.includes(':role/aws-service-role/');
  return neededActions(grantee).every((action) =>
    statementsOf(policy).some((statement) => {
      if (!isObject(statement) || statement.Effect !== 'Allow') return false;
      if (!list(statement.Action).some((pattern) => wildcard(pattern, action, true))) return false;
      const principal = statement.Principal;
      if (principal === '*') return true;
      if (!isObject(principal)) return false;
      if (grantee.kind === 'service') {
        return list(principal.Service).some((name) => name.toLowerCase() === grantee.principal);
      }
      return list(principal.AWS).some(
        (name) =>
          name === '*' ||
          name === grantee.principal ||
          (viaAccount && (name === account || name.endsWith(`:${account}:root`))),
      );
    }),
  );
}

/** One warning per grantee an existing key's policy does not let use the key. */
export function uncoveredGrantees(
  keyName: string,
  policy: PolicyDocument,
  grantees: readonly KeyGrantee[],
): string[] {
  return grantees
    .filter((grantee) => !covers(policy, grantee))
    .map(
      (grantee) =>
        `the key policy of ${keyName} does not grant ${grantee.principal} ${neededActions(grantee).join(' and ')}: it cannot ${grantee.access === 'write' ? 'upload or read' : 'read'} objects encrypted with the key`,
    );
}

/** The key a value of KMSMasterKeyID names, as the account's key list has it. */
function listedKey(keys: readonly KmsKeySummary[], id: string): KmsKeySummary | undefined {
  return keys.find(
    (key) =>
      key.arn === id ||
      key.keyId === id ||
      key.aliases.some((alias) => alias === id || id.endsWith(`:${alias}`)),
  );
}

/**
 * What the bucket's default encryption after the plan means for the
 * grantees: nothing for SSE-S3 or for the key the plan creates (its policy
 * is built for them); for the AWS managed aws/s3 key, that principals of
 * other accounts and services cannot use it at all; for another existing
 * key, each grantee its policy does not cover (or that it could not be read).
 */
export function keyUseWarnings(posture: Posture, planned: Partial<PostureValues>): string[] {
  const rule = planned['bucket.encryption']?.Rules.find(
    (entry) => entry.ApplyServerSideEncryptionByDefault,
  )?.ApplyServerSideEncryptionByDefault;
  if (!rule || rule.SSEAlgorithm === 'AES256') return [];
  const id = rule.KMSMasterKeyID;
  if (typeof id === 'object') return []; // the key this plan creates
  const { grantees } = keyGrantees(
    posture,
    (planned['bucket.policy'] ?? null) as PolicyDocument | null,
    Boolean(planned['account.macie']),
  );
  if (grantees.length === 0) return [];
  const keys = posture.values['account.kmsKeys'];
  const listed = id && keys ? listedKey(keys, id) : undefined;
  if (!id || isAwsManagedAlias(id) || listed?.manager === 'AWS') {
    return grantees
      .filter((grantee) => grantee.kind === 'service' || !sameAccount(grantee, posture.accountId))
      .map(
        (grantee) =>
          `${grantee.principal} cannot use the AWS managed key aws/s3 (its policy admits only this account, and cannot be changed): it cannot read new objects; use a customer-managed key`,
      );
  }
  // The account's keys were not read (a plan without the encryption step): nothing to check against.
  if (!keys) return [];
  const name = listed?.aliases[0] ?? id;
  if (!listed) {
    return [
      `the key policy of ${name} could not be checked (it is not among the keys listed): make sure it lets ${grantees.map((grantee) => grantee.principal).join(', ')} use it`,
    ];
  }
  if (!listed.policy) {
    return [
      `the key policy of ${name} could not be read (kms:GetKeyPolicy): make sure it lets ${grantees.map((grantee) => grantee.principal).join(', ')} use it`,
    ];
  }
  return uncoveredGrantees(name, listed.policy, grantees);
}

function sameAccount(grantee: KeyGrantee, accountId: string): boolean {
  return new RegExp(`^arn:[\\w-]+:iam::${accountId}:`).test(grantee.principal);
}
