/**
 * Bucket policy: HTTPS only and TLS 1.2 (the baseline), plus what the
 * operator asks for — VPC endpoint or IP restriction, an upload-encryption
 * condition, read-only roles, cross-account uploads. The step's statements
 * are merged into the existing policy (../plan/policy/document.ts): statements it did
 * not write are never dropped, reordered or rewritten — nor are the tool
 * statements another step wrote (the logging step's log-delivery grants when
 * this bucket receives other buckets' access logs): this step owns only its
 * own Sids (isBucketPolicySid).
 */

import { controlLabels } from '../plan/audit/controls.js';
import { deepEqual } from '../plan/model/diff.js';
import type { Change, Posture, PostureValues, Preset } from '../plan/model/types.js';
import {
  composePolicy,
  describeStatement,
  MAX_POLICY_BYTES,
  mayGrantPublicAccess,
  type PolicyDocument,
  PolicyError,
  policyBytes,
  policySizeProblem,
  statementsNotOwned,
  statementsOf,
  toolStatements,
} from '../plan/policy/document.js';
import { keyUseWarnings } from '../plan/policy/key-policy.js';
import { evaluateDeny, sourceIpProblem } from '../plan/policy/lockout.js';
import {
  intentFromPolicy,
  isBucketPolicySid,
  macieServiceRoleArn,
  type PolicyIntent,
  partitionOf,
  SID,
  statementsFor,
  type UploadAlgorithm,
} from '../plan/policy/statements.js';
import { sseAlgorithm } from '../plan/resources/encryption.js';
import { writeCall } from '../plan/resources/index.js';
import { isGoneState, type VpcEndpointSummary } from '../plan/resources/vpc-endpoints.js';
import { type ChoiceOption, type Field, splitList } from './form.js';
import {
  accountIdProblem,
  cidrProblem,
  kmsKeyArnProblem,
  roleArnProblem,
  vpceProblem,
} from './policy-inputs.js';
import type { Step } from './types.js';

export type UploadEncryptionChoice = 'off' | 'sse-s3' | 'sse-kms' | 'dsse-kms' | 'kms-key';

export interface BucketPolicyAnswers {
  readonly httpsOnly: boolean;
  readonly minimumTls12: boolean;
  /** Deny every request that does not come through one of `vpceIds`. */
  readonly vpceOnly: boolean;
  /** VPC endpoint IDs, comma- or space-separated. */
  readonly vpceIds: string;
  /** CIDR ranges requests must come from (aws:SourceIp); empty = no restriction. */
  readonly sourceCidrs: string;
  readonly uploadEncryption: UploadEncryptionChoice;
  /** The pinned key for `kms-key`. */
  readonly kmsKeyArn: string;
  /** Role ARNs granted read-only access. */
  readonly readOnlyRoles: string;
  /** Account IDs allowed to upload and to read. */
  readonly crossAccounts: string;
  /**
   * Not a field: set by the strict and worm presets when no VPC endpoint IDs
   * are known, so the form asks for them and the plan says why none is added.
   */
  readonly vpceSuggested?: boolean;
  /**
   * Not a field: the principal ARN the request-wide Denies exempt
   * (ArnNotLike aws:PrincipalArn), set when the operator answers a lockout
   * finding with `e` in the review.
   */
  readonly exemptPrincipal?: string;
  /**
   * Not policy content: the operator's own public IP, asked beside an IP
   * allowlist so the lockout check (../plan/policy/lockout.ts) can tell whether the
   * allowlist would deny them. Empty or absent: unknown ("may deny").
   */
  readonly callerSourceIp?: string;
  /** Not policy content: the VPC endpoint the operator's own requests use; empty: none. */
  readonly callerVpce?: string;
}

const ALGORITHM: Record<'sse-s3' | 'sse-kms' | 'dsse-kms', UploadAlgorithm> = {
  'sse-s3': 'AES256',
  'sse-kms': 'aws:kms',
  'dsse-kms': 'aws:kms:dsse',
};

const CHOICES: readonly UploadEncryptionChoice[] = [
  'off',
  'sse-s3',
  'sse-kms',
  'dsse-kms',
  'kms-key',
];

