/** Block Public Access at bucket level (S3) and account level (S3 Control). */
import * as z from 'zod';
import type { PublicAccessBlock } from '../model/call.js';
import type { ResourceFamily } from './spec.js';

export interface PublicAccessBlockValues {
  'bucket.publicAccessBlock': PublicAccessBlock | null;
  'account.publicAccessBlock': PublicAccessBlock | null;
}

const bucketName = z.string().min(3).max(63);
const accountId = z.string().regex(/^\d{12}$/, 'an account ID is 12 digits');

export const publicAccessBlockSchema = z.strictObject({
  BlockPublicAcls: z.boolean(),
  IgnorePublicAcls: z.boolean(),
  BlockPublicPolicy: z.boolean(),
  RestrictPublicBuckets: z.boolean(),
});

export const publicAccessBlockFamily: ResourceFamily<PublicAccessBlockValues> = {
  resources: {
    'bucket.publicAccessBlock': {
      label: 'Block Public Access (bucket)',
      reads: ['s3:GetPublicAccessBlock'],
      scope: 'bucket',
      schema: publicAccessBlockSchema.nullable(),
      write: ({ bucket }, value) =>
        value === null
          ? { service: 's3', operation: 'DeletePublicAccessBlock', input: { Bucket: bucket } }
          : {
              service: 's3',
              operation: 'PutPublicAccessBlock',
              input: { Bucket: bucket, PublicAccessBlockConfiguration: value },
            },
    },
    'account.publicAccessBlock': {
      label: 'Block Public Access (account)',
      reads: ['s3control:GetPublicAccessBlock'],
      scope: 'account',
      schema: publicAccessBlockSchema.nullable(),
      write: ({ accountId }, value) =>
        value === null
          ? {
              service: 's3control',
              operation: 'DeletePublicAccessBlock',
              input: { AccountId: accountId },
            }
          : {
              service: 's3control',
              operation: 'PutPublicAccessBlock',
              input: { AccountId: accountId, PublicAccessBlockConfiguration: value },
            },
    },
  },
  operations: [
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
  ],
};
