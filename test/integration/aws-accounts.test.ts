/**
 * src/aws/accounts.ts against the emulator: a member account's session
 * assumes its role once and serves every call from that account's
 * credentials cache; a role that cannot be assumed is an AssumeError naming
 * the role, in the caller's partition.
 */
import { describe, expect, it } from 'vitest';
import { AssumeError, assumeAccount } from '../../src/aws/accounts.js';
import type { AwsSession } from '../../src/aws/index.js';
import type { ApiCall } from '../../src/plan/model/types.js';
import { emulatorUrl } from '../helpers/emulator.js';

const MEMBER = '210987654321';

/** Just what assumeAccount uses of the caller's session; AssumeRole answered by `answer`. */
function caller(answer: (call: ApiCall) => Promise<Record<string, unknown>>, arn: string) {
  const requests: ApiCall[] = [];
  const session = {
    identity: { accountId: '123456789012', arn, userId: 'AIDA' },
    region: 'us-east-1',
    endpoint: emulatorUrl(),
    request: (call: ApiCall) => {
      requests.push(call);
      return answer(call);
    },
  } as unknown as AwsSession;
  return { session, requests };
}

describe('assumeAccount', () => {
  it('assumes the role once for every call the member session makes (one credentials cache per account)', async () => {
    const { session, requests } = caller(
      async () => ({
        Credentials: {
          AccessKeyId: 'ASIAMEMBER0000000001',
          SecretAccessKey: 'secret',
          SessionToken: 'token',
          Expiration: new Date(Date.now() + 3_600_000),
        },
      }),
      'arn:aws:sts::123456789012:assumed-role/admin/me',
    );
    const member = await assumeAccount(session, MEMBER, {
      roleName: 'audit',
      externalId: 'ext-1',
    });
    try {
      await member.listBuckets();
      await member.inRegion('eu-west-1').listBuckets();
      await member.memoised().listBuckets();
      expect(requests).toEqual([
        {
          service: 'sts',
          operation: 'AssumeRole',
          input: {
            RoleArn: `arn:aws:iam::${MEMBER}:role/audit`,
            RoleSessionName: 's3-harden',
            ExternalId: 'ext-1',
          },
        },
      ]);
      // Its own calls are counted in its own session.
      expect(member.callCounts()['s3:ListBuckets']).toBe(3);
    } finally {
      member.close();
    }
  });

  it('a role that cannot be assumed is an AssumeError naming the role in the caller’s partition', async () => {
    const { session } = caller(async () => {
      throw new Error('access denied: sts:AssumeRole');
    }, 'arn:aws-us-gov:iam::123456789012:user/me');
    const failure = await assumeAccount(session, MEMBER, { roleName: 'audit' }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AssumeError);
    expect((failure as AssumeError).roleArn).toBe(`arn:aws-us-gov:iam::${MEMBER}:role/audit`);
    expect((failure as Error).message).toBe(
      `cannot assume arn:aws-us-gov:iam::${MEMBER}:role/audit: access denied: sts:AssumeRole`,
    );
  });
});
