import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AwsError,
  type AwsErrorKind,
  type ErrorContext,
  isAbsent,
  normaliseError,
} from '../../src/aws/errors.js';
import { profileProblem } from '../../src/aws/profiles.js';
import { isOneLine } from './support.js';

const bucketPut: ErrorContext['call'] = {
  service: 's3',
  operation: 'PutPublicAccessBlock',
  input: { Bucket: 'b', PublicAccessBlockConfiguration: {} },
};
const bucketRead: ErrorContext['call'] = {
  service: 's3',
  operation: 'GetPublicAccessBlock',
  input: { Bucket: 'b' },
};
const accountPut: ErrorContext['call'] = {
  service: 's3control',
  operation: 'PutPublicAccessBlock',
  input: { AccountId: '123456789012', PublicAccessBlockConfiguration: {} },
};
const accountRead: ErrorContext['call'] = {
  service: 's3control',
  operation: 'GetPublicAccessBlock',
  input: { AccountId: '123456789012' },
};
const callerIdentity: ErrorContext['call'] = {
  service: 'sts',
  operation: 'GetCallerIdentity',
  input: {},
};
const headBucket: ErrorContext['call'] = {
  service: 's3',
  operation: 'HeadBucket',
  input: { Bucket: 'missing-bucket' },
};

/** An SDK-shaped service error. */
function sdkError(name: string, message: string, status?: number, extra: object = {}): Error {
  return Object.assign(new Error(message), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
    ...extra,
  });
}

