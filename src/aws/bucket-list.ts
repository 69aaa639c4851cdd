/**
 * Every bucket of the account, with its region where ListBuckets says it.
 * AWS answers each bucket's BucketRegion when the request has a parameter
 * (MaxBuckets here), so a listed bucket needs no HeadBucket to be read in
 * its own region; pages follow ContinuationToken.
 */
import type { ReadSend } from './families/family.js';

export interface ListedBucket {
  readonly name: string;
  readonly region?: string;
}

/** All pages of ListBuckets, sorted by name. */
export async function listAllBuckets(readCall: ReadSend): Promise<ListedBucket[]> {
  const buckets: ListedBucket[] = [];
  let token: string | undefined;
  do {
    const page = await readCall({
      service: 's3',
      operation: 'ListBuckets',
      input: { MaxBuckets: 1000, ...(token ? { ContinuationToken: token } : {}) },
    });
    const listed = (page.Buckets as { Name?: string; BucketRegion?: string }[]) ?? [];
    for (const bucket of listed) {
      if (!bucket.Name) continue;
      buckets.push({
        name: bucket.Name,
        ...(bucket.BucketRegion ? { region: bucket.BucketRegion } : {}),
      });
    }
    token = typeof page.ContinuationToken === 'string' ? page.ContinuationToken : undefined;
  } while (token);
  return buckets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
