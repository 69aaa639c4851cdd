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

/**
 * The policy of the role `audit --accounts` assumes in each member account:
 * the audit's reads in every region of the account (each bucket is read in
 * its own), so the ARNs name no account or region; in `partition` (aws,
 * aws-us-gov, aws-cn).
 */
export function iamPolicyForAuditRole(partition = 'aws'): IamPolicyResult {
  const result = iamPolicyForAudit({ accountId: '*', region: '*' });
  const policy = JSON.parse(
    JSON.stringify(result.policy).replaceAll('"arn:aws:', `"arn:${partition}:`),
  ) as IamPolicyResult['policy'];
  return { ...result, policy };
}

/**
 * What the caller of `audit --accounts` needs beyond the audit policy of its
 * own account: the organisation's account list (for --accounts all) and the
 * role in every member account, nothing else.
 */
export function iamPolicyForAuditCaller(roleName: string, partition = 'aws'): IamPolicyResult {
  return {
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ListOrganizationAccounts',
          Effect: 'Allow',
          Action: ['organizations:ListAccounts'],
          Resource: '*',
        },
        {
          Sid: 'AssumeAuditRole',
          Effect: 'Allow',
          Action: ['sts:AssumeRole'],
          Resource: `arn:${partition}:iam::*:role/${roleName}`,
        },
      ],
    },
    notes: [],
  };
}

/**
 * The trust policy of the member role: only the auditing principal may
 * assume it, only with the ExternalId, and only as the session s3-harden.
 */
export function trustPolicyForAuditRole(options: {
  readonly principalArn: string;
  readonly externalId: string;
}) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'S3HardenAudit',
        Effect: 'Allow',
        Principal: { AWS: options.principalArn },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: {
            'sts:ExternalId': options.externalId,
            'sts:RoleSessionName': 's3-harden',
          },
        },
      },
    ],
  };
}
