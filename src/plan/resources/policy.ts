/**
 * The bucket policy (S3 Get/Put/DeleteBucketPolicy). Its value is the parsed
 * policy document, or null when the bucket has none. PutBucketPolicy replaces
 * the whole document, so the value written is always the whole merged
 * document (see ../policy/document.ts); the review shows it whole, before and after.
 */
import * as z from 'zod';
import {
  formatPolicy,
  MAX_POLICY_BYTES,
  type PolicyDocument,
  policyBytes,
  policyJson,
} from '../policy/document.js';
import type { ResourceFamily } from './spec.js';

export interface BucketPolicyValues {
  'bucket.policy': PolicyDocument | null;
}

const bucketName = z.string().min(3).max(63);

/** Any JSON object whose Statement, when present, is one statement or a list of them. */
export const policyDocumentSchema: z.ZodType<PolicyDocument> = z
  .record(z.string(), z.unknown())
  .refine(
    (document) =>
      document.Statement === undefined ||
      Array.isArray(document.Statement) ||
      (typeof document.Statement === 'object' && document.Statement !== null),
    { message: 'Statement must be an object or a list of objects' },
  );

/** The Policy string of a Put…Policy (bucket or access point): a JSON policy object within S3's size limit. */
export const policyText = z.string().superRefine((text, context) => {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    context.addIssue({ code: 'custom', message: 'not valid JSON' });
    return;
  }
  if (!policyDocumentSchema.safeParse(document).success) {
    context.addIssue({ code: 'custom', message: 'not a policy document (a JSON object)' });
    return;
  }
  const bytes = policyBytes(document as PolicyDocument);
  if (bytes > MAX_POLICY_BYTES) {
    context.addIssue({
      code: 'custom',
      message: `${bytes} bytes, over S3's limit of ${MAX_POLICY_BYTES}`,
    });
  }
});

export const bucketPolicyFamily: ResourceFamily<BucketPolicyValues> = {
  resources: {
    'bucket.policy': {
      label: 'Bucket policy',
      reads: ['s3:GetBucketPolicy'],
      scope: 'bucket',
      schema: policyDocumentSchema.nullable(),
      // Never ConfirmRemoveSelfBucketAccess: a policy that would lock out the
      // caller must fail, not be forced through.
      write: ({ bucket }, value) =>
        value === null
          ? { service: 's3', operation: 'DeleteBucketPolicy', input: { Bucket: bucket } }
          : {
              service: 's3',
              operation: 'PutBucketPolicy',
              input: { Bucket: bucket, Policy: policyJson(value) },
            },
      // Verification and rollback read the policy back and compare the whole
      // document (the default structural equality): a restore is confirmed only
      // when S3 returns exactly the previous document, or none.
      document: (value) => (value === null ? null : formatPolicy(value)),
    },
  },
  operations: [
    {
      service: 's3',
      operation: 'GetBucketPolicy',
      iamAction: 's3:GetBucketPolicy',
      kind: 'read',
      scope: 'bucket',
    },
    {
      service: 's3',
      operation: 'PutBucketPolicy',
      iamAction: 's3:PutBucketPolicy',
      kind: 'write',
      scope: 'bucket',
      // Strict: no ConfirmRemoveSelfBucketAccess, no ExpectedBucketOwner.
      input: z.strictObject({ Bucket: bucketName, Policy: policyText }),
    },
    {
      service: 's3',
      operation: 'DeleteBucketPolicy',
      iamAction: 's3:DeleteBucketPolicy',
      kind: 'write',
      scope: 'bucket',
      input: z.strictObject({ Bucket: bucketName }),
    },
  ],
};
