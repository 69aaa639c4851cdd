/**
 * Object Lock (write once, read many) on an existing bucket, possible since
 * November 2023: versioning must be Enabled first, then PutObjectLockConfiguration.
 * Enabling can never be undone (and versioning can then never be suspended);
 * a COMPLIANCE default retention locks every object written under it for its
 * whole period, root included. Both need the bucket name typed to confirm.
 * Changing only the default retention of a bucket that already has Object
 * Lock is reversible: the undo puts the previous configuration back.
 *
 * Replication: S3 replicates locked objects only into a destination with
 * Object Lock, so turning it on is refused while a destination is known to
 * lack it (the worm preset leaves it off and says why), and warned of when
 * a destination cannot be read; the role needs two more reads. A default
 * retention locks new object versions only: the change counts the existing
 * ones, with the S3 Batch Operations job that locks them too.
 */

import { controlLabels } from '../plan/audit/controls.js';
import { deepEqual } from '../plan/model/diff.js';
import type { Change, Posture, Preset } from '../plan/model/types.js';
import { writeCall } from '../plan/resources/index.js';
import {
  type DefaultRetention,
  MAX_RETENTION_DAYS,
  MAX_RETENTION_YEARS,
  type ObjectLockConfiguration,
  type RetentionMode,
} from '../plan/resources/object-lock.js';
import { retentionNote } from './existing-objects.js';
import type { Field } from './form.js';
import {
  replicationBlocksLock,
  replicationPrerequisite,
  replicationWarnings,
} from './object-lock-replication.js';
import type { Step } from './types.js';
import { VERSIONING_CHANGE_ID } from './versioning.js';

export type RetentionChoice = 'none' | RetentionMode;

export interface ObjectLockAnswers {
  /** Object Lock on; once on it stays on. */
  readonly enabled: boolean;
  /** The default retention applied to new object versions. */
  readonly retention: RetentionChoice;
  /** Exactly one of days and years, as typed (whole numbers). */
  readonly days: string;
  readonly years: string;
  /** The bucket name, typed to confirm an irreversible choice. */
  readonly confirm: string;
  /**
   * What validation needs from the posture (validate sees only the answers):
   * the bucket to confirm against and its Object Lock configuration now.
   * Set by defaults and keep; not shown.
   */
  readonly bucket: string;
  readonly current: ObjectLockConfiguration | null;
  /**
   * Why the preset left Object Lock off although it turns it on elsewhere:
   * a replication destination without Object Lock, where locked objects
   * would fail to replicate. Set by defaults; listed with the skipped steps.
   */
  readonly heldBack?: string;
}

const RESOURCE = 'bucket.objectLock';
const TITLE = 'Object Lock';

/**
 * The worm preset's default retention: GOVERNANCE, 30 days. GOVERNANCE because
 * a principal with s3:BypassGovernanceRetention can still correct a mistake
 * (COMPLIANCE binds even root and is a regulatory decision the operator must
 * make explicitly); 30 days because it outlasts the usual time to notice and
 * respond to ransomware or a destructive mistake, while bounding what a wrong
 * choice costs in storage that cannot be deleted early.
 */
export const WORM_RETENTION: DefaultRetention = { Mode: 'GOVERNANCE', Days: 30 };

const RETENTION_HELP: Record<RetentionChoice, string> = {
  none: 'No default: objects are locked only when an upload asks for it.',
  GOVERNANCE: 'Locked for the period; s3:BypassGovernanceRetention can override.',
  COMPLIANCE: 'Locked for the period for everyone, root included; never shortened.',
};

function current(posture: Posture): ObjectLockConfiguration | null | undefined {
  return posture.values[RESOURCE];
}

function retentionAnswers(
  rule: DefaultRetention | undefined,
): Pick<ObjectLockAnswers, 'retention' | 'days' | 'years'> {
  return {
    retention: rule?.Mode ?? 'none',
    days: rule?.Days !== undefined ? String(rule.Days) : '',
    years: rule?.Years !== undefined ? String(rule.Years) : '',
  };
}

function keepAnswers(posture: Posture): ObjectLockAnswers {
  const live = current(posture) ?? null;
  return {
    enabled: live !== null,
    ...retentionAnswers(live?.Rule?.DefaultRetention),
    confirm: '',
    bucket: posture.bucket,
    current: live,
  };
}

/** A whole number from 1 to max, or null. */
function wholeNumber(text: string, max: number): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= 1 && value <= max ? value : null;
}

/** The configuration the answers ask for; null when Object Lock stays off. */
export function desiredConfiguration(answers: ObjectLockAnswers): ObjectLockConfiguration | null {
  if (!answers.enabled) return answers.current;
  if (answers.retention === 'none') return { ObjectLockEnabled: 'Enabled' };
  const days = wholeNumber(answers.days, MAX_RETENTION_DAYS);
  const years = wholeNumber(answers.years, MAX_RETENTION_YEARS);
  const period = days !== null ? { Days: days } : years !== null ? { Years: years } : {};
  return {
    ObjectLockEnabled: 'Enabled',
    Rule: { DefaultRetention: { Mode: answers.retention, ...period } },
  };
}

