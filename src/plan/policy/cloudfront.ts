/**
 * The statements of a bucket policy that let CloudFront read the bucket as
 * an origin: an Origin Access Control (Service cloudfront.amazonaws.com) or
 * a legacy origin access identity (AWS arn:…:iam::cloudfront:user/CloudFront
 * Origin Access Identity …, or the identity's CanonicalUser ID). CloudFront
 * forwards to an S3 origin over the protocol the viewer used, so an
 * HTTPS-only Deny refuses what it fetches for plain-HTTP viewers.
 */
import { asList, isObject, type PolicyDocument, statementsOf } from './document.js';

const OAI_ARN = /^arn:[\w-]+:iam::cloudfront:user\/CloudFront Origin Access Identity /;

/** Whether an Allow statement's Principal names CloudFront (OAC or OAI). */
export function grantsCloudFront(statement: unknown): boolean {
  if (!isObject(statement) || statement.Effect !== 'Allow') return false;
  const principal = statement.Principal;
  if (!isObject(principal)) return false;
  if (asList(principal.Service).some((name) => name.toLowerCase() === 'cloudfront.amazonaws.com')) {
    return true;
  }
  // An OAI is granted by its ARN or by its S3 canonical user ID; the policy
  // cannot tell that ID from another account's, so any CanonicalUser counts.
  return (
    asList(principal.AWS).some((arn) => OAI_ARN.test(arn)) ||
    asList(principal.CanonicalUser).length > 0
  );
}

/** The statements of `document` that grant CloudFront. */
export function cloudFrontGrants(document: PolicyDocument | null): readonly unknown[] {
  return statementsOf(document).filter(grantsCloudFront);
}
