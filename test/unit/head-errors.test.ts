/**
 * HEAD requests' errors, as the SDK raises them: no body, so no AWS error
 * code ("Unknown", or "NotFound" for a 404) and the message "UnknownError";
 * only the status, and on a redirect the bucket's region in a header. The
 * one line says the status and what it means.
 */
import { describe, expect, it } from 'vitest';
import { type AwsErrorKind, type ErrorContext, normaliseError } from '../../src/aws/errors.js';

const headBucket: ErrorContext['call'] = {
  service: 's3',
  operation: 'HeadBucket',
  input: { Bucket: 'my-bucket' },
};
const headObject: ErrorContext['call'] = {
  service: 's3',
  operation: 'HeadObject',
  input: { Bucket: 'my-bucket', Key: 'a/b.txt' },
};

/** What the SDK throws for a bodiless error answer with `status`. */
function headError(status: number, headers: Record<string, string> = {}, name = 'Unknown'): Error {
  return Object.assign(new Error('UnknownError'), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status, requestId: 'R1', attempts: 1 },
    $response: { statusCode: status, headers: { 'x-amz-request-id': 'R1', ...headers } },
  });
}

const failed = (status: number, meaning: string) =>
  `s3:HeadBucket on bucket my-bucket failed: HTTP ${status}, ${meaning}.`;

describe('a HEAD request that failed', () => {
  it.each<[number, Record<string, string>, AwsErrorKind, string]>([
    [
      301,
      { 'x-amz-bucket-region': 'eu-west-1' },
      'service',
      failed(301, 'the bucket is in eu-west-1, another region than this request was sent to'),
    ],
    [
      301,
      {},
      'service',
      failed(301, 'the bucket is in another region than this request was sent to'),
    ],
    [
      307,
      {},
      'service',
      failed(
        307,
        'redirected: the bucket is in another region, or so new its address is not known everywhere yet; try again shortly',
      ),
    ],
    [
      400,
      { 'x-amz-bucket-region': 'ap-south-1' },
      'service',
      failed(
        400,
        'bad request: the endpoint took it for malformed (often it was signed for another region than the bucket’s); the bucket is in ap-south-1',
      ),
    ],
    [
      405,
      {},
      'service',
      failed(
        405,
        'method not allowed: the endpoint does not serve S3 requests; check --endpoint-url',
      ),
    ],
    [
      409,
      {},
      'conflict',
      failed(409, 'conflict: the bucket is being created or deleted; try again shortly'),
    ],
    [418, {}, 'service', failed(418, "I'm a Teapot")],
    [500, {}, 'service', failed(500, 'the endpoint had an internal error; try again')],
    [
      502,
      {},
      'service',
      failed(502, 'bad gateway: a proxy in between had no usable answer from S3'),
    ],
    [
      503,
      {},
      'throttled',
      failed(503, 'S3 is slowing requests down or unavailable; try again shortly'),
    ],
  ])('HTTP %i is said with what it means', (status, headers, kind, message) => {
    const error = normaliseError(headError(status, headers), { call: headBucket });
    expect(error.message).toBe(message);
    expect(error.kind).toBe(kind);
    expect(error.message).not.toMatch(/Unknown/);
  });

  it('names the key of a HeadObject', () => {
    expect(normaliseError(headError(500), { call: headObject }).message).toBe(
      's3:HeadObject on bucket my-bucket, key a/b.txt failed: HTTP 500, the endpoint had an internal error; try again.',
    );
  });

  it('a 403 is access denied to the bucket, a 404 a bucket that does not exist', () => {
    const denied = normaliseError(headError(403), { call: headBucket });
    expect([denied.kind, denied.message]).toEqual([
      'access-denied',
      'Access denied: s3:ListBucket on bucket my-bucket.',
    ]);
    const missing = normaliseError(headError(404, {}, 'NotFound'), { call: headBucket });
    expect([missing.kind, missing.message]).toEqual([
      'no-such-bucket',
      'Bucket my-bucket does not exist.',
    ]);
  });

  it('a 501 is S3 not available here, without the SDK’s placeholder code', () => {
    const error = normaliseError(headError(501), {
      call: headBucket,
      endpoint: 'http://127.0.0.1:9000',
    });
    expect([error.kind, error.message]).toEqual([
      'not-available',
      's3 is not available at this endpoint (http://127.0.0.1:9000, HTTP 501).',
    ]);
  });
});
