/**
 * The bucket policy (S3 Get/Put/DeleteBucketPolicy). Its value is the parsed
 * policy document with the text it was read as beside it (POLICY_TEXT, see
 * ../policy/policy-text.ts), or null when the bucket has none. PutBucketPolicy
 * replaces the whole document, so the value written is always the whole
 * merged document (see ../policy/document.ts), sent as its text: foreign
 * statements byte for byte as read, an undo the exact previous text. The
 * review shows it whole, before and after.
 */
import * as z from 'zod';
import {
  formatPolicy,
  MAX_POLICY_BYTES,
  type PolicyDocument,
  policyJson,
} from '../policy/document.js';
import { policyTextProblem, samePolicy } from '../policy/policy-text.js';
import type { ResourceFamily } from './spec.js';

export interface BucketPolicyValues {
  'bucket.policy': PolicyDocument | null;
}

const bucketName = z.string().min(3).max(63);

/**
 * Any JSON object whose Statement, when present, is one statement or a list
 * of them; a text beside it (POLICY_TEXT) must be JSON that says exactly it.
 */
export const policyDocumentSchema: z.ZodType<PolicyDocument> = z
  .record(z.string(), z.unknown())
  .refine(
    (document) =>
      document.Statement === undefined ||
      Array.isArray(document.Statement) ||
      (typeof document.Statement === 'object' && document.Statement !== null),
    { message: 'Statement must be an object or a list of objects' },
  )
  .superRefine((document, context) => {
    const problem = policyTextProblem(document);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

/**
 * Verification, rollback and drift compare what the policies say, numbers
 * by exact value (../policy/json-text.ts): layout and key order aside, a
 * restore is confirmed only when S3 returns the previous document, and a
 * foreign number that changed is a change even where JSON.parse cannot tell.
 */
export function policiesMatch(expected: PolicyDocument | null, live: PolicyDocument | null) {
  return samePolicy(expected, live);
}

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
  // The bytes as sent: the text itself, not what JSON.stringify makes of it.
  const bytes = new TextEncoder().encode(text).length;
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
      satisfies: policiesMatch,
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
