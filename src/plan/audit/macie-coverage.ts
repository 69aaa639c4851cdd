/**
 * Whether a Macie classification job analyses a bucket. A job names its
 * buckets (bucketDefinitions) or picks them each run by criteria
 * (bucketCriteria). Criteria on the account ID and the bucket name are
 * decided here; tag, permission and shared-access criteria depend on what
 * Macie knows of the bucket, so a job that uses them "may cover" it, and the
 * audit says it cannot tell rather than guess.
 */
import type { JobBucketCriterion, MacieJobSummary } from '../resources/macie.js';

export type Coverage = 'covers' | 'may cover' | 'does not cover';

type Tri = boolean | 'unknown';

function holds(criterion: JobBucketCriterion, accountId: string, bucket: string): Tri {
  const actual =
    criterion.key === 'ACCOUNT_ID'
      ? accountId
      : criterion.key === 'S3_BUCKET_NAME'
        ? bucket
        : undefined;
  if (actual === undefined) return 'unknown';
  const { values } = criterion;
  switch (criterion.comparator) {
    case 'EQ':
      return values.includes(actual);
    case 'NE':
      return !values.includes(actual);
    case 'CONTAINS':
      return values.some((value) => actual.includes(value));
    case 'STARTS_WITH':
      return values.some((value) => actual.startsWith(value));
    default:
      return 'unknown';
  }
}

/** Every criterion of a block holds (Macie joins them with AND); an empty block holds. */
function all(criteria: readonly JobBucketCriterion[], accountId: string, bucket: string): Tri {
  let result: Tri = true;
  for (const criterion of criteria) {
    const one = holds(criterion, accountId, bucket);
    if (one === false) return false;
    if (one === 'unknown') result = 'unknown';
  }
  return result;
}

export function jobCoverage(job: MacieJobSummary, accountId: string, bucket: string): Coverage {
  if (!job.bucketCriteria) {
    return job.bucketDefinitions.some(
      (definition) => definition.accountId === accountId && definition.buckets.includes(bucket),
    )
      ? 'covers'
      : 'does not cover';
  }
  const { includes, excludes } = job.bucketCriteria;
  const included = all(includes, accountId, bucket);
  // An empty exclude block excludes nothing.
  const excluded = excludes.length === 0 ? false : all(excludes, accountId, bucket);
  if (included === false || excluded === true) return 'does not cover';
  if (included === 'unknown' || excluded === 'unknown') return 'may cover';
  return 'covers';
}
