/**
 * The Macie step against a real session.
 *
 * The emulator (moto) has no classification jobs and no bucket statistics
 * (an HTML 404), and answers GetMacieSession with a date the SDK cannot
 * parse: there the step says "Macie is not available at this endpoint" and
 * steps aside, while every other step plans as usual and the objects are
 * still counted from a listing.
 *
 * The real logic is tested at the SDK boundary: S3 and STS go to the
 * emulator, Macie's client is mocked (aws-sdk-client-mock), and a session
 * observes, applies, verifies and rolls back exactly as it would on AWS,
 * with the exact request inputs asserted and the documented error shapes
 * (not enabled, access denied, throttling) sent back.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClassificationJobCommand,
  DescribeBucketsCommand,
  DescribeClassificationJobCommand,
  EnableMacieCommand,
  GetAdministratorAccountCommand,
  GetMacieSessionCommand,
  ListClassificationJobsCommand,
  Macie2Client,
  UpdateClassificationJobCommand,
  UpdateMacieSessionCommand,
} from '@aws-sdk/client-macie2';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsError } from '../../src/aws/errors.js';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal, readJournal } from '../../src/plan/apply/journal.js';
import { evaluateControls } from '../../src/plan/audit/controls.js';
import { parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import type { ApiCall, Plan } from '../../src/plan/model/types.js';
import { macieClientToken } from '../../src/plan/resources/macie.js';
import {
  buildPlan,
  defaultAnswers,
  optionalReadsFor,
  readsFor,
  unavailableReason,
} from '../../src/steps/index.js';
import { jobSettings, keepAnswers } from '../../src/steps/macie.js';
import type { StepId } from '../../src/steps/types.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { ACCOUNT, createBucket, rawClients } from '../helpers/fixtures.js';

const STEPS: StepId[] = ['public-access-block', 'macie'];

/** An SDK-shaped service error, as the Macie client rejects with. */
function macieError(name: string, message: string, status: number): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });
}
const NOT_ENABLED = () => macieError('AccessDeniedException', 'Macie is not enabled.', 403);
/**
 * Macie as a tiny state machine, for applies: reads answer what the writes
 * so far have made (apply reads each resource before its write, and undoes
 * only what still holds what it wrote), and every call is still recorded.
 */
function statefulMacie(stub: AwsClientStub<Macie2Client>, bucket: string, jobId: string) {
  const state: { status: string | null; job: Record<string, unknown> | null } = {
    status: null,
    job: null,
  };
  stub.on(GetMacieSessionCommand).callsFake(() => {
    if (!state.status) throw NOT_ENABLED();
    return { status: state.status };
  });
  stub.on(ListClassificationJobsCommand).callsFake(() => {
    if (!state.status) throw NOT_ENABLED();
    return {
      items: state.job
        ? [
            {
              jobId,
              name: state.job.name,
              jobStatus: state.job.jobStatus,
              bucketDefinitions: [{ accountId: ACCOUNT, buckets: [bucket] }],
            },
          ]
        : [],
    };
  });
  stub.on(DescribeClassificationJobCommand).callsFake(() => ({ jobId, ...state.job }));
  stub.on(EnableMacieCommand).callsFake(() => {
    state.status = 'ENABLED';
    return {};
  });
  stub.on(UpdateMacieSessionCommand).callsFake((input: { status: string }) => {
    state.status = input.status;
    return {};
  });
  stub.on(CreateClassificationJobCommand).callsFake((input: Record<string, unknown>) => {
    const { s3JobDefinition: _definition, ...settings } = input;
    state.job = { ...settings, jobStatus: 'RUNNING' };
    return { jobId, jobArn: `arn:aws:macie2:us-east-1:${ACCOUNT}:classification-job/${jobId}` };
  });
  stub.on(UpdateClassificationJobCommand).callsFake((input: { jobStatus: string }) => {
    if (state.job) state.job = { ...state.job, jobStatus: input.jobStatus };
    return {};
  });
  return state;
}

const DENIED = () =>
  macieError(
    'AccessDeniedException',
    'User: arn:aws:iam::123456789012:user/operator is not authorized to perform: macie2:ListClassificationJobs',
    403,
  );
const THROTTLED = () => macieError('ThrottlingException', 'Rate exceeded', 429);

async function putObjects(bucket: string, sizes: readonly number[]): Promise<void> {
  const { s3 } = rawClients();
  await Promise.all(
    sizes.map((size, index) =>
      s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: `data/${index}.csv`, Body: 'x'.repeat(size) }),
      ),
    ),
  );
  s3.destroy();
}

