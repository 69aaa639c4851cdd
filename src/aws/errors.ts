/**
 * Every AWS failure becomes one AwsError with a one-line message an operator
 * can act on: which action was denied, which bucket is missing, which
 * endpoint cannot be reached. No stack traces reach the terminal.
 */
import { iamActionFor } from '../plan/operations.js';
import type { ApiCall } from '../plan/types.js';

export type AwsErrorKind =
  | 'access-denied'
  | 'no-such-bucket'
  | 'unreachable'
  | 'credentials'
  | 'region'
  | 'throttled'
  | 'conflict'
  | 'not-available'
  | 'service';

export class AwsError extends Error {
  override name = 'AwsError';
  constructor(
    readonly kind: AwsErrorKind,
    message: string,
    /** The AWS error code, when AWS gave one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Error codes that mean "this configuration is not set": the reading is null. */
export const ABSENT_CODES = new Set([
  // HeadBucket of a bucket that does not exist (a HEAD response has no error body).
  'NotFound',
  'NoSuchPublicAccessBlockConfiguration',
  'NoSuchBucketPolicy',
  'ServerSideEncryptionConfigurationNotFoundError',
  'OwnershipControlsNotFoundError',
  'ObjectLockConfigurationNotFoundError',
  'NoSuchConfiguration',
  'NoSuchAccessPoint',
  'NoSuchAccessPointPolicy',
]);

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'Forbidden',
  'UnauthorizedOperation',
]);
const REJECTED_CREDENTIALS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'RequestTimeTooSkewed',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'InvalidToken',
]);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'SlowDown',
  'TooManyRequestsException',
]);
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** The code normaliseError gives Macie's "Macie is not enabled" (an AccessDeniedException). */
export const MACIE_NOT_ENABLED = 'MacieNotEnabled';

/** Services by the name an operator knows them, for "not available" messages. */
const SERVICE_NAMES: Partial<Record<string, string>> = {
  macie2: 'Macie',
  accessanalyzer: 'IAM Access Analyzer',
  ec2: 'EC2',
  kms: 'KMS',
};

/**
 * An endpoint without the service (the local emulator, LocalStack's free
 * edition, MinIO) answers with an HTML error page or a body the SDK cannot
 * parse, or says the operation is unsupported (HTTP 501, "NotImplemented").
 * A denial or throttling keeps its kind.
 */
function isNotImplemented(
  error: SdkErrorShape,
  code: string,
  detail: string,
  status: number | undefined,
): boolean {
  if (status === 403 || status === 429 || status === 503) return false;
  if (isUnparsed(error)) return true;
  return code === 'NotImplemented' || status === 501 || /not (yet )?implemented/i.test(detail);
}

/** The SDK could not parse the answer (an HTML page, a malformed body): no AWS error code. */
function isUnparsed(error: SdkErrorShape): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    '$response' in error &&
    /Deserialization error/.test(String(error.message ?? ''))
  );
}

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

export interface ErrorContext {
  readonly call?: Pick<ApiCall, 'service' | 'operation' | 'input'>;
  readonly endpoint?: string;
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]?.trim() ?? '';
}

function networkCode(error: SdkErrorShape): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const { code, name } = current as SdkErrorShape;
    if (code && UNREACHABLE.has(code)) return code;
    if (name === 'TimeoutError') return 'ETIMEDOUT';
    current = (current as SdkErrorShape).cause;
  }
  return undefined;
}

function targetOf(call: ErrorContext['call']): string {
  if (!call) return '';
  const { Bucket, AccountId } = call.input as { Bucket?: unknown; AccountId?: unknown };
  if (typeof Bucket === 'string') return ` on bucket ${Bucket}`;
  if (typeof AccountId === 'string') return ` on account ${AccountId}`;
  return '';
}

