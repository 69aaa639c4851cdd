/**
 * Every AWS failure becomes one AwsError with a one-line message an operator
 * can act on: which action was denied, which bucket is missing, which
 * endpoint cannot be reached. No stack traces reach the terminal.
 */
import { iamActionFor } from '../plan/model/operations.js';
import type { ApiCall } from '../plan/model/types.js';
import type { AwsErrorKind } from './error-kind.js';
import { headFailure, isPlaceholderCode } from './head-errors.js';

export type { AwsErrorKind } from './error-kind.js';

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
  'ReplicationConfigurationNotFoundError',
  'NoSuchLifecycleConfiguration',
  // GetBucketTagging of a bucket without tags.
  'NoSuchTagSet',
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

/** What normaliseError says when the credential chain found nothing at all. */
export const NO_CREDENTIALS_MESSAGE =
  'No AWS credentials found: pass --profile, set AWS_PROFILE, or configure the default credential chain.';

/** True when AWS saw the credentials and refused them (not: none were found). */
export function isRejectedCredentials(error: AwsError): boolean {
  return error.kind === 'credentials' && REJECTED_CREDENTIALS.has(error.code ?? '');
}

/** The code normaliseError gives Macie's "Macie is not enabled" (an AccessDeniedException). */
export const MACIE_NOT_ENABLED = 'MacieNotEnabled';

/** Services by the name an operator knows them, for "not available" messages. */
const SERVICE_NAMES: Partial<Record<string, string>> = {
  macie2: 'Macie',
  accessanalyzer: 'IAM Access Analyzer',
  cloudtrail: 'CloudTrail',
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
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
  cause?: unknown;
  /** Set by timeouts.ts on its connect-limit error. */
  phase?: string;
  timeoutMs?: number;
}

export interface ErrorContext {
  readonly call?: Pick<ApiCall, 'service' | 'operation' | 'input'>;
  readonly endpoint?: string;
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]?.trim() ?? '';
}

/** The error and its causes, outermost first (the SDK nests the socket's error). */
function causeChain(error: SdkErrorShape): SdkErrorShape[] {
  const chain: SdkErrorShape[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    chain.push(current as SdkErrorShape);
    current = (current as SdkErrorShape).cause;
  }
  return chain;
}

interface Timeout {
  /** No connection (timeouts.ts's connect limit) or no answer on an open one. */
  readonly phase: 'connect' | 'answer';
  readonly ms?: number;
}

/**
 * A limit of ours that expired (timeouts.ts, or the SDK handler's own timers,
 * whose messages give the limit as "N ms"); a bare OS ETIMEDOUT is not one.
 */
function timeoutOf(error: SdkErrorShape): Timeout | undefined {
  for (const link of causeChain(error)) {
    if (link.phase === 'connect' && typeof link.timeoutMs === 'number') {
      return { phase: 'connect', ms: link.timeoutMs };
    }
    if (link.name !== 'TimeoutError' || (link.code && link.code !== 'ETIMEDOUT')) continue;
    const ms = /(\d+) ms\b/.exec(link.message ?? '')?.[1];
    if (!ms) continue;
    const phase = /establish a connection/.test(link.message ?? '') ? 'connect' : 'answer';
    return { phase, ms: Number(ms) };
  }
  return undefined;
}

function seconds(ms: number): string {
  return `${ms >= 10_000 ? Math.round(ms / 1000) : Number((ms / 1000).toFixed(1))} s`;
}

function timeoutMessage(timeout: Timeout, error: SdkErrorShape, context: ErrorContext): string {
  const what = context.call ? `${context.call.service}:${context.call.operation}` : 'A request';
  const after = timeout.ms ? ` after ${seconds(timeout.ms)}` : '';
  const attempts = error.$metadata?.attempts ?? 1;
  const how = [
    timeout.phase === 'connect' ? 'no connection' : 'no answer',
    ...(attempts > 1 ? [`${attempts} attempts`] : []),
  ].join(', ');
  const hint =
    timeout.phase === 'answer'
      ? 'Check --endpoint-url and the network; S3_HARDEN_TIMEOUT_MS raises the limit.'
      : 'Check --endpoint-url, the network or a proxy.';
  return `${what} timed out${after} at ${context.endpoint ?? 'the AWS endpoint'} (${how}). ${hint}`;
}

