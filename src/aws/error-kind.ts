/**
 * What kind of failure an AwsError is (./errors.ts), in its own module so the
 * helpers that classify a failure (./head-errors.ts) need not import errors.ts.
 */
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
