/**
 * The IAM policy `s3-harden audit` needs: its reads only, for every bucket
 * (`--all` cannot name them in advance), built from the same catalogue as
 * the other policies (../policy/iam-policy.ts), so it lists exactly what is called.
 */
import { buildIamPolicy, type IamPolicyResult } from '../policy/iam-policy.js';
import { auditReads } from './controls.js';

export function iamPolicyForAudit(target: {
  readonly accountId: string;
  readonly region: string;
}): IamPolicyResult {
  return buildIamPolicy({
    ...target,
    bucket: '*',
    // Finding each bucket (HeadBucket) comes first.
    reads: ['bucket.exists', ...auditReads()],
    calls: [],
    // The tags: exceptions written as bucket tags.
    extra: ['s3:ListBuckets', 's3:GetBucketTagging'],
  });
}
