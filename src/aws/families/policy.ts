import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import type { PolicyDocument } from '../../plan/policy/document.js';
import { withPolicyText } from '../../plan/policy/policy-text.js';
import type { AwsFamily } from './family.js';

/**
 * A Get…Policy output's Policy text, parsed; "no policy" (NoSuchBucketPolicy,
 * NoSuchAccessPointPolicy) reads as null via ABSENT_CODES before this runs.
 */
export function policyFromOutput(
  output: Record<string, unknown>,
  what = 'bucket policy',
): PolicyDocument | null {
  const text = output.Policy;
  if (typeof text !== 'string' || text.trim() === '') return null;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error(`the ${what} S3 returned is not valid JSON`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new Error(`the ${what} S3 returned is not a JSON object`);
  }
  return document as PolicyDocument;
}

/**
 * A bucket or access point policy as read: the parsed document with the text
 * S3 returned beside it, so that what s3-harden writes back keeps every
 * statement it did not write, and an undo the whole policy, byte for byte.
 */
export function policyValueFromOutput(
  output: Record<string, unknown>,
  what = 'bucket policy',
): PolicyDocument | null {
  const document = policyFromOutput(output, what);
  if (document === null) return null;
  try {
    return withPolicyText(document, output.Policy as string);
  } catch (error) {
    throw new Error(`the ${what} S3 returned: ${(error as Error).message}`);
  }
}

export const bucketPolicyAws: AwsFamily = {
  commands: {
    s3: {
      GetBucketPolicy: GetBucketPolicyCommand,
      PutBucketPolicy: PutBucketPolicyCommand,
      DeleteBucketPolicy: DeleteBucketPolicyCommand,
    },
  },
  readers: {
    'bucket.policy': {
      call: ({ bucket }) => ({
        service: 's3',
        operation: 'GetBucketPolicy',
        input: { Bucket: bucket },
      }),
      extract: (output) => policyValueFromOutput(output),
    },
  },
};