async function observe(session: AwsSession, bucket: string) {
  return session.observe(bucket, readsFor(STEPS), { optional: optionalReadsFor(STEPS) });
}

describe('Macie against the emulator: not available, the step steps aside', () => {
  let session: AwsSession;
  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => session.close());

  it('reads what it can, says why Macie is skipped, and plans every other step', async () => {
    const bucket = uniqueBucket('macie-aside');
    await createBucket(bucket);
    await putObjects(bucket, [10, 20, 30]);

    const posture = await observe(session, bucket);
    const notAvailable = `Macie is not available at this endpoint (${emulatorUrl()}, HTTP `;
    expect(posture.unreadable['account.macie']).toContain(notAvailable);
    expect(posture.unreadable['bucket.macieJob']).toContain(notAvailable);
    expect(posture.values['account.macie']).toBeUndefined();
    // Macie has no statistics here: a listing counts the objects.
    expect(posture.values['bucket.objectStats']).toEqual({
      source: 'listing',
      objectCount: 3,
      sizeBytes: 60,
      truncated: false,
    });

    const reason = unavailableReason('macie', posture);
    expect(reason).toBe(posture.unreadable['account.macie']);
    const plan = buildPlan(posture, 'strict', STEPS, defaultAnswers(posture, 'strict', STEPS));
    expect(plan.skipped).toEqual([{ step: 'Sensitive-data discovery (Macie)', reason }]);
    expect(plan.changes.map((change) => change.id)).toEqual(['bucket.publicAccessBlock']);
    // Each Macie read was tried once; nothing was written.
    const counts = session.callCounts();
    expect(counts['macie2:GetMacieSession']).toBe(1);
    expect(counts['macie2:ListClassificationJobs']).toBe(1);
    expect(Object.keys(counts).filter((key) => /Enable|Create|Update/.test(key))).toEqual([]);
  });

  it('the strict defaults ask for nothing Macie cannot do here', async () => {
    const bucket = uniqueBucket('macie-defaults');
    await createBucket(bucket);
    const posture = await observe(session, bucket);
    expect(defaultAnswers(posture, 'strict', ['macie']).macie).toMatchObject({
      enable: false,
      job: false,
    });
  });
});