describe('normaliseError', () => {
  it.each<[string, unknown, ErrorContext, AwsErrorKind, string, string | undefined]>([
    [
      'AccessDenied on a bucket write',
      { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } },
      { call: bucketPut },
      'access-denied',
      'Access denied: s3:PutBucketPublicAccessBlock on bucket b.',
      'AccessDenied',
    ],
    [
      'AccessDenied on a bucket read',
      sdkError('AccessDenied', 'Access Denied', 403),
      { call: bucketRead },
      'access-denied',
      'Access denied: s3:GetBucketPublicAccessBlock on bucket b.',
      'AccessDenied',
    ],
    [
      'a bare 403 with an unfamiliar name',
      sdkError('Forbidden403', '', 403),
      { call: bucketRead },
      'access-denied',
      'Access denied: s3:GetBucketPublicAccessBlock on bucket b.',
      'Forbidden403',
    ],
    [
      'AccessDenied on an account write mentions Organizations',
      sdkError('AccessDenied', 'Access Denied', 403),
      { call: accountPut },
      'access-denied',
      'Access denied: s3:PutAccountPublicAccessBlock on account 123456789012. An AWS Organizations S3 policy may manage this setting for the account.',
      'AccessDenied',
    ],
    [
      'AccessDenied on an account read does not',
      sdkError('AccessDenied', 'Access Denied', 403),
      { call: accountRead },
      'access-denied',
      'Access denied: s3:GetAccountPublicAccessBlock on account 123456789012.',
      'AccessDenied',
    ],
    [
      'AccessDenied with no call',
      sdkError('AccessDeniedException', 'nope', 400),
      {},
      'access-denied',
      'Access denied: the requested action.',
      'AccessDeniedException',
    ],
    [
      'AccessDenied on an operation outside the catalogue names service:operation',
      sdkError('AccessDenied', 'x', 403),
      { call: { service: 's3', operation: 'PutBucketPolicy', input: { Bucket: 'b' } } },
      'access-denied',
      'Access denied: s3:PutBucketPolicy on bucket b. With BlockPublicPolicy on, S3 also refuses a policy that grants public access.',
      'AccessDenied',
    ],
    [
      'ECONNREFUSED nested in cause',
      Object.assign(new Error('fetch failed'), {
        name: 'TypeError',
        cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), {
          code: 'ECONNREFUSED',
        }),
      }),
      { call: bucketRead, endpoint: 'http://127.0.0.1:4566' },
      'unreachable',
      'Cannot reach http://127.0.0.1:4566: connection refused. Check --endpoint-url, the network or a proxy.',
      'ECONNREFUSED',
    ],
    [
      'ENOTFOUND without an endpoint',
      Object.assign(new Error('getaddrinfo ENOTFOUND s3.amazonaws.com'), { code: 'ENOTFOUND' }),
      {},
      'unreachable',
      'Cannot reach the AWS endpoint: ENOTFOUND. Check --endpoint-url, the network or a proxy.',
      'ENOTFOUND',
    ],
    [
      "the handler's inactivity timeout, after the SDK's retries",
      sdkError(
        'TimeoutError',
        '@smithy/node-http-handler - the request socket timed out after 30000 ms of inactivity (configured by client requestHandler).',
        undefined,
        { $metadata: { attempts: 3, totalRetryDelay: 412 } },
      ),
      { call: callerIdentity, endpoint: 'http://127.0.0.1:4566' },
      'unreachable',
      'sts:GetCallerIdentity timed out after 30 s at http://127.0.0.1:4566 (no answer, 3 attempts). Check --endpoint-url and the network; S3_HARDEN_TIMEOUT_MS raises the limit.',
      'ETIMEDOUT',
    ],
    [
      'a lowered inactivity timeout, one attempt, no endpoint',
      sdkError(
        'TimeoutError',
        '@smithy/node-http-handler - the request socket timed out after 300 ms of inactivity (configured by client requestHandler).',
      ),
      { call: bucketPut },
      'unreachable',
      's3:PutPublicAccessBlock timed out after 0.3 s at the AWS endpoint (no answer). Check --endpoint-url and the network; S3_HARDEN_TIMEOUT_MS raises the limit.',
      'ETIMEDOUT',
    ],
    [
      'the connect limit of timeouts.ts',
      Object.assign(new Error('no connection within 5000 ms'), {
        name: 'TimeoutError',
        code: 'ETIMEDOUT',
        phase: 'connect',
        timeoutMs: 5000,
        $metadata: { attempts: 3 },
      }),
      { call: bucketRead, endpoint: 'https://s3.eu-west-1.amazonaws.com' },
      'unreachable',
      's3:GetPublicAccessBlock timed out after 5 s at https://s3.eu-west-1.amazonaws.com (no connection, 3 attempts). Check --endpoint-url, the network or a proxy.',
      'ETIMEDOUT',
    ],
    [
      "the handler's own connection timeout",
      sdkError(
        'TimeoutError',
        '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 2500 ms.',
      ),
      {},
      'unreachable',
      'A request timed out after 2.5 s at the AWS endpoint (no connection). Check --endpoint-url, the network or a proxy.',
      'ETIMEDOUT',
    ],
    [
      "the handler's request timeout (code ETIMEDOUT)",
      sdkError(
        'TimeoutError',
        '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 60000 ms requestTimeout.',
        undefined,
        { code: 'ETIMEDOUT' },
      ),
      { call: bucketRead, endpoint: 'http://x' },
      'unreachable',
      's3:GetPublicAccessBlock timed out after 60 s at http://x (no answer). Check --endpoint-url and the network; S3_HARDEN_TIMEOUT_MS raises the limit.',
      'ETIMEDOUT',
    ],
    [
      "the OS's connect ETIMEDOUT (no limit of ours)",
      Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:443'), { code: 'ETIMEDOUT' }),
      { endpoint: 'https://10.0.0.1' },
      'unreachable',
      'Cannot reach https://10.0.0.1: timed out. Check --endpoint-url, the network or a proxy.',
      'ETIMEDOUT',
    ],
    [
      'a reset the handler renames TimeoutError is still a reset',
      Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' }),
      { endpoint: 'http://x' },
      'unreachable',
      'Cannot reach http://x: ECONNRESET. Check --endpoint-url, the network or a proxy.',
      'ECONNRESET',
    ],
    [
      'https:// to a plain-HTTP endpoint (OpenSSL: wrong version number)',
      Object.assign(
        new Error(
          'write EPROTO 80AC82C23B7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n',
        ),
        { code: 'EPROTO', errno: -71, syscall: 'write', $metadata: { attempts: 1 } },
      ),
      { call: callerIdentity, endpoint: 'https://127.0.0.1:4566' },
      'unreachable',
      'TLS with https://127.0.0.1:4566 failed: it does not speak TLS, maybe plain HTTP (try http://127.0.0.1:4566).',
      'EPROTO',
    ],
    [
      'the same under a newer code, nested, without an endpoint',
      Object.assign(new Error('request failed'), {
        cause: Object.assign(new Error('wrong version number'), {
          code: 'ERR_SSL_WRONG_VERSION_NUMBER',
        }),
      }),
      {},
      'unreachable',
      'TLS with the AWS endpoint failed: it does not speak TLS, maybe plain HTTP.',
      'ERR_SSL_WRONG_VERSION_NUMBER',
    ],
    [
      'another TLS failure',
      Object.assign(new Error('write EPROTO …:SSL routines::unsupported protocol'), {
        code: 'EPROTO',
      }),
      { endpoint: 'https://proxy.example' },
      'unreachable',
      'TLS with https://proxy.example failed: the handshake broke off (EPROTO); a proxy or firewall may be in between.',
      'EPROTO',
    ],
    [
      'an untrusted certificate',
      Object.assign(new Error('self-signed certificate in certificate chain'), {
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      }),
      { call: callerIdentity },
      'unreachable',
      'TLS with the AWS endpoint failed: its certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN). For a private CA, set NODE_EXTRA_CA_CERTS.',
      'SELF_SIGNED_CERT_IN_CHAIN',
    ],
    [
      'a web server answering STS with a 404 page',
      sdkError('NotFound', 'Unknown', 404, { Error: { Message: 'Unknown' } }),
      { call: callerIdentity, endpoint: 'http://127.0.0.1:8080' },
      'not-available',
      'http://127.0.0.1:8080 does not answer like AWS STS (HTTP 404): check --endpoint-url.',
      'NotFound',
    ],
    [
      'an STS answer the SDK cannot parse',
      sdkError('SyntaxError', 'Deserialization error: to see the raw response…', 200, {
        $response: {},
      }),
      { call: callerIdentity },
      'not-available',
      'The AWS endpoint does not answer like AWS STS (HTTP 200): check --endpoint-url.',
      'SyntaxError',
    ],
    [
      "a real STS error (it has a request ID) keeps AWS's word",
      sdkError('NotFound', 'Unknown', 404, {
        $metadata: { httpStatusCode: 404, requestId: 'c0ffee' },
      }),
      { call: callerIdentity, endpoint: 'http://127.0.0.1:8080' },
      'service',
      'sts:GetCallerIdentity failed: NotFound (Unknown)',
      'NotFound',
    ],
    [
      'a credential provider with a reason of its own',
      sdkError(
        'CredentialsProviderError',
        'The SSO session associated with this profile has expired or is otherwise invalid.\nTo refresh this SSO session run aws sso login.',
      ),
      { call: callerIdentity },
      'credentials',
      'AWS credentials could not be loaded: The SSO session associated with this profile has expired or is otherwise invalid.',
      'CredentialsProviderError',
    ],
    [
      'CredentialsProviderError',
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      { call: bucketRead },
      'credentials',
      'No AWS credentials found: pass --profile, set AWS_PROFILE, or configure the default credential chain.',
      'CredentialsProviderError',
    ],
    [
      '"Could not load credentials" under another name',
      sdkError('Error', 'Could not load credentials from any providers'),
      {},
      'credentials',
      'No AWS credentials found: pass --profile, set AWS_PROFILE, or configure the default credential chain.',
      'Error',
    ],
    [
      'Region is missing',
      sdkError('Error', 'Region is missing'),
      { call: bucketRead },
      'region',
      'No AWS region set: pass --region or set AWS_REGION.',
      'Error',
    ],
    [
      'NoSuchBucket',
      sdkError('NoSuchBucket', 'The specified bucket does not exist', 404),
      { call: bucketRead },
      'no-such-bucket',
      'Bucket b does not exist.',
      'NoSuchBucket',
    ],
    [
      'HeadBucket 404 (no error body)',
      sdkError('NotFound', 'UnknownError', 404),
      { call: headBucket },
      'no-such-bucket',
      'Bucket missing-bucket does not exist.',
      'NotFound',
    ],
    [
      'NoSuchBucket with no call',
      sdkError('NoSuchBucket', 'x', 404),
      {},
      'no-such-bucket',
      'Bucket does not exist.',
      'NoSuchBucket',
    ],
    [
      'SlowDown',
      sdkError('SlowDown', 'Please reduce your request rate.', 503),
      { call: bucketPut },
      'throttled',
      'AWS is throttling requests (SlowDown); try again shortly.',
      'SlowDown',
    ],
    [
      'ThrottlingException',
      sdkError('ThrottlingException', 'Rate exceeded', 400),
      {},
      'throttled',
      'AWS is throttling requests (ThrottlingException); try again shortly.',
      'ThrottlingException',
    ],
    [
      'a bare 429',
      sdkError('TooMany', '', 429),
      {},
      'throttled',
      'AWS is throttling requests (TooMany); try again shortly.',
      'TooMany',
    ],
    [
      'OperationAborted',
      sdkError(
        'OperationAborted',
        'A conflicting conditional operation is in progress.\nRetry.',
        409,
      ),
      { call: bucketPut },
      'conflict',
      'OperationAborted: A conflicting conditional operation is in progress.',
      'OperationAborted',
    ],
    [
      'an unknown error with a call',
      sdkError('InvalidRequest', 'Something odd\nat line 2\n    at stack', 400),
      { call: bucketPut },
      'service',
      's3:PutPublicAccessBlock failed: InvalidRequest (Something odd)',
      'InvalidRequest',
    ],
    [
      'an unknown error whose message is just its code',
      sdkError('InternalError', 'InternalError', 500),
      {},
      'service',
      'InternalError',
      'InternalError',
    ],
    [
      'a Code field wins over name',
      { name: 'Error', Code: 'MalformedXML', message: 'The XML you provided was not well-formed' },
      {},
      'service',
      'MalformedXML (The XML you provided was not well-formed)',
      'MalformedXML',
    ],
    ['null', null, {}, 'service', 'Error', 'Error'],
  ])('%s', (_label, raw, context, kind, message, code) => {
    const error = normaliseError(raw, context);
    expect(error).toBeInstanceOf(AwsError);
    expect(error.name).toBe('AwsError');
    expect(error.kind).toBe(kind);
    expect(error.message).toBe(message);
    expect(error.code).toBe(code);
    expect(isOneLine(error.message)).toBe(true);
  });

  it('an AwsError passes through unchanged', () => {
    const original = new AwsError('throttled', 'slow down', 'SlowDown');
    expect(normaliseError(original, { call: bucketPut })).toBe(original);
  });

  it('every message is one line, whatever the SDK put in the error', () => {
    const noisy = 'first line\nsecond line\r\n\tat Object.<anonymous> (file.js:1:1)';
    const raws: unknown[] = [
      sdkError('AccessDenied', noisy, 403),
      sdkError('NoSuchBucket', noisy, 404),
      sdkError('SlowDown', noisy, 503),
      sdkError('OperationAborted', noisy, 409),
      sdkError('Weird', noisy, 400),
      sdkError('Weird', `\n${noisy}`, 400),
      sdkError('CredentialsProviderError', noisy),
      Object.assign(new Error(noisy), { code: 'ECONNRESET' }),
      Object.assign(new Error(`${noisy} 300 ms`), { name: 'TimeoutError' }),
      Object.assign(new Error(noisy), { code: 'EPROTO' }),
      Object.assign(new Error(noisy), { code: 'CERT_HAS_EXPIRED' }),
      sdkError('NotFound', '', 404),
      new Error(noisy),
      'a string',
      42,
      undefined,
    ];
    for (const raw of raws) {
      for (const context of [
        {},
        { call: bucketPut },
        { call: accountPut, endpoint: 'http://x' },
        { call: callerIdentity, endpoint: 'https://x' },
      ]) {
        const { message } = normaliseError(raw, context);
        expect(isOneLine(message), JSON.stringify(message)).toBe(true);
        expect(message.length).toBeGreaterThan(0);
      }
    }
  });

  // BUG (src/aws/errors.ts:134): any HTTP 403 is reported as "Access denied:
  // <action>", hiding the code. S3 answers 403 for bad credentials too
  // (InvalidAccessKeyId, SignatureDoesNotMatch, RequestTimeTooSkewed), so an
  // operator with a wrong secret key or a skewed clock is told to fix IAM
  // permissions for s3:GetBucketPublicAccessBlock instead. The code never
  // reaches the message.
  it.each(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'RequestTimeTooSkewed'])(
    'a 403 %s is not reported as a missing IAM permission',
    (name) => {
      const error = normaliseError(sdkError(name, 'The request signature we calculated…', 403), {
        call: bucketRead,
      });
      expect(error.message).toContain(name);
    },
  );
});