/** Why the answers need the bucket name typed, or null. */
export function confirmationReason(answers: ObjectLockAnswers): string | null {
  const after = desiredConfiguration(answers);
  if (after === null || deepEqual(after, answers.current)) return null;
  if (answers.current === null) return 'Object Lock can never be turned off';
  if (after.Rule?.DefaultRetention.Mode === 'COMPLIANCE') {
    return 'objects written under COMPLIANCE retention cannot be deleted by anyone, root included';
  }
  return null;
}

function periodProblems(answers: ObjectLockAnswers): string[] {
  const days = answers.days.trim();
  const years = answers.years.trim();
  if (days && years) return ['Enter the retention in days or in years, not both'];
  if (!days && !years) return ['Enter a retention period in days or in years'];
  if (days && wholeNumber(days, MAX_RETENTION_DAYS) === null) {
    return [`Retention days must be a whole number from 1 to ${MAX_RETENTION_DAYS}`];
  }
  if (years && wholeNumber(years, MAX_RETENTION_YEARS) === null) {
    return [`Retention years must be a whole number from 1 to ${MAX_RETENTION_YEARS}`];
  }
  return [];
}

function describe(live: ObjectLockConfiguration | null | undefined): string {
  if (live === undefined) return 'unknown';
  if (live === null) return 'off';
  const rule = live.Rule?.DefaultRetention;
  if (!rule) return 'on, no default retention';
  const period = rule.Days !== undefined ? `${rule.Days} days` : `${rule.Years} years`;
  return `on, ${rule.Mode} ${period}`;
}

