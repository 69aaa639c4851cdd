/**
 * The run's read memo: one read sent once whoever asks, a write forgets
 * everything, and a bucket the run is done with is dropped (so an audit of
 * 10,000 buckets holds the buckets in flight, not all of them).
 */
import { describe, expect, it } from 'vitest';
import { readMemo } from '../../src/aws/read-memo.js';
import type { ApiCall } from '../../src/plan/model/types.js';

function counting() {
  const sent: string[] = [];
  const memo = readMemo(async (call) => {
    sent.push(`${call.operation} ${JSON.stringify(call.input)}`);
    return {};
  });
  return { sent, memo };
}

const call = (operation: string, input: Record<string, unknown>): ApiCall =>
  ({ service: 's3', operation, input }) as unknown as ApiCall;

describe('readMemo', () => {
  it('sends a read once, and again after its bucket is released; other buckets and account reads stay', async () => {
    const { sent, memo } = counting();
    const policy = (bucket: string) => call('GetBucketPolicy', { Bucket: bucket });
    const account = { ...call('ListBuckets', {}) };
    await Promise.all([memo.read(policy('a'), 'us-east-1'), memo.read(policy('a'), 'us-east-1')]);
    await memo.read(policy('b'), 'us-east-1');
    await memo.read(account, 'us-east-1');
    expect(sent).toHaveLength(3);

    memo.release('a');
    await memo.read(policy('a'), 'us-east-1');
    await memo.read(policy('b'), 'us-east-1');
    await memo.read(account, 'us-east-1');
    expect(sent).toEqual([
      'GetBucketPolicy {"Bucket":"a"}',
      'GetBucketPolicy {"Bucket":"b"}',
      'ListBuckets {}',
      'GetBucketPolicy {"Bucket":"a"}',
    ]);
  });

  it('a write forgets every read', async () => {
    const { sent, memo } = counting();
    await memo.read(call('ListBuckets', {}), 'us-east-1');
    memo.forget();
    await memo.read(call('ListBuckets', {}), 'us-east-1');
    expect(sent).toHaveLength(2);
  });
});
