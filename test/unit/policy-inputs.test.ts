import { describe, expect, it } from 'vitest';
import {
  accountIdProblem,
  cidrProblem,
  kmsKeyArnProblem,
  roleArnProblem,
  vpceProblem,
} from '../../src/steps/policy-inputs.js';
import { isOneLine } from './support.js';

function table(
  check: (value: string) => string | null,
  valid: readonly string[],
  invalid: readonly (readonly [string, string])[],
) {
  it.each(valid)('accepts %s', (value) => {
    expect(check(value)).toBeNull();
  });
  it.each(invalid)('refuses %s in one line', (value, message) => {
    const problem = check(value);
    expect(problem).toBe(message);
    expect(isOneLine(problem as string)).toBe(true);
  });
}

describe('VPC endpoint IDs', () => {
  table(
    vpceProblem,
    ['vpce-1a2b3c4d', 'vpce-0123456789abcdef0'],
    [
      [
        'vpce-0123456789ABCDEF0',
        'vpce-0123456789ABCDEF0: VPC endpoint IDs are lowercase (vpce-0123456789abcdef0)',
      ],
      ['vpc-1a2b3c4d', "vpc-1a2b3c4d is a VPC ID; give the VPC endpoint's ID (vpce-…)"],
      ['vpce-123', 'vpce-123 is not a VPC endpoint ID (vpce- followed by 8 or 17 hex digits)'],
      [
        'vpce-0123456789abcdef',
        'vpce-0123456789abcdef is not a VPC endpoint ID (vpce- followed by 8 or 17 hex digits)',
      ],
      [
        'vpce-1a2b3c4g',
        'vpce-1a2b3c4g is not a VPC endpoint ID (vpce- followed by 8 or 17 hex digits)',
      ],
    ],
  );
});

describe('CIDR ranges', () => {
  table(
    cidrProblem,
    [
      '203.0.113.0/24',
      '10.0.0.0/8',
      '0.0.0.0/0',
      '198.51.100.7/32',
      '2001:db8::/32',
      '2001:DB8:0:0:0:0:0:1/128',
      '::/0',
      '::1/128',
      'fe80::/10',
      '::ffff:192.0.2.0/120',
    ],
    [
      ['10.0.0.1/24', '10.0.0.1/24 has host bits set: the range starts at 10.0.0.0/24'],
      ['203.0.113.77/28', '203.0.113.77/28 has host bits set: the range starts at 203.0.113.64/28'],
      ['2001:db8::1/32', '2001:db8::1/32 has host bits set: the range starts at 2001:db8::/32'],
      [
        '2001:db8:0:1:0:0:0:1/64',
        '2001:db8:0:1:0:0:0:1/64 has host bits set: the range starts at 2001:db8:0:1::/64',
      ],
      [
        '203.0.113.5',
        '203.0.113.5 has no prefix length: write 203.0.113.5/32 for a single address',
      ],
      [
        '2001:db8::5',
        '2001:db8::5 has no prefix length: write 2001:db8::5/128 for a single address',
      ],
      ['10.0.0.256/24', '10.0.0.256/24 is not a valid IPv4 range: 256 is over 255'],
      ['10.0.0.0/33', '10.0.0.0/33: an IPv4 prefix length is at most /32'],
      ['2001:db8::/129', '2001:db8::/129: an IPv6 prefix length is at most /128'],
      ['010.0.0.0/8', '010.0.0.0/8 is not a valid IPv4 range: a number has a leading zero'],
      [
        '10.0.0/8',
        '10.0.0/8 is not a valid IPv4 range: the address is malformed (e.g. 203.0.113.0/24)',
      ],
      [
        '2001:db8:::/32',
        '2001:db8:::/32 is not a valid IPv6 range: the address is malformed (e.g. 2001:db8::/32)',
      ],
      ['1::2::3/64', '1::2::3/64 is not a valid IPv6 range: :: appears more than once'],
      [
        '12345::/16',
        '12345::/16 is not a valid IPv6 range: the address is malformed (e.g. 2001:db8::/32)',
      ],
      ['10.0.0.0/8/8', '10.0.0.0/8/8 is not a CIDR range (e.g. 203.0.113.0/24)'],
      ['10.0.0.0/x', '10.0.0.0/x is not a CIDR range (e.g. 203.0.113.0/24)'],
      ['office', 'office is not an IPv4 or IPv6 CIDR range (e.g. 203.0.113.0/24 or 2001:db8::/32)'],
    ],
  );
});

describe('role ARNs', () => {
  table(
    roleArnProblem,
    [
      'arn:aws:iam::111122223333:role/reader',
      'arn:aws:iam::111122223333:role/team/data/reader',
      'arn:aws-cn:iam::111122223333:role/reader',
      'arn:aws:iam::111122223333:role/service-role/name+=,.@-_',
    ],
    [
      ['reader', 'reader is not a role ARN (expected arn:aws:iam::<12-digit account>:role/<name>)'],
      [
        'arn:aws:iam::111122223333:user/alice',
        'arn:aws:iam::111122223333:user/alice names a user, not a role (expected arn:aws:iam::<12-digit account>:role/<name>)',
      ],
      [
        'arn:aws:sts::111122223333:assumed-role/reader/session',
        "arn:aws:sts::111122223333:assumed-role/reader/session is a role session; give the role's own ARN (arn:aws:iam::<12-digit account>:role/<name>)",
      ],
      [
        'arn:aws:iam::1111:role/reader',
        'arn:aws:iam::1111:role/reader: the account in a role ARN is 12 digits (expected arn:aws:iam::<12-digit account>:role/<name>)',
      ],
      [
        'arn:aws:s3:::my-bucket/role',
        'arn:aws:s3:::my-bucket/role is not an IAM ARN (expected arn:aws:iam::<12-digit account>:role/<name>)',
      ],
      [
        'arn:aws:iam::111122223333:role/bad name',
        'arn:aws:iam::111122223333:role/bad name has an invalid role name or path (expected arn:aws:iam::<12-digit account>:role/<name>)',
      ],
    ],
  );
});

describe('account IDs', () => {
  table(
    accountIdProblem,
    ['111122223333'],
    [
      ['1111', '1111 is not an AWS account ID (12 digits)'],
      ['11112222333a', '11112222333a is not an AWS account ID (12 digits)'],
      [
        'arn:aws:iam::111122223333:root',
        'arn:aws:iam::111122223333:root: give the 12-digit account ID, not an ARN',
      ],
    ],
  );
});

describe('KMS key ARNs', () => {
  table(
    kmsKeyArnProblem,
    [
      'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    ],
    [
      [
        'arn:aws:kms:us-east-1:123456789012:alias/data',
        'arn:aws:kms:us-east-1:123456789012:alias/data is an alias; the key-id condition matches only the key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)',
      ],
      [
        'alias/data',
        'alias/data is an alias; the key-id condition matches only the key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)',
      ],
      [
        '1234abcd-12ab-34cd-56ef-1234567890ab',
        '1234abcd-12ab-34cd-56ef-1234567890ab is a key ID; give the full key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)',
      ],
      [
        'my-key',
        'my-key is not a KMS key ARN (expected arn:aws:kms:<region>:<account>:key/<key-id>)',
      ],
    ],
  );
});