export const objectLockStep: Step<ObjectLockAnswers> = {
  // Enabling on an existing bucket needs versioning on first: only the whole plan tells.
  prerequisite: (changes, posture) =>
    objectLockPrerequisite(changes, posture) ?? replicationPrerequisite(changes, posture),
  // A plan made without questions confirms nothing: `apply` asks for the name, or --allow-irreversible.
  unattended: (answers, posture) => ({ ...answers, confirm: posture.bucket }),
  id: 'object-lock',
  title: 'Object Lock (WORM)',
  summary: 'Stops object versions from being deleted or overwritten for a retention period.',
  scope: 'bucket',
  controls: controlLabels('object-lock'),
  reads: [RESOURCE, 'bucket.versioning'],
  // Replication: locked objects replicate only into a destination with
  // Object Lock; the count: existing objects get no retention.
  optionalReads: ['bucket.replication', 'bucket.replicationTargets', 'bucket.objectCount'],
  defaults(posture: Posture, preset: Preset): ObjectLockAnswers {
    const kept = keepAnswers(posture);
    // Only the worm preset turns Object Lock on; the others keep what is there.
    if (preset !== 'worm') return kept;
    // An existing default retention is the operator's decision: keep it.
    if (kept.current?.Rule) return kept;
    // Irreversible, and it would break replication: left off, and said why.
    const blocked = kept.current === null ? replicationBlocksLock(posture) : null;
    if (blocked) return { ...kept, heldBack: `Object Lock stays off: ${blocked}` };
    return { ...kept, enabled: true, ...retentionAnswers(WORM_RETENTION) };
  },
  leftAsIs: (_posture, answers) => (!answers.enabled && answers.heldBack) || null,
  validate(answers) {
    const problems: string[] = [];
    if (!answers.enabled && answers.current !== null) {
      problems.push('Object Lock is on for this bucket and can never be turned off');
      return problems;
    }
    if (!answers.enabled) return problems;
    if (
      answers.retention !== 'none' &&
      answers.retention !== 'GOVERNANCE' &&
      answers.retention !== 'COMPLIANCE'
    ) {
      problems.push(
        `Default retention must be none, GOVERNANCE or COMPLIANCE, not ${JSON.stringify(answers.retention)}`,
      );
      return problems;
    }
    if (answers.retention !== 'none') problems.push(...periodProblems(answers));
    if (problems.length > 0) return problems;
    const reason = confirmationReason(answers);
    if (reason && answers.confirm.trim() !== answers.bucket) {
      problems.push(`Type the bucket name ${answers.bucket} to confirm: ${reason}`);
    }
    return problems;
  },
  fields(posture, answers) {
    const live = current(posture);
    const fields: Field[] = [];
    const blocked = live === null ? replicationBlocksLock(posture) : null;
    if (blocked) {
      const text = `${blocked.charAt(0).toUpperCase()}${blocked.slice(1)}.`;
      fields.push({ kind: 'note', tone: 'warning', text });
    }
    if (live) {
      fields.push({
        kind: 'note',
        tone: 'info',
        text: `Object Lock is ${describe(live)}. It can never be turned off; the default retention can change.`,
      });
    } else {
      fields.push({
        kind: 'toggle',
        key: 'enabled',
        label: 'Turn on Object Lock',
        help: 'Irreversible: stays on for good; versioning can then never be suspended.',
        now: 'off',
      });
    }
    if (!answers.enabled) return fields;
    fields.push({
      kind: 'choice',
      key: 'retention',
      label: 'Default retention',
      help: 'Applied to every new object version that does not ask for its own.',
      options: (['none', 'GOVERNANCE', 'COMPLIANCE'] as const).map((value) => ({
        value,
        label: value === 'none' ? 'None' : value,
        help: RETENTION_HELP[value],
      })),
      now: describe(live),
    });
    if (answers.retention !== 'none') {
      fields.push(
        {
          kind: 'text',
          key: 'days',
          label: 'Retention days',
          help: `A whole number from 1 to ${MAX_RETENTION_DAYS}; leave empty to use years.`,
          placeholder: '30',
        },
        {
          kind: 'text',
          key: 'years',
          label: 'Retention years',
          help: `A whole number from 1 to ${MAX_RETENTION_YEARS}; leave empty to use days.`,
        },
      );
    }
    const versioning = posture.values['bucket.versioning'];
    if (!live && versioning?.Status !== 'Enabled') {
      fields.push({
        kind: 'note',
        tone: 'info',
        text: 'Needs versioning Enabled: keep Enabled in the Versioning step; it is applied first.',
      });
    }
    const reason = confirmationReason(answers);
    if (reason) {
      fields.push(
        {
          kind: 'note',
          tone: 'warning',
          text: `Irreversible: ${reason}. A bucket with Object Lock cannot receive server access logs.`,
        },
        {
          kind: 'text',
          key: 'confirm',
          label: 'Type the bucket name to confirm',
          help: `Type ${posture.bucket} exactly.`,
        },
      );
    }
    return fields;
  },
  keep: keepAnswers,
  plan(posture, answers): Change[] {
    const before = current(posture);
    const versioning = posture.values['bucket.versioning'];
    if (before === undefined || versioning === undefined) return [];
    const after = desiredConfiguration({ ...answers, current: before });
    if (after === null || deepEqual(after, before)) return [];
    const enabling = before === null;
    const warnings: string[] = [];
    const dependsOn: string[] = [];
    if (enabling) {
      warnings.push(
        'cannot be undone: Object Lock can never be turned off, and versioning can then never be suspended',
        'a bucket with Object Lock cannot be a server access logging target',
      );
      if (versioning?.Status !== 'Enabled') {
        // Applied after the Versioning step's change (see objectLockPrerequisite).
        dependsOn.push(VERSIONING_CHANGE_ID);
        warnings.push('needs versioning Enabled first (the Versioning change)');
      }
    }
    const mode = after.Rule?.DefaultRetention.Mode;
    if (mode === 'COMPLIANCE') {
      warnings.push(
        'COMPLIANCE: objects written under this rule cannot be deleted or overwritten by anyone, root included, until their retention ends',
      );
    }
    if (before?.Rule && !after.Rule) {
      warnings.push('removes the default retention, which weakens protection');
    }
    if (enabling) warnings.push(...replicationWarnings(posture));
    // A new default retention locks what is written from now on, not what is there.
    const retention = after.Rule?.DefaultRetention;
    if (retention && !deepEqual(retention, before?.Rule?.DefaultRetention)) {
      const note = retentionNote(posture, retention);
      if (note) warnings.push(note);
    }
    return [
      {
        id: RESOURCE,
        step: 'object-lock',
        title: TITLE,
        resource: RESOURCE,
        action: enabling ? 'create' : 'update',
        call: writeCall(RESOURCE, posture, after),
        before,
        after,
        undo: enabling ? null : writeCall(RESOURCE, posture, before),
        dependsOn,
        warnings,
      },
    ];
  },
};

/**
 * Object Lock needs versioning Enabled. A step sees only its own answers, so
 * this check runs on the whole plan: it names the problem when Object Lock is
 * being turned on while versioning is not Enabled and no change in the plan
 * enables it. Null when the plan is fine.
 */
export function objectLockPrerequisite(
  changes: readonly Change[],
  posture: Pick<Posture, 'values'>,
): string | null {
  const enabling = changes.some((change) => change.resource === RESOURCE && change.before === null);
  if (!enabling) return null;
  if (posture.values['bucket.versioning']?.Status === 'Enabled') return null;
  const versioning = changes.find((change) => change.id === VERSIONING_CHANGE_ID);
  const after = versioning?.after as { Status?: string } | null | undefined;
  if (after?.Status === 'Enabled') return null;
  return 'Object Lock: turning it on needs versioning Enabled; choose Enabled in the Versioning step';
}