const ENCRYPTION_OPTIONS: readonly ChoiceOption[] = [
  {
    value: 'off',
    label: 'no condition',
    help: 'Default encryption still encrypts new objects; no upload is refused.',
  },
  {
    value: 'sse-s3',
    label: 'SSE-S3 (AES256)',
    help: 'Denies PutObject that names another algorithm than AES256.',
  },
  {
    value: 'sse-kms',
    label: 'SSE-KMS (aws:kms)',
    help: 'Denies PutObject that names another algorithm than aws:kms.',
  },
  {
    value: 'dsse-kms',
    label: 'DSSE-KMS (aws:kms:dsse)',
    help: 'Denies PutObject that names another algorithm than aws:kms:dsse.',
  },
  {
    value: 'kms-key',
    label: 'a pinned KMS key',
    help: 'Denies uploads that name another algorithm or key, or KMS without a key.',
  },
];

/**
 * Why the upload condition judges only the headers a request sends, shown
 * before it is chosen and in the review. The guide's older pattern also
 * denied uploads without the header: default encryption has encrypted those
 * since January 2023, and that Deny refused every multipart upload (no part
 * carries the header) and every client relying on default encryption.
 */
export const HEADER_DENY_CAVEAT =
  'Only uploads that name another encryption are denied: uploads that name none (every multipart part, clients relying on default encryption) get the bucket default, which has encrypted every new object since January 2023.';

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

const list = (text: string) => unique(splitList(text));

function hasAny(text: string): boolean {
  return list(text).length > 0;
}

/** What the rest of the plan decides for the bucket policy's statements. */
export interface PolicyContext {
  /** Object Ownership is BucketOwnerEnforced once the plan is applied. */
  readonly aclsDisabled: boolean;
  /** Roles AWS services use on the bucket's behalf (Macie, replication), let through network Denies. */
  readonly serviceRoles: readonly string[];
}

/**
 * The context from what the whole plan leaves (`planned`): ACLs off, Macie
 * on (its service-linked role reads the bucket for classification jobs),
 * and the replication role as read.
 */
export function policyContext(
  posture: Posture,
  planned: Partial<PostureValues> = posture.values,
): PolicyContext {
  const serviceRoles: string[] = [];
  if (planned['account.macie']) {
    serviceRoles.push(macieServiceRoleArn(partitionOf(posture.region), posture.accountId));
  }
  const replication = posture.values['bucket.replication'];
  if (replication) serviceRoles.push(replication.Role);
  return {
    aclsDisabled: planned['bucket.ownershipControls']?.ObjectOwnership === 'BucketOwnerEnforced',
    serviceRoles,
  };
}

/** The statements the answers ask for; assumes they are valid. */
export function intentOf(
  answers: BucketPolicyAnswers,
  context: PolicyContext = { aclsDisabled: false, serviceRoles: [] },
): PolicyIntent {
  const choice = answers.uploadEncryption;
  return {
    ...context,
    denyInsecureTransport: answers.httpsOnly,
    denyOldTls: answers.minimumTls12,
    vpceIds: answers.vpceOnly ? list(answers.vpceIds) : [],
    sourceCidrs: list(answers.sourceCidrs),
    uploadEncryption:
      choice === 'off'
        ? null
        : choice === 'kms-key'
          ? { kmsKeyArn: answers.kmsKeyArn.trim() }
          : { algorithm: ALGORITHM[choice] },
    readOnlyRoles: list(answers.readOnlyRoles),
    crossAccounts: list(answers.crossAccounts),
    ...(answers.exemptPrincipal ? { exemptPrincipal: answers.exemptPrincipal } : {}),
  };
}

function answersOf(intent: PolicyIntent): BucketPolicyAnswers {
  const encryption = intent.uploadEncryption;
  let uploadEncryption: UploadEncryptionChoice = 'off';
  if (encryption && 'kmsKeyArn' in encryption) uploadEncryption = 'kms-key';
  else if (encryption) {
    const entry = Object.entries(ALGORITHM).find(([, value]) => value === encryption.algorithm);
    uploadEncryption = (entry?.[0] as UploadEncryptionChoice | undefined) ?? 'off';
  }
  return {
    httpsOnly: intent.denyInsecureTransport,
    minimumTls12: intent.denyOldTls,
    vpceOnly: intent.vpceIds.length > 0,
    vpceIds: intent.vpceIds.join(', '),
    sourceCidrs: intent.sourceCidrs.join(', '),
    uploadEncryption,
    kmsKeyArn: encryption && 'kmsKeyArn' in encryption ? encryption.kmsKeyArn : '',
    readOnlyRoles: intent.readOnlyRoles.join(', '),
    crossAccounts: intent.crossAccounts.join(', '),
    ...(intent.exemptPrincipal ? { exemptPrincipal: intent.exemptPrincipal } : {}),
  };
}

