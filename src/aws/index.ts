/**
 * The only door to AWS. Loaded with a dynamic import after the first frame,
 * so start-up never waits for the SDK.
 */
export type { ConnectionOptions } from './clients.js';
export { AwsError, type AwsErrorKind } from './errors.js';
export { AccountMismatchError, type AwsSession, connect, type Identity } from './session.js';
