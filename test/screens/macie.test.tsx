/**
 * The Macie step in the wizard. Against the emulator, which has no Macie
 * jobs, the screen says Macie is not available at this endpoint and Enter
 * moves on. With Macie's client mocked (S3 and STS still on the emulator),
 * the screen offers to enable Macie, shows what the job will scan and what
 * Macie charges for, refuses a bad sampling percentage, and the review and
 * apply send exactly EnableMacie and CreateClassificationJob.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClassificationJobCommand,
  DescribeBucketsCommand,
  DescribeClassificationJobCommand,
  EnableMacieCommand,
  GetMacieSessionCommand,
  ListClassificationJobsCommand,
  Macie2Client,
} from '@aws-sdk/client-macie2';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import { App } from '../../src/screens/app.js';
import { ServicesProvider, type WizardServices } from '../../src/screens/services.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { ACCOUNT, createBucket, rawClients } from '../helpers/fixtures.js';
import { frame, KEY, pastPosture, press, waitFor } from '../helpers/ink.js';

const notEnabled = () =>
  Object.assign(new Error('Macie is not enabled.'), {
    name: 'AccessDeniedException',
    $metadata: { httpStatusCode: 403 },
  });

describe('the Macie step in the wizard', () => {
  let dir: string;
  let sessions: AwsSession[];

  const services = (): WizardServices => ({
    connect: async () => {
      const session = await connect({ endpoint: emulatorUrl() });
      sessions.push(session);
      return session;
    },
    openJournal: (target) => openJournal(target, join(dir, 'journals')),
    savePlan: () => {
      throw new Error('not saved in this test');
    },
  });

  const start = (bucket: string) =>
    render(
      <ServicesProvider services={services()}>
        <App preset="strict" steps={['macie']} bucket={bucket} onExit={() => {}} />
      </ServicesProvider>,
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-macie-screen-'));
    sessions = [];
  });
  afterEach(() => {
    for (const session of sessions) session.close();
  });

  it('against the emulator: "Macie is not available at this endpoint", and Enter steps past it', async () => {
    const bucket = uniqueBucket('macie-screen-aside');
    await createBucket(bucket);
    const app = start(bucket);

    await pastPosture(app);
    const screen = await waitFor(app, 'step 1 of 1');
    expect(screen).toContain('Sensitive-data discovery (Macie)');
    expect(screen).toContain('Satisfies S3 Security guide: Macie for data discovery');
    expect(screen.replace(/\s+/g, ' ')).toContain(
      `Skipped: Macie is not available at this endpoint (${emulatorUrl()}, HTTP`,
    );
    expect(screen).not.toContain('Enable Macie');
    await press(app, KEY.enter);
    const review = await waitFor(app, 'No changes');
    // Skipped steps fold into one line; `i` shows why.
    expect(review).toContain('Skipped: Sensitive-data discovery (Macie) (i: why)');
    await press(app, 'i');
    await waitFor(app, 'Skipped Sensitive-data discovery (Macie)');
  });

  describe('with Macie (mocked at the SDK boundary)', () => {
    let macie: AwsClientStub<Macie2Client>;
    beforeEach(() => {
      macie = mockClient(Macie2Client);
    });
    afterEach(() => macie.restore());

    it('offers to enable Macie and a job, shows what it scans, validates, reviews and applies', async () => {
      const bucket = uniqueBucket('macie-screen');
      await createBucket(bucket);
      const { s3 } = rawClients();
      for (const key of ['a.csv', 'b.csv', 'c.json']) {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x'.repeat(512) }));
      }
      s3.destroy();
      macie.on(GetMacieSessionCommand).rejects(notEnabled());
      macie.on(ListClassificationJobsCommand).rejects(notEnabled());
      macie.on(DescribeBucketsCommand).rejects(notEnabled());

      const app = start(bucket);
      await pastPosture(app);
      const first = await waitFor(app, 'step 1 of 1');
      expect(first).toContain('Satisfies S3 Security guide: Macie for data discovery');
      expect(first).toContain('› [x] Enable Macie  now not enabled');
      expect(first).toContain('[x] Create a classification job  now none');
      expect(first).toContain('Runs: once');
      // What the job will scan, and that Macie charges per GB, before anything else about it.
      expect(first).toContain(
        '! Scans 3 objects, 1.5 KB (counted from a listing). Macie charges per GB analysed.',
      );

      // Down to the sampling percentage.
      await press(app, KEY.down, KEY.down, KEY.down);
      await waitFor(app, '› Sampling (%): 100');
      await press(app, '\u007f', '\u007f', '\u007f', '0');
      await waitFor(
        app,
        '✗ Sampling must be a whole number from 1 to 100 (percent of the objects analysed)',
      );
      // Enter waits until the answer is valid.
      await press(app, KEY.enter);
      expect(frame(app)).toContain('step 1 of 1');
      await press(app, '\u007f', '5', '0');
      await waitFor(app, (text) => text.includes('› Sampling (%): 50') && !text.includes('✗'));
      await press(app, KEY.enter);
      const review = await waitFor(
        app,
        'Plan: 2 to add, 0 to change, 0 to remove (0 irreversible).',
      );
      expect(review).toContain('+ Macie (account and region)');
      await press(app, 'd');
      await waitFor(app, '+ Macie (account and region)  (macie2:EnableMacie)');

      // Macie reads back enabled, with the job, once apply has made them (and not before:
      // the gate reads the account again right before the first write).
      let token = '';
      let enabled = false;
      let jobMade = false;
      macie.on(EnableMacieCommand).callsFake(() => {
        enabled = true;
        return {};
      });
      macie.on(CreateClassificationJobCommand).callsFake((input: { clientToken: string }) => {
        token = input.clientToken;
        jobMade = true;
        return { jobId: 'job-1' };
      });
      macie.on(GetMacieSessionCommand).callsFake(() => {
        if (!enabled) throw notEnabled();
        return { status: 'ENABLED' };
      });
      macie.on(ListClassificationJobsCommand).callsFake(() => {
        if (!enabled) throw notEnabled();
        return {
          items: jobMade
            ? [
                {
                  jobId: 'job-1',
                  name: `s3-harden ${bucket}`,
                  jobStatus: 'RUNNING',
                  bucketDefinitions: [{ accountId: ACCOUNT, buckets: [bucket] }],
                },
              ]
            : [],
        };
      });
      macie.on(DescribeClassificationJobCommand).callsFake(() => ({
        name: `s3-harden ${bucket}`,
        jobType: 'ONE_TIME',
        jobStatus: 'RUNNING',
        samplingPercentage: 50,
        managedDataIdentifierSelector: 'RECOMMENDED',
        clientToken: token,
      }));

      await press(app, KEY.enter);
      await waitFor(app, 'Apply 2 changes to bucket');
      await press(app, 'y');
      const result = await waitFor(app, 'Apply complete: 2 changes applied and verified.');
      expect(result).toContain('✓ Macie classification job: applied, verified');

      expect(macie.commandCalls(EnableMacieCommand).map((call) => call.args[0].input)).toEqual([
        { status: 'ENABLED' },
      ]);
      const created = macie.commandCalls(CreateClassificationJobCommand)[0]?.args[0].input;
      expect(created).toMatchObject({
        jobType: 'ONE_TIME',
        samplingPercentage: 50,
        managedDataIdentifierSelector: 'RECOMMENDED',
        s3JobDefinition: { bucketDefinitions: [{ accountId: ACCOUNT, buckets: [bucket] }] },
      });
      expect(created?.name).toMatch(new RegExp(`^s3-harden ${bucket} \\d{4}-\\d{2}-\\d{2}$`));
      expect(created?.clientToken).toMatch(/^s3-harden-[0-9a-f]{32}$/);
    });

    it('keeps the job that already scans the bucket, and says so', async () => {
      const bucket = uniqueBucket('macie-screen-kept');
      await createBucket(bucket);
      macie.on(GetMacieSessionCommand).resolves({ status: 'ENABLED' });
      macie.on(ListClassificationJobsCommand).resolves({
        items: [
          {
            jobId: 'job-7',
            name: `s3-harden ${bucket} 2026-01-05`,
            jobStatus: 'IDLE',
            bucketDefinitions: [{ accountId: ACCOUNT, buckets: [bucket] }],
          },
        ],
      });
      macie.on(DescribeClassificationJobCommand).resolves({
        name: `s3-harden ${bucket} 2026-01-05`,
        jobType: 'SCHEDULED',
        scheduleFrequency: { dailySchedule: {} },
        jobStatus: 'IDLE',
        samplingPercentage: 100,
        managedDataIdentifierSelector: 'ALL',
        clientToken: 'earlier',
      });
      macie.on(DescribeBucketsCommand).resolves({ buckets: [] });

      const app = start(bucket);
      await pastPosture(app);
      const screen = (await waitFor(app, 'step 1 of 1')).replace(/\s+/g, ' ');
      expect(screen).toContain('Macie is enabled in us-east-1.');
      expect(screen).toContain(
        `Kept: s3-harden job "s3-harden ${bucket} 2026-01-05" (IDLE; daily, sampling 100%, all identifiers) already scans ${bucket}`,
      );
      expect(screen).not.toContain('Create a classification job');
      await press(app, KEY.enter);
      await waitFor(app, 'No changes');
      expect(macie.commandCalls(CreateClassificationJobCommand)).toEqual([]);
    });
  });
});
