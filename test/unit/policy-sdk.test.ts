/**
 * The bucket policy at the SDK boundary, for what the emulator does not show:
 * the exact input each command carries.
 */
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createClients, destroyClients } from '../../src/aws/clients.js';
import { send } from '../../src/aws/commands.js';
import { isAbsent } from '../../src/aws/errors.js';
import { READERS } from '../../src/aws/families/index.js';
import type { ApiCall } from '../../src/plan/model/types.js';
import { POLICY_TEXT } from '../../src/plan/policy/policy-text.js';
import { writeCall } from '../../src/plan/resources/index.js';
import { BUCKET, TARGET } from './support.js';

const DOCUMENT = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'S3HardenDenyInsecureTransport', Effect: 'Deny', Principal: '*' }],
};

describe('bucket policy SDK calls', () => {
  const s3 = mockClient(S3Client);
  const clients = createClients({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
  afterEach(() => s3.reset());
  afterAll(() => {
    s3.restore();
    destroyClients(clients);
  });

  it('PutBucketPolicy sends the bucket and the JSON text, nothing else', async () => {
    s3.on(PutBucketPolicyCommand).resolves({});
    await send(clients, writeCall('bucket.policy', TARGET, DOCUMENT));
    const [call] = s3.commandCalls(PutBucketPolicyCommand);
    expect(call?.args[0].input).toEqual({ Bucket: BUCKET, Policy: JSON.stringify(DOCUMENT) });
    expect(call?.args[0].input).not.toHaveProperty('ConfirmRemoveSelfBucketAccess');
  });

  it('no policy is a DeleteBucketPolicy', async () => {
    s3.on(DeleteBucketPolicyCommand).resolves({});
    await send(clients, writeCall('bucket.policy', TARGET, null));
    expect(s3.commandCalls(DeleteBucketPolicyCommand)[0]?.args[0].input).toEqual({
      Bucket: BUCKET,
    });
  });

  it('reads the policy text as a document, and NoSuchBucketPolicy as absent', async () => {
    // A single-call reader: GetBucketPolicy, then the text parsed.
    const reader = READERS['bucket.policy'] as unknown as {
      call: (target: typeof TARGET) => ApiCall;
      extract: (output: Record<string, unknown>) => unknown;
    };
    const text = JSON.stringify(DOCUMENT, null, 1);
    s3.on(GetBucketPolicyCommand).resolves({ Policy: text });
    // The text S3 returned travels beside the document, to be written back verbatim.
    expect(reader.extract(await send(clients, reader.call(TARGET)))).toEqual({
      ...DOCUMENT,
      [POLICY_TEXT]: text,
    });
    expect(isAbsent({ name: 'NoSuchBucketPolicy' })).toBe(true);
    expect(() => reader.extract({ Policy: '{not json' })).toThrow(
      'the bucket policy S3 returned is not valid JSON',
    );
  });
});
