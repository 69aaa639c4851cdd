/**
 * Sensitive-data discovery with Amazon Macie: enables Macie in the account
 * and region when it is not, and creates a classification job that scans
 * this bucket, once or on a schedule.
 *
 * Before the job is created the step shows what it will scan (the bucket's
 * objects and their size, from Macie's statistics or a listing) and that
 * Macie charges per GB analysed. A job's settings cannot change once it
 * exists: an s3-harden job already scanning the bucket is kept as it is.
 * Undo cancels the job (for good) and, when this run enabled Macie, pauses
 * Macie rather than disabling it, so nothing Macie holds is deleted.
 *
 * Macie is not everywhere (the local emulator, LocalStack's free edition,
 * MinIO): its reads are optional, so against such an endpoint the step is
 * skipped with the reason and the rest of the plan is unaffected.
 *
 * Why one file of ~540 lines: the job's settings, their form fields and the
 * plan share the schedule, identifier and cost rules; split, the rule that an
 * existing job is kept as it is would live in three places.
 */

import { controlLabels } from '../plan/audit/controls.js';
import type { Change, Posture, Preset } from '../plan/model/types.js';
import { writeCall } from '../plan/resources/index.js';
import {
  customIdentifierProblem,
  DAYS_OF_WEEK,
  type DayOfWeek,
  defaultJobDescription,
  defaultJobName,
  type IdentifierSelector,
  isActiveJob,
  jobNameProblem,
  MAX_CUSTOM_IDENTIFIERS,
  MAX_JOB_DESCRIPTION,
  type MacieJobSettings,
  type MacieJobValue,
  type MacieSchedule,
  type MacieSessionValue,
  macieClientToken,
  type ObjectStatsValue,
} from '../plan/resources/macie.js';
import { type ChoiceOption, type Field, splitList } from './form.js';
import type { Step } from './types.js';

export const SCHEDULES = ['ONE_TIME', 'DAILY', 'WEEKLY', 'MONTHLY'] as const;
export type ScheduleChoice = (typeof SCHEDULES)[number];
export const IDENTIFIER_CHOICES = ['recommended', 'all', 'none'] as const;
export type IdentifierChoice = (typeof IDENTIFIER_CHOICES)[number];

export interface MacieAnswers {
  /** Enable Macie in the account and region (only asked while it is not enabled). */
  readonly enable: boolean;
  /** Create a classification job for this bucket (only asked while it has none). */
  readonly job: boolean;
  readonly schedule: ScheduleChoice;
  /** WEEKLY: the day it runs. */
  readonly dayOfWeek: DayOfWeek;
  /** MONTHLY: the day of the month it runs, 1–31, as typed. */
  readonly dayOfMonth: string;
  /** Percent of the eligible objects analysed, 1–100, as typed. */
  readonly sampling: string;
  readonly identifiers: IdentifierChoice;
  /** Custom data identifier IDs, comma- or space-separated; needed with identifiers 'none'. */
  readonly customIdentifiers: string;
  readonly name: string;
  readonly description: string;
}

/** Answers that cannot be planned against this posture (Macie paused, or left off for a job). */
export class MacieStepError extends Error {
  override name = 'MacieStepError';
}

const STEP = 'macie';
const SESSION = 'account.macie';
const JOB = 'bucket.macieJob';

const SELECTOR: Record<IdentifierChoice, IdentifierSelector> = {
  recommended: 'RECOMMENDED',
  all: 'ALL',
  none: 'NONE',
};

export const RESUME_COMMAND = 'aws macie2 update-macie-session --status ENABLED';
export const PAUSE_UNDO_WARNING =
  'undo pauses Macie, never disables it: settings and findings are kept, no charges while paused, and every job in the region is cancelled';
export const CANCEL_UNDO_WARNING =
  'undo cancels the job for good (a cancelled job never runs again); what it already scanned stays charged';
export const FIXED_SETTINGS_WARNING =
  "a job's settings cannot change once it exists: to change them, cancel it and create another";

