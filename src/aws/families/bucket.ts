import { CreateBucketCommand, DeleteBucketCommand } from '@aws-sdk/client-s3';
import type { AwsFamily } from './family.js';

export const bucketAws: AwsFamily = {
  commands: { s3: { CreateBucket: CreateBucketCommand, DeleteBucket: DeleteBucketCommand } },
  readers: {
    // HeadBucket's 404 ("NotFound") reads as absent: the bucket does not exist yet.
    'bucket.exists': {
      call: ({ bucket }) => ({ service: 's3', operation: 'HeadBucket', input: { Bucket: bucket } }),
      extract: (output) => ({
        Region: typeof output.BucketRegion === 'string' ? output.BucketRegion : 'us-east-1',
      }),
    },
  },
};
