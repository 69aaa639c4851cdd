/**
 * The Macie step and its resources, pure: the values and the one call that
 * writes each, the client token, the planner (defaults per preset, the job
 * kept once it exists, Macie paused on undo), every validation message, the
 * fields, plan-file acceptance, the error shapes, the readers (with a fake
 * send) and the deferred Macie client at the SDK boundary.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateClassificationJobCommand,
  GetMacieSessionCommand,
  Macie2Client,
} from '@aws-sdk/client-macie2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createClients, destroyClients } from '../../src/aws/clients.js';
import { send } from '../../src/aws/commands.js';
import { AwsError, normaliseError } from '../../src/aws/errors.js';
import type { ReadSend } from '../../src/aws/families/family.js';
import { READERS } from '../../src/aws/families/index.js';
import { MAX_LIST_PAGES } from '../../src/aws/families/macie.js';
import { parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import { findOperation, iamActionFor } from '../../src/plan/model/operations.js';
import type { ApiCall, Posture, PostureValues } from '../../src/plan/model/types.js';
import { cliCommand } from '../../src/plan/render/cli-equivalent.js';
import { resourceSchema, satisfies, writeCall } from '../../src/plan/resources/index.js';
import {
  CREATED_JOB_ID,
  type MacieJobValue,
  macieClientToken,
  normaliseMacieBucketStats,
  normaliseMacieJob,
  type ObjectStatsValue,
} from '../../src/plan/resources/macie.js';
import { UnwritableValueError } from '../../src/plan/resources/unwritable.js';
import type { Field } from '../../src/steps/form.js';
import { buildPlan, STEP_ORDER, unavailableReason } from '../../src/steps/index.js';
import {
  CANCEL_UNDO_WARNING,
  describeStats,
  FIXED_SETTINGS_WARNING,
  formatBytes,
  jobSettings,
  keepAnswers,
  type MacieAnswers,
  MacieStepError,
  PAUSE_UNDO_WARNING,
  RESUME_COMMAND,
  macieStep as step,
} from '../../src/steps/macie.js';
import {
  ACCOUNT_ID,
  BUCKET,
  CREATED_AT,
  isOneLine,
  posture as postureOf,
  REGION,
  TARGET,
} from './support.js';

const NAME = `s3-harden ${BUCKET} 2025-01-02`;
const DESCRIPTION = `Sensitive-data discovery for s3://${BUCKET}, created by s3-harden.`;
const GB = 1024 ** 3;

const STATS: ObjectStatsValue = {
  source: 'macie',
  objectCount: 1234,
  sizeBytes: 5 * GB,
  classifiableObjectCount: 1000,
  classifiableSizeBytes: 4 * GB,
  truncated: false,
  asOf: '2025-01-01T06:00:00.000Z',
};

const JOB: MacieJobValue = {
  name: NAME,
  description: DESCRIPTION,
  jobType: 'ONE_TIME',
  samplingPercentage: 100,
  managedDataIdentifierSelector: 'RECOMMENDED',
  clientToken: 's3-harden-0123456789abcdef0123456789abcdef',
};

function at(values: Partial<PostureValues> = {}, unreadable: Posture['unreadable'] = {}): Posture {
  return postureOf(
    {
      'account.macie': null,
      'bucket.macieJob': null,
      'bucket.objectStats': STATS,
      ...values,
    },
    unreadable,
  );
}

const KEEP = keepAnswers(at());
const JOB_ON: MacieAnswers = { ...KEEP, enable: true, job: true };

const notes = (fields: Field[]) =>
  fields.flatMap((field) => (field.kind === 'note' ? [`${field.tone}: ${field.text}`] : []));
const keys = (fields: Field[]) =>
  fields.flatMap((field) => (field.kind === 'note' ? [] : [field.key]));

describe('account.macie', () => {
  it('writes ENABLED with EnableMacie, and PAUSED and "not enabled" with UpdateMacieSession PAUSED', () => {
    expect(writeCall('account.macie', TARGET, { status: 'ENABLED' })).toEqual({
      service: 'macie2',
      operation: 'EnableMacie',
      input: { status: 'ENABLED' },
    });
    const pause = {
      service: 'macie2',
      operation: 'UpdateMacieSession',
      input: { status: 'PAUSED' },
    };
    expect(writeCall('account.macie', TARGET, { status: 'PAUSED' })).toEqual(pause);
    // Never DisableMacie: that deletes every finding, job and setting.
    expect(writeCall('account.macie', TARGET, null)).toEqual(pause);
    expect(findOperation('macie2', 'DisableMacie')).toBeUndefined();
  });

  it('accepts PAUSED where "not enabled" is expected (the undo of enabling), and nothing else', () => {
    expect(satisfies('account.macie', null, { status: 'PAUSED' })).toBe(true);
    expect(satisfies('account.macie', null, null)).toBe(true);
    expect(satisfies('account.macie', null, { status: 'ENABLED' })).toBe(false);
    expect(satisfies('account.macie', { status: 'ENABLED' }, { status: 'ENABLED' })).toBe(true);
    expect(satisfies('account.macie', { status: 'ENABLED' }, { status: 'PAUSED' })).toBe(false);
    expect(satisfies('account.macie', { status: 'ENABLED' }, null)).toBe(false);
  });
});

describe('bucket.macieJob', () => {
  it('writes a job with CreateClassificationJob for exactly this bucket', () => {
    expect(writeCall('bucket.macieJob', TARGET, JOB)).toEqual({
      service: 'macie2',
      operation: 'CreateClassificationJob',
      input: {
        clientToken: JOB.clientToken,
        name: NAME,
        description: DESCRIPTION,
        jobType: 'ONE_TIME',
        samplingPercentage: 100,
        managedDataIdentifierSelector: 'RECOMMENDED',
        s3JobDefinition: { bucketDefinitions: [{ accountId: ACCOUNT_ID, buckets: [BUCKET] }] },
      },
    });
  });

  it.each([
    [{ frequency: 'DAILY' } as const, { dailySchedule: {} }],
    [
      { frequency: 'WEEKLY', dayOfWeek: 'WEDNESDAY' } as const,
      { weeklySchedule: { dayOfWeek: 'WEDNESDAY' } },
    ],
    [{ frequency: 'MONTHLY', dayOfMonth: 31 } as const, { monthlySchedule: { dayOfMonth: 31 } }],
  ])('a scheduled job (%j) runs first over every existing object', (schedule, frequency) => {
    const call = writeCall('bucket.macieJob', TARGET, {
      ...JOB,
      jobType: 'SCHEDULED',
      schedule,
      samplingPercentage: 25,
      managedDataIdentifierSelector: 'NONE',
      customDataIdentifierIds: ['id-1', 'id-2'],
    });
    expect(call.input).toMatchObject({
      jobType: 'SCHEDULED',
      scheduleFrequency: frequency,
      initialRun: true,
      samplingPercentage: 25,
      managedDataIdentifierSelector: 'NONE',
      customDataIdentifierIds: ['id-1', 'id-2'],
    });
  });

  it('writes "no job" and a cancelled job as the cancel of the job this plan created', () => {
    const cancel = {
      service: 'macie2',
      operation: 'UpdateClassificationJob',
      input: { jobId: CREATED_JOB_ID, jobStatus: 'CANCELLED' },
    };
    expect(CREATED_JOB_ID).toEqual({ fromOutput: { change: 'bucket.macieJob', path: 'jobId' } });
    expect(writeCall('bucket.macieJob', TARGET, null)).toEqual(cancel);
    expect(writeCall('bucket.macieJob', TARGET, { ...JOB, status: 'CANCELLED' })).toEqual(cancel);
  });

  it('is satisfied by its own job in any running state, and "none" by none or a cancelled one', () => {
    for (const status of ['RUNNING', 'IDLE', 'COMPLETE', 'PAUSED', 'USER_PAUSED'] as const) {
      expect(satisfies('bucket.macieJob', JOB, { ...JOB, status })).toBe(true);
    }
    expect(satisfies('bucket.macieJob', JOB, { ...JOB, clientToken: 'another' })).toBe(false);
    expect(satisfies('bucket.macieJob', JOB, { ...JOB, status: 'CANCELLED' })).toBe(false);
    expect(satisfies('bucket.macieJob', JOB, null)).toBe(false);
    expect(satisfies('bucket.macieJob', null, { ...JOB, status: 'CANCELLED' })).toBe(true);
    expect(satisfies('bucket.macieJob', null, null)).toBe(true);
    expect(satisfies('bucket.macieJob', null, { ...JOB, status: 'RUNNING' })).toBe(false);
  });

  it('normalises DescribeClassificationJob, filling what Macie leaves out', () => {
    expect(
      normaliseMacieJob({
        jobId: 'j',
        name: 's3-harden x',
        jobType: 'SCHEDULED',
        scheduleFrequency: { monthlySchedule: { dayOfMonth: 15 } },
        jobStatus: 'IDLE',
        managedDataIdentifierSelector: 'INCLUDE',
        customDataIdentifierIds: ['c1', 7],
        clientToken: 'tok',
        createdAt: new Date(),
      }),
    ).toEqual({
      name: 's3-harden x',
      description: '',
      jobType: 'SCHEDULED',
      schedule: { frequency: 'MONTHLY', dayOfMonth: 15 },
      samplingPercentage: 100,
      managedDataIdentifierSelector: 'INCLUDE',
      customDataIdentifierIds: ['c1'],
      clientToken: 'tok',
      status: 'IDLE',
    });
    const odd = normaliseMacieJob({ jobType: 'ONE_TIME', managedDataIdentifierSelector: 'LATER' });
    expect(odd.managedDataIdentifierSelector).toBe('RECOMMENDED');
    expect(odd.status).toBeUndefined();
    expect(resourceSchema('bucket.macieJob').safeParse(odd).success).toBe(true);
  });
});

describe('bucket.objectStats', () => {
  it('is read-only', () => {
    expect(() => writeCall('bucket.objectStats', TARGET, STATS)).toThrow(UnwritableValueError);
    expect(() => writeCall('bucket.objectStats', TARGET, STATS)).toThrow(
      'Objects in the bucket is read-only: a plan never changes it',
    );
  });

  it("normalises Macie's bucket statistics", () => {
    expect(
      normaliseMacieBucketStats({
        bucketName: BUCKET,
        objectCount: 1234,
        sizeInBytes: 5 * GB,
        classifiableObjectCount: 1000,
        classifiableSizeInBytes: 4 * GB,
        lastUpdated: new Date('2025-01-01T06:00:00Z'),
      }),
    ).toEqual(STATS);
    expect(normaliseMacieBucketStats({})).toEqual({
      source: 'macie',
      objectCount: 0,
      sizeBytes: 0,
      classifiableObjectCount: 0,
      classifiableSizeBytes: 0,
      truncated: false,
    });
  });

  it('says what a job would scan, and when the count is an estimate', () => {
    expect(describeStats(STATS)).toBe(
      "1,234 objects, 5.0 GB (Macie's statistics of 2025-01-01; 4.0 GB of it Macie can analyse)",
    );
    expect(
      describeStats({ source: 'listing', objectCount: 1, sizeBytes: 10, truncated: false }),
    ).toBe('1 object, 10 bytes (counted from a listing)');
    expect(
      describeStats({
        source: 'listing',
        objectCount: 5000,
        sizeBytes: 3 * 1024 ** 2,
        truncated: true,
      }),
    ).toBe('at least 5,000 objects, 3.0 MB (an estimate: the listing stopped there)');
    expect(describeStats(null)).toBe('no objects yet (the bucket is new)');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(2 * 1024 ** 4)).toBe('2.0 TB');
  });
});

describe('the operation catalogue', () => {
  it.each([
    ['GetMacieSession', 'macie2:GetMacieSession', 'read'],
    ['EnableMacie', 'macie2:EnableMacie', 'write'],
    ['UpdateMacieSession', 'macie2:UpdateMacieSession', 'write'],
    ['CreateClassificationJob', 'macie2:CreateClassificationJob', 'write'],
    ['UpdateClassificationJob', 'macie2:UpdateClassificationJob', 'write'],
    ['ListClassificationJobs', 'macie2:ListClassificationJobs', 'read'],
    ['DescribeClassificationJob', 'macie2:DescribeClassificationJob', 'read'],
    ['DescribeBuckets', 'macie2:DescribeBuckets', 'read'],
  ])('macie2:%s needs %s (%s)', (operation, action, kind) => {
    expect(iamActionFor({ service: 'macie2', operation })).toBe(action);
    expect(findOperation('macie2', operation)?.kind).toBe(kind);
  });

  it('counts objects with s3:ListBucket (ListObjectsV2)', () => {
    expect(iamActionFor({ service: 's3', operation: 'ListObjectsV2' })).toBe('s3:ListBucket');
    expect(findOperation('s3', 'ListObjectsV2')?.kind).toBe('read');
  });

  it('prints the AWS CLI equivalent', () => {
    expect(cliCommand(writeCall('account.macie', TARGET, null))).toBe(
      'aws macie2 update-macie-session --status PAUSED',
    );
  });
});

describe('the client token', () => {
  const settings = jobSettings(JOB_ON);

  it('is the same for the same plan, so a retried create never makes a second job', () => {
    const token = macieClientToken(TARGET, settings, CREATED_AT);
    expect(token).toMatch(/^s3-harden-[0-9a-f]{32}$/);
    expect(macieClientToken({ ...TARGET }, jobSettings({ ...JOB_ON }), CREATED_AT)).toBe(token);
    const first = step.plan(at(), JOB_ON);
    const again = step.plan(at(), JOB_ON);
    expect(first[1]?.call.input.clientToken).toBe(token);
    expect(again[1]?.call.input.clientToken).toBe(token);
  });

  it('differs with the bucket, every job setting, and the time the plan was made', () => {
    const token = macieClientToken(TARGET, settings, CREATED_AT);
    const others = [
      macieClientToken({ ...TARGET, bucket: 'other-bucket' }, settings, CREATED_AT),
      macieClientToken({ ...TARGET, accountId: '210987654321' }, settings, CREATED_AT),
      macieClientToken(TARGET, settings, '2025-01-02T03:04:06.000Z'),
      macieClientToken(TARGET, { ...settings, name: `${NAME}!` }, CREATED_AT),
      macieClientToken(TARGET, { ...settings, description: 'x' }, CREATED_AT),
      macieClientToken(TARGET, { ...settings, samplingPercentage: 99 }, CREATED_AT),
      macieClientToken(TARGET, { ...settings, managedDataIdentifierSelector: 'ALL' }, CREATED_AT),
      macieClientToken(
        TARGET,
        { ...settings, jobType: 'SCHEDULED', schedule: { frequency: 'DAILY' } },
        CREATED_AT,
      ),
      macieClientToken(
        TARGET,
        {
          ...settings,
          jobType: 'SCHEDULED',
          schedule: { frequency: 'WEEKLY', dayOfWeek: 'MONDAY' },
        },
        CREATED_AT,
      ),
      macieClientToken(
        TARGET,
        { ...settings, jobType: 'SCHEDULED', schedule: { frequency: 'MONTHLY', dayOfMonth: 1 } },
        CREATED_AT,
      ),
      macieClientToken(TARGET, { ...settings, customDataIdentifierIds: ['c1'] }, CREATED_AT),
    ];
    expect(new Set([token, ...others]).size).toBe(others.length + 1);
  });
});

describe('the Macie step: registration and defaults', () => {
  it('comes right before the CloudTrail step, the last before the account Block Public Access step', () => {
    expect(STEP_ORDER.indexOf('macie')).toBe(STEP_ORDER.indexOf('cloudtrail') - 1);
    expect(STEP_ORDER.indexOf('cloudtrail')).toBe(
      STEP_ORDER.indexOf('account-public-access-block') - 1,
    );
    expect(STEP_ORDER.indexOf('macie')).toBeGreaterThan(STEP_ORDER.indexOf('access-point'));
  });

  it('shows the guide section it follows and the same Macie control IDs as the audit', () => {
    expect(step.controls).toEqual([
      'S3 Security guide: Macie for data discovery',
      'FSBP Macie.1',
      'CIS 3.1.3',
    ]);
  });

  it('strict and worm: enable Macie if needed and a one-time job, recommended, sampling 100', () => {
    for (const preset of ['strict', 'worm'] as const) {
      expect(step.defaults(at(), preset)).toEqual({
        enable: true,
        job: true,
        schedule: 'ONE_TIME',
        dayOfWeek: 'MONDAY',
        dayOfMonth: '1',
        sampling: '100',
        identifiers: 'recommended',
        customIdentifiers: '',
        name: NAME,
        description: DESCRIPTION,
      });
      expect(step.defaults(at({ 'account.macie': { status: 'ENABLED' } }), preset)).toMatchObject({
        enable: false,
        job: true,
      });
    }
  });

  it('baseline and custom keep: no Macie, no job', () => {
    for (const preset of ['baseline', 'custom'] as const) {
      expect(step.defaults(at(), preset)).toEqual(KEEP);
      expect(step.plan(at(), step.defaults(at(), preset))).toEqual([]);
    }
    expect(KEEP).toMatchObject({ enable: false, job: false });
  });

  it('strict keeps when Macie is not available here, is paused, or a job already scans the bucket', () => {
    const unavailable = 'Macie is not available at this endpoint (http://127.0.0.1:9)';
    for (const posture of [
      postureOf({ 'bucket.objectStats': STATS }, { 'account.macie': unavailable }),
      at({ 'account.macie': undefined }, { 'account.macie': unavailable }),
      at({}, { 'bucket.macieJob': 'Access denied: macie2:ListClassificationJobs.' }),
      at({ 'account.macie': { status: 'PAUSED' } }),
      at({
        'account.macie': { status: 'ENABLED' },
        'bucket.macieJob': { ...JOB, status: 'COMPLETE' },
      }),
    ]) {
      expect(step.defaults(posture, 'strict')).toEqual(keepAnswers(posture));
    }
  });

  it('strict creates a new job when the earlier s3-harden job was cancelled', () => {
    const posture = at({
      'account.macie': { status: 'ENABLED' },
      'bucket.macieJob': { ...JOB, status: 'CANCELLED' },
    });
    expect(step.defaults(posture, 'strict')).toMatchObject({ enable: false, job: true });
  });
});

describe('the Macie step: validation', () => {
  const problems = (overrides: Partial<Record<keyof MacieAnswers, unknown>>) =>
    step.validate({ ...JOB_ON, ...overrides } as MacieAnswers);

  it('accepts the defaults and every schedule', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ schedule: 'DAILY' })).toEqual([]);
    expect(problems({ schedule: 'WEEKLY', dayOfWeek: 'SUNDAY' })).toEqual([]);
    expect(problems({ schedule: 'MONTHLY', dayOfMonth: ' 31 ' })).toEqual([]);
    expect(problems({ sampling: '1', identifiers: 'all' })).toEqual([]);
    expect(problems({ identifiers: 'none', customIdentifiers: 'abc-1, def-2' })).toEqual([]);
    expect(problems({ description: '' })).toEqual([]);
    // An empty description is left out of the call.
    const [, job] = step.plan(at(), { ...JOB_ON, description: '' });
    expect(job?.call.input).not.toHaveProperty('description');
    expect(
      parsePlan(
        serializePlan(
          buildPlan(at(), 'strict', ['macie'], { macie: { ...JOB_ON, description: '' } }),
          'test',
        ),
      ).changes,
    ).toHaveLength(2);
  });

  it.each<[string, Partial<Record<keyof MacieAnswers, unknown>>, string]>([
    ['enable', { enable: 'yes' }, 'Enable Macie must be on or off'],
    ['job', { job: 1 }, 'Create a job must be on or off'],
    ['schedule', { schedule: 'HOURLY' }, 'Runs must be once, daily, weekly or monthly'],
    [
      'dayOfWeek',
      { schedule: 'WEEKLY', dayOfWeek: 'FUNDAY' },
      'Day of the week must be Monday to Sunday',
    ],
    [
      'dayOfMonth (0)',
      { schedule: 'MONTHLY', dayOfMonth: '0' },
      'Day of the month must be a whole number from 1 to 31',
    ],
    [
      'dayOfMonth (32)',
      { schedule: 'MONTHLY', dayOfMonth: '32' },
      'Day of the month must be a whole number from 1 to 31',
    ],
    [
      'dayOfMonth (text)',
      { schedule: 'MONTHLY', dayOfMonth: 'first' },
      'Day of the month must be a whole number from 1 to 31',
    ],
    [
      'sampling (0)',
      { sampling: '0' },
      'Sampling must be a whole number from 1 to 100 (percent of the objects analysed)',
    ],
    [
      'sampling (101)',
      { sampling: '101' },
      'Sampling must be a whole number from 1 to 100 (percent of the objects analysed)',
    ],
    [
      'sampling (fraction)',
      { sampling: '12.5' },
      'Sampling must be a whole number from 1 to 100 (percent of the objects analysed)',
    ],
    [
      'identifiers',
      { identifiers: 'some' },
      'Managed data identifiers must be recommended, all or none',
    ],
    [
      'customIdentifiers (malformed)',
      { customIdentifiers: 'ok-1 bad_id' },
      '"bad_id" is not a custom data identifier ID (letters, digits and -)',
    ],
    [
      'customIdentifiers (too many)',
      { customIdentifiers: Array.from({ length: 31 }, (_, index) => `id-${index}`).join(',') },
      'A job takes at most 30 custom data identifiers',
    ],
    [
      'customIdentifiers (none with none)',
      { identifiers: 'none' },
      'With no managed data identifiers, enter at least one custom data identifier ID: Macie needs something to look for',
    ],
    ['name (empty)', { name: '  ' }, 'Enter a job name, e.g. s3-harden my-bucket 2026-11-27'],
    [
      'name (prefix)',
      { name: 'scan my-bucket' },
      'The job name must start with "s3-harden": that is how s3-harden finds the job again',
    ],
    [
      'name (long)',
      { name: `s3-harden ${'x'.repeat(500)}` },
      'The job name is at most 500 characters',
    ],
    [
      'name (control)',
      { name: 's3-harden \u001b[31mred' },
      'The job name must not contain control characters',
    ],
    [
      'description (long)',
      { description: 'x'.repeat(201) },
      'The description is at most 200 characters',
    ],
    [
      'description (control)',
      { description: 'a\nb' },
      'The description must not contain control characters',
    ],
  ])('%s: one clear line', (_field, overrides, message) => {
    const found = problems(overrides);
    expect(found).toEqual([message]);
    expect(isOneLine(message)).toBe(true);
  });

  it("ignores the job's fields while no job is asked for", () => {
    expect(step.validate({ ...KEEP, sampling: '0', name: '' })).toEqual([]);
  });
});

describe('the Macie step: plan', () => {
  it('enables Macie, then creates the job; undo cancels the job and pauses Macie, saying so', () => {
    const [enable, job, ...rest] = step.plan(at(), JOB_ON);
    expect(rest).toEqual([]);
    expect(enable).toMatchObject({
      id: 'account.macie',
      step: 'macie',
      resource: 'account.macie',
      action: 'create',
      before: null,
      after: { status: 'ENABLED' },
      call: { service: 'macie2', operation: 'EnableMacie', input: { status: 'ENABLED' } },
      undo: { service: 'macie2', operation: 'UpdateMacieSession', input: { status: 'PAUSED' } },
      dependsOn: [],
    });
    expect(enable?.warnings).toContain(PAUSE_UNDO_WARNING);
    expect(enable?.warnings[0]).toBe(
      `account-wide: Macie monitors every S3 bucket in account ${ACCOUNT_ID} (${REGION}), billed per bucket each month`,
    );
    expect(job).toMatchObject({
      id: 'bucket.macieJob',
      resource: 'bucket.macieJob',
      action: 'create',
      before: null,
      after: { ...JOB, clientToken: macieClientToken(TARGET, jobSettings(JOB_ON), CREATED_AT) },
      undo: {
        service: 'macie2',
        operation: 'UpdateClassificationJob',
        input: { jobId: CREATED_JOB_ID, jobStatus: 'CANCELLED' },
      },
      dependsOn: ['account.macie'],
    });
    expect(job?.call.operation).toBe('CreateClassificationJob');
    expect(job?.warnings).toEqual([
      "Scans 1,234 objects, 5.0 GB (Macie's statistics of 2025-01-01; 4.0 GB of it Macie can analyse). Macie charges per GB analysed.",
      FIXED_SETTINGS_WARNING,
      CANCEL_UNDO_WARNING,
      'undo cancels the job before it pauses Macie; pausing would cancel it anyway',
    ]);
    for (const warning of [...(enable?.warnings ?? []), ...(job?.warnings ?? [])]) {
      expect(isOneLine(warning)).toBe(true);
    }
  });

  it('with Macie enabled, creates only the job, scheduled as asked', () => {
    const changes = step.plan(at({ 'account.macie': { status: 'ENABLED' } }), {
      ...JOB_ON,
      enable: false,
      schedule: 'WEEKLY',
      dayOfWeek: 'FRIDAY',
      sampling: '50',
      identifiers: 'all',
    });
    expect(changes.map((change) => change.id)).toEqual(['bucket.macieJob']);
    expect(changes[0]?.dependsOn).toEqual([]);
    expect(changes[0]?.after).toMatchObject({
      jobType: 'SCHEDULED',
      schedule: { frequency: 'WEEKLY', dayOfWeek: 'FRIDAY' },
      samplingPercentage: 50,
      managedDataIdentifierSelector: 'ALL',
    });
    expect(changes[0]?.warnings[0]).toBe(
      "Scans 1,234 objects, 5.0 GB (Macie's statistics of 2025-01-01; 4.0 GB of it Macie can analyse); sampling 50% analyses about 2.0 GB; its first run scans every existing object, later runs what is new or changed. Macie charges per GB analysed.",
    );
  });

  it('enables Macie alone when no job is asked for', () => {
    expect(step.plan(at(), { ...KEEP, enable: true }).map((change) => change.id)).toEqual([
      'account.macie',
    ]);
  });

  it('keeps a job that already scans the bucket: its settings cannot change', () => {
    const posture = at({
      'account.macie': { status: 'ENABLED' },
      'bucket.macieJob': { ...JOB, status: 'RUNNING' },
    });
    expect(step.plan(posture, { ...JOB_ON, sampling: '10' })).toEqual([]);
  });

  it('replaces a cancelled job with a new one; its undo cancels the new one', () => {
    const cancelled = { ...JOB, status: 'CANCELLED' as const };
    const posture = at({ 'account.macie': { status: 'ENABLED' }, 'bucket.macieJob': cancelled });
    const [change] = step.plan(posture, { ...JOB_ON, enable: false });
    expect(change?.before).toEqual(cancelled);
    expect(change?.undo).toEqual(writeCall('bucket.macieJob', TARGET, cancelled));
    expect(change?.warnings).toContain(
      `the earlier s3-harden job "${NAME}" was cancelled and stays so`,
    );
  });

  it('a job for a bucket the plan creates waits for it', () => {
    const [, job] = step.plan(at({ 'bucket.exists': null, 'bucket.objectStats': null }), JOB_ON);
    expect(job?.dependsOn).toEqual(['account.macie', 'bucket.exists']);
    expect(job?.warnings[0]).toBe(
      'Scans no objects yet (the bucket is new). Macie charges per GB analysed.',
    );
  });

  it('says when the object count is unknown', () => {
    const posture = at(
      { 'bucket.objectStats': undefined },
      { 'bucket.objectStats': 'Access denied: s3:ListBucket on bucket my-bucket.' },
    );
    const [, job] = step.plan(posture, JOB_ON);
    expect(job?.warnings[0]).toBe(
      'Scans an unknown number of objects (Access denied: s3:ListBucket on bucket my-bucket.). Macie charges per GB analysed.',
    );
  });

  it('refuses a job while Macie is paused, with the command that resumes it', () => {
    const posture = at({ 'account.macie': { status: 'PAUSED' } });
    expect(() => step.plan(posture, JOB_ON)).toThrow(MacieStepError);
    expect(() => step.plan(posture, JOB_ON)).toThrow(
      `Macie is paused in this account and region, so a job cannot run: resume it first (${RESUME_COMMAND}), or turn the job off`,
    );
    // Nothing asked of a paused Macie: nothing planned, no error.
    expect(step.plan(posture, { ...KEEP, enable: true })).toEqual([]);
  });

  it('refuses a job without Macie', () => {
    expect(() => step.plan(at(), { ...JOB_ON, enable: false })).toThrow(
      'A classification job needs Macie: turn on "Enable Macie", or turn the job off',
    );
  });

  it('plans nothing when Macie or the jobs were not read, and buildPlan says why it skipped', () => {
    const reason = 'Macie is not available at this endpoint (http://127.0.0.1:9, HTTP 404).';
    const posture = postureOf(
      { 'bucket.objectStats': STATS },
      { 'account.macie': reason, 'bucket.macieJob': reason },
    );
    expect(step.plan(posture, JOB_ON)).toEqual([]);
    expect(unavailableReason('macie', posture)).toBe(reason);
    const plan = buildPlan(posture, 'strict', ['macie'], { macie: JOB_ON });
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([{ step: 'Sensitive-data discovery (Macie)', reason }]);
  });
});

describe('the Macie step: fields', () => {
  it('offers to enable Macie while it is not, then the job with its settings and what it scans', () => {
    const fields = step.fields(at(), JOB_ON);
    expect(keys(fields)).toEqual([
      'enable',
      'job',
      'schedule',
      'sampling',
      'identifiers',
      'customIdentifiers',
      'name',
      'description',
    ]);
    expect(fields[0]).toMatchObject({ kind: 'toggle', now: 'not enabled' });
    expect(notes(fields)).toEqual([
      "warning: Scans 1,234 objects, 5.0 GB (Macie's statistics of 2025-01-01; 4.0 GB of it Macie can analyse). Macie charges per GB analysed.",
      'info: Undo cancels the job for good; what it has already scanned stays charged.',
    ]);
  });

  it('asks for the day of a weekly or monthly job', () => {
    expect(keys(step.fields(at(), { ...JOB_ON, schedule: 'WEEKLY' }))).toContain('dayOfWeek');
    expect(keys(step.fields(at(), { ...JOB_ON, schedule: 'MONTHLY' }))).toContain('dayOfMonth');
    expect(keys(step.fields(at(), { ...JOB_ON, schedule: 'DAILY' }))).not.toContain('dayOfMonth');
  });

  it('shows only the toggles while no job is asked for', () => {
    expect(keys(step.fields(at(), KEEP))).toEqual(['enable', 'job']);
    const enabled = step.fields(at({ 'account.macie': { status: 'ENABLED' } }), KEEP);
    expect(keys(enabled)).toEqual(['job']);
    expect(notes(enabled)).toEqual([`info: Macie is enabled in ${REGION}.`]);
  });

  it('says a paused Macie is left to the operator, and asks nothing', () => {
    const fields = step.fields(at({ 'account.macie': { status: 'PAUSED' } }), JOB_ON);
    expect(keys(fields)).toEqual([]);
    expect(notes(fields)).toEqual([
      `warning: Macie is paused in ${REGION}: no job can run until it is resumed (${RESUME_COMMAND}); s3-harden leaves that to you.`,
    ]);
  });

  it('shows the job it keeps', () => {
    const posture = at({
      'account.macie': { status: 'ENABLED' },
      'bucket.macieJob': {
        ...JOB,
        jobType: 'SCHEDULED',
        schedule: { frequency: 'MONTHLY', dayOfMonth: 3 },
        status: 'IDLE',
      },
    });
    const fields = step.fields(posture, JOB_ON);
    expect(keys(fields)).toEqual([]);
    expect(notes(fields)).toContain(
      `info: Kept: s3-harden job "${NAME}" (IDLE; monthly on day 3, sampling 100%, recommended identifiers) already scans ${BUCKET}; a job's settings cannot change after it is created.`,
    );
  });
});

describe('plan files with Macie changes', () => {
  const planned = () => buildPlan(at(), 'strict', ['macie'], { macie: JOB_ON });
  const tampered = (edit: (file: { changes: Record<string, unknown>[] }) => void) => {
    const file = JSON.parse(serializePlan(planned(), 'test'));
    edit(file);
    return () => parsePlan(JSON.stringify(file));
  };

  it('accepts the calls and undos the step plans', () => {
    const plan = planned();
    expect(parsePlan(serializePlan(plan, 'test'))).toEqual(plan);
    expect(plan.observed).toEqual({ 'account.macie': null, 'bucket.macieJob': null });
  });

  it('accepts a scheduled job with custom identifiers, replacing a cancelled one', () => {
    const plan = buildPlan(
      at({
        'account.macie': { status: 'ENABLED' },
        'bucket.macieJob': { ...JOB, status: 'CANCELLED' },
      }),
      'strict',
      ['macie'],
      {
        macie: {
          ...JOB_ON,
          schedule: 'MONTHLY',
          dayOfMonth: '28',
          identifiers: 'none',
          customIdentifiers: 'abc-1',
        },
      },
    );
    expect(parsePlan(serializePlan(plan, 'test'))).toEqual(plan);
  });

  it('rejects a job that scans another bucket', () => {
    expect(
      tampered((file) => {
        const call = file.changes[1]?.call as { input: { s3JobDefinition: unknown } };
        call.input.s3JobDefinition = {
          bucketDefinitions: [{ accountId: ACCOUNT_ID, buckets: ['someone-elses-bucket'] }],
        };
      }),
    ).toThrow('changes[1].call does not write the after-state shown for bucket.macieJob');
  });

  it('rejects an undo that cancels any job but the one created', () => {
    expect(
      tampered((file) => {
        (file.changes[1] as { undo: { input: { jobId: unknown } } }).undo.input.jobId =
          'someone-elses-job';
      }),
    ).toThrow('changes[1].undo.input.jobId');
  });

  it('rejects DisableMacie, and resuming or other statuses through UpdateMacieSession', () => {
    expect(
      tampered((file) => {
        file.changes[0] = {
          ...file.changes[0],
          undo: { service: 'macie2', operation: 'DisableMacie', input: {} },
        };
      }),
    ).toThrow('changes[0].undo: macie2:DisableMacie is not an operation s3-harden applies');
    expect(
      tampered((file) => {
        (file.changes[0] as { undo: { input: { status: string } } }).undo.input.status = 'ENABLED';
      }),
    ).toThrow('changes[0].undo.input.status');
  });

  it('rejects a job whose sampling or identifiers are out of range', () => {
    expect(
      tampered((file) => {
        const change = file.changes[1] as {
          after: { samplingPercentage: number };
          call: { input: { samplingPercentage: number } };
        };
        change.after.samplingPercentage = 0;
        change.call.input.samplingPercentage = 0;
      }),
    ).toThrow('changes[1].call.input.samplingPercentage');
    expect(
      tampered((file) => {
        const change = file.changes[1] as {
          after: { managedDataIdentifierSelector: string };
          call: { input: { managedDataIdentifierSelector: string } };
        };
        change.after.managedDataIdentifierSelector = 'EXCLUDE';
        change.call.input.managedDataIdentifierSelector = 'EXCLUDE';
      }),
    ).toThrow('changes[1].call.input.managedDataIdentifierSelector');
  });
});

describe('Macie error shapes', () => {
  const read: ApiCall = { service: 'macie2', operation: 'GetMacieSession', input: {} };
  const write: ApiCall = {
    service: 'macie2',
    operation: 'CreateClassificationJob',
    input: { name: 's3-harden x' },
  };
  const sdkError = (name: string, message: string, status: number, extra: object = {}) =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, ...extra });

  it('"Macie is not enabled" is a state, on reads and writes alike', () => {
    for (const call of [read, write]) {
      const error = normaliseError(
        sdkError('AccessDeniedException', 'Macie is not enabled.', 403),
        { call },
      );
      expect(error.code).toBe('MacieNotEnabled');
      expect(error.kind).toBe('service');
      expect(error.message).toBe('Macie is not enabled in this account and region.');
    }
  });

  it('any other AccessDeniedException names the action', () => {
    const error = normaliseError(
      sdkError(
        'AccessDeniedException',
        'User: x is not authorized to perform: macie2:GetMacieSession',
        403,
      ),
      { call: read },
    );
    expect(error.kind).toBe('access-denied');
    expect(error.message).toBe('Access denied: macie2:GetMacieSession.');
  });

  it('throttling is throttling', () => {
    const error = normaliseError(sdkError('ThrottlingException', 'Rate exceeded', 429), {
      call: read,
    });
    expect(error.kind).toBe('throttled');
    expect(error.message).toBe(
      'AWS is throttling requests (ThrottlingException); try again shortly.',
    );
  });

  it('an endpoint without Macie (an HTML page, a body the SDK cannot read, 501) is "not available"', () => {
    const endpoint = 'http://127.0.0.1:5300';
    const html = sdkError(
      'SyntaxError',
      `Unexpected token '<', "<!doctype "... is not valid JSON\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.`,
      404,
      { $response: {} },
    );
    const error = normaliseError(html, { call: read, endpoint });
    expect(error.kind).toBe('not-available');
    expect(error.message).toBe(
      'Macie is not available at this endpoint (http://127.0.0.1:5300, HTTP 404).',
    );
    expect(isOneLine(error.message)).toBe(true);
    const unimplemented = normaliseError(
      sdkError('InternalFailure', "API for service 'macie2' not yet implemented", 501),
      { call: read, endpoint },
    );
    expect(unimplemented.kind).toBe('not-available');
    // An HTML 403 (a proxy) is still a denial.
    expect(
      normaliseError(sdkError('SyntaxError', 'Deserialization error', 403, { $response: {} }), {
        call: read,
      }).kind,
    ).toBe('access-denied');
  });
});

describe('the Macie readers', () => {
  const reader = (resource: 'account.macie' | 'bucket.macieJob' | 'bucket.objectStats') => {
    const found = READERS[resource];
    if (!('query' in found)) throw new Error('not a query reader');
    return (send: ReadSend) => found.query(TARGET, send);
  };
  const notEnabled = () =>
    new AwsError('service', 'Macie is not enabled in this account and region.', 'MacieNotEnabled');
  const summary = (
    jobId: string,
    jobStatus: string,
    buckets = [BUCKET],
    name = `s3-harden ${jobId}`,
  ) => ({
    jobId,
    name,
    jobStatus,
    bucketDefinitions: [{ accountId: ACCOUNT_ID, buckets }],
  });

  it('reads the session status; "not enabled" is null; anything else fails', async () => {
    const read = reader('account.macie');
    expect(await read(async () => ({ status: 'PAUSED' }))).toEqual({ status: 'PAUSED' });
    expect(
      await read(async () => {
        throw notEnabled();
      }),
    ).toBeNull();
    await expect(
      read(async () => {
        throw new AwsError('access-denied', 'Access denied: macie2:GetMacieSession.');
      }),
    ).rejects.toThrow('Access denied: macie2:GetMacieSession.');
    await expect(read(async () => ({}))).rejects.toThrow(
      'macie2:GetMacieSession answered an unknown status null.',
    );
  });

  it('finds the newest active s3-harden job for exactly this bucket across pages, then describes it', async () => {
    const calls: ApiCall[] = [];
    const pages: Record<string, Record<string, unknown>> = {
      first: {
        items: [
          summary('other', 'RUNNING', ['other-bucket']),
          summary('two', 'RUNNING', [BUCKET, 'other-bucket']),
          summary('renamed', 'RUNNING', [BUCKET], 'my scan s3-harden'),
          summary('old-cancelled', 'CANCELLED'),
        ],
        nextToken: 'p2',
      },
      p2: { items: [summary('active', 'COMPLETE'), summary('older', 'RUNNING')], nextToken: 'p3' },
    };
    const send: ReadSend = async (call) => {
      calls.push(call);
      if (call.operation === 'DescribeClassificationJob')
        return { ...JOB, jobId: call.input.jobId, jobStatus: 'COMPLETE' };
      return pages[(call.input.nextToken as string | undefined) ?? 'first'] ?? {};
    };
    expect(await reader('bucket.macieJob')(send)).toEqual({ ...JOB, status: 'COMPLETE' });
    // Stopped at the first active job: page 3 never asked for.
    expect(calls.map((call) => [call.operation, call.input.nextToken ?? call.input.jobId])).toEqual(
      [
        ['ListClassificationJobs', undefined],
        ['ListClassificationJobs', 'p2'],
        ['DescribeClassificationJob', 'active'],
      ],
    );
  });

  it('falls back to the newest cancelled job, and to null without any', async () => {
    const described: unknown[] = [];
    const send =
      (items: unknown[]): ReadSend =>
      async (call) => {
        if (call.operation === 'DescribeClassificationJob') {
          described.push(call.input.jobId);
          return { ...JOB };
        }
        return { items };
      };
    expect(
      await reader('bucket.macieJob')(
        send([summary('c2', 'CANCELLED'), summary('c1', 'CANCELLED')]),
      ),
    ).toEqual({ ...JOB, status: 'CANCELLED' });
    expect(described).toEqual(['c2']);
    expect(await reader('bucket.macieJob')(send([]))).toBeNull();
    expect(
      await reader('bucket.macieJob')(async () => {
        throw notEnabled();
      }),
    ).toBeNull();
  });

  it("uses Macie's statistics for the bucket when it has them", async () => {
    const calls: ApiCall[] = [];
    const value = await reader('bucket.objectStats')(async (call) => {
      calls.push(call);
      return {
        buckets: [
          {
            accountId: ACCOUNT_ID,
            bucketName: BUCKET,
            objectCount: 1234,
            sizeInBytes: 5 * GB,
            classifiableObjectCount: 1000,
            classifiableSizeInBytes: 4 * GB,
            lastUpdated: new Date('2025-01-01T06:00:00Z'),
          },
        ],
      };
    });
    expect(value).toEqual(STATS);
    expect(calls).toEqual([
      {
        service: 'macie2',
        operation: 'DescribeBuckets',
        input: { criteria: { accountId: { eq: [ACCOUNT_ID] }, bucketName: { eq: [BUCKET] } } },
      },
    ]);
  });

  it(`otherwise lists the bucket, at most ${MAX_LIST_PAGES} pages, and says when it stopped`, async () => {
    const calls: ApiCall[] = [];
    const listing =
      (truncateAfter: number): ReadSend =>
      async (call) => {
        calls.push(call);
        if (call.service === 'macie2') throw notEnabled();
        const page = Number(call.input.ContinuationToken ?? 0);
        return {
          Contents: [{ Size: 10 }, { Size: 5 }],
          IsTruncated: page + 1 < truncateAfter,
          NextContinuationToken: String(page + 1),
        };
      };
    expect(await reader('bucket.objectStats')(listing(2))).toEqual({
      source: 'listing',
      objectCount: 4,
      sizeBytes: 30,
      truncated: false,
    });
    expect(calls[1]).toEqual({
      service: 's3',
      operation: 'ListObjectsV2',
      input: { Bucket: BUCKET, MaxKeys: 1000 },
    });
    calls.length = 0;
    expect(await reader('bucket.objectStats')(listing(100))).toEqual({
      source: 'listing',
      objectCount: 2 * MAX_LIST_PAGES,
      sizeBytes: 15 * MAX_LIST_PAGES,
      truncated: true,
    });
    expect(calls.filter((call) => call.service === 's3')).toHaveLength(MAX_LIST_PAGES);
  });

  it('lists when Macie does not know the bucket yet', async () => {
    const value = await reader('bucket.objectStats')(async (call) =>
      call.service === 'macie2' ? { buckets: [] } : { Contents: [{ Size: 7 }] },
    );
    expect(value).toEqual({ source: 'listing', objectCount: 1, sizeBytes: 7, truncated: false });
  });
});

describe('the deferred Macie client at the SDK boundary', () => {
  const macie = mockClient(Macie2Client);
  const clients = createClients({ region: REGION, endpoint: 'http://127.0.0.1:9' });
  afterEach(() => macie.reset());
  afterAll(() => {
    macie.restore();
    destroyClients(clients);
  });

  it('loads the Macie module only when the first Macie call is sent, and sends exactly the input', async () => {
    expect(clients.macie2.loaded).toBe(false);
    macie.on(GetMacieSessionCommand).resolves({ status: 'ENABLED' });
    const output = await send(clients, {
      service: 'macie2',
      operation: 'GetMacieSession',
      input: {},
    });
    expect(clients.macie2.loaded).toBe(true);
    expect(output.status).toBe('ENABLED');
    expect(macie.commandCalls(GetMacieSessionCommand)[0]?.args[0].input).toEqual({});
  });

  it('sends the planned CreateClassificationJob unchanged', async () => {
    macie.on(CreateClassificationJobCommand).resolves({ jobId: 'j-1' });
    const call = writeCall('bucket.macieJob', TARGET, JOB);
    expect(await send(clients, call)).toEqual({ jobId: 'j-1' });
    expect(macie.commandCalls(CreateClassificationJobCommand)[0]?.args[0].input).toEqual(
      call.input,
    );
  });
});

describe('start-up bundle: the Macie SDK', () => {
  interface Output {
    imports: { path: string; kind: string; external?: boolean }[];
    inputs: Record<string, unknown>;
  }
  const meta = () =>
    JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'dist', 'meta.json'), 'utf8'),
    ) as {
      outputs: Record<string, Output>;
    };
  const isMacie = (input: string) => input.includes('node_modules/@aws-sdk/client-macie2/');

  it('is not on the start-up path nor in connect(): only the deferred client imports it, dynamically', () => {
    const { outputs } = meta();
    const chunkFor = (input: string) => {
      const found = Object.entries(outputs).find(
        ([name, output]) => name.endsWith('.js') && input in output.inputs,
      );
      if (!found) throw new Error(`no chunk contains ${input}`);
      return found[0];
    };
    const staticInputs = (start: string) => {
      const seen = new Set<string>();
      const pending = [start];
      while (pending.length > 0) {
        const file = pending.pop() as string;
        if (seen.has(file)) continue;
        seen.add(file);
        for (const entry of outputs[file]?.imports ?? []) {
          if (entry.kind === 'import-statement' && !entry.external) pending.push(entry.path);
        }
      }
      return [...seen].flatMap((file) => Object.keys(outputs[file]?.inputs ?? {}));
    };
    for (const start of [
      'dist/cli.js',
      chunkFor('src/screens/render-wizard.tsx'),
      chunkFor('src/aws/session.ts'),
    ]) {
      expect(staticInputs(start).filter(isMacie)).toEqual([]);
    }
    const macieChunk = chunkFor('src/aws/macie.ts');
    expect(staticInputs(macieChunk).some(isMacie)).toBe(true);
    const importers = Object.entries(outputs).filter(([, output]) =>
      output.imports.some((entry) => entry.path === macieChunk),
    );
    expect(importers.map(([name]) => name)).toEqual([chunkFor('src/aws/clients.ts')]);
    expect(
      importers.flatMap(([, output]) =>
        output.imports.filter((entry) => entry.path === macieChunk).map((entry) => entry.kind),
      ),
    ).toEqual(['dynamic-import']);
  });
});
