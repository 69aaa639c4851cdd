import { GetBucketVersioningCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import type { VersioningConfiguration } from '../../plan/resources/versioning.js';
import type { AwsFamily } from './family.js';

/** No Status = versioning never enabled (null); MFADelete kept only when S3 reports it. */
export function versioning(output: Record<string, unknown>): VersioningConfiguration | null {
  const { Status, MFADelete } = output as { Status?: string; MFADelete?: string };
  if (Status !== 'Enabled' && Status !== 'Suspended') return null;
  return MFADelete === 'Enabled' || MFADelete === 'Disabled' ? { Status, MFADelete } : { Status };
}

export const versioningAws: AwsFamily = {
  commands: {
    s3: {
      GetBucketVersioning: GetBucketVersioningCommand,
      PutBucketVersioning: PutBucketVersioningCommand,
    },
  },
  readers: {
    'bucket.versioning': {
      call: ({ bucket }) => ({
        service: 's3',
        operation: 'GetBucketVersioning',
        input: { Bucket: bucket },
      }),
      extract: versioning,
    },
  },
};
