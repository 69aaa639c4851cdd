/**
 * Lifecycle (FSBP S3.13): every preset turns versioning on, so every
 * overwrite and delete keeps a version that is billed until it is deleted.
 * The step's one rule expires noncurrent versions after N days (keeping the
 * newest K), aborts multipart uploads never completed, removes delete markers
 * with nothing behind them, and optionally moves old versions to a cheaper
 * class first. It is merged into the bucket's configuration by rule ID
 * (./lifecycle-rules.ts): other rules stay exactly as they are, and undo
 * writes back the exact configuration read (or deletes it if there was none).
 *
 * S3 does not run lifecycle configuration on buckets with MFA delete, so the
 * step leaves those as they are and says why; Object Lock retention outlasts
 * an expiration, which the change warns about.
 */

import { controlLabels } from '../plan/audit/controls.js';
import type { Change, Posture, PostureValues, Preset } from '../plan/model/types.js';
import { satisfies, writeCall } from '../plan/resources/index.js';
import type { ObjectLockConfiguration } from '../plan/resources/object-lock.js';
import type { Field } from './form.js';
import {
  hasEnabledRule,
  mergeRule,
  NONCURRENT_RULE_ID,
  type NoncurrentTransition,
  noncurrentRule,
  ruleWithId,
  TRANSITION_DAYS,
} from './lifecycle-rules.js';
import type { Step } from './types.js';

export interface LifecycleAnswers {
  /** s3-harden's rule present; off removes it (and only it). */
  readonly enabled: boolean;
  /** Whole numbers, as typed. */
  readonly noncurrentDays: string;
  /** The newest noncurrent versions kept whatever their age; empty or 0: none. */
  readonly keepNewest: string;
  readonly abortDays: string;
  readonly transition: NoncurrentTransition;
}

const RESOURCE = 'bucket.lifecycle';
const MAX_DAYS = 36500;
const MAX_NEWER_VERSIONS = 100;

export const LIFECYCLE_DEFAULTS = {
  noncurrentDays: '90',
  keepNewest: '3',
  abortDays: '7',
} as const;

const TRANSITIONS: readonly { value: NoncurrentTransition; label: string; help: string }[] = [
  {
    value: 'none',
    label: 'none',
    help: 'Old versions stay in their storage class until they expire.',
  },
  {
    value: 'STANDARD_IA',
    label: `Standard-IA after ${TRANSITION_DAYS} days`,
    help: 'Cheaper storage, per-GB retrieval fee; 30-day minimum charge.',
  },
  {
    value: 'GLACIER_IR',
    label: `Glacier Instant Retrieval after ${TRANSITION_DAYS} days`,
    help: 'Cheapest instant-access class; 90-day minimum charge, higher retrieval fee.',
  },
];

function whole(text: string, min: number, max: number): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= min && value <= max ? value : null;
}

function mfaDeleteOn(values: Partial<PostureValues>): boolean {
  return values['bucket.versioning']?.MFADelete === 'Enabled';
}

function keep(posture: Posture): LifecycleAnswers {
  const own = ruleWithId(posture.values[RESOURCE], NONCURRENT_RULE_ID) as
    | {
        NoncurrentVersionExpiration?: { NoncurrentDays?: number; NewerNoncurrentVersions?: number };
        AbortIncompleteMultipartUpload?: { DaysAfterInitiation?: number };
        NoncurrentVersionTransitions?: { StorageClass?: string }[];
      }
    | undefined;
  const storage = own?.NoncurrentVersionTransitions?.[0]?.StorageClass;
  return {
    enabled: own !== undefined,
    noncurrentDays: String(
      own?.NoncurrentVersionExpiration?.NoncurrentDays ?? LIFECYCLE_DEFAULTS.noncurrentDays,
    ),
    keepNewest: String(
      own
        ? (own.NoncurrentVersionExpiration?.NewerNoncurrentVersions ?? 0)
        : LIFECYCLE_DEFAULTS.keepNewest,
    ),
    abortDays: String(
      own?.AbortIncompleteMultipartUpload?.DaysAfterInitiation ?? LIFECYCLE_DEFAULTS.abortDays,
    ),
    transition: storage === 'STANDARD_IA' || storage === 'GLACIER_IR' ? storage : 'none',
  };
}

