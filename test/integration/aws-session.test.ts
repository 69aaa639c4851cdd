import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsError, type AwsSession, connect } from '../../src/aws/index.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { ACCOUNT, createBucket, setAccountPublicAccessBlock } from '../helpers/fixtures.js';

describe('src/aws against the local emulator', () => {
  let session: AwsSession;
  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl(), region: 'us-east-1' });
  });
  afterAll(() => session.close());

  it('knows who the caller is', () => {
    expect(session.identity.accountId).toBe(ACCOUNT);
    expect(session.region).toBe('us-east-1');
  });

  it('reads absent Block Public Access as null and present flags as booleans', async () => {
    const bare = uniqueBucket('bare');
    const partial = uniqueBucket('partial');
    await createBucket(bare);
    await createBucket(partial, { publicAccessBlock: { BlockPublicAcls: true } });
    await setAccountPublicAccessBlock(null);

    const posture = await session.observe(bare, [
      'bucket.publicAccessBlock',
      'account.publicAccessBlock',
    ]);
    expect(posture.values).toEqual({
      'bucket.publicAccessBlock': null,
      'account.publicAccessBlock': null,
    });
    expect(posture.unreadable).toEqual({});

    const other = await session.observe(partial, ['bucket.publicAccessBlock']);
    expect(other.values['bucket.publicAccessBlock']).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    });
  });

  it('lists the account’s buckets', async () => {
    const name = uniqueBucket('listed');
    await createBucket(name);
    expect(await session.listBuckets()).toContain(name);
  });

  it('names a missing bucket in one line', async () => {
    const error = await session
      .observe('no-such-bucket-here', ['bucket.publicAccessBlock'])
      .catch((e) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect(error.kind).toBe('no-such-bucket');
    expect(error.message).toBe('Bucket no-such-bucket-here does not exist.');
  });

  it('runs a write and reads it back', async () => {
    const bucket = uniqueBucket('write');
    await createBucket(bucket);
    const configuration = {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: true,
    };
    await session.execute({
      service: 's3',
      operation: 'PutPublicAccessBlock',
      input: { Bucket: bucket, PublicAccessBlockConfiguration: configuration },
    });
    const target = { accountId: ACCOUNT, region: 'us-east-1', bucket };
    expect(await session.read(target, 'bucket.publicAccessBlock')).toEqual(configuration);
  });

  it('reports an unreachable endpoint in one clear line', async () => {
    const error = await connect({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1' }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(AwsError);
    expect(error.kind).toBe('unreachable');
    expect(error.message).toBe(
      'Cannot reach http://127.0.0.1:9: connection refused. Check --endpoint-url, the network or a proxy.',
    );
  });
});
