/**
 * Object Ownership (S3 ownership controls) and, read-only, the bucket ACL
 * grants that would stop working once ACLs are disabled.
 */
import * as z from 'zod';
import type { ResourceFamily } from './spec.js';
import { UnwritableValueError } from './unwritable.js';

export const OBJECT_OWNERSHIP = [
  'BucketOwnerEnforced',
  'BucketOwnerPreferred',
  'ObjectWriter',
] as const;
export type ObjectOwnership = (typeof OBJECT_OWNERSHIP)[number];

export interface OwnershipControls {
  readonly ObjectOwnership: ObjectOwnership;
}

/**
 * One bucket ACL grant to someone other than the bucket owner. `Grantee` is
 * the group name for the predefined groups (AllUsers, AuthenticatedUsers,
 * LogDelivery), `id:<canonical ID>` for an account, `email:<address>` for a
 * grant by e-mail, or `uri:<URI>` for any other group.
 */
export interface AclGrant {
  readonly Grantee: string;
  readonly Permission: string;
}

export interface ObjectOwnershipValues {
  'bucket.ownershipControls': OwnershipControls | null;
  /**
   * Read-only: the bucket ACL's grants to anyone other than the bucket owner,
   * i.e. the grants that stop working (and that AWS refuses to keep) when
   * Object Ownership becomes BucketOwnerEnforced; [] = none. null only for a
   * bucket that does not exist yet (a new bucket has no grants).
   */
  'bucket.acl': readonly AclGrant[] | null;
}

const bucketName = z.string().min(3).max(63);

export const ownershipControlsSchema = z.strictObject({
  ObjectOwnership: z.enum(OBJECT_OWNERSHIP),
});

export const aclGrantsSchema = z.array(
  z.strictObject({ Grantee: z.string().min(1).max(300), Permission: z.string().min(1).max(40) }),
);

export const objectOwnershipFamily: ResourceFamily<ObjectOwnershipValues> = {
  resources: {
    'bucket.ownershipControls': {
      label: 'Object Ownership',
      reads: ['s3:GetBucketOwnershipControls'],
      scope: 'bucket',
      schema: ownershipControlsSchema.nullable(),
      write: ({ bucket }, value) =>
        value === null
          ? { service: 's3', operation: 'DeleteBucketOwnershipControls', input: { Bucket: bucket } }
          : {
              service: 's3',
              operation: 'PutBucketOwnershipControls',
              input: {
                Bucket: bucket,
                OwnershipControls: { Rules: [{ ObjectOwnership: value.ObjectOwnership }] },
              },
            },
    },
    'bucket.acl': {
      readOnly: true,
      label: 'Bucket ACL (read only)',
      reads: ['s3:GetBucketAcl'],
      scope: 'bucket',
      schema: aclGrantsSchema.nullable(),
      // Read for its warnings only: no plan may write it, so no call exists.
      write: () => {
        throw new UnwritableValueError(
          'bucket.acl is read-only: s3-harden never writes the bucket ACL',
        );
      },
    },
  },
  operations: [
    {
      service: 's3',
      operation: 'GetBucketOwnershipControls',
      iamAction: 's3:GetBucketOwnershipControls',
      kind: 'read',
      scope: 'bucket',
    },
    {
      service: 's3',
      operation: 'PutBucketOwnershipControls',
      iamAction: 's3:PutBucketOwnershipControls',
      kind: 'write',
      scope: 'bucket',
      input: z.strictObject({
        Bucket: bucketName,
        OwnershipControls: z.strictObject({
          Rules: z.tuple([ownershipControlsSchema]),
        }),
      }),
    },
    {
      service: 's3',
      operation: 'DeleteBucketOwnershipControls',
      // S3 authorises the delete with the put permission.
      iamAction: 's3:PutBucketOwnershipControls',
      kind: 'write',
      scope: 'bucket',
      input: z.strictObject({ Bucket: bucketName }),
    },
    {
      service: 's3',
      operation: 'GetBucketAcl',
      iamAction: 's3:GetBucketAcl',
      kind: 'read',
      scope: 'bucket',
    },
  ],
};
