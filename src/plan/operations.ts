/**
 * The closed catalogue of API operations s3-harden may run. A plan file may
 * only name the write operations listed here, and each input is checked
 * against its schema before any call is made. The IAM action of each
 * operation feeds error messages ("access denied: s3:PutBucketPublicAccessBlock").
 */
import { z } from 'zod';
import type { ApiCall, Service } from './types.js';

const bucketName = z.string().min(3).max(63);
const accountId = z.string().regex(/^\d{12}$/, 'an account ID is 12 digits');

export const publicAccessBlockSchema = z.strictObject({
  BlockPublicAcls: z.boolean(),
  IgnorePublicAcls: z.boolean(),
  BlockPublicPolicy: z.boolean(),
  RestrictPublicBuckets: z.boolean(),
});

export interface OperationSpec {
  readonly service: Service;
  readonly operation: string;
  /** The IAM action the call needs. */
  readonly iamAction: string;
  /** Writes may appear in plan files; reads may not. */
  readonly kind: 'read' | 'write';
  /** Which input field names the target: the bucket or the account. */
  readonly scope: 'bucket' | 'account' | 'none';
  /** Shape of `input` (writes only; reads are built by the tool itself). */
  readonly input?: z.ZodType;
}

const OPERATIONS: readonly OperationSpec[] = [
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
  {
    service: 's3',
    operation: 'GetPublicAccessBlock',
    iamAction: 's3:GetBucketPublicAccessBlock',
    kind: 'read',
    scope: 'bucket',
  },
  {
    service: 's3',
    operation: 'PutPublicAccessBlock',
    iamAction: 's3:PutBucketPublicAccessBlock',
    kind: 'write',
    scope: 'bucket',
    input: z.strictObject({
      Bucket: bucketName,
      PublicAccessBlockConfiguration: publicAccessBlockSchema,
    }),
  },
  {
    service: 's3',
    operation: 'DeletePublicAccessBlock',
    // S3 authorises the delete with the put permission.
    iamAction: 's3:PutBucketPublicAccessBlock',
    kind: 'write',
    scope: 'bucket',
    input: z.strictObject({ Bucket: bucketName }),
  },
  {
    service: 's3control',
    operation: 'GetPublicAccessBlock',
    iamAction: 's3:GetAccountPublicAccessBlock',
    kind: 'read',
    scope: 'account',
  },
  {
    service: 's3control',
    operation: 'PutPublicAccessBlock',
    iamAction: 's3:PutAccountPublicAccessBlock',
    kind: 'write',
    scope: 'account',
    input: z.strictObject({
      AccountId: accountId,
      PublicAccessBlockConfiguration: publicAccessBlockSchema,
    }),
  },
  {
    service: 's3control',
    operation: 'DeletePublicAccessBlock',
    iamAction: 's3:PutAccountPublicAccessBlock',
    kind: 'write',
    scope: 'account',
    input: z.strictObject({ AccountId: accountId }),
  },
];

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
