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
import type { Change, Posture } from '../plan/model/types.js';
import {
  MAX_POLICY_BYTES,
  PolicyError,
  policyBytes,
  policySizeProblem,
} from '../plan/policy/document.js';
import { intentFromPolicy } from '../plan/policy/statements.js';
import { writeCall } from '../plan/resources/index.js';
import {
  answersOf,
  type BucketPolicyAnswers,
  composedPolicy,
  defaultAnswers,
  HEADER_DENY_CAVEAT,
  hasAny,
  keepAnswers,
  livePolicy,
  validateAnswers,
} from './bucket-policy-answers.js';
import { publicStatements, vpcEndpointNotes, warningsFor } from './bucket-policy-notes.js';
import type { ChoiceOption, Field } from './form.js';
import type { Step } from './types.js';

export {
  type BucketPolicyAnswers,
  composedPolicy,
  defaultAnswers,
  HEADER_DENY_CAVEAT,
  intentOf,
  keepAnswers,
  type PolicyContext,
  policyContext,
  type UploadEncryptionChoice,
  validateAnswers,
} from './bucket-policy-answers.js';
export { vpcEndpointNotes } from './bucket-policy-notes.js';

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

export const VPCE_LEFT_OUT =
  "its VPC endpoint restriction only: the preset asks for one, but no vpce- IDs were given, so none is added (plan --restrict-vpce vpce-…, or type them in the wizard's bucket-policy step)";

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
  // Said with the skipped steps, at the top of a plan, not only in a
  // warning deep in the policy diff.
  leftAsIs: (_posture, answers) =>
    answers.vpceSuggested && !answers.vpceOnly ? VPCE_LEFT_OUT : null,
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
    // The form sees the live bucket, not the Object Ownership answer: with
    // ACLs on, the grant requires x-amz-acl, which UploadPart cannot send
    // (the plan's warning names the Sid once the whole plan is known).
    const aclsOff =
      posture.values['bucket.ownershipControls']?.ObjectOwnership === 'BucketOwnerEnforced';
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
        help: aclsOff
          ? 'Account IDs allowed PutObject (multipart too) and GetObject.'
          : 'Account IDs allowed PutObject and GetObject; multipart once ACLs are off.',
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
