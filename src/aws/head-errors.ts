/**
 * The error of a HEAD request (HeadBucket; HeadObject, should one be sent).
 * A HEAD answer has no body: the SDK has no AWS error code ("NotFound" for a
 * 404, "Unknown" otherwise) and no message ("UnknownError"), and the one line
 * said "s3:HeadBucket failed: Unknown (UnknownError)". The HTTP status is all
 * S3 said: the line gives it, with what it means. A 403 and a 404 keep their
 * own lines (./errors.ts: access denied, the bucket does not exist).
 */
import { STATUS_CODES } from 'node:http';
import type { ApiCall } from '../plan/model/types.js';
import type { AwsErrorKind } from './error-kind.js';

/** What S3 means by each status of a HEAD answer; the others get HTTP's own name. */
const REDIRECTED =
  'redirected: the bucket is in another region, or so new its address is not known everywhere yet; try again shortly';
const MEANINGS: Readonly<Record<number, string>> = {
  301: 'the bucket is in another region than this request was sent to',
  302: REDIRECTED,
  307: REDIRECTED,
  400: 'bad request: the endpoint took it for malformed (often it was signed for another region than the bucket’s)',
  401: 'not authenticated: the endpoint did not take the request’s signature',
  405: 'method not allowed: the endpoint does not serve S3 requests; check --endpoint-url',
  407: 'a proxy in between wants its own credentials (HTTPS_PROXY)',
  409: 'conflict: the bucket is being created or deleted; try again shortly',
  500: 'the endpoint had an internal error; try again',
  502: 'bad gateway: a proxy in between had no usable answer from S3',
  503: 'S3 is slowing requests down or unavailable; try again shortly',
  504: 'gateway timeout: a proxy in between had no answer from S3 in time',
};

const KINDS: Readonly<Record<number, AwsErrorKind>> = { 409: 'conflict', 503: 'throttled' };

/** The name the SDK gives an error whose answer had no code: no AWS code at all. */
export function isPlaceholderCode(code: string): boolean {
  return code === 'Unknown' || code === 'UnknownError' || /^\d{3}$/.test(code);
}

interface HeadErrorShape {
  readonly $response?: { readonly headers?: Readonly<Record<string, string | undefined>> };
}

/**
 * The one line (and its AwsError kind) for a HEAD request's failure without
 * an error code, by its HTTP status; undefined for any other call, or a 403
 * or 404.
 */
export function headFailure(
  error: unknown,
  call: Pick<ApiCall, 'service' | 'operation' | 'input'> | undefined,
  code: string,
  status: number | undefined,
): { readonly kind: AwsErrorKind; readonly message: string } | undefined {
  if (!call?.operation.startsWith('Head') || status === undefined) return undefined;
  if (status === 403 || status === 404 || !isPlaceholderCode(code)) return undefined;
  const { Bucket, Key } = call.input as { Bucket?: unknown; Key?: unknown };
  const on = [
    ...(typeof Bucket === 'string' ? [`bucket ${Bucket}`] : []),
    ...(typeof Key === 'string' ? [`key ${Key}`] : []),
  ].join(', ');
  // S3 names the bucket's region in a header, on a redirect or a 400 alike.
  const region = (error as HeadErrorShape | null)?.$response?.headers?.['x-amz-bucket-region'];
  const meaning =
    status === 301 && region
      ? `the bucket is in ${region}, another region than this request was sent to`
      : (MEANINGS[status] ?? STATUS_CODES[status] ?? 'a status HTTP does not name');
  const where = status !== 301 && region ? `; the bucket is in ${region}` : '';
  return {
    kind: KINDS[status] ?? 'service',
    message: `${call.service}:${call.operation}${on ? ` on ${on}` : ''} failed: HTTP ${status}, ${meaning}${where}.`,
  };
}