/** The default retention the plan leaves, in days (years counted as 365). */
function retentionDays(lock: ObjectLockConfiguration | null | undefined): number | null {
  const rule = lock?.Rule?.DefaultRetention;
  if (!rule) return null;
  if (rule.Days !== undefined) return rule.Days;
  return rule.Years !== undefined ? rule.Years * 365 : null;
}

function describe(posture: Posture): string {
  const value = posture.values[RESOURCE];
  if (value === undefined) return 'unknown';
  if (value === null) return 'none';
  const own = ruleWithId(value, NONCURRENT_RULE_ID);
  const others = value.Rules.length - (own ? 1 : 0);
  return [
    own ? "s3-harden's rule" : null,
    others > 0 ? `${others} other rule${others === 1 ? '' : 's'}` : null,
  ]
    .filter(Boolean)
    .join(' + ');
}

export const lifecycleStep: Step<LifecycleAnswers> = {
  id: 'lifecycle',
  title: 'Lifecycle: old versions and unfinished uploads',
  shortTitle: 'Lifecycle',
  summary: 'Expires old versions and abandoned uploads, so versioning does not pile up costs.',
  scope: 'bucket',
  controls: controlLabels('lifecycle'),
  reads: [RESOURCE],
  // MFA delete (no lifecycle on such buckets) and Object Lock retention (outlasts expiry).
  optionalReads: ['bucket.versioning', 'bucket.objectLock'],
  defaults(posture: Posture, _preset: Preset): LifecycleAnswers {
    // Every preset: versioning is on in all of them. A bucket with MFA delete
    // keeps what it has: S3 does not run lifecycle rules there.
    if (mfaDeleteOn(posture.values)) return keep(posture);
    const kept = keep(posture);
    return kept.enabled ? kept : { ...kept, enabled: true };
  },
  keep,
  leftAsIs(posture: Posture, answers: LifecycleAnswers): string | null {
    if (mfaDeleteOn(posture.values) && !ruleWithId(posture.values[RESOURCE], NONCURRENT_RULE_ID)) {
      return 'left as is: MFA delete is on, and S3 does not support lifecycle configuration on MFA delete buckets (old versions stay until deleted with the root user’s MFA)';
    }
    if (!answers.enabled && !hasEnabledRule(posture.values[RESOURCE])) {
      return 'left off: noncurrent versions and unfinished multipart uploads are kept (and billed) until deleted';
    }
    return null;
  },
  validate(answers: LifecycleAnswers): string[] {
    if (!answers.enabled) return [];
    const problems: string[] = [];
    const days = whole(answers.noncurrentDays, 1, MAX_DAYS);
    if (days === null) {
      problems.push(
        `Noncurrent versions expire after: a whole number of days from 1 to ${MAX_DAYS}`,
      );
    }
    if (
      answers.keepNewest.trim() !== '' &&
      whole(answers.keepNewest, 0, MAX_NEWER_VERSIONS) === null
    ) {
      problems.push(`Newest versions kept: a whole number from 0 to ${MAX_NEWER_VERSIONS}`);
    }
    if (whole(answers.abortDays, 1, MAX_DAYS) === null) {
      problems.push(`Abort unfinished uploads after: a whole number of days from 1 to ${MAX_DAYS}`);
    }
    if (!TRANSITIONS.some((option) => option.value === answers.transition)) {
      problems.push('Move old versions: choose one of the options');
    } else if (answers.transition !== 'none' && days !== null && days <= TRANSITION_DAYS) {
      problems.push(
        `Noncurrent versions expire after: more than ${TRANSITION_DAYS} days when they move to another class after ${TRANSITION_DAYS}`,
      );
    }
    return problems;
  },
  fields(posture: Posture, answers: LifecycleAnswers): Field[] {
    if (mfaDeleteOn(posture.values)) {
      return [
        {
          kind: 'note',
          tone: 'info',
          text: 'MFA delete is on: S3 does not support lifecycle configuration on this bucket, so this step leaves it as it is.',
        },
      ];
    }
    const fields: Field[] = [
      {
        kind: 'toggle',
        key: 'enabled',
        label: 'Expire old versions',
        help: 'One rule s3-harden owns; other rules stay exactly as they are.',
        now: describe(posture),
      },
    ];
    if (!answers.enabled) return fields;
    fields.push(
      {
        kind: 'text',
        key: 'noncurrentDays',
        label: 'Old versions expire after (days)',
        help: 'Days after a version is overwritten or deleted; the undo window.',
        placeholder: LIFECYCLE_DEFAULTS.noncurrentDays,
      },
      {
        kind: 'text',
        key: 'keepNewest',
        label: 'Newest old versions kept',
        help: 'Kept whatever their age (0-100; 0: none).',
        placeholder: LIFECYCLE_DEFAULTS.keepNewest,
      },
      {
        kind: 'text',
        key: 'abortDays',
        label: 'Abort unfinished uploads after (days)',
        help: 'Parts of multipart uploads never completed are billed until aborted.',
        placeholder: LIFECYCLE_DEFAULTS.abortDays,
      },
      {
        kind: 'choice',
        key: 'transition',
        label: 'Move old versions',
        help: 'Optional: a cheaper storage class before they expire.',
        options: TRANSITIONS,
      },
    );
    const lock = retentionDays(posture.values['bucket.objectLock']);
    const days = whole(answers.noncurrentDays, 1, MAX_DAYS);
    if (lock !== null && days !== null && lock > days) {
      fields.push({
        kind: 'note',
        tone: 'warning',
        text: `Object Lock keeps versions ${lock} days by default: they expire only once their retention ends.`,
      });
    }
    return fields;
  },
  plan(posture: Posture, answers: LifecycleAnswers, planned = posture.values): Change[] {
    const before = posture.values[RESOURCE];
    if (before === undefined) return [];
    if (mfaDeleteOn(posture.values) || mfaDeleteOn(planned)) return [];
    const own = answers.enabled
      ? noncurrentRule({
          noncurrentDays:
            whole(answers.noncurrentDays, 1, MAX_DAYS) ?? Number(LIFECYCLE_DEFAULTS.noncurrentDays),
          keepNewest: whole(answers.keepNewest, 0, MAX_NEWER_VERSIONS) ?? 0,
          abortDays: whole(answers.abortDays, 1, MAX_DAYS) ?? Number(LIFECYCLE_DEFAULTS.abortDays),
          transition: answers.transition,
        })
      : null;
    const after = mergeRule(before, NONCURRENT_RULE_ID, own);
    if (satisfies(RESOURCE, after, before)) return [];
    const warnings: string[] = [];
    const others =
      (after ?? before)?.Rules.filter((rule) => rule.ID !== NONCURRENT_RULE_ID).length ?? 0;
    if (others > 0) {
      warnings.push(`keeps the ${others} other rule${others === 1 ? '' : 's'} exactly as they are`);
    }
    if (own) {
      const expiry = (own.NoncurrentVersionExpiration as { NoncurrentDays: number }).NoncurrentDays;
      warnings.push(
        `old versions are deleted for good ${expiry} days after they stop being current: an overwrite or delete can be undone only within that window`,
      );
      if (answers.transition !== 'none') {
        warnings.push(
          `each old version moved to ${answers.transition} is a transition request, charged per 1,000 (Amazon S3 pricing), and bills that class's minimum duration; objects under 128 KB are not moved (S3's default minimum size)`,
        );
      }
      const lock = retentionDays(planned['bucket.objectLock']);
      if (lock !== null && lock > expiry) {
        warnings.push(
          `Object Lock keeps versions ${lock} days by default: they expire only once their retention ends (and are billed until then)`,
        );
      }
    }
    return [
      {
        id: RESOURCE,
        step: 'lifecycle',
        title: own
          ? 'Lifecycle: expire old versions, abort unfinished uploads'
          : 'Lifecycle: remove s3-harden’s rule',
        resource: RESOURCE,
        action: before === null ? 'create' : after === null ? 'delete' : 'update',
        call: writeCall(RESOURCE, posture, after),
        before,
        after,
        undo: writeCall(RESOURCE, posture, before),
        dependsOn: [],
        warnings,
      },
    ];
  },
};
