/**
 * The caller, as STS GetCallerIdentity says it. An endpoint that answers
 * HTTP 2xx with a web page or an empty body parses to an answer without an
 * account: it is no STS, and is refused like one that answers with an error
 * page (./errors.ts), before the account ID reaches a policy or an ARN.
 */
import { foreignStsError } from './errors.js';

export interface Identity {
  readonly accountId: string;
  readonly arn: string;
  readonly userId: string;
}

/** Every AWS account ID is 12 digits; every caller has an ARN. */
const ACCOUNT_ID = /^\d{12}$/;

/** The identity in GetCallerIdentity's answer; an AwsError when it is not one. */
export function identityFrom(answer: Record<string, unknown>, endpoint?: string): Identity {
  const { Account, Arn, UserId } = answer;
  if (typeof Account !== 'string' || !ACCOUNT_ID.test(Account)) {
    return reject(endpoint, 'no 12-digit account ID in its GetCallerIdentity answer');
  }
  if (typeof Arn !== 'string' || !Arn.startsWith('arn:')) {
    return reject(endpoint, 'no caller ARN in its GetCallerIdentity answer');
  }
  return { accountId: Account, arn: Arn, userId: typeof UserId === 'string' ? UserId : '' };
}

function reject(endpoint: string | undefined, said: string): never {
  throw foreignStsError(endpoint, said);
}
