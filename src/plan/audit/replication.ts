/**
 * The audit's replication-health control: does the bucket's replication
 * still work with its hardening? It passes when the bucket does not
 * replicate, or when every enabled rule can: the role can use the
 * default-encryption KMS key (its policy names the role, or leaves it to
 * IAM), rules select SSE-KMS objects when the default is KMS, each
 * destination has Object Lock where the source has it, and no Deny of the
 * bucket policy catches the role. What cannot be read (another account's
 * destination, a key policy) makes it unknown, with the reason.
 *
 * No Security Hub control checks this: S3.7 asks for cross-Region
 * replication itself, which s3-harden does not set up.
 */
import {
  type KeyAccess,
  keyAccess,
  lockDestinations,
  replicationDenials,
  rulesSkippingKms,
  statementName,
  unknownList,
} from '../policy/replication.js';
import { sseAlgorithm } from '../resources/encryption.js';
import { objectLockOn } from '../resources/object-lock.js';
import {
  destinationBuckets,
  enabledRules,
  ruleLabel,
  type SourceKey,
} from '../resources/replication.js';
import type { AuditPosture, Verdict } from './control-types.js';

/** Whether the role may decrypt with the key default encryption names; a problem or an unknown otherwise. */
function keyVerdict(
  posture: AuditPosture,
  role: string,
  keyId: unknown,
): { problem?: string; unknown?: string } {
  // The key the plan creates: its policy grants the replication role.
  if (typeof keyId === 'object' && keyId !== null) return {};
  if (keyId === undefined) return {}; // aws/s3: its policy leaves the account's principals to IAM
  const reason = posture.unreadable['bucket.replicationTargets'];
  if (reason) return { unknown: `the key policy was not read (${reason})` };
  const key: SourceKey | null | undefined = posture.values['bucket.replicationTargets']?.key;
  const id = String(keyId);
  if (!key || (key.keyId !== id && key.arn !== id)) {
    return { unknown: `the key policy of ${id} was not read` };
  }
  if (key.manager === 'AWS') return {};
  if (!key.policy)
    return { unknown: `the key policy of ${id} could not be read (${key.reason ?? 'not read'})` };
  const access: KeyAccess = keyAccess(key.policy, role);
  return access === 'no'
    ? { problem: `the key policy of ${id} does not let the replication role kms:Decrypt` }
    : {};
}

export function replicationHealth(posture: AuditPosture): Verdict {
  const unread = posture.unreadable['bucket.replication'];
  if (unread) return { status: 'unknown', detail: unread };
  const value = posture.values['bucket.replication'];
  if (value === undefined) return { status: 'unknown', detail: 'Replication was not read' };
  if (value === null) return { status: 'pass', detail: 'does not replicate' };
  const rules = enabledRules(value);
  if (rules.length === 0) return { status: 'pass', detail: 'no replication rule is enabled' };
  const problems: string[] = [];
  const unknowns: string[] = [];
  const region = posture.region ?? 'us-east-1';

  const lock = posture.values['bucket.objectLock'];
  const lockUnread = posture.unreadable['bucket.objectLock'];
  if (lockUnread || lock === undefined)
    unknowns.push(`Object Lock not read (${lockUnread ?? 'not read'})`);
  const locked = objectLockOn(lock);

  // A Deny of the bucket policy that catches the role.
  const policyUnread = posture.unreadable['bucket.policy'];
  const policy = posture.values['bucket.policy'];
  if (policyUnread || policy === undefined) {
    unknowns.push(`bucket policy not read (${policyUnread ?? 'not read'})`);
  } else {
    for (const denial of replicationDenials(
      policy,
      value.Role,
      { bucket: posture.bucket, region },
      locked,
    )) {
      const line = `bucket policy ${statementName(denial)} ${denial.certainty} the replication role ${denial.actions.join(', ')}`;
      (denial.certainty === 'denies' ? problems : unknowns).push(line);
    }
  }

  // KMS: rules must select SSE-KMS objects, and the role decrypt with the key.
  const encryption = posture.values['bucket.encryption'];
  const algorithm = sseAlgorithm(encryption);
  if (posture.unreadable['bucket.encryption'] || encryption === undefined) {
    unknowns.push(
      `default encryption not read (${posture.unreadable['bucket.encryption'] ?? 'not read'})`,
    );
  } else if (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') {
    const skipping = rulesSkippingKms(value);
    if (skipping.length > 0) {
      problems.push(
        `${skipping.map((rule) => ruleLabel(value, rule)).join(', ')} ${skipping.length === 1 ? 'does' : 'do'} not replicate SSE-KMS objects (SseKmsEncryptedObjects not Enabled), and new objects are KMS-encrypted`,
      );
    }
    const keyId = encryption?.Rules.find((rule) => rule.ApplyServerSideEncryptionByDefault)
      ?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID;
    const verdict = keyVerdict(posture, value.Role, keyId);
    if (verdict.problem) problems.push(verdict.problem);
    if (verdict.unknown) unknowns.push(verdict.unknown);
  }

  // Object Lock at the source needs it at every destination.
  if (locked) {
    const { missing, unknown } = lockDestinations(
      value,
      posture.values['bucket.replicationTargets'],
      posture.unreadable['bucket.replicationTargets'],
    );
    if (missing.length > 0) {
      problems.push(
        `Object Lock is on but destination ${missing.join(', ')} has none: locked objects fail to replicate`,
      );
    }
    if (unknown.length > 0)
      unknowns.push(`Object Lock of destination ${unknownList(unknown)} not known`);
  }

  if (problems.length > 0) return { status: 'fail', detail: problems.join('; ') };
  if (unknowns.length > 0) return { status: 'unknown', detail: unknowns.join('; ') };
  return { status: 'pass', detail: `replicates to ${destinationBuckets(value).join(', ')}` };
}