describe('isAbsent', () => {
  it.each<[string, unknown, boolean]>([
    [
      'NoSuchPublicAccessBlockConfiguration (name)',
      sdkError('NoSuchPublicAccessBlockConfiguration', 'x', 404),
      true,
    ],
    [
      'NoSuchPublicAccessBlockConfiguration (Code)',
      { Code: 'NoSuchPublicAccessBlockConfiguration' },
      true,
    ],
    ['NoSuchBucketPolicy', { name: 'NoSuchBucketPolicy' }, true],
    ['NoSuchBucket is not "absent configuration"', sdkError('NoSuchBucket', 'x', 404), false],
    ['AccessDenied', sdkError('AccessDenied', 'x', 403), false],
    ['a plain Error', new Error('NoSuchPublicAccessBlockConfiguration'), false],
    ['null', null, false],
    ['undefined', undefined, false],
  ])('%s → %s', (_label, raw, absent) => {
    expect(isAbsent(raw)).toBe(absent);
  });
});

describe('profileProblem', () => {
  const dir = mkdtempSync(join(tmpdir(), 's3-harden-profile-unit-'));
  const env = {
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: '~/creds',
  };
  writeFileSync(
    env.AWS_CONFIG_FILE,
    '[default]\nregion = eu-west-1\n[profile sso] ; comment\nsso_session = corp\n[plain]\nregion = us-east-1\n',
  );
  writeFileSync(join(dir, 'creds'), '[keys]\naws_access_key_id = x\n');
  const none = normaliseError(sdkError('CredentialsProviderError', 'Could not load credentials'));
  const noRegion = normaliseError(sdkError('Error', 'Region is missing'));

  it.each<[string, AwsError, string | undefined, string | undefined]>([
    [
      'a profile in neither file',
      none,
      'nosuch',
      `Profile nosuch not found in ${env.AWS_CONFIG_FILE} or ~/creds.`,
    ],
    [
      '"[plain]" in the config file is not a profile there (the SDK wants "[profile plain]")',
      none,
      'plain',
      `Profile plain not found in ${env.AWS_CONFIG_FILE} or ~/creds.`,
    ],
    [
      'a profile without credentials',
      none,
      'sso',
      `Profile sso (${env.AWS_CONFIG_FILE}) gave no credentials: check its keys, role_arn/source_profile, credential_process or SSO login (aws sso login --profile sso).`,
    ],
    ['"default" is "[default]" in the config file', none, 'default', expect.any(String) as never],
    [
      'a profile without a region',
      noRegion,
      'keys',
      'Profile keys (~/creds) sets no region: pass --region, set AWS_REGION, or add region to the profile.',
    ],
    ['no profile named', none, undefined, undefined],
    [
      'credentials AWS refused are not about the profile',
      normaliseError(sdkError('InvalidClientTokenId', 'bad', 403), { call: callerIdentity }),
      'nosuch',
      undefined,
    ],
    [
      "a provider's own reason is kept for a profile that exists",
      normaliseError(sdkError('CredentialsProviderError', 'The SSO session has expired.')),
      'sso',
      undefined,
    ],
    ['another failure', normaliseError(sdkError('SlowDown', 'x', 503)), 'nosuch', undefined],
  ])('%s', async (_label, error, profile, message) => {
    const problem = await profileProblem(error, profile, env);
    expect(problem?.message).toEqual(message);
    if (problem) expect(isOneLine(problem.message)).toBe(true);
  });

  it('reads AWS_PROFILE when no --profile is given, and ~/.aws/ by default', async () => {
    const problem = await profileProblem(none, undefined, { HOME: dir, AWS_PROFILE: 'typo' });
    expect(problem?.message).toBe('Profile typo not found in ~/.aws/config or ~/.aws/credentials.');
    expect(problem?.kind).toBe('credentials');
  });
});
