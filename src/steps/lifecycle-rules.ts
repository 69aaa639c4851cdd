/**
 * The lifecycle rules s3-harden writes, and how they join a configuration
 * that already has rules: by rule ID, as the bucket policy is merged by Sid.
 * A rule whose ID s3-harden gives is its own and is replaced where it stands;
 * every other rule stays exactly as read, in its place. Pure.
 */
import { deepEqual } from '../plan/model/deep-equal.js';
import {
  type LifecycleConfiguration,
  type LifecycleRule,
  MAX_LIFECYCLE_RULES,
} from '../plan/resources/lifecycle.js';

/** The lifecycle step's rule on the hardened bucket. */
export const NONCURRENT_RULE_ID = 's3-harden-noncurrent-versions';
const LOG_RETENTION_RULE_ID = 's3-harden-log-retention';

export type NoncurrentTransition = 'none' | 'STANDARD_IA' | 'GLACIER_IR';

/** Noncurrent versions move to the chosen class after this many days (Standard-IA's minimum). */
export const TRANSITION_DAYS = 30;

export class LifecycleError extends Error {
  override name = 'LifecycleError';
}

export interface NoncurrentRuleInput {
  readonly noncurrentDays: number;
  /** The newest noncurrent versions kept whatever their age; 0 = none. */
  readonly keepNewest: number;
  readonly abortDays: number;
  readonly transition: NoncurrentTransition;
}

/**
 * Old versions expire (the newest few kept), uploads never completed are
 * aborted, and delete markers left with no versions behind them go: the
 * costs a versioned bucket piles up unseen.
 */
export function noncurrentRule(input: NoncurrentRuleInput): LifecycleRule {
  return {
    ID: NONCURRENT_RULE_ID,
    Status: 'Enabled',
    Filter: {},
    Expiration: { ExpiredObjectDeleteMarker: true },
    ...(input.transition !== 'none'
      ? {
          NoncurrentVersionTransitions: [
            { NoncurrentDays: TRANSITION_DAYS, StorageClass: input.transition },
          ],
        }
      : {}),
    NoncurrentVersionExpiration: {
      NoncurrentDays: input.noncurrentDays,
      ...(input.keepNewest > 0 ? { NewerNoncurrentVersions: input.keepNewest } : {}),
    },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: input.abortDays },
  };
}

/** Versions a log bucket's expiry leaves behind go a month later. */
const LOG_NONCURRENT_DAYS = 30;
const LOG_ABORT_DAYS = 7;

/**
 * The rule ID for one log prefix: sources that share a prefix share the rule.
 * IDs are at most 255 characters.
 */
export function logRetentionRuleId(prefix: string): string {
  return `${LOG_RETENTION_RULE_ID}:${prefix}`.slice(0, 255);
}

/** Access logs under `prefix` expire after `days` (and their old versions a month later). */
export function logRetentionRule(prefix: string, days: number): LifecycleRule {
  return {
    ID: logRetentionRuleId(prefix),
    Status: 'Enabled',
    Filter: { Prefix: prefix },
    Expiration: { Days: days },
    NoncurrentVersionExpiration: { NoncurrentDays: LOG_NONCURRENT_DAYS },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: LOG_ABORT_DAYS },
  };
}

/**
 * The configuration with `own` in it: a rule with the same ID is replaced in
 * place, a new one goes last; `drop` removes that ID instead. Every other
 * rule is the very object read. Null when no rule is left (the delete).
 */
export function mergeRule(
  existing: LifecycleConfiguration | null,
  id: string,
  own: LifecycleRule | null,
): LifecycleConfiguration | null {
  const rules = existing?.Rules ?? [];
  const at = rules.findIndex((rule) => rule.ID === id);
  let next: LifecycleRule[];
  if (own === null) {
    next = rules.filter((rule) => rule.ID !== id);
  } else if (at >= 0) {
    next = rules.map((rule, index) => (index === at ? own : rule));
  } else {
    next = [...rules, own];
  }
  if (next.length > MAX_LIFECYCLE_RULES) {
    throw new LifecycleError(
      `Lifecycle: the bucket already has ${rules.length} rules, S3's limit is ${MAX_LIFECYCLE_RULES}; remove one to add s3-harden's.`,
    );
  }
  if (next.length === 0) return null;
  const merged: LifecycleConfiguration = {
    ...(existing ?? {}),
    Rules: next,
  };
  return existing && deepEqual(existing, merged) ? existing : merged;
}

/** The rule with this ID, if the configuration has one. */
export function ruleWithId(
  value: LifecycleConfiguration | null | undefined,
  id: string,
): LifecycleRule | undefined {
  return value?.Rules.find((rule) => rule.ID === id);
}

/** Whether any rule runs (FSBP S3.13 asks for at least one enabled rule). */
export function hasEnabledRule(value: LifecycleConfiguration | null | undefined): boolean {
  return Boolean(value?.Rules.some((rule) => rule.Status === 'Enabled'));
}