const DAY_LABEL = (day: DayOfWeek) => day.charAt(0) + day.slice(1).toLowerCase();

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** 5368709120 → "5.0 GB" (powers of 1024, as the AWS console shows sizes). */
export function formatBytes(bytes: number): string {
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  if (bytes < 1024) return plural(bytes, 'byte');
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function session(posture: Posture): MacieSessionValue | null | undefined {
  return posture.values[SESSION];
}

function existingJob(posture: Posture): MacieJobValue | null | undefined {
  return posture.values[JOB];
}

/** Whether Macie was read (enabled or not) and the bucket's jobs listed: the step can plan. */
function readable(posture: Posture): boolean {
  return (
    session(posture) !== undefined &&
    existingJob(posture) !== undefined &&
    !posture.unreadable[SESSION] &&
    !posture.unreadable[JOB]
  );
}

/** Answers that change nothing; the job's fields hold their defaults should it be turned on. */
export function keepAnswers(posture: Posture): MacieAnswers {
  return {
    enable: false,
    job: false,
    schedule: 'ONE_TIME',
    dayOfWeek: 'MONDAY',
    dayOfMonth: '1',
    sampling: '100',
    identifiers: 'recommended',
    customIdentifiers: '',
    name: defaultJobName(posture.bucket, posture.observedAt),
    description: defaultJobDescription(posture.bucket),
  };
}

/**
 * strict and worm: Macie enabled if needed, and a one-time job with the
 * recommended identifiers over every object, when Macie is available here,
 * not paused, and the bucket has no s3-harden job yet. baseline and custom:
 * nothing (Macie is billed per bucket and per GB: the operator opts in).
 */
function defaults(posture: Posture, preset: Preset): MacieAnswers {
  const keep = keepAnswers(posture);
  if (preset !== 'strict' && preset !== 'worm') return keep;
  if (!readable(posture)) return keep;
  const live = session(posture);
  if (live?.status === 'PAUSED' || isActiveJob(existingJob(posture))) return keep;
  return { ...keep, enable: live === null, job: true };
}

const wholeNumber = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN);

function validate(answers: MacieAnswers): string[] {
  const problems: string[] = [];
  if (typeof answers.enable !== 'boolean') problems.push('Enable Macie must be on or off');
  if (typeof answers.job !== 'boolean') problems.push('Create a job must be on or off');
  // The job's fields count only when a job is asked for.
  if (answers.job !== true) return problems;
  if (!SCHEDULES.includes(answers.schedule)) {
    problems.push('Runs must be once, daily, weekly or monthly');
  }
  if (answers.schedule === 'WEEKLY' && !DAYS_OF_WEEK.includes(answers.dayOfWeek)) {
    problems.push('Day of the week must be Monday to Sunday');
  }
  if (answers.schedule === 'MONTHLY') {
    const day = wholeNumber(String(answers.dayOfMonth ?? ''));
    if (!(day >= 1 && day <= 31)) {
      problems.push('Day of the month must be a whole number from 1 to 31');
    }
  }
  const sampling = wholeNumber(String(answers.sampling ?? ''));
  if (!(sampling >= 1 && sampling <= 100)) {
    problems.push(
      'Sampling must be a whole number from 1 to 100 (percent of the objects analysed)',
    );
  }
  if (!IDENTIFIER_CHOICES.includes(answers.identifiers)) {
    problems.push('Managed data identifiers must be recommended, all or none');
  }
  const custom = splitList(String(answers.customIdentifiers ?? ''));
  const bad = custom.map(customIdentifierProblem).find((problem) => problem !== null);
  if (bad) problems.push(bad);
  if (custom.length > MAX_CUSTOM_IDENTIFIERS) {
    problems.push(`A job takes at most ${MAX_CUSTOM_IDENTIFIERS} custom data identifiers`);
  }
  if (answers.identifiers === 'none' && custom.length === 0) {
    problems.push(
      'With no managed data identifiers, enter at least one custom data identifier ID: Macie needs something to look for',
    );
  }
  const nameProblem = jobNameProblem(String(answers.name ?? ''));
  if (nameProblem) problems.push(nameProblem);
  const description = String(answers.description ?? '');
  if (description.length > MAX_JOB_DESCRIPTION) {
    problems.push(`The description is at most ${MAX_JOB_DESCRIPTION} characters`);
  }
  if (/\p{Cc}/u.test(description)) {
    problems.push('The description must not contain control characters');
  }
  return problems;
}