export function normaliseError(raw: unknown, context: ErrorContext = {}): AwsError {
  if (raw instanceof AwsError) return raw;
  const error = (raw ?? {}) as SdkErrorShape;
  const code = error.Code ?? error.name ?? 'Error';
  const status = error.$metadata?.httpStatusCode;
  const call = context.call;
  const detail = firstLine(error.message);

  const network = networkCode(error);
  if (network) {
    const where = context.endpoint ?? 'the AWS endpoint';
    const reason =
      network === 'ECONNREFUSED'
        ? 'connection refused'
        : network === 'ETIMEDOUT'
          ? 'timed out'
          : network;
    return new AwsError(
      'unreachable',
      `Cannot reach ${where}: ${reason}. Check --endpoint-url, the network or a proxy.`,
      network,
    );
  }
  if (error.name === 'CredentialsProviderError' || /Could not load credentials/i.test(detail)) {
    return new AwsError(
      'credentials',
      'No AWS credentials found: pass --profile, set AWS_PROFILE, or configure the default credential chain.',
      code,
    );
  }
  if (/Region is missing/i.test(detail)) {
    return new AwsError('region', 'No AWS region set: pass --region or set AWS_REGION.', code);
  }
  if (REJECTED_CREDENTIALS.has(code)) {
    return new AwsError(
      'credentials',
      `AWS rejected the credentials (${code}): check the access key, secret, session token and the clock.`,
      code,
    );
  }
  // Macie refuses every call this way until it is enabled: a state, not a denial.
  if (
    call?.service === 'macie2' &&
    ACCESS_DENIED.has(code) &&
    /Macie is not enabled/i.test(detail)
  ) {
    return new AwsError(
      'service',
      'Macie is not enabled in this account and region.',
      MACIE_NOT_ENABLED,
    );
  }
  if (isNotImplemented(error, code, detail, status)) {
    const name = (call && SERVICE_NAMES[call.service]) ?? call?.service ?? 'This service';
    const where = context.endpoint ? `this endpoint (${context.endpoint})` : 'the AWS endpoint';
    const what = call ? `: it does not answer ${call.service}:${call.operation} as AWS does` : '';
    // An unparsed answer's "code" is a JavaScript error name: only the status says anything.
    const said = [...(isUnparsed(error) ? [] : [code]), ...(status ? [`HTTP ${status}`] : [])].join(
      ', ',
    );
    return new AwsError(
      'not-available',
      `${name} is not available at ${where}${what}${said ? ` (${said})` : ''}.`,
      code,
    );
  }
  // Any other 403 (HeadBucket's has no body, only the status) is a denial.
  if (ACCESS_DENIED.has(code) || status === 403) {
    const action = call ? iamActionFor(call) : 'the requested action';
    let message = `Access denied: ${action}${targetOf(call)}.`;
    if (call?.service === 's3' && call.operation === 'PutBucketPolicy') {
      message += ' With BlockPublicPolicy on, S3 also refuses a policy that grants public access.';
    }
    if (call?.service === 's3control' && call.operation === 'PutPublicAccessBlock') {
      message += ' An AWS Organizations S3 policy may manage this setting for the account.';
    }
    return new AwsError('access-denied', message, code);
  }
  if (code === 'NoSuchBucket' || (call?.operation === 'HeadBucket' && status === 404)) {
    const bucket = (call?.input as { Bucket?: string } | undefined)?.Bucket;
    return new AwsError(
      'no-such-bucket',
      `Bucket ${bucket ?? ''} does not exist.`.replace('  ', ' '),
      code,
    );
  }
  if (THROTTLED.has(code) || status === 429 || status === 503) {
    return new AwsError(
      'throttled',
      `AWS is throttling requests (${code}); try again shortly.`,
      code,
    );
  }
  if (code === 'OperationAborted' || status === 409) {
    return new AwsError(
      'conflict',
      `${code}: ${detail || 'a conflicting operation is in progress'}`,
      code,
    );
  }
  const what = call ? `${call.service}:${call.operation} failed: ` : '';
  return new AwsError(
    'service',
    `${what}${code}${detail && detail !== code ? ` (${detail})` : ''}`,
    code,
  );
}

/** True when the error means "no configuration of this kind is set". */
export function isAbsent(raw: unknown): boolean {
  const error = (raw ?? {}) as SdkErrorShape;
  return ABSENT_CODES.has(error.Code ?? error.name ?? '');
}
