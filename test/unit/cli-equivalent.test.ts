import { describe, expect, it } from 'vitest';
import type { ApiCall } from '../../src/plan/model/types.js';
import { cliCommand, kebab, shellQuote } from '../../src/plan/render/cli-equivalent.js';
import { OFF, ON } from './support.js';

describe('kebab', () => {
  it.each([
    ['PutPublicAccessBlock', 'put-public-access-block'],
    ['DeletePublicAccessBlock', 'delete-public-access-block'],
    ['GetCallerIdentity', 'get-caller-identity'],
    ['PublicAccessBlockConfiguration', 'public-access-block-configuration'],
    ['AccountId', 'account-id'],
    ['Bucket', 'bucket'],
    ['ListBuckets', 'list-buckets'],
    ['HeadBucket', 'head-bucket'],
    ['GetBucketACL', 'get-bucket-acl'],
    ['ACLPolicy', 'acl-policy'],
    ['ExpectedBucketOwner', 'expected-bucket-owner'],
    ['MFADelete', 'mfa-delete'],
    ['ObjectLockEnabledForBucket', 'object-lock-enabled-for-bucket'],
    ['V2Name', 'v2-name'],
  ])('%s → %s', (name, expected) => {
    expect(kebab(name)).toBe(expected);
  });
});

describe('shellQuote', () => {
  it.each([
    ['my-bucket', 'my-bucket'],
    ['123456789012', '123456789012'],
    ['us-east-1', 'us-east-1'],
    ['http://localhost:4566', 'http://localhost:4566'],
    ['a_b.c/d:e=f@g%h+i,j', 'a_b.c/d:e=f@g%h+i,j'],
    ['', "''"],
    ['two words', "'two words'"],
    ['$HOME', "'$HOME'"],
    ['`id`', "'`id`'"],
    ['a;rm -rf /', "'a;rm -rf /'"],
    ['*', "'*'"],
    ['~', "'~'"],
    ['{"a":true}', `'{"a":true}'`],
    ["it's", "'it'\\''s'"],
    ["'", "''\\'''"],
    ["''", "''\\'''\\'''"],
    ['line\nbreak', "'line\nbreak'"],
  ])('%j → %s', (value, expected) => {
    expect(shellQuote(value)).toBe(expected);
  });

  it('a quoted value reads back unchanged through a POSIX shell', async () => {
    const { execFileSync } = await import('node:child_process');
    for (const value of ["it's", "'", 'a b', '$HOME `x` "q"', 'new\nline', '', '\\', "a'b'c"]) {
      const echoed = execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(value)}`], {
        encoding: 'utf8',
      });
      expect(echoed).toBe(value);
    }
  });
});

describe('cliCommand', () => {
  const bucketPut: ApiCall = {
    service: 's3',
    operation: 'PutPublicAccessBlock',
    input: { Bucket: 'my-bucket', PublicAccessBlockConfiguration: ON },
  };
  const accountDelete: ApiCall = {
    service: 's3control',
    operation: 'DeletePublicAccessBlock',
    input: { AccountId: '123456789012' },
  };
  const ON_JSON =
    '{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}';

  it.each<[string, ApiCall, Parameters<typeof cliCommand>[1], string]>([
    [
      's3 put, no context',
      bucketPut,
      {},
      `aws s3api put-public-access-block --bucket my-bucket --public-access-block-configuration '${ON_JSON}'`,
    ],
    [
      's3 delete with region',
      { service: 's3', operation: 'DeletePublicAccessBlock', input: { Bucket: 'my-bucket' } },
      { region: 'eu-west-2' },
      'aws s3api delete-public-access-block --bucket my-bucket --region eu-west-2',
    ],
    [
      's3control delete with profile, region and endpoint (in that order)',
      accountDelete,
      { region: 'us-east-1', endpoint: 'http://127.0.0.1:4566', profile: 'prod admin' },
      "aws s3control delete-public-access-block --account-id 123456789012 --profile 'prod admin' --region us-east-1 --endpoint-url http://127.0.0.1:4566",
    ],
    [
      's3control put with all flags off',
      {
        service: 's3control',
        operation: 'PutPublicAccessBlock',
        input: { AccountId: '123456789012', PublicAccessBlockConfiguration: OFF },
      },
      { profile: 'default' },
      `aws s3control put-public-access-block --account-id 123456789012 --public-access-block-configuration '{"BlockPublicAcls":false,"IgnorePublicAcls":false,"BlockPublicPolicy":false,"RestrictPublicBuckets":false}' --profile default`,
    ],
    [
      'sts with no input',
      { service: 'sts', operation: 'GetCallerIdentity', input: {} },
      {},
      'aws sts get-caller-identity',
    ],
    [
      'boolean, number and undefined inputs',
      {
        service: 's3',
        operation: 'CreateBucket',
        input: { Bucket: 'b-1', ObjectLockEnabledForBucket: true, Skipped: undefined },
      },
      {},
      'aws s3api create-bucket --bucket b-1 --object-lock-enabled-for-bucket',
    ],
    [
      'a false boolean becomes --no-flag',
      { service: 's3', operation: 'X', input: { ObjectLockEnabledForBucket: false, MaxKeys: 5 } },
      {},
      'aws s3api x --no-object-lock-enabled-for-bucket --max-keys 5',
    ],
  ])('%s', (_label, call, context, expected) => {
    expect(cliCommand(call, context)).toBe(expected);
  });

  it('single quotes inside JSON values are escaped so the command still pastes', () => {
    const command = cliCommand({
      service: 's3',
      operation: 'PutBucketTagging',
      input: { Bucket: 'b-1', Tagging: { TagSet: [{ Key: 'owner', Value: "O'Brien" }] } },
    });
    expect(command).toBe(
      `aws s3api put-bucket-tagging --bucket b-1 --tagging '{"TagSet":[{"Key":"owner","Value":"O'\\''Brien"}]}'`,
    );
  });

  it('a single quote in a profile name is escaped', () => {
    expect(cliCommand(accountDelete, { profile: "bob's" })).toBe(
      "aws s3control delete-public-access-block --account-id 123456789012 --profile 'bob'\\''s'",
    );
  });
});
