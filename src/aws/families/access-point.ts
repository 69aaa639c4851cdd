/**
 * The AWS half of the access point family (S3 Control). Both resources are
 * read by the derived name; "no such access point" and "no such access point
 * policy" read as null through ABSENT_CODES (so the policy of an access point
 * that does not exist reads as null too).
 */

import {
  CreateAccessPointCommand,
  DeleteAccessPointCommand,
  DeleteAccessPointPolicyCommand,
  GetAccessPointCommand,
  GetAccessPointPolicyCommand,
  PutAccessPointPolicyCommand,
} from '@aws-sdk/client-s3-control';
import type { Target } from '../../plan/model/types.js';
import type { PolicyDocument } from '../../plan/policy/document.js';
import { type AccessPointValue, accessPointName } from '../../plan/resources/access-point.js';
import { AwsError } from '../errors.js';
import type { AwsFamily } from './family.js';
import { policyValueFromOutput } from './policy.js';

/** The access point normalised: its name, and its VPC when NetworkOrigin is VPC. */
export function accessPointValue(
  target: Pick<Target, 'bucket'>,
  output: Record<string, unknown>,
): AccessPointValue | null {
  const name = accessPointName(target.bucket);
  if (output.Name === undefined && output.Bucket === undefined) return null;
  if (output.Bucket !== target.bucket) {
    // The name is s3-harden's for this bucket; an access point of that name
    // on another bucket is not one s3-harden may change or delete.
    throw new AwsError(
      'service',
      `Access point ${name} serves bucket ${String(output.Bucket)}, not ${target.bucket}: rename or delete it before s3-harden can manage an access point for ${target.bucket}.`,
    );
  }
  const vpcId = (output.VpcConfiguration as { VpcId?: unknown } | undefined)?.VpcId;
  const inVpc =
    output.NetworkOrigin === 'VPC' ||
    (output.NetworkOrigin === undefined && typeof vpcId === 'string');
  return {
    Name: typeof output.Name === 'string' ? output.Name : name,
    ...(inVpc && typeof vpcId === 'string' && vpcId !== '' ? { VpcId: vpcId } : {}),
  };
}

/** The policy text parsed, the text beside it; none (NoSuchAccessPointPolicy) reads as null via ABSENT_CODES. */
export function accessPointPolicy(output: Record<string, unknown>): PolicyDocument | null {
  return policyValueFromOutput(output, 'access point policy');
}

export const accessPointAws: AwsFamily = {
  commands: {
    s3control: {
      GetAccessPoint: GetAccessPointCommand,
      CreateAccessPoint: CreateAccessPointCommand,
      DeleteAccessPoint: DeleteAccessPointCommand,
      GetAccessPointPolicy: GetAccessPointPolicyCommand,
      PutAccessPointPolicy: PutAccessPointPolicyCommand,
      DeleteAccessPointPolicy: DeleteAccessPointPolicyCommand,
    },
  },
  readers: {
    // A query, not a call: the value depends on the target (which bucket it serves).
    'bucket.accessPoint': {
      query: async (target, send) =>
        accessPointValue(
          target,
          await send({
            service: 's3control',
            operation: 'GetAccessPoint',
            input: { AccountId: target.accountId, Name: accessPointName(target.bucket) },
          }),
        ),
    },
    'bucket.accessPointPolicy': {
      call: ({ accountId, bucket }) => ({
        service: 's3control',
        operation: 'GetAccessPointPolicy',
        input: { AccountId: accountId, Name: accessPointName(bucket) },
      }),
      extract: accessPointPolicy,
    },
  },
};
