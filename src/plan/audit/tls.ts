/**
 * The HTTPS-only check of a bucket policy (Security Hub S3.5, CIS 2.1.1): a
 * Deny of every S3 action (`s3:*`) on the bucket ARN and on its objects
 * (`…/*`) whenever aws:SecureTransport is false. Each statement is judged by
 * the lockout guard's evaluator (../policy/lockout.ts) for a caller outside the
 * account, once over plain HTTP and once over HTTPS: a statement counts only
 * when it certainly denies the first and not the second, so a Deny that
 * bites for another reason (a VPC-endpoint or IP restriction) is not taken
 * for a TLS rule, and one whose other conditions cannot be decided is not
 * trusted either.
 */

import { type PolicyDocument, sidOf, statementsOf } from '../policy/document.js';
import { type CallerContext, evaluateDeny } from '../policy/lockout.js';
import { partitionOf } from '../policy/statements.js';

/** A principal of no account in particular: only a Deny to everyone names it. */
const ANYONE = 'arn:aws:iam::000000000000:user/anyone';
const OVER_HTTP: CallerContext = { principalArn: ANYONE, secureTransport: false };
const OVER_HTTPS: CallerContext = { principalArn: ANYONE, secureTransport: true };
const EVERY_ACTION = ['s3:*'];

export interface HttpsOnly {
  readonly holds: boolean;
  /** One line: which statement enforces it, or what is missing. */
  readonly detail: string;
}

/** The statements that deny every action on `resourceArn` over plain HTTP, and only then. */
function enforcing(statements: readonly unknown[], resourceArn: string): unknown[] {
  return statements.filter(
    (statement) =>
      evaluateDeny(statement, OVER_HTTP, EVERY_ACTION, resourceArn)?.certainty === 'denies' &&
      evaluateDeny(statement, OVER_HTTPS, EVERY_ACTION, resourceArn) === null,
  );
}

function describe(document: PolicyDocument, statement: unknown): string {
  const sid = sidOf(statement);
  return sid !== undefined
    ? `Sid ${sid}`
    : `statement ${statementsOf(document).indexOf(statement) + 1}`;
}

/** Whether `policy` denies plain HTTP on `bucket` and its objects. */
export function httpsOnly(
  policy: PolicyDocument | null,
  bucket: string,
  region: string | undefined,
): HttpsOnly {
  if (!policy) return { holds: false, detail: 'no bucket policy: plain HTTP is allowed' };
  const bucketArn = `arn:${partitionOf(region ?? '')}:s3:::${bucket}`;
  const statements = statementsOf(policy);
  const onBucket = enforcing(statements, bucketArn);
  const onObjects = enforcing(statements, `${bucketArn}/*`);
  if (onBucket.length === 0 && onObjects.length === 0) {
    return {
      holds: false,
      detail: 'no Deny of s3:* when aws:SecureTransport is false',
    };
  }
  if (onBucket.length === 0) {
    return {
      holds: false,
      detail: `plain HTTP is denied on objects only, not on ${bucketArn} itself`,
    };
  }
  if (onObjects.length === 0) {
    return { holds: false, detail: `plain HTTP is denied on the bucket, not on ${bucketArn}/*` };
  }
  const names = [...new Set([...onBucket, ...onObjects])].map((statement) =>
    describe(policy, statement),
  );
  return {
    holds: true,
    detail: `${names.join(', ')} denies plain HTTP on the bucket and its objects`,
  };
}
