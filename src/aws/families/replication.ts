import { GetBucketReplicationCommand } from '@aws-sdk/client-s3';
import type { ReplicationValue } from '../../plan/resources/replication.js';
import type { AwsFamily } from './family.js';

/** The replication role, or null when the bucket does not replicate (or names no role). */
export function replicationRole(output: Record<string, unknown>): ReplicationValue | null {
  const role = (output.ReplicationConfiguration as { Role?: unknown } | undefined)?.Role;
  return typeof role === 'string' && role !== '' ? { Role: role } : null;
}

export const replicationAws: AwsFamily = {
  commands: { s3: { GetBucketReplication: GetBucketReplicationCommand } },
  readers: {
    'bucket.replication': {
      call: ({ bucket }) => ({
        service: 's3',
        operation: 'GetBucketReplication',
        input: { Bucket: bucket },
      }),
      extract: replicationRole,
    },
  },
};
