import { describe, expect, it } from 'vitest';
import { composePolicy } from '../../src/plan/policy/document.js';
import {
  intentFromPolicy,
  isBucketPolicySid,
  NO_INTENT,
  type PolicyIntent,
  partitionOf,
  statementsFor,
} from '../../src/plan/policy/statements.js';

const WHERE = { bucket: 'my-bucket', region: 'us-east-1', accountId: '123456789012' };
const BUCKET_ARN = 'arn:aws:s3:::my-bucket';
const OBJECTS = 'arn:aws:s3:::my-bucket/*';
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('statementsFor', () => {
  it('HTTPS only and TLS 1.2 deny s3:* on the bucket ARN and its objects', () => {
    expect(
      statementsFor(WHERE, { ...NO_INTENT, denyInsecureTransport: true, denyOldTls: true }),
    ).toEqual([
      {
        Sid: 'S3HardenDenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: ['s3:*'],
        Resource: [BUCKET_ARN, OBJECTS],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'S3HardenDenyOldTls',
        Effect: 'Deny',
        Principal: '*',
        Action: ['s3:*'],
        Resource: [BUCKET_ARN, OBJECTS],
        Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
      },
    ]);
  });

  it('VPC endpoints and IP ranges deny everything from elsewhere, AWS services aside', () => {
    const [vpce, ip] = statementsFor(WHERE, {
      ...NO_INTENT,
      vpceIds: ['vpce-1a2b3c4d', 'vpce-0123456789abcdef0'],
      sourceCidrs: ['203.0.113.0/24', '2001:db8::/32'],
    });
    expect(vpce).toEqual({
      Sid: 'S3HardenVpceOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:*'],
      Resource: [BUCKET_ARN, OBJECTS],
      Condition: {
        StringNotEquals: { 'aws:SourceVpce': ['vpce-1a2b3c4d', 'vpce-0123456789abcdef0'] },
        // Service principals and forward access sessions come through no endpoint of yours.
        BoolIfExists: { 'aws:PrincipalIsAWSService': 'false', 'aws:ViaAWSService': 'false' },
        // Service-linked roles (AWS Config's recorder, Macie) read the bucket from AWS's network.
        ArnNotLikeIfExists: {
          'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/aws-service-role/*',
        },
      },
    });
    expect(ip).toEqual({
      Sid: 'S3HardenIpAllowlist',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:*'],
      Resource: [BUCKET_ARN, OBJECTS],
      // Forward access sessions (Athena) reach S3 from a private address, not the caller's IP.
      Condition: {
        NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] },
        BoolIfExists: { 'aws:PrincipalIsAWSService': 'false', 'aws:ViaAWSService': 'false' },
        ArnNotLikeIfExists: {
          'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/aws-service-role/*',
        },
      },
    });
  });

  it('the replication role is let through the network Denies by ARN, beside the service-linked roles', () => {
    const roles = ['arn:aws:iam::123456789012:role/replication'];
    const [vpce] = statementsFor(WHERE, {
      ...NO_INTENT,
      vpceIds: ['vpce-1a2b3c4d'],
      serviceRoles: roles,
      exemptPrincipal: 'arn:aws:iam::123456789012:user/operator',
    });
    expect(vpce?.Condition).toEqual({
      StringNotEquals: { 'aws:SourceVpce': ['vpce-1a2b3c4d'] },
      BoolIfExists: { 'aws:PrincipalIsAWSService': 'false', 'aws:ViaAWSService': 'false' },
      ArnNotLikeIfExists: {
        'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/aws-service-role/*',
      },
      ArnNotEquals: { 'aws:PrincipalArn': roles[0] },
      ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:user/operator' },
    });
  });

  it('an algorithm denies only uploads that name another one (multipart parts name none)', () => {
    expect(
      statementsFor(WHERE, { ...NO_INTENT, uploadEncryption: { algorithm: 'aws:kms' } }),
    ).toEqual([
      {
        Sid: 'S3HardenDenyWrongEncryption',
        Effect: 'Deny',
        Principal: '*',
        Action: ['s3:PutObject'],
        Resource: [OBJECTS],
        Condition: {
          StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
          Null: { 's3:x-amz-server-side-encryption': 'false' },
        },
      },
    ]);
  });

  it('a pinned key denies another algorithm, another key, and KMS without a key', () => {
    const deny = (Sid: string, Condition: unknown) => ({
      Sid,
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:PutObject'],
      Resource: [OBJECTS],
      Condition,
    });
    expect(statementsFor(WHERE, { ...NO_INTENT, uploadEncryption: { kmsKeyArn: KEY } })).toEqual([
      deny('S3HardenDenyWrongEncryption', {
        StringNotEquals: { 's3:x-amz-server-side-encryption': ['aws:kms', 'aws:kms:dsse'] },
        Null: { 's3:x-amz-server-side-encryption': 'false' },
      }),
      deny('S3HardenDenyOtherKmsKeys', {
        StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY },
        Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
      }),
      deny('S3HardenDenyKmsWithoutKeyId', {
        StringEquals: { 's3:x-amz-server-side-encryption': ['aws:kms', 'aws:kms:dsse'] },
        Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' },
      }),
    ]);
  });

  it('read-only roles get GetObject and ListBucket, numbered', () => {
    const roles = ['arn:aws:iam::111122223333:role/a', 'arn:aws:iam::111122223333:role/team/b'];
    expect(statementsFor(WHERE, { ...NO_INTENT, readOnlyRoles: roles })).toEqual(
      roles.map((role, index) => ({
        Sid: `S3HardenReadOnly${index + 1}`,
        Effect: 'Allow',
        Principal: { AWS: role },
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: [BUCKET_ARN, OBJECTS],
      })),
    );
  });

  it('cross-account uploads carry bucket-owner-full-control while ACLs matter; reads need no ACL header', () => {
    const upload = {
      Sid: 'S3HardenCrossAccount1',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::444455556666:root' },
      Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Resource: [OBJECTS],
    };
    const read = {
      Sid: 'S3HardenCrossAccount1Read',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::444455556666:root' },
      Action: ['s3:GetObject'],
      Resource: [OBJECTS],
    };
    expect(statementsFor(WHERE, { ...NO_INTENT, crossAccounts: ['444455556666'] })).toEqual([
      { ...upload, Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } },
      read,
    ]);
    // ACLs off: the owner owns every object, and UploadPart sends no ACL header.
    expect(
      statementsFor(WHERE, { ...NO_INTENT, crossAccounts: ['444455556666'], aclsDisabled: true }),
    ).toEqual([upload, read]);
  });

  it('uses the partition of the region in ARNs', () => {
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('eu-west-1')).toBe('aws');
    const [https] = statementsFor(
      { bucket: 'b-cn', region: 'cn-north-1', accountId: '123456789012' },
      { ...NO_INTENT, denyInsecureTransport: true },
    );
    expect(https?.Resource).toEqual(['arn:aws-cn:s3:::b-cn', 'arn:aws-cn:s3:::b-cn/*']);
  });
});

