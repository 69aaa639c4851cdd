/**
 * What the bucket-policy step tells the operator about the policy it plans:
 * the warnings on the change (protections removed, who a network Deny cuts
 * off, a Deny that catches the replication role, an upload pin that default
 * encryption does not match, kept statements that may be public, CloudFront
 * behind HTTPS only, partners' multipart uploads while ACLs are on) and the
 * notes beside the VPC endpoint IDs.
 */
import { deepEqual } from '../plan/model/diff.js';
import type { Posture, PostureValues } from '../plan/model/types.js';
import { cloudFrontGrants } from '../plan/policy/cloudfront.js';
import {
  describeStatement,
  mayGrantPublicAccess,
  type PolicyDocument,
  statementsNotOwned,
  statementsOf,
  toolStatements,
} from '../plan/policy/document.js';
import { keyUseWarnings } from '../plan/policy/key-policy.js';
import { evaluateDeny } from '../plan/policy/lockout.js';
import { replicationDenyWarnings } from '../plan/policy/replication.js';
import { isBucketPolicySid, partitionOf, SID } from '../plan/policy/statements.js';
import { sseAlgorithm } from '../plan/resources/encryption.js';
import { objectLockOn } from '../plan/resources/object-lock.js';
import { isGoneState, type VpcEndpointSummary } from '../plan/resources/vpc-endpoints.js';
import {
  ALGORITHM,
  type BucketPolicyAnswers,
  HEADER_DENY_CAVEAT,
  intentOf,
  list,
  policyContext,
} from './bucket-policy-answers.js';
import type { Field } from './form.js';
import { vpceProblem } from './policy-inputs.js';

/** The kept statements (foreign, or another step's) that may grant public access, described. */
export function publicStatements(document: PolicyDocument | null): string[] {
  return statementsNotOwned(document, isBucketPolicySid)
    .filter(mayGrantPublicAccess)
    .map((statement) => describeStatement(document, statement));
}

const REMOVED_PROTECTION: readonly [string, string][] = [
  [SID.denyInsecureTransport, 'plain-HTTP requests are no longer denied'],
  // S3 refuses TLS 1.0 and 1.1 itself (AWS's TLS 1.2 minimum for every API
  // endpoint): the statement was defence in depth, and what auditors look for.
  [
    SID.denyOldTls,
    'the policy no longer states the TLS 1.2 minimum (S3 itself still refuses TLS 1.0 and 1.1)',
  ],
  [SID.vpceOnly, 'requests from outside VPC endpoints are no longer denied'],
  [SID.ipAllowlist, 'requests from any IP address are no longer denied'],
  [
    SID.denyUnencryptedUploads,
    'written by an earlier s3-harden, it refused every upload without an encryption header, multipart parts included; uploads without the header now get default encryption',
  ],
];

/** How many listed endpoints the note names before "and N more". */
const LISTED_ENDPOINTS_SHOWN = 6;

function describeEndpoint(endpoint: VpcEndpointSummary): string {
  const details = [endpoint.vpcId || 'no VPC', endpoint.type];
  if (endpoint.state.toLowerCase() !== 'available') details.push(endpoint.state);
  return `${endpoint.id} (${details.join(', ')})`;
}