/** The live policy, or null when absent or not read. */
function livePolicy(posture: Posture): PolicyDocument | null {
  return posture.values['bucket.policy'] ?? null;
}

/** What the tool's statements in the live policy already enforce: the answers that change nothing. */
export function keepAnswers(posture: Posture): BucketPolicyAnswers {
  return answersOf(intentFromPolicy(livePolicy(posture)));
}

export function defaultAnswers(posture: Posture, preset: Preset): BucketPolicyAnswers {
  // Start from what the tool already wrote, so a re-run never drops an
  // operator's earlier grants; then the preset's own statements.
  const kept = keepAnswers(posture);
  const restricting = preset === 'strict' || preset === 'worm';
  return {
    ...kept,
    httpsOnly: true,
    minimumTls12: true,
    // VPC endpoint restriction only with known IDs: a Deny with wrong or no
    // IDs locks everyone out, the operator included. Without them the form
    // asks, and the plan says why none is added.
    ...(restricting && !kept.vpceOnly ? { vpceSuggested: true } : {}),
  };
}

export function validateAnswers(answers: BucketPolicyAnswers): string[] {
  const problems: string[] = [];
  for (const key of ['httpsOnly', 'minimumTls12', 'vpceOnly'] as const) {
    if (typeof answers[key] !== 'boolean') problems.push(`${key} must be true or false`);
  }
  for (const key of [
    'vpceIds',
    'sourceCidrs',
    'kmsKeyArn',
    'readOnlyRoles',
    'crossAccounts',
  ] as const) {
    if (typeof answers[key] !== 'string') problems.push(`${key} must be text`);
  }
  if (!CHOICES.includes(answers.uploadEncryption)) {
    problems.push(`uploadEncryption must be one of ${CHOICES.join(', ')}`);
  }
  if (
    answers.exemptPrincipal !== undefined &&
    (typeof answers.exemptPrincipal !== 'string' ||
      !/^arn:[\w-]+:(?:iam|sts)::\d{12}:\S+$/.test(answers.exemptPrincipal))
  ) {
    problems.push('exemptPrincipal must be an IAM or STS principal ARN');
  }
  if (problems.length > 0) return problems;

  const check = (items: readonly string[], problem: (item: string) => string | null) => {
    for (const item of items) {
      const message = problem(item);
      if (message) problems.push(message);
    }
  };
  if (answers.vpceOnly) {
    const ids = list(answers.vpceIds);
    if (ids.length === 0) {
      problems.push(
        'VPC endpoint restriction is on but no endpoint IDs are given: enter the vpce- IDs your clients use, or turn it off',
      );
    }
    check(ids, vpceProblem);
    if (hasAny(answers.sourceCidrs)) {
      problems.push(
        'VPC endpoint restriction and an IP allowlist cannot both be on: requests through a VPC endpoint carry no public source IP, so the allowlist would deny them',
      );
    }
  }
  check(list(answers.sourceCidrs), cidrProblem);
  // The operator's own context for the lockout check: optional, checked when given.
  for (const [key, problem] of [
    ['callerSourceIp', sourceIpProblem],
    ['callerVpce', vpceProblem],
  ] as const) {
    const value = answers[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') problems.push(`${key} must be text`);
    else if (value.trim() !== '') check([value.trim()], problem);
  }
  if (answers.uploadEncryption === 'kms-key') {
    const arn = answers.kmsKeyArn.trim();
    if (arn === '') problems.push('Pinning a KMS key needs its key ARN');
    else check([arn], kmsKeyArnProblem);
  }
  check(list(answers.readOnlyRoles), roleArnProblem);
  check(list(answers.crossAccounts), accountIdProblem);
  return problems;
}

/** The document the answers lead to (null: no policy), given what the rest of the plan leaves. */
export function composedPolicy(
  posture: Posture,
  answers: BucketPolicyAnswers,
  planned: Partial<PostureValues> = posture.values,
): PolicyDocument | null {
  return composePolicy(
    livePolicy(posture),
    statementsFor(posture, intentOf(answers, policyContext(posture, planned))),
    isBucketPolicySid,
  );
}

/** The kept statements (foreign, or another step's) that may grant public access, described. */
function publicStatements(document: PolicyDocument | null): string[] {
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

function warningsFor(
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

export const bucketPolicyStep: Step<BucketPolicyAnswers> = {
  id: 'bucket-policy',
  title: 'Bucket policy',
  summary: 'Denies plain HTTP and TLS below 1.2; can limit request sources, grant reads.',
  scope: 'bucket',
  controls: controlLabels('tls'),
  reads: ['bucket.policy'],
  // The endpoints are listed beside the IDs (typed unchecked when they cannot
  // be); the replication role is let through the network Denies.
  optionalReads: ['account.vpcEndpoints', 'bucket.replication'],
  defaults: defaultAnswers,
  validate: validateAnswers,
  keep: keepAnswers,
  // Asked beside an IP allowlist or an endpoint restriction; unknown, such Denies "may deny".
  callerContext: (answers) => {
    const sourceIp = answers.callerSourceIp?.trim();
    const sourceVpce = answers.callerVpce?.trim();
    return { ...(sourceIp ? { sourceIp } : {}), ...(sourceVpce ? { sourceVpce } : {}) };
  },
  callerContextLabels: {
    sourceIp: 'give "Your public IP" in the bucket-policy step',
    sourceVpce: 'give "Your VPC endpoint" in the bucket-policy step',
  },
  // The request-wide network Denies exempt the operator (ArnNotLike aws:PrincipalArn).
  exempt: (answers, principalArn) => ({ ...answers, exemptPrincipal: principalArn }),

  fields(posture, answers) {
    const live = intentFromPolicy(livePolicy(posture));
    const onOff = (on: boolean) => (on ? 'on' : 'off');
    const shown = (items: readonly string[]) => (items.length > 0 ? items.join(', ') : 'none');
    const fields: Field[] = [
      {
        kind: 'toggle',
        key: 'httpsOnly',
        label: 'HTTPS only',
        help: 'Denies plain-HTTP requests (aws:SecureTransport false), bucket and objects.',
        now: onOff(live.denyInsecureTransport),
      },
      {
        kind: 'toggle',
        key: 'minimumTls12',
        label: 'TLS 1.2 or later',
        help: 'States the TLS 1.2 minimum S3 already enforces (s3:TlsVersion): for audits.',
        now: onOff(live.denyOldTls),
      },
    ];
    if (answers.vpceSuggested && !answers.vpceOnly) {
      fields.push({
        kind: 'note',
        tone: 'warning',
        text: 'Preset: restrict to VPC endpoints — turn this on and enter the vpce- IDs.',
      });
    }
    fields.push({
      kind: 'toggle',
      key: 'vpceOnly',
      label: 'Only through VPC endpoints',
      help: 'Denies every request not made through the listed endpoints — yours too.',
      now: onOff(live.vpceIds.length > 0),
    });
    if (answers.vpceOnly) {
      fields.push({
        kind: 'text',
        key: 'vpceIds',
        label: 'VPC endpoint IDs',
        help: 'aws:SourceVpce values, comma-separated.',
        placeholder: 'vpce-0123456789abcdef0',
        now: shown(live.vpceIds),
      });
      fields.push(...vpcEndpointNotes(posture, answers));
      fields.push({
        kind: 'text',
        key: 'callerVpce',
        label: 'Your VPC endpoint',
        help: 'For the lockout check only: the vpce- ID your own requests use; empty: none.',
        placeholder: 'none',
      });
    }
    fields.push({
      kind: 'text',
      key: 'sourceCidrs',
      label: 'Only from IP ranges',
      help: 'Denies requests from outside these CIDRs (aws:SourceIp); empty: none.',
      placeholder: 'none',
      now: shown(live.sourceCidrs),
    });
    if (hasAny(answers.sourceCidrs)) {
      fields.push({
        kind: 'text',
        key: 'callerSourceIp',
        label: 'Your public IP',
        help: 'For the lockout check only: the address AWS sees for you; empty: unknown.',
        placeholder: 'unknown',
      });
    }
    fields.push({
      kind: 'choice',
      key: 'uploadEncryption',
      label: 'Deny uploads not encrypted with',
      help: 'A bucket-policy condition on the upload request.',
      options: ENCRYPTION_OPTIONS,
      now:
        ENCRYPTION_OPTIONS.find((option) => option.value === answersOf(live).uploadEncryption)
          ?.label ?? 'no condition',
    });
    if (answers.uploadEncryption === 'kms-key') {
      fields.push({
        kind: 'text',
        key: 'kmsKeyArn',
        label: 'KMS key ARN',
        help: 'The one key uploads may name (StringNotEqualsIfExists on its key ID).',
        placeholder: 'arn:aws:kms:<region>:<account>:key/<key-id>',
      });
    } else if (answers.uploadEncryption !== 'off') {
      fields.push({ kind: 'note', tone: 'warning', text: HEADER_DENY_CAVEAT });
    }
    fields.push(
      {
        kind: 'text',
        key: 'readOnlyRoles',
        label: 'Read-only roles',
        help: 'Role ARNs allowed s3:GetObject and s3:ListBucket.',
        placeholder: 'none',
        now: shown(live.readOnlyRoles),
      },
      {
        kind: 'text',
        key: 'crossAccounts',
        label: 'Cross-account writers',
        help: 'Account IDs allowed PutObject (multipart too) and GetObject.',
        placeholder: 'none',
        now: shown(live.crossAccounts),
      },
    );
    if (validateAnswers(answers).length === 0) {
      const after = composedPolicy(posture, answers);
      if (policyBytes(after) > MAX_POLICY_BYTES) {
        fields.push({
          kind: 'note',
          tone: 'warning',
          text: `The policy would be ${policyBytes(after).toLocaleString('en-US')} bytes; S3 allows ${MAX_POLICY_BYTES.toLocaleString('en-US')}.`,
        });
      }
    }
    return fields;
  },

  plan(posture: Posture, answers: BucketPolicyAnswers, planned = posture.values): Change[] {
    const before = posture.values['bucket.policy'];
    if (before === undefined) return [];
    const after = composedPolicy(posture, answers, planned);
    if (deepEqual(before, after)) return [];
    const tooLarge = policySizeProblem(after);
    if (tooLarge) throw new PolicyError(`Bucket policy: ${tooLarge}`);
    const publicKept = publicStatements(after);
    return [
      {
        id: 'bucket.policy',
        step: 'bucket-policy',
        title: 'Bucket policy',
        resource: 'bucket.policy',
        action: before === null ? 'create' : after === null ? 'delete' : 'update',
        call: writeCall('bucket.policy', posture, after),
        before,
        after,
        undo: writeCall('bucket.policy', posture, before),
        // Ordering against Block Public Access: with BlockPublicPolicy on,
        // PutBucketPolicy rejects a policy that grants public access. The
        // tool's own statements never do (Denies, and Allows to named roles
        // and accounts), so when every kept foreign statement is non-public
        // too, putting the policy after Block Public Access cannot be
        // rejected — and it is the safer order (the gate is shut before the
        // policy changes; rollback undoes in reverse). When a kept foreign
        // statement may be public, that order fails as soon as Block Public
        // Access turns BlockPublicPolicy on, so this change must not demand
        // it: no dependency, and a warning. (The policy would then have to go
        // first, which only the Block Public Access change can ask for — it
        // precedes this step in STEP_ORDER — by depending on 'bucket.policy'
        // when it turns BlockPublicPolicy on and
        // foreignStatements(live policy).some(mayGrantPublicAccess): the same
        // test as here, so the two dependencies can never form a cycle.)
        // Account-level Block Public Access comes after this step in
        // STEP_ORDER, the order that cannot be rejected for either kind.
        dependsOn: publicKept.length > 0 ? [] : ['bucket.publicAccessBlock'],
        warnings: warningsFor(posture, answers, planned, before, after, publicKept),
      },
    ];
  },
};