/** Certificate codes Node gives when it does not trust the server's certificate. */
const CERTIFICATE_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** TLS failed: OpenSSL's raw text (EPROTO, ERR_SSL_*) or an untrusted certificate, as one line. */
function tlsFailure(error: SdkErrorShape, endpoint: string | undefined): AwsError | undefined {
  for (const link of causeChain(error)) {
    const code = link.code ?? '';
    const where = endpoint ?? 'the AWS endpoint';
    if (CERTIFICATE_CODES.has(code)) {
      return new AwsError(
        'unreachable',
        `TLS with ${where} failed: its certificate is not trusted (${code}). For a private CA, set NODE_EXTRA_CA_CERTS.`,
        code,
      );
    }
    if (code !== 'EPROTO' && !code.startsWith('ERR_SSL_')) continue;
    // An https:// client reading a plain-HTTP answer ("HTTP/1.1 …") as a TLS record.
    const plainHttp = /wrong version number|packet length too long|http request/i.test(
      `${code} ${link.message ?? ''}`,
    );
    const httpUrl = endpoint?.startsWith('https://') ? `http://${endpoint.slice(8)}` : undefined;
    const reason = plainHttp
      ? `it does not speak TLS, maybe plain HTTP${httpUrl ? ` (try ${httpUrl})` : ''}`
      : `the handshake broke off (${code}); a proxy or firewall may be in between`;
    return new AwsError('unreachable', `TLS with ${where} failed: ${reason}.`, code);
  }
  return undefined;
}

/**
 * The endpoint answered HTTP, but not as AWS STS does: no AWS error code and
 * no request ID (a web server's 404 page, an S3-only emulator). Every STS
 * answer, error or not, carries a request ID.
 */
function isForeignStsAnswer(
  error: SdkErrorShape,
  call: ErrorContext['call'],
  detail: string,
  status: number | undefined,
): boolean {
  if (call?.service !== 'sts' || status === undefined || error.$metadata?.requestId) return false;
  return isUnparsed(error) || /^(Unknown(Error)?)?$/.test(detail);
}

/** The endpoint is not AWS STS; `said` is what gave it away (an HTTP status, an empty answer). */
export function foreignStsError(endpoint: string | undefined, said: string, code?: string) {
  const where = endpoint ?? 'The AWS endpoint';
  return new AwsError(
    'not-available',
    `${where} does not answer like AWS STS (${said}): check --endpoint-url.`,
    code,
  );
}

function networkCode(error: SdkErrorShape): string | undefined {
  for (const { code, name } of causeChain(error)) {
    if (code && UNREACHABLE.has(code)) return code;
    if (name === 'TimeoutError') return 'ETIMEDOUT';
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

  const timeout = timeoutOf(error);
  if (timeout) {
    return new AwsError('unreachable', timeoutMessage(timeout, error, context), 'ETIMEDOUT');
  }
  const tls = tlsFailure(error, context.endpoint);
  if (tls) return tls;
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
    // The chain's last word is generic; a provider that stopped it (an expired
    // SSO session, a broken role chain) says something worth passing on.
    const generic = !detail || /Could not load credentials/i.test(detail);
    return new AwsError(
      'credentials',
      generic ? NO_CREDENTIALS_MESSAGE : `AWS credentials could not be loaded: ${detail}`,
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
  if (isForeignStsAnswer(error, call, detail, status)) {
    return foreignStsError(context.endpoint, `HTTP ${status}`, code);
  }
  if (isNotImplemented(error, code, detail, status)) {
    const name = (call && SERVICE_NAMES[call.service]) ?? call?.service ?? 'This service';
    // An unparsed answer's "code" is a JavaScript error name, a bodiless one's
    // the SDK's placeholder: only the status says anything.
    const said = [
      ...(context.endpoint ? [context.endpoint] : []),
      ...(isUnparsed(error) || isPlaceholderCode(code) ? [] : [code]),
      ...(status ? [`HTTP ${status}`] : []),
    ].join(', ');
    const where = context.endpoint ? 'this endpoint' : 'the AWS endpoint';
    return new AwsError(
      'not-available',
      `${name} is not available at ${where}${said ? ` (${said})` : ''}.`,
      code,
    );
  }
  const head = headFailure(error, call, code, status);
  if (head) return new AwsError(head.kind, head.message, code);
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