function joinIds(ids: readonly string[]): string {
  return ids.length <= 1
    ? (ids[0] ?? '')
    : `${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
}

/**
 * The notes beside the endpoint IDs: the account's S3 endpoints in the
 * bucket's region as listed from EC2 (or why they are not), and the typed
 * IDs that are not among them. Never an error: an endpoint of another
 * account is not listed, yet may be right.
 */
export function vpcEndpointNotes(posture: Posture, answers: BucketPolicyAnswers): Field[] {
  const why = posture.unreadable['account.vpcEndpoints'];
  if (why) {
    return [
      {
        kind: 'note',
        tone: 'warning',
        text: `S3 endpoints not listed (${why}); type the vpce- IDs.`,
      },
    ];
  }
  const listed = posture.values['account.vpcEndpoints'];
  if (!listed) return [];
  if (listed.region !== posture.region) {
    return [
      {
        kind: 'note',
        tone: 'warning',
        text: `S3 endpoints were listed in ${listed.region}, but the bucket is in ${posture.region}: run with --region ${posture.region} to list its endpoints.`,
      },
    ];
  }
  const { endpoints, region } = listed;
  if (endpoints.length === 0) {
    return [
      {
        kind: 'note',
        tone: 'warning',
        text: `No S3 endpoints in ${region} in this account: create one first, or give endpoints of another account.`,
      },
    ];
  }
  const shown = endpoints.slice(0, LISTED_ENDPOINTS_SHOWN).map(describeEndpoint).join(', ');
  const more = endpoints.length - LISTED_ENDPOINTS_SHOWN;
  const notes: Field[] = [
    {
      kind: 'note',
      tone: 'info',
      text: `S3 endpoints in ${region}: ${shown}${more > 0 ? `, and ${more} more` : ''}`,
    },
  ];
  // Only well-formed IDs: a malformed one is already a validation error.
  const typed = list(answers.vpceIds).filter((id) => vpceProblem(id) === null);
  const byId = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
  const unlisted = typed.filter((id) => !byId.has(id));
  if (unlisted.length > 0) {
    const one = unlisted.length === 1;
    notes.push({
      kind: 'note',
      tone: 'warning',
      text: `${joinIds(unlisted)} ${one ? 'is' : 'are'} not among the S3 endpoints listed in ${region}: check ${one ? 'it' : 'them'} (endpoints of other accounts or regions are not listed).`,
    });
  }
  for (const id of typed) {
    const endpoint = byId.get(id);
    if (endpoint && isGoneState(endpoint.state)) {
      notes.push({
        kind: 'note',
        tone: 'warning',
        text: `${id} is ${endpoint.state}: no request can come through it.`,
      });
    }
  }
  return notes;
}

const NETWORK_SIDS: ReadonlySet<string> = new Set([SID.vpceOnly, SID.ipAllowlist]);

/** The AWS principals of an Allow statement that belong to another account than `accountId`. */
function otherAccountPrincipals(statement: unknown, accountId: string): string[] {
  const principal = (statement as { Effect?: unknown; Principal?: unknown } | null) ?? {};
  if (principal.Effect !== 'Allow' || typeof principal.Principal !== 'object') return [];
  const aws = (principal.Principal as { AWS?: unknown } | null)?.AWS;
  const names = (Array.isArray(aws) ? aws : [aws]).filter(
    (name): name is string => typeof name === 'string' && name !== '*',
  );
  return names.filter((name) => {
    const account = /^\d{12}$/.test(name) ? name : /^arn:[\w-]+:iam::(\d{12}):/.exec(name)?.[1];
    return account !== undefined && account !== accountId;
  });
}

/**
 * The Allow statements whose principals the network Denies cut off: other
 * accounts, whose requests come through none of your VPC endpoints (and from
 * your IP ranges only if they happen to). AWS services (CloudFront, log
 * delivery, Macie, replication, Athena) are let through by the Denies
 * themselves. One warning per statement, naming its Sid.
 */
function cutOffWarnings(posture: Posture, after: PolicyDocument | null): string[] {
  const denies = [...toolStatements(after)]
    .filter(([sid]) => NETWORK_SIDS.has(sid))
    .map(([, statement]) => statement);
  if (denies.length === 0) return [];
  const warnings: string[] = [];
  for (const statement of statementsOf(after)) {
    for (const principal of otherAccountPrincipals(statement, posture.accountId)) {
      const arn = /^\d{12}$/.test(principal)
        ? `arn:${partitionOf(posture.region)}:iam::${principal}:root`
        : principal;
      const verdict = denies
        .map((deny) =>
          evaluateDeny(
            deny,
            { principalArn: arn, secureTransport: true },
            ['s3:GetObject'],
            `arn:${partitionOf(posture.region)}:s3:::${posture.bucket}/*`,
          ),
        )
        .find((found) => found !== null);
      if (!verdict) continue;
      warnings.push(
        `${verdict.certainty === 'denies' ? 'cuts off' : 'may cut off'} ${describeStatement(after, statement)} (${principal}): requests from another account come through none of your VPC endpoints${verdict.certainty === 'denies' ? '' : ' and from your IP ranges only if theirs are listed'}`,
      );
      break;
    }
  }
  return warnings;
}

/**
 * HTTPS only, added where the policy grants CloudFront: CloudFront fetches
 * from an S3 origin over the protocol the viewer used, so a distribution
 * that still serves plain HTTP gets 403 for those viewers.
 */
function cloudFrontWarnings(before: PolicyDocument | null, after: PolicyDocument | null): string[] {
  const adds =
    toolStatements(after).has(SID.denyInsecureTransport) &&
    !toolStatements(before).has(SID.denyInsecureTransport);
  if (!adds) return [];
  const [document, grants] = [after, before]
    .map((policy) => [policy, cloudFrontGrants(policy)] as const)
    .find(([, found]) => found.length > 0) ?? [null, []];
  if (grants.length === 0) return [];
  const which = grants.map((statement) => describeStatement(document, statement)).join(', ');
  return [
    `HTTPS only: ${which} ${grants.length === 1 ? 'grants' : 'grant'} CloudFront, which fetches from S3 over the protocol the viewer used: set the distribution's viewer protocol policy to redirect-to-https or https-only first, or HTTP viewers get 403`,
  ];
}

/**
 * While ACLs are on, a grant to another account allows s3:PutObject only
 * with x-amz-acl bucket-owner-full-control (so the bucket owner owns what
 * it writes). UploadPart is authorised as s3:PutObject but cannot send that
 * header, so the account's multipart uploads are refused. Judged on the
 * statements written; the bucket's own account is authorised by its IAM
 * policies, whatever the grant says.
 */
function multipartWarnings(posture: Posture, after: PolicyDocument | null): string[] {
  const found = toolStatements(after);
  const warnings: string[] = [];
  for (let n = 1; found.has(SID.crossAccount(n)); n++) {
    const statement = found.get(SID.crossAccount(n)) as {
      Principal?: { AWS?: unknown };
      Condition?: Record<string, Record<string, unknown>>;
    };
    const account = /^arn:[\w-]+:iam::(\d{12}):root$/.exec(String(statement.Principal?.AWS))?.[1];
    const aclRequired = statement.Condition?.StringEquals?.['s3:x-amz-acl'] !== undefined;
    if (!account || account === posture.accountId || !aclRequired) continue;
    warnings.push(
      `${SID.crossAccount(n)} allows ${account} s3:PutObject only with x-amz-acl bucket-owner-full-control while ACLs are on: UploadPart cannot send that header, so multipart uploads by ${account} fail until ACLs are off (Object Ownership BucketOwnerEnforced drops the condition)`,
    );
  }
  return warnings;
}

/** A pinned algorithm that default encryption does not use: header-less uploads get another. */
function pinMismatch(answers: BucketPolicyAnswers, planned: Partial<PostureValues>): string | null {
  const choice = answers.uploadEncryption;
  if (choice === 'off') return null;
  const pinned = choice === 'kms-key' ? 'aws:kms' : ALGORITHM[choice];
  const current = sseAlgorithm(planned['bucket.encryption']);
  if (current === undefined || current === pinned) return null;
  if (choice === 'kms-key' && current === 'aws:kms:dsse') return null;
  return `default encryption is ${current}, not ${pinned}: uploads that name no encryption (multipart parts included) get ${current}; set default encryption to match`;
}

export function warningsFor(
  posture: Posture,
  answers: BucketPolicyAnswers,
  planned: Partial<PostureValues>,
  before: PolicyDocument | null,
  after: PolicyDocument | null,
  publicKept: readonly string[],
): string[] {
  const warnings: string[] = [];
  const intent = intentOf(answers, policyContext(posture, planned));
  const was = toolStatements(before);
  const now = toolStatements(after);
  for (const [sid, what] of REMOVED_PROTECTION) {
    if (was.has(sid) && !now.has(sid)) warnings.push(`removes ${sid}: ${what}`);
  }
  warnings.push(...cloudFrontWarnings(before, after));
  if (intent.vpceIds.length > 0) {
    warnings.push(
      `denies every request not made through ${intent.vpceIds.join(', ')} — s3-harden's own read-back and undo included, unless it runs through one of them`,
    );
  } else if (answers.vpceSuggested) {
    warnings.push(
      'the preset restricts access to VPC endpoints, but no vpce- IDs were given: no restriction added',
    );
  }
  if (intent.sourceCidrs.length > 0) {
    warnings.push(
      `denies every request from outside ${intent.sourceCidrs.join(', ')} — s3-harden's own read-back and undo included, unless it runs from there`,
    );
  }
  warnings.push(...cutOffWarnings(posture, after));
  // A Deny the plan leaves (its own or one it keeps) that catches the replication role.
  warnings.push(
    ...replicationDenyWarnings(posture, after, objectLockOn(planned['bucket.objectLock'])),
  );
  const replicationUnknown = posture.unreadable['bucket.replication'];
  if ((intent.vpceIds.length > 0 || intent.sourceCidrs.length > 0) && replicationUnknown) {
    warnings.push(
      `the replication configuration could not be read (${replicationUnknown}): if the bucket replicates, the network restriction cuts its replication role off`,
    );
  }
  const encryption = intent.uploadEncryption;
  if (encryption && 'algorithm' in encryption) warnings.push(HEADER_DENY_CAVEAT);
  if (encryption && 'kmsKeyArn' in encryption) {
    warnings.push(
      `denies uploads that name a KMS key other than ${encryption.kmsKeyArn}, or KMS without a key (S3 would use aws/s3); uploads that name none get default encryption: set it to that key`,
    );
  }
  const mismatch = pinMismatch(answers, planned);
  if (mismatch) warnings.push(mismatch);
  // Who the key lets decrypt; said on the encryption change when there is one.
  if (deepEqual(planned['bucket.encryption'], posture.values['bucket.encryption'])) {
    warnings.push(...keyUseWarnings(posture, planned));
  }
  for (const account of intent.crossAccounts) {
    if (account === posture.accountId) {
      warnings.push(`${account} is this bucket's own account; a cross-account grant is not needed`);
    }
  }
  warnings.push(...multipartWarnings(posture, after));
  if (publicKept.length > 0) {
    const on = (['bucket', 'account'] as const).filter(
      (level) => posture.values[`${level}.publicAccessBlock`]?.BlockPublicPolicy === true,
    );
    warnings.push(
      on.length > 0
        ? `keeps ${publicKept.join(', ')}, which may grant public access, and BlockPublicPolicy is already on (${on.join(' and ')}): S3 will reject the policy unless those statements are narrowed or removed`
        : `keeps ${publicKept.join(', ')}, which may grant public access: with Block Public Access BlockPublicPolicy on, S3 rejects the whole policy`,
    );
  }
  return warnings;
}
