/**
 * Changes that make a bucket or the account weaker than s3-harden found it:
 * refused in any plan file, whatever the file says produced it. No preset
 * proposes one; the wizard makes the few an operator may choose (a Block
 * Public Access flag turned off) only when asked in so many words, and
 * applies them there, never from a file. This holds independently of deriving the plan
 * again (../../steps/provenance.ts): edited answers make a plan the tool
 * could have proposed, never one of these.
 *
 * - Block Public Access: a setting that is on turned off;
 * - a bucket that exists deleted;
 * - a bucket policy statement s3-harden did not write (its Sid does not start with
 *   TOOL_SID_PREFIX) dropped or changed — unless it may grant public access,
 *   which is what hardening removes — or a statement that may grant public
 *   access added;
 * - default encryption removed, or an encryption type that was blocked
 *   (SSE-C) unblocked;
 * - versioning suspended, MFA delete turned off;
 * - ACLs turned back on (BucketOwnerEnforced given up);
 * - a lifecycle rule s3-harden did not write (its ID does not start with
 *   `s3-harden-`) dropped or changed.
 *
 * Pure: a change's before and after, as a plan file holds them.
 */
import { deepEqual } from '../model/deep-equal.js';
import type { ResourceKey } from '../model/types.js';
import {
  isObject,
  mayGrantPublicAccess,
  statementsOf,
  TOOL_SID_PREFIX,
} from '../policy/document.js';

interface Judged {
  readonly resource: ResourceKey;
  readonly before: unknown;
  readonly after: unknown;
}

const PAB_FLAGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;

const field = (value: unknown, name: string): unknown =>
  isObject(value) ? value[name] : undefined;

function publicAccessBlock({ before, after }: Judged): string | null {
  const off = PAB_FLAGS.find((flag) => field(before, flag) === true && field(after, flag) !== true);
  return off ? `turns ${off} off` : null;
}

function bucketDeleted({ before, after }: Judged): string | null {
  return before !== null && after === null ? 'deletes a bucket that exists' : null;
}

const sidOf = (statement: unknown): string =>
  typeof field(statement, 'Sid') === 'string' ? (field(statement, 'Sid') as string) : '';

const isOurs = (statement: unknown): boolean => sidOf(statement).startsWith(TOOL_SID_PREFIX);

const named = (statement: unknown): string =>
  sidOf(statement) ? ` (Sid ${JSON.stringify(sidOf(statement).slice(0, 64))})` : ' (no Sid)';

function policy({ before, after }: Judged): string | null {
  const kept = statementsOf(after as never);
  const had = statementsOf(before as never);
  const dropped = had.find(
    (statement) =>
      !isOurs(statement) &&
      !mayGrantPublicAccess(statement) &&
      !kept.some((other) => deepEqual(other, statement)),
  );
  if (dropped) return `drops or changes a statement s3-harden did not write${named(dropped)}`;
  const opened = kept.find(
    (statement) =>
      mayGrantPublicAccess(statement) && !had.some((other) => deepEqual(other, statement)),
  );
  return opened ? `adds a statement that may grant public access${named(opened)}` : null;
}

const rulesOf = (value: unknown): unknown[] => {
  const rules = field(value, 'Rules');
  return Array.isArray(rules) ? rules : [];
};

function encryption({ before, after }: Judged): string | null {
  const byDefault = (value: unknown) =>
    rulesOf(value).some((rule) => field(rule, 'ApplyServerSideEncryptionByDefault') !== undefined);
  if (byDefault(before) && !byDefault(after)) return 'removes default encryption';
  const blocked = (value: unknown) =>
    rulesOf(value).flatMap((rule) => {
      const types = field(field(rule, 'BlockedEncryptionTypes'), 'EncryptionType');
      return Array.isArray(types) ? types.filter((type) => type !== 'NONE') : [];
    });
  const unblocked = blocked(before).find((type) => !blocked(after).includes(type));
  return unblocked ? `unblocks ${String(unblocked).slice(0, 20)} encryption` : null;
}

function versioning({ before, after }: Judged): string | null {
  if (field(before, 'Status') === 'Enabled' && field(after, 'Status') !== 'Enabled') {
    return 'suspends versioning';
  }
  if (field(before, 'MFADelete') === 'Enabled' && field(after, 'MFADelete') !== 'Enabled') {
    return 'turns MFA delete off';
  }
  return null;
}

function ownership({ before, after }: Judged): string | null {
  const enforced = (value: unknown) => field(value, 'ObjectOwnership') === 'BucketOwnerEnforced';
  return enforced(before) && !enforced(after) ? 'turns ACLs back on' : null;
}

/** A lifecycle rule of someone else's, as the bucket policy's foreign statements are. */
function lifecycle({ before, after }: Judged): string | null {
  const id = (rule: unknown) =>
    typeof field(rule, 'ID') === 'string' ? String(field(rule, 'ID')) : '';
  const kept = rulesOf(after);
  const dropped = rulesOf(before).find(
    (rule) => !id(rule).startsWith('s3-harden-') && !kept.some((other) => deepEqual(other, rule)),
  );
  return dropped
    ? `drops or changes a lifecycle rule s3-harden did not write (ID ${JSON.stringify(id(dropped).slice(0, 64))})`
    : null;
}

const RULES: Partial<Record<ResourceKey, (change: Judged) => string | null>> = {
  'bucket.publicAccessBlock': publicAccessBlock,
  'account.publicAccessBlock': publicAccessBlock,
  'bucket.exists': bucketDeleted,
  'logTarget.exists': bucketDeleted,
  'bucket.policy': policy,
  'logTarget.policy': policy,
  'bucket.encryption': encryption,
  'logTarget.encryption': encryption,
  'bucket.versioning': versioning,
  'logTarget.versioning': versioning,
  'bucket.ownershipControls': ownership,
  'logTarget.ownershipControls': ownership,
  'logTarget.publicAccessBlock': publicAccessBlock,
  'bucket.lifecycle': lifecycle,
  'logTarget.lifecycle': lifecycle,
};

/** Why the change weakens what it writes, in a few words; null when it does not. */
export function weakening(change: Judged): string | null {
  return RULES[change.resource]?.(change) ?? null;
}
