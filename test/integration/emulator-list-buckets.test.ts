/**
 * The emulator's ListBuckets (scripts/emulator-server.py patches moto's): it
 * says each bucket's BucketRegion when the request has a parameter, as S3
 * does ("If the request contains at least one valid parameter, it is
 * included in the response"), and not otherwise; it pages by name with a
 * ContinuationToken. The audit reads a listed bucket in the region said,
 * with no HeadBucket first, so this is what its emulator tests stand on.
 */
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createIn } from '../helpers/accounts.js';
import { uniqueBucket } from '../helpers/emulator.js';
import { rawClients } from '../helpers/fixtures.js';

describe('the emulator’s ListBuckets', () => {
  const home = uniqueBucket('list-region-a');
  const away = uniqueBucket('list-region-b');
  const prefix = home.slice(0, 'list-region-'.length);

  beforeAll(async () => {
    const { s3 } = rawClients();
    await createIn(s3, home);
    await createIn(s3, away, 'eu-west-1');
    s3.destroy();
  });

  it('says BucketRegion to a request with a parameter, and only then', async () => {
    const { s3 } = rawClients();
    try {
      const mine = <T extends { Name?: string }>(buckets: T[] = []) =>
        buckets.filter((bucket) => bucket.Name === home || bucket.Name === away);
      const bare = await s3.send(new ListBucketsCommand({}));
      expect(mine(bare.Buckets).map((bucket) => bucket.BucketRegion)).toEqual([
        undefined,
        undefined,
      ]);
      const paged = await s3.send(new ListBucketsCommand({ MaxBuckets: 1000 }));
      expect(mine(paged.Buckets).map((bucket) => [bucket.Name, bucket.BucketRegion])).toEqual([
        [home, 'us-east-1'],
        [away, 'eu-west-1'],
      ]);
      const prefixed = await s3.send(new ListBucketsCommand({ Prefix: prefix }));
      expect(mine(prefixed.Buckets).map((bucket) => bucket.BucketRegion)).toEqual([
        'us-east-1',
        'eu-west-1',
      ]);
      // One a page: the token names the last bucket, the next page goes on from it.
      const first = await s3.send(new ListBucketsCommand({ Prefix: prefix, MaxBuckets: 1 }));
      expect(first.Buckets?.map((bucket) => bucket.Name)).toEqual([home]);
      const next = await s3.send(
        new ListBucketsCommand({
          Prefix: prefix,
          MaxBuckets: 1,
          ContinuationToken: first.ContinuationToken,
        }),
      );
      expect(next.Buckets?.map((bucket) => [bucket.Name, bucket.BucketRegion])).toEqual([
        [away, 'eu-west-1'],
      ]);
    } finally {
      s3.destroy();
    }
  });
});
