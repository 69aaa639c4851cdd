import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/plan/policy/document.js';
import { allowsLogDelivery, logDeliveryEvidence } from '../../src/plan/policy/log-delivery.js';

const grant = (sid?: string, extra: object = {}) => ({
  ...(sid ? { Sid: sid } : {}),
  Effect: 'Allow',
  Principal: { Service: 'logging.s3.amazonaws.com' },
  Action: 's3:PutObject',
  Resource: 'arn:aws:s3:::central-logs/*',
  ...extra,
});
const policy = (...statements: unknown[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements,
});

describe('allowsLogDelivery', () => {
  it.each([
    [grant('S3HardenAccessLogsFromappa'), true],
    [grant('S3ServerAccessLogsPolicy'), true],
    [
      grant(undefined, {
        Principal: { Service: ['cloudtrail.amazonaws.com', 'logging.s3.amazonaws.com'] },
      }),
      true,
    ],
    [grant(undefined, { Principal: { Service: 'Logging.S3.amazonaws.com' } }), true],
    [grant(undefined, { Effect: 'Deny' }), false],
    [grant(undefined, { Principal: { Service: 'cloudtrail.amazonaws.com' } }), false],
    [grant(undefined, { Principal: '*' }), false],
    [grant(undefined, { Principal: { AWS: 'logging.s3.amazonaws.com' } }), false],
    ['not a statement', false],
    [null, false],
  ])('%j → %s', (statement, expected) => {
    expect(allowsLogDelivery(statement)).toBe(expected);
  });
});

describe('logDeliveryEvidence', () => {
  it('is null without a grant in the policy or the ACL, or when neither was read', () => {
    expect(logDeliveryEvidence(null, [])).toBeNull();
    expect(logDeliveryEvidence(undefined, undefined)).toBeNull();
    expect(
      logDeliveryEvidence(policy(grant('X', { Effect: 'Deny' })), [
        { Grantee: 'AllUsers', Permission: 'READ' },
      ]),
    ).toBeNull();
  });

  it('names the granting statements by Sid or position, any Sid, at most two', () => {
    expect(logDeliveryEvidence(policy(grant('S3ServerAccessLogsPolicy')), null)).toBe(
      'its policy allows logging.s3.amazonaws.com: Sid "S3ServerAccessLogsPolicy"',
    );
    expect(logDeliveryEvidence(policy({ Sid: 'Other', Effect: 'Deny' }, grant()), null)).toBe(
      'its policy allows logging.s3.amazonaws.com: statement #2 (no Sid)',
    );
    expect(logDeliveryEvidence(policy(grant('A'), grant('B'), grant('C'), grant('D')), null)).toBe(
      'its policy allows logging.s3.amazonaws.com: Sid "A", Sid "B" and 2 more',
    );
    // A single Statement object counts too.
    expect(logDeliveryEvidence({ Statement: grant('Only') }, null)).toBe(
      'its policy allows logging.s3.amazonaws.com: Sid "Only"',
    );
  });

  it('counts the legacy ACL grant to the LogDelivery group, beside a policy grant', () => {
    const acl = [
      { Grantee: 'LogDelivery', Permission: 'WRITE' },
      { Grantee: 'LogDelivery', Permission: 'READ_ACP' },
    ];
    expect(logDeliveryEvidence(null, acl)).toBe(
      'its ACL grants the LogDelivery group WRITE, READ_ACP',
    );
    expect(logDeliveryEvidence(policy(grant('A')), acl)).toBe(
      'its policy allows logging.s3.amazonaws.com: Sid "A"; its ACL grants the LogDelivery group WRITE, READ_ACP',
    );
  });
});
