/**
 * Access points live in their bucket's region: S3 Control finds one only
 * there, so in a multi-region run each of their calls goes to the bucket's
 * region, while the account's Block Public Access stays with the session's.
 */
import { describe, expect, it } from 'vitest';
import { routeRegion } from '../../src/aws/read-memo.js';
import type { ApiCall } from '../../src/plan/model/types.js';

const call = (operation: string): ApiCall =>
  ({ service: 's3control', operation, input: { AccountId: '123456789012' } }) as ApiCall;

describe('S3 Control calls in a multi-region run', () => {
  it.each([
    'GetAccessPoint',
    'GetAccessPointPolicy',
    'CreateAccessPoint',
    'PutAccessPointPolicy',
    'DeleteAccessPointPolicy',
    'DeleteAccessPoint',
  ])('%s goes to the bucket’s region', (operation) => {
    expect(routeRegion(call(operation), 'eu-west-1', 'us-east-1')).toBe('eu-west-1');
  });

  it.each(['GetPublicAccessBlock', 'PutPublicAccessBlock', 'DeletePublicAccessBlock'])(
    'account %s goes to the session’s region',
    (operation) => {
      expect(routeRegion(call(operation), 'eu-west-1', 'us-east-1')).toBe('us-east-1');
    },
  );
});
