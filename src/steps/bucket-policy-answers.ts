/**
 * The bucket-policy step's answers: their type, the preset defaults, the
 * answers the live policy already satisfies, their validation, and the
 * statements (PolicyIntent) and document they lead to. The form and the plan
 * are in ./bucket-policy.ts, what the operator is told in ./bucket-policy-notes.ts.
 */
import type { Posture, PostureValues, Preset } from '../plan/model/types.js';
import { composePolicy, type PolicyDocument } from '../plan/policy/document.js';
import { sourceIpProblem } from '../plan/policy/lockout.js';
import {
  intentFromPolicy,
  isBucketPolicySid,
  type PolicyIntent,
  statementsFor,
  type UploadAlgorithm,
} from '../plan/policy/statements.js';
import { splitList } from './form.js';
import {
  accountIdProblem,
  cidrProblem,
  kmsKeyArnProblem,
  roleArnProblem,
  vpceProblem,
} from './policy-inputs.js';

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

export const ALGORITHM: Record<'sse-s3' | 'sse-kms' | 'dsse-kms', UploadAlgorithm> = {
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

export const list = (text: string) => unique(splitList(text));

export function hasAny(text: string): boolean {
  return list(text).length > 0;
}

/** What the rest of the plan decides for the bucket policy's statements. */
export interface PolicyContext {
  /** Object Ownership is BucketOwnerEnforced once the plan is applied. */
  readonly aclsDisabled: boolean;
  /** Roles AWS services use on the bucket's behalf that are not service-linked (replication), let through network Denies. */
  readonly serviceRoles: readonly string[];
}

/**
 * The context from what the whole plan leaves (`planned`): ACLs off, and
 * the replication role as read.
 */
export function policyContext(
  posture: Posture,
  planned: Partial<PostureValues> = posture.values,
): PolicyContext {
  // Macie's and AWS Config's roles pass as every service-linked role does (statementsFor).
  const serviceRoles: string[] = [];
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

export function answersOf(intent: PolicyIntent): BucketPolicyAnswers {
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
export function livePolicy(posture: Posture): PolicyDocument | null {
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