function scheduleOf(answers: MacieAnswers): MacieSchedule | undefined {
  switch (answers.schedule) {
    case 'DAILY':
      return { frequency: 'DAILY' };
    case 'WEEKLY':
      return { frequency: 'WEEKLY', dayOfWeek: answers.dayOfWeek };
    case 'MONTHLY':
      return { frequency: 'MONTHLY', dayOfMonth: wholeNumber(answers.dayOfMonth) };
    default:
      return undefined;
  }
}

/** The job's settings from (valid) answers. */
export function jobSettings(answers: MacieAnswers): MacieJobSettings {
  const schedule = scheduleOf(answers);
  const custom = splitList(answers.customIdentifiers);
  return {
    name: answers.name,
    description: answers.description,
    jobType: schedule ? 'SCHEDULED' : 'ONE_TIME',
    ...(schedule ? { schedule } : {}),
    samplingPercentage: wholeNumber(answers.sampling),
    managedDataIdentifierSelector: SELECTOR[answers.identifiers],
    ...(custom.length > 0 ? { customDataIdentifierIds: custom } : {}),
  };
}

/** "1,234 objects, 5.6 GB (Macie's statistics of 2026-11-26; 4.0 GB it can analyse)". */
export function describeStats(stats: ObjectStatsValue | null): string {
  if (stats === null) return 'no objects yet (the bucket is new)';
  const size = formatBytes(stats.sizeBytes);
  if (stats.source === 'listing') {
    return stats.truncated
      ? `at least ${plural(stats.objectCount, 'object')}, ${size} (an estimate: the listing stopped there)`
      : `${plural(stats.objectCount, 'object')}, ${size} (counted from a listing)`;
  }
  const classifiable =
    stats.classifiableSizeBytes !== undefined
      ? `; ${formatBytes(stats.classifiableSizeBytes)} of it Macie can analyse`
      : '';
  const asOf = stats.asOf ? ` of ${stats.asOf.slice(0, 10)}` : '';
  return `${plural(stats.objectCount, 'object')}, ${size} (Macie's statistics${asOf}${classifiable})`;
}

/** What a job with these settings scans, and what Macie charges for: one line. */
export function scanNote(
  posture: Posture,
  settings: Pick<MacieJobSettings, 'jobType' | 'samplingPercentage'>,
): string {
  const stats = posture.values['bucket.objectStats'];
  const unreadable = posture.unreadable['bucket.objectStats'];
  const what =
    stats === undefined
      ? `an unknown number of objects (${unreadable ?? 'not read'})`
      : describeStats(stats);
  let analysed = '';
  if (stats && settings.samplingPercentage < 100) {
    const base = stats.classifiableSizeBytes ?? stats.sizeBytes;
    analysed = `; sampling ${settings.samplingPercentage}% analyses about ${formatBytes(Math.round((base * settings.samplingPercentage) / 100))}`;
  }
  const runs =
    settings.jobType === 'SCHEDULED'
      ? '; its first run scans every existing object, later runs what is new or changed'
      : '';
  return `Scans ${what}${analysed}${runs}. Macie charges per GB analysed.`;
}

function enableChange(posture: Posture): Change {
  const after: MacieSessionValue = { status: 'ENABLED' };
  return {
    id: SESSION,
    step: STEP,
    title: 'Macie (account and region)',
    resource: SESSION,
    action: 'create',
    call: writeCall(SESSION, posture, after),
    before: null,
    after,
    // write(null) pauses Macie: never DisableMacie, which deletes its data.
    undo: writeCall(SESSION, posture, null),
    dependsOn: [],
    warnings: [
      `account-wide: Macie monitors every S3 bucket in account ${posture.accountId} (${posture.region}), billed per bucket each month`,
      'the first time, Macie creates its service-linked role (needs iam:CreateServiceLinkedRole)',
      PAUSE_UNDO_WARNING,
    ],
  };
}

