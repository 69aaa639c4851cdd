/**
 * Where a run's buckets are, for `audit` and fleet plans alike: which
 * errors stop the run, and the buckets of the regions --regions names.
 */
import { AwsError, type AwsSession } from '../aws/index.js';

/** Errors no other bucket would fare better with: the run stops with them. */
export function isFatal(error: unknown): boolean {
  return (
    error instanceof AwsError && (error.kind === 'unreachable' || error.kind === 'credentials')
  );
}

/**
 * The buckets of `names` in the `wanted` regions (all without --regions); a
 * bucket whose region ListBuckets did not say is found with HeadBucket
 * (memoised: reading it later sends no second one). One that cannot be
 * found stays, so its row or skip says why.
 */
export async function inRegions(
  session: AwsSession,
  names: readonly string[],
  known: Map<string, string>,
  wanted: readonly string[] | undefined,
): Promise<string[]> {
  if (!wanted) return [...names];
  const keep = await Promise.all(
    names.map(async (name) => {
      let region = known.get(name);
      if (!region) {
        try {
          region = (await session.locateBucket(name)).region;
          known.set(name, region);
        } catch (error) {
          if (isFatal(error)) throw error;
          return true;
        }
      }
      return wanted.includes(region);
    }),
  );
  return names.filter((_, index) => keep[index]);
}
