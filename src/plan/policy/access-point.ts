/**
 * The statements s3-harden writes into the policy of the access point it
 * manages: the same grants as its bucket-policy statements (read-only roles,
 * cross-account accounts), on the access point's ARN instead of the bucket's.
 * Through an access point a request must be allowed by the access point
 * policy AND the bucket policy, so mirroring the bucket's grants lets exactly
 * those principals use the access point, and nobody else.
 *
 * The Sids are the bucket policy's (S3HardenReadOnly1…), so the composer in
 * ./document.ts merges them the same way: statements others wrote stay.
 */

import { accessPointArn } from '../resources/access-point.js';
import type { PolicyDocument, ToolStatement } from './document.js';
import { grantStatements, intentFromPolicy, partitionOf } from './statements.js';

/** Who is granted access through the access point. */
export interface AccessPointGrants {
  /** IAM role ARNs allowed s3:GetObject and s3:ListBucket. */
  readonly readOnlyRoles: readonly string[];
  /** Account IDs allowed to upload and to read objects. */
  readonly crossAccounts: readonly string[];
}

export const NO_GRANTS: AccessPointGrants = { readOnlyRoles: [], crossAccounts: [] };

/** The grants s3-harden's statements in a bucket policy make (other statements are ignored). */
export function grantsFromPolicy(document: PolicyDocument | null): AccessPointGrants {
  const { readOnlyRoles, crossAccounts } = intentFromPolicy(document);
  return { readOnlyRoles, crossAccounts };
}

export function hasGrants(grants: AccessPointGrants): boolean {
  return grants.readOnlyRoles.length > 0 || grants.crossAccounts.length > 0;
}

interface Where {
  readonly accountId: string;
  readonly region: string;
  /** The access point's name. */
  readonly name: string;
}

/**
 * The access point policy statements for these grants, in a fixed order;
 * `aclsDisabled` as for the bucket policy (./statements.ts, grantStatements).
 */
export function accessPointStatements(
  where: Where,
  grants: AccessPointGrants,
  aclsDisabled: boolean,
): ToolStatement[] {
  const partition = partitionOf(where.region);
  const arn = accessPointArn(partition, where.region, where.accountId, where.name);
  // ListBucket is on the access point itself, object calls on <arn>/object/<key>.
  const objects = `${arn}/object/*`;
  return grantStatements(partition, grants, [arn, objects], objects, aclsDisabled);
}
