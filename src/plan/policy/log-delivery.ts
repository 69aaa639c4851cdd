/**
 * Whether a bucket receives S3 server access logs, told by what it grants the
 * log delivery: a bucket policy statement allowing logging.s3.amazonaws.com
 * (any Sid — the logging step's S3HardenAccessLogsFrom… grants, the console's,
 * anyone's), or, the legacy way, a bucket ACL grant to the LogDelivery group.
 * S3 delivers access logs only into a bucket whose default encryption is
 * SSE-S3 (SSE-KMS and DSSE-KMS are not supported), so the encryption step
 * asks before it proposes a KMS key.
 */

import type { AclGrant } from '../resources/object-ownership.js';
import { describeStatement, type PolicyDocument, statementsOf } from './document.js';
import { type LockoutFinding, lockoutFindingsFor, type ServiceRequest } from './lockout.js';

export const LOG_DELIVERY_SERVICE = 'logging.s3.amazonaws.com';

/** How many granting statements a reason names before "and N more". */
const NAMED = 2;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function servicePrincipals(principal: unknown): string[] {
  if (!isObject(principal)) return [];
  const service = principal.Service;
  const values = Array.isArray(service) ? service : [service];
  return values.filter((value): value is string => typeof value === 'string');
}

/** Whether a statement allows the S3 log delivery service (whatever it allows it). */
export function allowsLogDelivery(statement: unknown): boolean {
  return (
    isObject(statement) &&
    statement.Effect === 'Allow' &&
    servicePrincipals(statement.Principal).some(
      (service) => service.toLowerCase() === LOG_DELIVERY_SERVICE,
    )
  );
}

/**
 * What shows that the bucket receives server access logs, as a phrase for a
 * note ("its policy allows logging.s3.amazonaws.com (Sid "X")"), or null when
 * neither its policy nor its ACL grants log delivery. Values not read count
 * as granting nothing.
 */
export function logDeliveryEvidence(
  policy: PolicyDocument | null | undefined,
  acl: readonly AclGrant[] | null | undefined,
): string | null {
  const reasons: string[] = [];
  const granting = statementsOf(policy ?? null).filter(allowsLogDelivery);
  if (granting.length > 0) {
    const named = granting
      .slice(0, NAMED)
      .map((statement) => describeStatement(policy ?? null, statement));
    const more = granting.length - named.length;
    reasons.push(
      `its policy allows ${LOG_DELIVERY_SERVICE}: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
    );
  }
  const groupGrants = (acl ?? []).filter((grant) => grant.Grantee === 'LogDelivery');
  if (groupGrants.length > 0) {
    const permissions = groupGrants.map((grant) => grant.Permission).join(', ');
    reasons.push(`its ACL grants the LogDelivery group ${permissions}`);
  }
  return reasons.length > 0 ? reasons.join('; ') : null;
}

/** Where S3 delivers a source bucket's access logs, for the check below. */
export interface Delivery {
  readonly partition: string;
  readonly accountId: string;
  readonly sourceBucket: string;
  readonly targetBucket: string;
  readonly prefix: string;
}

/**
 * What log delivery's PutObject carries, as the Denies see it: the service
 * principal, aws:SourceArn and aws:SourceAccount of the source bucket, TLS,
 * and no network keys (AWS redacts them on service calls), no credentials
 * of a principal, no encryption or ACL header.
 */
function deliveryRequest(delivery: Delivery): ServiceRequest {
  return {
    service: LOG_DELIVERY_SERVICE,
    secureTransport: true,
    keys: {
      'aws:sourcearn': `arn:${delivery.partition}:s3:::${delivery.sourceBucket}`,
      'aws:sourceaccount': delivery.accountId,
      'aws:principalservicename': LOG_DELIVERY_SERVICE,
      'aws:viaawsservice': 'false',
      'aws:principalarn': null,
      'aws:principalaccount': null,
      'aws:principalorgid': null,
      'aws:sourceip': null,
      'aws:sourcevpce': null,
      'aws:sourcevpc': null,
      's3:x-amz-server-side-encryption': null,
      's3:x-amz-server-side-encryption-aws-kms-key-id': null,
      's3:x-amz-acl': null,
    },
  };
}

/**
 * The Deny statements of a log target's policy that stop (or may stop) log
 * delivery from the source bucket: a wrong target fails silently — logs
 * never arrive — so the logging step refuses a target that denies, and
 * warns of one that may.
 */
export function deliveryDenials(
  policy: PolicyDocument | null,
  delivery: Delivery,
): LockoutFinding[] {
  const object = `arn:${delivery.partition}:s3:::${delivery.targetBucket}/${delivery.prefix}${delivery.accountId}/log`;
  return lockoutFindingsFor(
    'log target',
    policy,
    deliveryRequest(delivery),
    ['s3:PutObject'],
    object,
  );
}
