/**
 * Read-only: the role S3 replication acts through, from the bucket's
 * replication configuration. The bucket policy's network Denies let it
 * through by ARN: S3 makes replication's reads with that role from AWS's
 * own network, through none of your VPC endpoints or IP ranges, and it is
 * neither a service principal nor a forward access session.
 */
import * as z from 'zod';
import type { ResourceFamily } from './spec.js';
import { UnwritableValueError } from './unwritable.js';

export interface ReplicationValue {
  /** The IAM role replication assumes. */
  readonly Role: string;
}

export interface ReplicationValues {
  /** null = the bucket does not replicate. */
  'bucket.replication': ReplicationValue | null;
}

export const replicationValueSchema = z.strictObject({
  Role: z.string().regex(/^arn:[\w-]+:iam::\d{12}:role\/\S{1,512}$/),
});

export const replicationFamily: ResourceFamily<ReplicationValues> = {
  resources: {
    'bucket.replication': {
      readOnly: true,
      label: 'Replication (role)',
      reads: ['s3:GetBucketReplication'],
      scope: 'bucket',
      schema: replicationValueSchema.nullable(),
      write: () => {
        throw new UnwritableValueError('Replication is read-only: a plan never changes it');
      },
    },
  },
  operations: [
    {
      service: 's3',
      operation: 'GetBucketReplication',
      iamAction: 's3:GetReplicationConfiguration',
      kind: 'read',
      scope: 'bucket',
    },
  ],
};
