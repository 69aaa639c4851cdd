/**
 * Bucket policy: HTTPS only and TLS 1.2 (the baseline), plus what the
 * operator asks for — VPC endpoint or IP restriction, an upload-encryption
 * condition, read-only roles, cross-account uploads. The step's statements
 * are merged into the existing policy (../plan/policy.ts): statements it did
 * not write are never dropped, reordered or rewritten — nor are the tool
 * statements another step wrote (the logging step's log-delivery grants when
 * this bucket receives other buckets' access logs): this step owns only its
 * own Sids (isBucketPolicySid).
 */
import { deepEqual } from '../plan/diff.js';
import { sourceIpProblem } from '../plan/lockout.js';
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
  toolStatements,
} from '../plan/policy.js';
import { logDeliveryEvidence } from '../plan/policy-log-delivery.js';
import {
  intentFromPolicy,
  isBucketPolicySid,
  type PolicyIntent,
  SID,
  statementsFor,
  type UploadAlgorithm,
} from '../plan/policy-statements.js';
import { writeCall } from '../plan/resources/index.js';
import { isGoneState, type VpcEndpointSummary } from '../plan/resources/vpc-endpoints.js';
import type { Change, Posture, Preset } from '../plan/types.js';
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
  /** Account IDs allowed to upload with bucket-owner-full-control and to read. */
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
   * allowlist so the lockout check (../plan/lockout.ts) can tell whether the
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
    help: 'Denies PutObject without x-amz-server-side-encryption: AES256.',
  },
  {
    value: 'sse-kms',
    label: 'SSE-KMS (aws:kms)',
    help: 'Denies PutObject without x-amz-server-side-encryption: aws:kms.',
  },
  {
    value: 'dsse-kms',
    label: 'DSSE-KMS (aws:kms:dsse)',
    help: 'Denies PutObject without x-amz-server-side-encryption: aws:kms:dsse.',
  },
  {
    value: 'kms-key',
    label: 'a pinned KMS key',
    help: 'Denies uploads that name another KMS key; use it for default encryption.',
  },
];

/** The caveat of a header-based upload deny, shown before it is chosen and in the review. */
export const HEADER_DENY_CAVEAT =
  'A deny on a missing encryption header rejects uploads that rely on default encryption, and AWS log delivery: every writer must send the header.';

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

const list = (text: string) => unique(splitList(text));

function hasAny(text: string): boolean {
  return list(text).length > 0;
}

/** The statements the answers ask for; assumes they are valid. */
export function intentOf(answers: BucketPolicyAnswers): PolicyIntent {
  const choice = answers.uploadEncryption;
  return {
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

/** The document the answers lead to (null: no policy). */
export function composedPolicy(
  posture: Posture,
  answers: BucketPolicyAnswers,
): PolicyDocument | null {
  return composePolicy(
    livePolicy(posture),
    statementsFor(posture, intentOf(answers)),
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
  [SID.denyOldTls, 'TLS 1.0 and 1.1 are no longer denied'],
  [SID.vpceOnly, 'requests from outside VPC endpoints are no longer denied'],
  [SID.ipAllowlist, 'requests from any IP address are no longer denied'],
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

/**
 * A VPC-endpoint or IP restriction on a bucket that receives server access
 * logs: S3 delivers them from its own service, through no endpoint of yours
 * and from no range of yours, so the Deny stops every source's delivery.
 */
function logDeliveryStopped(intent: PolicyIntent, after: PolicyDocument | null): string | null {
  if (intent.vpceIds.length === 0 && intent.sourceCidrs.length === 0) return null;
  const evidence = logDeliveryEvidence(after, undefined);
  return evidence
    ? `stops server access log delivery into this bucket (${evidence}): S3 delivers logs through none of your VPC endpoints or IP ranges`
    : null;
}

function warningsFor(
  posture: Posture,
  answers: BucketPolicyAnswers,
  before: PolicyDocument | null,
  after: PolicyDocument | null,
  publicKept: readonly string[],
): string[] {
  const warnings: string[] = [];
  const intent = intentOf(answers);
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
  const stopsLogDelivery = logDeliveryStopped(intent, after);
  if (stopsLogDelivery) warnings.push(stopsLogDelivery);
  const encryption = intent.uploadEncryption;
  if (encryption && 'algorithm' in encryption) warnings.push(HEADER_DENY_CAVEAT);
  if (encryption && 'kmsKeyArn' in encryption) {
    warnings.push(
      `denies uploads that name a KMS key other than ${encryption.kmsKeyArn}; set default encryption to that key`,
    );
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
  controls: ['FSBP S3.5', 'CIS 2.1.1'],
  reads: ['bucket.policy'],
  // Listed beside the endpoint IDs; when it cannot be read, the IDs are typed unchecked.
  optionalReads: ['account.vpcEndpoints'],
  defaults: defaultAnswers,
  validate: validateAnswers,
  keep: keepAnswers,

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
        help: 'Denies requests over TLS 1.0 and 1.1 (s3:TlsVersion below 1.2).',
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
        help: 'Account IDs allowed PutObject (bucket-owner-full-control) and GetObject.',
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

  plan(posture: Posture, answers: BucketPolicyAnswers): Change[] {
    const before = posture.values['bucket.policy'];
    if (before === undefined) return [];
    const after = composedPolicy(posture, answers);
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
        warnings: warningsFor(posture, answers, before, after, publicKept),
      },
    ];
  },
};