describe('intentFromPolicy', () => {
  const intents: PolicyIntent[] = [
    NO_INTENT,
    { ...NO_INTENT, denyInsecureTransport: true, denyOldTls: true },
    {
      denyInsecureTransport: true,
      denyOldTls: false,
      vpceIds: ['vpce-1a2b3c4d'],
      sourceCidrs: ['10.0.0.0/8', '2001:db8::/32'],
      uploadEncryption: { algorithm: 'aws:kms:dsse' },
      readOnlyRoles: ['arn:aws:iam::111122223333:role/a', 'arn:aws:iam::111122223333:role/b'],
      crossAccounts: ['444455556666', '777788889999'],
    },
    { ...NO_INTENT, uploadEncryption: { kmsKeyArn: KEY } },
    { ...NO_INTENT, uploadEncryption: { algorithm: 'AES256' } },
  ];

  it.each(intents)('reads back what statementsFor wrote: %j', (intent) => {
    const document = composePolicy(
      { Statement: [{ Sid: 'Other', Effect: 'Deny' }] },
      statementsFor(WHERE, intent),
    );
    expect(intentFromPolicy(document)).toEqual(intent);
  });

  it('ignores foreign statements, even ones that look like the tool’s', () => {
    expect(
      intentFromPolicy({
        Statement: [
          {
            Sid: 'EnforceHTTPS',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: OBJECTS,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    ).toEqual(NO_INTENT);
    expect(intentFromPolicy(null)).toEqual(NO_INTENT);
  });
});

describe('isBucketPolicySid: the Sids the bucket-policy step owns', () => {
  it('names every Sid statementsFor writes, whatever the numbers', () => {
    const everything: PolicyIntent = {
      denyInsecureTransport: true,
      denyOldTls: true,
      vpceIds: ['vpce-1a2b3c4d'],
      sourceCidrs: ['10.0.0.0/8'],
      uploadEncryption: { algorithm: 'AES256' },
      readOnlyRoles: Array.from({ length: 12 }, (_, n) => `arn:aws:iam::111122223333:role/r${n}`),
      crossAccounts: Array.from({ length: 11 }, (_, n) => `${444455556600 + n}`),
    };
    for (const intent of [everything, { ...NO_INTENT, uploadEncryption: { kmsKeyArn: KEY } }]) {
      for (const statement of statementsFor(WHERE, intent)) {
        expect(isBucketPolicySid(statement.Sid), statement.Sid).toBe(true);
      }
    }
  });

  it.each([
    'S3HardenAccessLogsFromappa',
    'S3HardenReadOnly0',
    'S3HardenReadOnly',
    'S3HardenReadOnly1Read',
    'S3HardenCrossAccount2Write',
    'S3HardenSomethingNew',
    'DenyInsecureTransport',
    's3hardenDenyOldTls',
  ])('%s is not the step’s: kept as it is', (sid) => {
    expect(isBucketPolicySid(sid)).toBe(false);
  });
});
