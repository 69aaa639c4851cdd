/**
 * bucket.objectCount: one ListObjectsV2 page of at most 1,000 keys, the
 * same first page the Macie family's listing reads (a memoised run sends it
 * once).
 */
import { COUNT_PAGE_SIZE, type ObjectCountValue } from '../../plan/resources/object-count.js';
import type { AwsFamily } from './family.js';

export function objectCount(output: Record<string, unknown>): ObjectCountValue {
  const contents = (output.Contents as unknown[] | undefined) ?? [];
  return {
    objectCount: Math.min(contents.length, COUNT_PAGE_SIZE),
    truncated: output.IsTruncated === true,
  };
}

export const objectCountAws: AwsFamily = {
  // ListObjectsV2's command class is registered by the Macie family.
  commands: {},
  readers: {
    'bucket.objectCount': {
      call: ({ bucket }) => ({
        service: 's3',
        operation: 'ListObjectsV2',
        input: { Bucket: bucket, MaxKeys: COUNT_PAGE_SIZE },
      }),
      extract: objectCount,
    },
  },
};
