/**
 * Read-only and volatile: how many objects the bucket holds now, from one
 * page of its listing (ListObjectsV2, 1,000 keys): at most 1,000 counted,
 * and "1,000 or more" past that. Default encryption and Object Lock's
 * default retention apply to objects written after they change; this is
 * the scale of what they leave as it is (../../steps/existing-objects.ts).
 * Where the Macie step read the bucket's statistics (`bucket.objectStats`),
 * those are used instead; this read is the bounded fallback.
 */
import * as z from 'zod';
import type { ResourceFamily } from './spec.js';
import { UnwritableValueError } from './unwritable.js';

export interface ObjectCountValue {
  /** Current objects counted (delete markers and older versions are not). */
  readonly objectCount: number;
  /** The listing had more: the count is a lower bound. */
  readonly truncated: boolean;
}

export interface ObjectCountValues {
  /** Read-only; null for a bucket the plan creates (it starts empty). */
  'bucket.objectCount': ObjectCountValue | null;
}

/** Keys on the one page read. */
export const COUNT_PAGE_SIZE = 1000;

export const objectCountSchema = z.strictObject({
  objectCount: z.number().int().min(0).max(COUNT_PAGE_SIZE),
  truncated: z.boolean(),
});

export const objectCountFamily: ResourceFamily<ObjectCountValues> = {
  resources: {
    'bucket.objectCount': {
      readOnly: true,
      volatile: true,
      label: 'Existing objects',
      // ListObjectsV2 is in the catalogue with the Macie family's listing.
      reads: ['s3:ListObjectsV2'],
      scope: 'bucket',
      schema: objectCountSchema.nullable(),
      write: () => {
        throw new UnwritableValueError('Existing objects is read-only: a plan never changes it');
      },
    },
  },
  operations: [],
};