function jobChange(
  posture: Posture,
  answers: MacieAnswers,
  before: MacieJobValue | null,
  enabling: boolean,
): Change {
  const settings = jobSettings(answers);
  const after: MacieJobValue = {
    ...settings,
    clientToken: macieClientToken(posture, settings, posture.observedAt),
  };
  const warnings = [scanNote(posture, settings), FIXED_SETTINGS_WARNING, CANCEL_UNDO_WARNING];
  if (before)
    warnings.push(
      `the earlier s3-harden job ${JSON.stringify(before.name)} was cancelled and stays so`,
    );
  if (enabling) {
    warnings.push('undo cancels the job before it pauses Macie; pausing would cancel it anyway');
  }
  return {
    id: JOB,
    step: STEP,
    title: 'Macie classification job',
    resource: JOB,
    action: 'create',
    call: writeCall(JOB, posture, after),
    before,
    after,
    undo: writeCall(JOB, posture, before),
    dependsOn: [
      ...(enabling ? [SESSION] : []),
      // A bucket this plan creates exists first.
      ...(posture.values['bucket.exists'] === null ? ['bucket.exists'] : []),
    ],
    warnings,
  };
}

function plan(posture: Posture, answers: MacieAnswers): Change[] {
  const live = session(posture);
  const job = existingJob(posture);
  if (live === undefined || job === undefined) return [];
  const changes: Change[] = [];
  const enabling = live === null && answers.enable;
  if (enabling) changes.push(enableChange(posture));
  // A job already there is kept: its settings cannot change.
  if (answers.job && !isActiveJob(job)) {
    if (live?.status === 'PAUSED') {
      throw new MacieStepError(
        `Macie is paused in this account and region, so a job cannot run: resume it first (${RESUME_COMMAND}), or turn the job off`,
      );
    }
    if (live === null && !enabling) {
      throw new MacieStepError(
        'A classification job needs Macie: turn on "Enable Macie", or turn the job off',
      );
    }
    changes.push(jobChange(posture, answers, job, enabling));
  }
  return changes;
}

function describeSchedule(job: MacieJobValue): string {
  const schedule = job.schedule;
  if (job.jobType === 'ONE_TIME' || !schedule) return 'one-time';
  if (schedule.frequency === 'DAILY') return 'daily';
  if (schedule.frequency === 'WEEKLY') return `weekly on ${DAY_LABEL(schedule.dayOfWeek)}`;
  return `monthly on day ${schedule.dayOfMonth}`;
}

/** "s3-harden b 2026-11-27 (RUNNING; one-time, sampling 100%, recommended identifiers)" */
export function describeJob(job: MacieJobValue): string {
  // Quoted as JSON: a name read from AWS cannot drive the terminal.
  return `${JSON.stringify(job.name)} (${job.status ?? 'created'}; ${describeSchedule(job)}, sampling ${job.samplingPercentage}%, ${job.managedDataIdentifierSelector.toLowerCase()} identifiers)`;
}

const SCHEDULE_OPTIONS: readonly ChoiceOption[] = [
  { value: 'ONE_TIME', label: 'once', help: 'One run over the objects there now.' },
  {
    value: 'DAILY',
    label: 'daily',
    help: 'Every day: new and changed objects since the last run.',
  },
  { value: 'WEEKLY', label: 'weekly', help: 'Once a week, on the day chosen below.' },
  {
    value: 'MONTHLY',
    label: 'monthly',
    help: 'Once a month, on the day of the month typed below.',
  },
];

const IDENTIFIER_OPTIONS: readonly ChoiceOption[] = [
  {
    value: 'recommended',
    label: 'recommended',
    help: "Macie's recommended set: credentials, financial and personal data most often sought.",
  },
  { value: 'all', label: 'all', help: 'Every managed data identifier Macie has (more findings).' },
  {
    value: 'none',
    label: 'none',
    help: 'Only the custom data identifiers listed below.',
  },
];

