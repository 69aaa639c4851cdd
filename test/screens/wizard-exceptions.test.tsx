/**
 * The wizard honours intended exceptions as `plan` does, against the local
 * emulator: a control excepted by a bucket tag or the exceptions file shows
 * "excepted" on the posture screen, its step is not walked, and the review
 * says what was left as is, who owns the bucket (Terraform, from its tags),
 * and what account-wide Block Public Access does to a bucket excepted to
 * stay public. A bad exceptions file ends the wizard with its one line.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutBucketTaggingCommand } from '@aws-sdk/client-s3';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import { type Exception, parseExceptions } from '../../src/plan/exceptions/exceptions.js';
import { parsePlan } from '../../src/plan/files/plan-file.js';
import { App } from '../../src/screens/app.js';
import { ServicesProvider, type WizardServices } from '../../src/screens/services.js';
import type { StepId } from '../../src/steps/types.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients, setAccountPublicAccessBlock } from '../helpers/fixtures.js';
import { frame, KEY, press, selectLine, waitFor } from '../helpers/ink.js';

const STEPS: readonly StepId[] = ['public-access-block', 'account-public-access-block'];

describe('the wizard with intended exceptions', () => {
  let dir: string;
  let sessions: AwsSession[];
  let exitCode: number | undefined;

  const services = (exceptions: () => Promise<readonly Exception[]>): WizardServices => ({
    connect: async () => {
      const session = await connect({ endpoint: emulatorUrl() });
      sessions.push(session);
      return session;
    },
    openJournal: (target) => openJournal(target, join(dir, 'journals')),
    savePlan: (bucket, text) => {
      const path = join(dir, `${bucket}.json`);
      writeFileSync(path, text);
      return path;
    },
    exceptions,
    now: () => new Date('2026-12-06T12:00:00Z'),
  });

  const start = (wizardServices: WizardServices, bucket?: string) =>
    render(
      <ServicesProvider services={wizardServices}>
        <App
          preset="baseline"
          steps={STEPS}
          onExit={(code) => {
            exitCode = code;
          }}
          {...(bucket ? { bucket } : {})}
        />
      </ServicesProvider>,
    );

  const tag = (bucket: string, tags: Record<string, string>) =>
    rawClients().s3.send(
      new PutBucketTaggingCommand({
        Bucket: bucket,
        Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      }),
    );

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-screens-'));
    sessions = [];
    exitCode = undefined;
    await setAccountPublicAccessBlock(null);
  });
  afterEach(() => {
    for (const session of sessions) session.close();
  });

  it('a tag exception holds its step back; the review says so, and that Terraform owns the bucket', async () => {
    const bucket = uniqueBucket('wiz-exc');
    await createBucket(bucket);
    await tag(bucket, {
      's3-harden:exception:S3.8': 'public website until 2027-06-30',
      ManagedBy: 'terraform',
    });
    const app = start(
      services(async () => []),
      bucket,
    );

    const standing = await waitFor(app, `Where ${bucket} stands now`);
    expect(standing).toMatch(
      /✗ Block Public Access \(bucket\) +excepted +excepted \(public website\)/,
    );
    expect(standing).toContain('(1 excepted)');
    await press(app, KEY.enter);

    // The bucket's own Block Public Access step is not walked: one step, the account's.
    const step = await waitFor(app, 'step 1 of 1');
    expect(step).toContain('Block Public Access (account)');
    await press(app, KEY.enter);

    const review = await waitFor(app, 'Review the plan: summary');
    expect(review).toContain(
      'Skipped Block Public Access (bucket): left as is: excepted (public website), until 2027-06-30',
    );
    expect(review).toContain(`! ${bucket} looks managed by Terraform (tag ManagedBy=terraform)`);
    // Turning on the account's block ends the bucket's excepted public access: said, with the way out.
    expect(review.replace(/\s+/g, ' ')).toContain(`${bucket} stops being public when this applies`);

    // The saved plan is built from the steps walked, so apply derives the same plan.
    await press(app, 's');
    await waitFor(app, 'Save the plan as:');
    await press(app, KEY.enter);
    await waitFor(app, 'Saved to');
    const saved = parsePlan(readFileSync(join(dir, `${bucket}.json`), 'utf8'));
    expect(saved.changes.map((change) => change.resource)).toEqual(['account.publicAccessBlock']);
    expect(saved.provenance).toMatchObject({ steps: ['account-public-access-block'] });
    app.unmount();
  });

  it('an exceptions-file entry holds back one bucket; another bucket picked after it walks every step', async () => {
    const excepted = uniqueBucket('wiz-file');
    const other = uniqueBucket('wiz-other');
    await createBucket(excepted);
    await createBucket(other);
    const exceptions = parseExceptions(
      JSON.stringify({
        version: 1,
        exceptions: [{ bucket: excepted, controls: ['bpa-bucket'], reason: 'partner drop box' }],
      }),
      'exceptions.json',
    );
    const app = start(services(async () => exceptions));

    await waitFor(app, other);
    await selectLine(app, excepted);
    await press(app, KEY.enter);
    await waitFor(app, 'excepted (partner drop box)');
    // Back to the picker, and the other bucket: its own exceptions (none) decide its steps.
    await press(app, KEY.escape);
    await waitFor(app, 'Which bucket should be hardened?');
    await selectLine(app, other);
    await press(app, KEY.enter);
    const standing = await waitFor(app, `Where ${other} stands now`);
    expect(standing).not.toContain('excepted');
    await press(app, KEY.enter);
    expect(await waitFor(app, 'step 1 of 2')).toContain('Block Public Access (bucket)');
    app.unmount();
  });

  it('a bad exceptions file ends the wizard with its one line and exit 1, before any write', async () => {
    const app = start(
      services(async () => {
        throw new Error(
          'exceptions file .s3-harden.json: exceptions[0].reason: a reason is required.',
        );
      }),
    );
    await waitFor(app, '✗ exceptions file .s3-harden.json: exceptions[0].reason');
    await waitFor(app, () => exitCode !== undefined);
    expect(exitCode).toBe(1);
    expect(frame(app)).not.toContain('Which bucket');
  });
});
