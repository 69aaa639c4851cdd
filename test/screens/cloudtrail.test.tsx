/**
 * The CloudTrail data events step in the wizard, against the emulator: with
 * no trail, baseline offers to create s3-harden's trail (off) and says what
 * data events cost; turning it on reviews the trail, its bucket and the
 * selector. With a logging multi-Region trail, the step says it adds the
 * bucket's selector to it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import { App } from '../../src/screens/app.js';
import { ServicesProvider, type WizardServices } from '../../src/screens/services.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';
import { KEY, pastPosture, press, waitFor } from '../helpers/ink.js';

describe('the CloudTrail data events step in the wizard', () => {
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
        <App preset="baseline" steps={['cloudtrail']} bucket={bucket} onExit={() => {}} />
      </ServicesProvider>,
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-cloudtrail-screen-'));
    sessions = [];
  });
  afterEach(() => {
    for (const session of sessions) session.close();
  });

  it('with no trail: creating one is offered, off under baseline, with the cost; on, it is reviewed', async () => {
    const bucket = uniqueBucket('ct-screen');
    await createBucket(bucket);
    const app = start(bucket);
    await pastPosture(app);
    const screen = await waitFor(app, 'step 1 of 1');
    expect(screen).toContain('CloudTrail data events');
    expect(screen).toContain('Satisfies Security Hub S3.22/S3.23, CIS 4.8/4.9');
    expect(screen).toContain("[ ] Create or start s3-harden's trail  now no trail");
    expect(screen.replace(/\s+/g, ' ')).toContain(
      '! Costs: data events are charged per 100,000 events (see AWS CloudTrail pricing), every delivery including the first.',
    );
    await press(app, KEY.down, ' ');
    await waitFor(app, "[x] Create or start s3-harden's trail");
    await press(app, KEY.enter);
    const review = await waitFor(app, 'Plan: 10 to add');
    expect(review).toContain('+ Create CloudTrail bucket s3-harden-trail-123456789012-us-east-1');
  });

  it('with a logging multi-Region trail: the bucket’s selector goes into it', async () => {
    const bucket = uniqueBucket('ct-screen-add');
    await createBucket(bucket);
    const storage = uniqueBucket('ct-screen-store');
    await createBucket(storage);
    const ct = new CloudTrailClient({ endpoint: emulatorUrl(), region: 'us-east-1' });
    await ct.send(
      new CreateTrailCommand({ Name: 'org-main', S3BucketName: storage, IsMultiRegionTrail: true }),
    );
    await ct.send(new StartLoggingCommand({ Name: 'org-main' }));
    try {
      const app = start(bucket);
      await pastPosture(app);
      const screen = await waitFor(app, 'step 1 of 1');
      expect(screen.replace(/\s+/g, ' ')).toContain(
        `Adds a basic event selector for arn:aws:s3:::${bucket}/ to trail org-main`,
      );
      expect(screen).not.toContain("Create or start s3-harden's trail");
      await press(app, KEY.enter);
      const review = await waitFor(app, 'Plan: 0 to add, 1 to change');
      expect(review).toContain(`~ CloudTrail data events: ${bucket} on trail org-main`);
    } finally {
      await ct.send(new DeleteTrailCommand({ Name: 'org-main' }));
      ct.destroy();
    }
  });
});