function fields(posture: Posture, answers: MacieAnswers): Field[] {
  const live = session(posture);
  const job = existingJob(posture);
  const result: Field[] = [];
  if (live === null) {
    result.push({
      kind: 'toggle',
      key: 'enable',
      label: 'Enable Macie',
      help: `Account-wide in ${posture.region}; billed per monitored bucket. Undo pauses it.`,
      now: 'not enabled',
    });
  } else if (live?.status === 'PAUSED') {
    result.push({
      kind: 'note',
      tone: 'warning',
      text: `Macie is paused in ${posture.region}: no job can run until it is resumed (${RESUME_COMMAND}); s3-harden leaves that to you.`,
    });
  } else if (live?.status === 'ENABLED') {
    result.push({ kind: 'note', tone: 'info', text: `Macie is enabled in ${posture.region}.` });
  }
  if (isActiveJob(job)) {
    result.push({
      kind: 'note',
      tone: 'info',
      text: `Kept: s3-harden job ${describeJob(job)} already scans ${posture.bucket}; a job's settings cannot change after it is created.`,
    });
    return result;
  }
  if (live?.status === 'PAUSED') return result;
  result.push({
    kind: 'toggle',
    key: 'job',
    label: 'Create a classification job',
    help: `Scans ${posture.bucket} for sensitive data; undo cancels it (permanent).`,
    now: job ? 'cancelled' : 'none',
  });
  if (!answers.job) return result;
  // What the job will scan, and what it costs, before anything else about it.
  const sampling = wholeNumber(answers.sampling);
  result.push({
    kind: 'note',
    tone: 'warning',
    text: scanNote(posture, {
      jobType: answers.schedule === 'ONE_TIME' ? 'ONE_TIME' : 'SCHEDULED',
      samplingPercentage: sampling >= 1 && sampling <= 100 ? sampling : 100,
    }),
  });
  result.push({
    kind: 'choice',
    key: 'schedule',
    label: 'Runs',
    help: 'When the job runs.',
    options: SCHEDULE_OPTIONS,
  });
  if (answers.schedule === 'WEEKLY') {
    result.push({
      kind: 'choice',
      key: 'dayOfWeek',
      label: 'Day of the week',
      help: 'The day each weekly run starts.',
      options: DAYS_OF_WEEK.map((day) => ({ value: day, label: DAY_LABEL(day) })),
    });
  }
  if (answers.schedule === 'MONTHLY') {
    result.push({
      kind: 'text',
      key: 'dayOfMonth',
      label: 'Day of the month',
      help: '1 to 31; in shorter months a day past the end runs on the last day.',
      placeholder: '1',
    });
  }
  result.push(
    {
      kind: 'text',
      key: 'sampling',
      label: 'Sampling (%)',
      help: 'Percent of the eligible objects analysed, picked at random: 1 to 100.',
      placeholder: '100',
    },
    {
      kind: 'choice',
      key: 'identifiers',
      label: 'Managed data identifiers',
      help: 'The kinds of sensitive data Macie looks for.',
      options: IDENTIFIER_OPTIONS,
    },
    {
      kind: 'text',
      key: 'customIdentifiers',
      label: 'Custom data identifiers',
      help: 'IDs of your own identifiers, comma-separated; needed with "none".',
      placeholder: 'none',
    },
    {
      kind: 'text',
      key: 'name',
      label: 'Job name',
      help: `Starts with "s3-harden": how a later run finds the job.`,
      placeholder: defaultJobName(posture.bucket, posture.observedAt),
    },
    {
      kind: 'text',
      key: 'description',
      label: 'Description',
      help: `Up to ${MAX_JOB_DESCRIPTION} characters.`,
      placeholder: defaultJobDescription(posture.bucket),
    },
  );
  result.push({
    kind: 'note',
    tone: 'info',
    text: 'Undo cancels the job for good; what it has already scanned stays charged.',
  });
  return result;
}

export const macieStep: Step<MacieAnswers> = {
  id: 'macie',
  title: 'Sensitive-data discovery (Macie)',
  summary: 'Amazon Macie scans the objects for credentials, financial and personal data.',
  scope: 'bucket',
  // The guide's "Macie for Data Discovery" section, and the catalogue's
  // Macie control (Macie enabled, CIS: data discovered and classified).
  controls: ['S3 Security guide: Macie for data discovery', ...controlLabels('macie')],
  // Required to plan: whether Macie is enabled and which job the bucket has.
  // Also optional, so an endpoint without Macie (or a denial) skips this step
  // with the reason instead of failing the whole reading.
  reads: [SESSION, JOB],
  optionalReads: [SESSION, JOB, 'bucket.objectStats'],
  defaults,
  validate,
  plan,
  fields,
  keep: keepAnswers,
};
