import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import type { PolicyDocument } from '../../plan/policy/document.js';
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
      extract: (output) => policyFromOutput(output),
    },
  },
};
