/**
 * The closed catalogue of API operations s3-harden may run. A plan file may
 * only name the write operations listed here, and each input is checked
 * against its schema before any call is made. The IAM action of each
 * operation feeds error messages ("access denied: s3:PutBucketPublicAccessBlock").
 */
import { FAMILY_OPERATIONS } from '../resources/index.js';
import type { ApiCall, OperationSpec } from './call.js';

/** Operations every command uses, before any resource family. */
const CORE_OPERATIONS: readonly OperationSpec[] = [
  {
    service: 'sts',
    operation: 'GetCallerIdentity',
    iamAction: 'sts:GetCallerIdentity',
    kind: 'read',
    scope: 'none',
  },
  {
    service: 's3',
    operation: 'ListBuckets',
    iamAction: 's3:ListAllMyBuckets',
    kind: 'read',
    scope: 'none',
  },
  {
    service: 's3',
    operation: 'HeadBucket',
    iamAction: 's3:ListBucket',
    kind: 'read',
    scope: 'bucket',
  },
  // A bucket's tags (src/aws/families/tagging.ts): its tag exceptions and ownership signs, read by audit and plan.
  {
    service: 's3',
    operation: 'GetBucketTagging',
    iamAction: 's3:GetBucketTagging',
    kind: 'read',
    scope: 'bucket',
  },
  // audit --accounts: the organisation's member accounts, and the role assumed in each.
  {
    service: 'organizations',
    operation: 'ListAccounts',
    iamAction: 'organizations:ListAccounts',
    kind: 'read',
    scope: 'none',
  },
  {
    service: 'sts',
    operation: 'AssumeRole',
    iamAction: 'sts:AssumeRole',
    kind: 'read',
    scope: 'none',
  },
  // The policy checks (src/aws/policy-validation.ts) before review and apply.
  {
    service: 'accessanalyzer',
    operation: 'ValidatePolicy',
    iamAction: 'access-analyzer:ValidatePolicy',
    kind: 'read',
    scope: 'none',
  },
  {
    service: 'accessanalyzer',
    operation: 'CheckNoPublicAccess',
    iamAction: 'access-analyzer:CheckNoPublicAccess',
    kind: 'read',
    scope: 'none',
  },
];

const OPERATIONS: readonly OperationSpec[] = [...CORE_OPERATIONS, ...FAMILY_OPERATIONS];

const byKey = new Map(OPERATIONS.map((spec) => [`${spec.service}:${spec.operation}`, spec]));

export function findOperation(service: string, operation: string): OperationSpec | undefined {
  return byKey.get(`${service}:${operation}`);
}

/** The IAM action a call needs, for error messages and least-privilege policies. */
export function iamActionFor(call: Pick<ApiCall, 'service' | 'operation'>): string {
  return (
    findOperation(call.service, call.operation)?.iamAction ?? `${call.service}:${call.operation}`
  );
}

export function writeOperations(): readonly OperationSpec[] {
  return OPERATIONS.filter((spec) => spec.kind === 'write');
}