describe('Macie at the SDK boundary (S3 and STS on the emulator, Macie mocked)', () => {
  // Stubbed here, not when the file is collected: the describe above talks to the emulator.
  let macie: AwsClientStub<Macie2Client>;
  let session: AwsSession;
  let dir: string;

  beforeAll(async () => {
    macie = mockClient(Macie2Client);
    session = await connect({ endpoint: emulatorUrl() });
    dir = mkdtempSync(join(tmpdir(), 's3-harden-macie-'));
  });
  afterEach(() => macie.reset());
  afterAll(() => {
    macie.restore();
    session.close();
  });

  const inputsOf = (command: Parameters<typeof macie.commandCalls>[0]) =>
    macie.commandCalls(command).map((call) => call.args[0].input);

  it('reads "Macie is not enabled" as a state: no session, no job, objects counted from a listing', async () => {
    const bucket = uniqueBucket('macie-off');
    await createBucket(bucket);
    await putObjects(bucket, [100, 200]);
    macie.on(GetMacieSessionCommand).rejects(NOT_ENABLED());
    macie.on(ListClassificationJobsCommand).rejects(NOT_ENABLED());
    macie.on(DescribeBucketsCommand).rejects(NOT_ENABLED());

    const posture = await observe(session, bucket);
    expect(posture.unreadable).toEqual({});
    expect(posture.values['account.macie']).toBeNull();
    expect(posture.values['bucket.macieJob']).toBeNull();
    expect(posture.values['bucket.objectStats']).toEqual({
      source: 'listing',
      objectCount: 2,
      sizeBytes: 300,
      truncated: false,
    });
    expect(inputsOf(GetMacieSessionCommand)).toEqual([{}]);
    expect(inputsOf(ListClassificationJobsCommand)).toEqual([
      {
        filterCriteria: {
          includes: [{ comparator: 'CONTAINS', key: 'name', values: ['s3-harden'] }],
        },
        sortCriteria: { attributeName: 'createdAt', orderBy: 'DESC' },
        maxResults: 200,
      },
    ]);
    expect(inputsOf(DescribeBucketsCommand)).toEqual([
      { criteria: { accountId: { eq: [ACCOUNT] }, bucketName: { eq: [bucket] } } },
    ]);
  });

  it('enables Macie and creates the job with the exact inputs; verified; the plan file round-trips', async () => {
    const bucket = uniqueBucket('macie-apply');
    await createBucket(bucket);
    macie.on(GetMacieSessionCommand).rejectsOnce(NOT_ENABLED());
    macie.on(ListClassificationJobsCommand).rejectsOnce(NOT_ENABLED());
    macie.on(DescribeBucketsCommand).rejects(NOT_ENABLED());
    const posture = await observe(session, bucket);
    const answers = defaultAnswers(posture, 'strict', ['macie']);
    expect(answers.macie).toMatchObject({ enable: true, job: true, schedule: 'ONE_TIME' });
    const plan = parsePlan(serializePlan(buildPlan(posture, 'strict', ['macie'], answers), 'test'));
    expect(plan.changes.map((change) => change.id)).toEqual(['account.macie', 'bucket.macieJob']);
    const token = macieClientToken(
      posture,
      jobSettings(answers.macie as NonNullable<typeof answers.macie>),
      posture.observedAt,
    );

    statefulMacie(macie, bucket, 'job-1');

    const outcome = await executePlan(plan, {
      run: (call) => session.execute(call),
      read: (resource, identity) => session.read(plan.target, resource, identity),
      journal: openJournal(plan.target, join(dir, 'journals')),
    });
    expect(outcome.status).toBe('applied');
    expect(outcome.results.map((result) => [result.change.id, result.verified])).toEqual([
      ['account.macie', true],
      ['bucket.macieJob', true],
    ]);
    expect(inputsOf(EnableMacieCommand)).toEqual([{ status: 'ENABLED' }]);
    expect(inputsOf(CreateClassificationJobCommand)).toEqual([
      {
        clientToken: token,
        name: `s3-harden ${bucket} ${posture.observedAt.slice(0, 10)}`,
        description: `Sensitive-data discovery for s3://${bucket}, created by s3-harden.`,
        jobType: 'ONE_TIME',
        samplingPercentage: 100,
        managedDataIdentifierSelector: 'RECOMMENDED',
        s3JobDefinition: { bucketDefinitions: [{ accountId: ACCOUNT, buckets: [bucket] }] },
      },
    ]);
    expect(inputsOf(DescribeClassificationJobCommand)).toEqual([{ jobId: 'job-1' }]);
    // The journal keeps the job's ID: a later rollback can still cancel it.
    const applied = readJournal(outcome.journalPath).find(
      (entry) => entry.type === 'applied' && entry.changeId === 'bucket.macieJob',
    );
    expect(applied).toMatchObject({ output: { jobId: 'job-1' } });
  });

  it('a failure after both rolls back: the job is cancelled by its ID, then Macie paused, never disabled', async () => {
    const bucket = uniqueBucket('macie-rollback');
    await createBucket(bucket);
    macie.on(GetMacieSessionCommand).rejectsOnce(NOT_ENABLED());
    macie.on(ListClassificationJobsCommand).rejectsOnce(NOT_ENABLED());
    macie.on(DescribeBucketsCommand).rejects(NOT_ENABLED());
    const posture = await observe(session, bucket);
    const steps: StepId[] = ['macie', 'public-access-block'];
    const plan = buildPlan(posture, 'strict', steps, defaultAnswers(posture, 'strict', steps));
    // Block Public Access last, and after the job (apply overlaps
    // independent writes: without the dependency it would start with the
    // Macie changes), so its failure comes after both Macie changes.
    const ordered: Plan = {
      ...plan,
      changes: [
        ...plan.changes.filter((change) => change.step === 'macie'),
        ...plan.changes
          .filter((change) => change.step !== 'macie')
          .map((change) => ({ ...change, dependsOn: [...change.dependsOn, 'bucket.macieJob'] })),
      ],
    };
    const state = statefulMacie(macie, bucket, 'job-9');

    const outcome = await executePlan(ordered, {
      run: async (call: ApiCall) => {
        if (call.operation === 'PutPublicAccessBlock') throw new Error('injected fault');
        return session.execute(call);
      },
      read: (resource, identity) => session.read(ordered.target, resource, identity),
      journal: openJournal(ordered.target, join(dir, 'journals')),
    });
    expect(outcome.status).toBe('rolled-back');
    expect(outcome.results.map((result) => [result.change.id, result.status])).toEqual([
      ['account.macie', 'rolled-back'],
      ['bucket.macieJob', 'rolled-back'],
      ['bucket.publicAccessBlock', 'failed'],
    ]);
    expect(inputsOf(UpdateClassificationJobCommand)).toEqual([
      { jobId: 'job-9', jobStatus: 'CANCELLED' },
    ]);
    expect(inputsOf(UpdateMacieSessionCommand)).toEqual([{ status: 'PAUSED' }]);
    expect(state).toMatchObject({ status: 'PAUSED', job: { jobStatus: 'CANCELLED' } });
    // The job is cancelled before Macie is paused.
    const order = macie
      .calls()
      .map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name)
      .filter((name) => name.startsWith('Update'));
    expect(order).toEqual(['UpdateClassificationJobCommand', 'UpdateMacieSessionCommand']);
  });

  it('keeps an s3-harden job that already scans the bucket: nothing is created', async () => {
    const bucket = uniqueBucket('macie-kept');
    await createBucket(bucket);
    macie.on(GetMacieSessionCommand).resolves({ status: 'ENABLED' });
    macie.on(ListClassificationJobsCommand).resolves({
      items: [
        // Another bucket's job, and one that scans more than this bucket: not ours.
        {
          jobId: 'other',
          name: 's3-harden other-bucket',
          jobStatus: 'RUNNING',
          bucketDefinitions: [{ accountId: ACCOUNT, buckets: ['other-bucket'] }],
        },
        {
          jobId: 'wide',
          name: 's3-harden wide',
          jobStatus: 'RUNNING',
          bucketDefinitions: [{ accountId: ACCOUNT, buckets: [bucket, 'other-bucket'] }],
        },
        {
          jobId: 'mine',
          name: `s3-harden ${bucket} 2026-01-02`,
          jobStatus: 'IDLE',
          bucketDefinitions: [{ accountId: ACCOUNT, buckets: [bucket] }],
        },
      ],
    });
    macie.on(DescribeClassificationJobCommand).resolves({
      name: `s3-harden ${bucket} 2026-01-02`,
      description: 'weekly',
      jobType: 'SCHEDULED',
      scheduleFrequency: { weeklySchedule: { dayOfWeek: 'FRIDAY' } },
      jobStatus: 'IDLE',
      samplingPercentage: 50,
      managedDataIdentifierSelector: 'ALL',
      clientToken: 'earlier-token',
    });
    macie.on(DescribeBucketsCommand).resolves({
      buckets: [
        {
          accountId: ACCOUNT,
          bucketName: bucket,
          objectCount: 1200,
          sizeInBytes: 5 * 1024 ** 3,
          classifiableObjectCount: 1000,
          classifiableSizeInBytes: 4 * 1024 ** 3,
          lastUpdated: new Date('2026-11-26T08:00:00Z'),
        },
      ],
    });

    const listedBefore = session.callCounts()['s3:ListObjectsV2'] ?? 0;
    const posture = await observe(session, bucket);
    expect(posture.values['bucket.macieJob']).toEqual({
      name: `s3-harden ${bucket} 2026-01-02`,
      description: 'weekly',
      jobType: 'SCHEDULED',
      schedule: { frequency: 'WEEKLY', dayOfWeek: 'FRIDAY' },
      samplingPercentage: 50,
      managedDataIdentifierSelector: 'ALL',
      clientToken: 'earlier-token',
      status: 'IDLE',
    });
    expect(inputsOf(DescribeClassificationJobCommand)).toEqual([{ jobId: 'mine' }]);
    expect(posture.values['bucket.objectStats']).toEqual({
      source: 'macie',
      objectCount: 1200,
      sizeBytes: 5 * 1024 ** 3,
      classifiableObjectCount: 1000,
      classifiableSizeBytes: 4 * 1024 ** 3,
      truncated: false,
      asOf: '2026-11-26T08:00:00.000Z',
    });
    // Macie's statistics are enough: the bucket is not listed.
    expect(session.callCounts()['s3:ListObjectsV2'] ?? 0).toBe(listedBefore);
    const plan = buildPlan(
      posture,
      'strict',
      ['macie'],
      defaultAnswers(posture, 'strict', ['macie']),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([]);
    // Even asked for a job, the kept one is not re-created.
    const forced = buildPlan(posture, 'strict', ['macie'], {
      macie: { ...keepAnswers(posture), job: true },
    });
    expect(forced.changes).toEqual([]);
  });

  it('a member account: GetAdministratorAccount read once, and no job of its own is "unknown", not "fail"', async () => {
    const bucket = uniqueBucket('macie-member');
    await createBucket(bucket);
    macie.on(GetMacieSessionCommand).resolves({ status: 'ENABLED' });
    macie.on(ListClassificationJobsCommand).resolves({ items: [] });
    macie.on(GetAdministratorAccountCommand).resolves({
      administrator: { accountId: '210987654321', relationshipStatus: 'Enabled' },
    });
    const resources = [
      'account.macie',
      'account.macieJobs',
      'account.macieAdministrator',
      'bucket.macieJob',
    ] as const;
    const posture = await session.observe(bucket, [...resources, 'bucket.exists']);
    expect(posture.values['account.macieAdministrator']).toEqual({
      accountId: '210987654321',
      relationshipStatus: 'Enabled',
    });
    expect(inputsOf(GetAdministratorAccountCommand)).toEqual([{}]);
    const verdict = evaluateControls(posture).find((result) => result.id === 'macie');
    expect(verdict).toMatchObject({
      status: 'unknown',
      detail:
        "no job of this account covers it; Macie administrator 210987654321's jobs are not visible from here",
    });
    // A standalone account (no administrator) fails as before.
    macie.on(GetAdministratorAccountCommand).resolves({});
    const alone = await session.observe(bucket, [...resources, 'bucket.exists']);
    expect(evaluateControls(alone).find((result) => result.id === 'macie')).toMatchObject({
      status: 'fail',
      detail: 'no classification job covers this bucket',
    });
    expect(alone.values['account.macieAdministrator']).toBeNull();
  });

  it('a denied job listing skips the step, naming the action; the other steps still plan', async () => {
    const bucket = uniqueBucket('macie-denied');
    await createBucket(bucket);
    macie.on(GetMacieSessionCommand).resolves({ status: 'ENABLED' });
    macie.on(ListClassificationJobsCommand).rejects(DENIED());
    macie.on(DescribeBucketsCommand).rejects(DENIED());
    const posture = await observe(session, bucket);
    expect(posture.values['account.macie']).toEqual({ status: 'ENABLED' });
    expect(posture.unreadable['bucket.macieJob']).toBe(
      'Access denied: macie2:ListClassificationJobs.',
    );
    const plan = buildPlan(posture, 'strict', STEPS, defaultAnswers(posture, 'strict', STEPS));
    expect(plan.skipped).toEqual([
      {
        step: 'Sensitive-data discovery (Macie)',
        reason:
          'cannot read Macie classification job: Access denied: macie2:ListClassificationJobs.',
      },
    ]);
    expect(plan.changes.map((change) => change.id)).toEqual(['bucket.publicAccessBlock']);
  });

  it('throttling fails soft on reads (the step is skipped, saying so) and names itself on writes', async () => {
    const bucket = uniqueBucket('macie-throttled');
    await createBucket(bucket);
    macie.on(GetMacieSessionCommand).rejects(THROTTLED());
    macie.on(ListClassificationJobsCommand).rejects(THROTTLED());
    macie.on(DescribeBucketsCommand).rejects(THROTTLED());
    const posture = await observe(session, bucket);
    expect(posture.unreadable['account.macie']).toBe(
      'AWS is throttling requests (ThrottlingException); try again shortly.',
    );
    expect(unavailableReason('macie', posture)).toBe(
      'cannot read Macie (account and region): AWS is throttling requests (ThrottlingException); try again shortly.',
    );

    macie.on(EnableMacieCommand).rejects(THROTTLED());
    const error = await session
      .execute({ service: 'macie2', operation: 'EnableMacie', input: { status: 'ENABLED' } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).kind).toBe('throttled');
  });

  it('a write refused because Macie is not enabled says so, not "access denied"', async () => {
    macie.on(CreateClassificationJobCommand).rejects(NOT_ENABLED());
    const error = await session
      .execute({
        service: 'macie2',
        operation: 'CreateClassificationJob',
        input: { clientToken: 't', jobType: 'ONE_TIME', name: 's3-harden x' },
      })
      .catch((caught: unknown) => caught);
    expect((error as AwsError).message).toBe('Macie is not enabled in this account and region.');
  });

  it('a denied EnableMacie names the action', async () => {
    macie
      .on(EnableMacieCommand)
      .rejects(
        macieError(
          'AccessDeniedException',
          'User is not authorized to perform: macie2:EnableMacie',
          403,
        ),
      );
    const error = await session
      .execute({ service: 'macie2', operation: 'EnableMacie', input: { status: 'ENABLED' } })
      .catch((caught: unknown) => caught);
    expect((error as AwsError).kind).toBe('access-denied');
    expect((error as AwsError).message).toBe('Access denied: macie2:EnableMacie.');
  });
});
