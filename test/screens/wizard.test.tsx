/**
 * The wizard driven by keys, against the local emulator: bucket pick → Block
 * Public Access (bucket, account) → review → confirm → apply → result, and
 * Esc back at each screen.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetPublicAccessBlockCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import { CONTROLS } from '../../src/plan/audit/controls.js';
import { parsePlan } from '../../src/plan/files/plan-file.js';
import type { ApiCall } from '../../src/plan/model/types.js';
import { App } from '../../src/screens/app.js';
import { ServicesProvider, type WizardServices } from '../../src/screens/services.js';
import type { StepId } from '../../src/steps/types.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients, setAccountPublicAccessBlock } from '../helpers/fixtures.js';
import {
  expandReview,
  frame,
  KEY,
  pastPosture,
  press,
  selectLine,
  waitFor,
} from '../helpers/ink.js';

// These tests walk the Block Public Access steps; each other step has its own tests.
const PAB_STEPS: readonly StepId[] = ['public-access-block', 'account-public-access-block'];
const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

describe('the wizard', () => {
  let dir: string;
  let sessions: AwsSession[];
  let exitCode: number | undefined;

  const services = (
    wrap: (session: AwsSession) => AwsSession = (session) => session,
  ): WizardServices => ({
    connect: async () => {
      const session = await connect({ endpoint: emulatorUrl() });
      sessions.push(session);
      return wrap(session);
    },
    openJournal: (target) => openJournal(target, join(dir, 'journals')),
    savePlan: (bucket, text) => {
      const path = join(dir, `${bucket}.json`);
      writeFileSync(path, text);
      return path;
    },
  });

  const start = (
    wizardServices: WizardServices,
    bucket?: string,
    preset: 'baseline' | null = 'baseline',
  ) =>
    render(
      <ServicesProvider services={wizardServices}>
        <App
          {...(preset ? { preset } : {})}
          steps={PAB_STEPS}
          onExit={(code) => {
            exitCode = code;
          }}
          {...(bucket ? { bucket } : {})}
        />
      </ServicesProvider>,
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

  it('walks from bucket pick to an applied, verified result, with Esc going back', async () => {
    const bucket = uniqueBucket('wizard');
    await createBucket(bucket);
    const app = start(services());

    // The first frame is up before AWS answers.
    expect(frame(app)).toContain('s3-harden');
    await waitFor(app, 'Which bucket should be hardened?');
    await waitFor(app, bucket);
    expect(frame(app)).toContain('account 123456789012');
    await selectLine(app, bucket);
    await press(app, KEY.enter);

    // Where the bucket stands, and what these two steps of baseline would do.
    const standing = await waitFor(app, `Where ${bucket} stands now`);
    expect(standing).toMatch(/✗ Block Public Access \(bucket\) +→ fixed +no bucket-level/);
    expect(standing).toMatch(/✗ Block Public Access \(account\) .*→ fixed/);
    expect(standing).toMatch(/✗ Versioning .*left as is/);
    // The rows past what 24 lines hold scroll: the rest are counted.
    expect(standing).toMatch(/↓ \d+ more/);
    expect(standing).toMatch(
      new RegExp(`Holds \\d+ of ${CONTROLS.length}\\. baseline fixes 2 of \\d+;`),
    );
    await press(app, 'i');
    await waitFor(app, /Block Public Access \(bucket\) +→ fixed +FSBP S3\.8 · CIS 3\.1\.4/);
    // ↑ picks the last control, scrolling it into view; its whole detail shows under the table.
    await press(app, KEY.up);
    expect(await waitFor(app, /↑ \d+ more/)).toMatch(/\? Macie discovery job +left as is/);
    await waitFor(
      app,
      /IAM Access Analyzer findings: IAM Access Analyzer is not available at this\s+endpoint/,
    );
    await press(app, KEY.enter);
    await waitFor(app, 'step 1 of 2');
    expect(frame(app)).toContain('Block Public Access (bucket)');
    expect(frame(app)).toContain('[x] Block public ACLs  now not set → on');
    expect(frame(app)).toContain('Rejects PUT requests that carry a public ACL.');

    // Esc goes back through the posture screen to the picker, and we come forward again.
    await press(app, KEY.escape);
    await waitFor(app, `Where ${bucket} stands now`);
    await press(app, KEY.escape);
    await waitFor(app, 'Which bucket should be hardened?');
    await selectLine(app, bucket);
    await press(app, KEY.enter);
    await pastPosture(app);
    await waitFor(app, 'step 1 of 2');

    // Turn one flag off: the review will show three fields, not four.
    await press(app, KEY.down);
    await waitFor(app, '› [x] Ignore public ACLs');
    await press(app, KEY.space);
    await waitFor(app, '› [ ] Ignore public ACLs');
    await press(app, KEY.enter);

    await waitFor(app, 'step 2 of 2');
    expect(frame(app)).toContain('Account-wide: affects every bucket in account 123456789012');
    await press(app, KEY.escape);
    await waitFor(app, '  [ ] Ignore public ACLs  now not set'); // answers survive going back
    await press(app, KEY.enter);
    await waitFor(app, 'step 2 of 2');
    await press(app, KEY.enter);

    // The review opens on its summary, one line per change; `d` shows the whole diff.
    const glance = await waitFor(app, 'Plan: 2 to add, 0 to change, 0 to remove (0 irreversible).');
    expect(glance).toContain('› + Block Public Access (bucket)');
    await press(app, 'd');
    const review = await waitFor(app, '(s3:PutPublicAccessBlock)');
    expect(review).toContain('+ Block Public Access (bucket)  (s3:PutPublicAccessBlock)');
    expect(review).toContain('    + IgnorePublicAcls       false');
    await press(app, 'c');
    await waitFor(app, 'aws s3api put-public-access-block');
    await press(app, 'c');
    await waitFor(app, 'Review the plan');
    await press(app, 's');
    await waitFor(app, 'Save the plan as: s3-harden-plan-');
    await press(app, KEY.enter);
    await waitFor(app, 'Saved to');
    const saved = parsePlan(readFileSync(join(dir, `${bucket}.json`), 'utf8'));
    expect(saved.changes).toHaveLength(2);

    // On the diff (`d` opened it), Enter goes on to the confirmation.
    await press(app, KEY.enter);
    await waitFor(app, 'Apply 2 changes to bucket');
    // Back from it, the review is on its summary again: Enter expands, Enter applies.
    await press(app, KEY.escape);
    await expandReview(app);
    await press(app, KEY.enter);
    await waitFor(app, 'Apply 2 changes to bucket');
    await press(app, 'y');

    const result = await waitFor(app, 'Apply complete: 2 changes applied and verified.');
    expect(result).toContain('✓ Block Public Access (bucket): applied, verified');
    expect(result).toContain('✓ Block Public Access (account): applied, verified');
    // Esc on the result does not undo anything; Enter exits with 0.
    await press(app, KEY.enter);
    await waitFor(app, () => exitCode !== undefined);
    expect(exitCode).toBe(0);

    const posture = await sessions[0]?.observe(bucket, [
      'bucket.publicAccessBlock',
      'account.publicAccessBlock',
    ]);
    expect(posture?.values).toEqual({
      'bucket.publicAccessBlock': { ...ALL_ON, IgnorePublicAcls: false },
      'account.publicAccessBlock': ALL_ON,
    });
  });

  it('opens with the preset choice when none was given, and Esc returns to it', async () => {
    const app = start(services(), undefined, null);
    await waitFor(app, 'Which defaults should the wizard propose?');
    expect(frame(app)).toContain('› baseline');
    expect(frame(app)).toContain('worm');
    await selectLine(app, 'strict');
    await press(app, KEY.enter);
    await waitFor(app, 'Which bucket should be hardened?');
    await press(app, KEY.escape);
    await waitFor(app, 'Which defaults should the wizard propose?');
  });

  it('creates a new bucket: validated name, then the steps, then a plan that starts with CreateBucket', async () => {
    const taken = uniqueBucket('taken');
    await createBucket(taken);
    const app = start(services());
    await waitFor(app, '› Type a bucket name…');
    await selectLine(app, 'Create a new bucket…');
    await press(app, KEY.enter);
    await waitFor(app, 'Create a new bucket');
    await waitFor(app, 'Type bucket name, e.g. my-new-bucket, then enter.');
    expect(frame(app)).not.toContain('✗');
    await press(app, ...'Bad'.split(''));
    await waitFor(app, 'may contain only lowercase letters');
    for (let i = 0; i < 3; i++) await press(app, '\u007F');
    // A name that exists already is refused with a clear reason.
    await press(app, ...taken.split(''));
    await waitFor(app, `Bucket name: ${taken}`);
    await press(app, KEY.enter);
    await waitFor(app, `✗ Bucket ${taken} already exists; choose it from the list to harden it.`);
    for (let i = 0; i < taken.length; i++) await press(app, '\u007F');
    const fresh = uniqueBucket('fresh');
    await press(app, ...fresh.split(''));
    await waitFor(app, `Bucket name: ${fresh}`);
    await press(app, KEY.enter);
    await waitFor(app, 'step 1 of 2');
    expect(frame(app)).toContain(`bucket ${fresh}`);
    await press(app, KEY.enter);
    await waitFor(app, 'step 2 of 2');
    await press(app, KEY.enter);
    const glance = await waitFor(app, /Plan: \d+ to add/);
    expect(glance).toContain('› + Create bucket');
    await press(app, 'd');
    const review = await waitFor(app, '(s3:CreateBucket)');
    expect(review).toContain('+ Create bucket  (s3:CreateBucket)');
  });

  it('validates a typed bucket name and reports a missing bucket', async () => {
    const app = start(services());
    await waitFor(app, '› Type a bucket name…');
    await press(app, KEY.enter);
    await waitFor(app, 'Bucket name:');
    await press(app, 'B', 'a', 'd', '_');
    await waitFor(
      app,
      '✗ a bucket name may contain only lowercase letters, digits, dots and hyphens (found "B")',
    );
    for (let i = 0; i < 4; i++) await press(app, '\u007F');
    await press(app, ...'missing-bucket-xyz'.split(''));
    await waitFor(app, 'Bucket name: missing-bucket-xyz');
    await press(app, KEY.enter);
    await waitFor(app, '✗ Bucket missing-bucket-xyz does not exist.');
  });

  it('--bucket naming a missing bucket without --preset: says so after the preset, and lets the operator choose another', async () => {
    const missing = uniqueBucket('no-such');
    const app = start(services(), missing, null);
    await waitFor(app, 'Which defaults should the wizard propose?');
    expect(frame(app)).toContain(missing);
    await press(app, KEY.enter);
    // Not back on the preset screen, silently: the bucket picker, with why.
    const picker = await waitFor(app, `✗ Bucket ${missing} does not exist.`);
    expect(picker).toContain('Which bucket should be hardened?');
    // The header no longer names the bucket that failed.
    expect(picker.split(`✗ Bucket ${missing}`)[0]).not.toContain(missing);
    const real = uniqueBucket('real');
    await createBucket(real);
    await waitFor(app, '› Type a bucket name…');
    await press(app, KEY.enter);
    await waitFor(app, 'Bucket name:');
    await press(app, ...real.split(''));
    await waitFor(app, `Bucket name: ${real}`);
    await press(app, KEY.enter);
    await pastPosture(app);
    await waitFor(app, 'step 1 of 2');
    expect(frame(app)).toContain(real);
    expect(frame(app)).not.toContain(missing);
  });

  it('Ctrl+C during apply finishes the calls in flight, then rolls back', async () => {
    const bucket = uniqueBucket('cancel');
    await createBucket(bucket);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Both writes sent: resolved once the second is in flight.
    let inFlight = 0;
    let bothSent: () => void = () => undefined;
    const sent = new Promise<void>((resolve) => {
      bothSent = resolve;
    });
    const slowWrites = (session: AwsSession): AwsSession => ({
      ...session,
      execute: async (call: ApiCall) => {
        // Both writes (the bucket's, the account's) are independent: both
        // wait in flight until released, so "0 of 2" holds until then.
        if (call.operation === 'PutPublicAccessBlock') {
          inFlight += 1;
          if (inFlight === 2) bothSent();
          await gate;
        }
        return session.execute(call);
      },
      // Apply reads and writes through a memoised view: slow as well.
      memoised: () => slowWrites(session.memoised()),
    });
    const app = start(services(slowWrites), bucket);
    await pastPosture(app);
    await waitFor(app, 'step 1 of 2');
    await press(app, KEY.enter);
    await waitFor(app, 'step 2 of 2');
    await press(app, KEY.enter);
    await waitFor(app, 'Plan: 2 to add');
    await expandReview(app);
    await press(app, KEY.enter);
    await waitFor(app, 'Apply 2 changes');
    await press(app, 'y');
    await waitFor(app, 'Applying (0 of 2)');
    // "0 of 2" shows while the resources are read before the first write:
    // the cancel comes once both writes are in flight.
    await sent;
    await press(app, KEY.ctrlC);
    await waitFor(app, 'Cancelling: finishing the calls in flight, then rolling back');
    release();
    // The account's write was in flight too: it finished, and is rolled back.
    const result = await waitFor(
      app,
      'Apply cancelled; 2 changes rolled back. The bucket is as it was.',
    );
    expect(result).toContain('↶ Block Public Access (bucket): rolled back');
    expect(result).toContain('↶ Block Public Access (account): rolled back');
    const posture = await sessions[0]?.observe(bucket, [
      'bucket.publicAccessBlock',
      'account.publicAccessBlock',
    ]);
    expect(posture?.values).toEqual({
      'bucket.publicAccessBlock': null,
      'account.publicAccessBlock': null,
    });
  });

  it('Ctrl+C after the last write keeps everything applied and says so before reading back', async () => {
    const bucket = uniqueBucket('cancel-late');
    await createBucket(bucket);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let lastWriteDone = false;
    let held = false;
    // The last write goes through; the first read back after it waits for the gate.
    const slowReadBack = (session: AwsSession): AwsSession => ({
      ...session,
      execute: async (call: ApiCall) => {
        const output = await session.execute(call);
        if (call.service === 's3control') lastWriteDone = true;
        return output;
      },
      read: async (target, resource) => {
        if (lastWriteDone && !held) {
          held = true;
          await gate;
        }
        return session.read(target, resource);
      },
      // Apply reads and writes through a memoised view: slow as well.
      memoised: () => slowReadBack(session.memoised()),
    });
    const app = start(services(slowReadBack), bucket);
    await pastPosture(app);
    await waitFor(app, 'step 1 of 2');
    await press(app, KEY.enter);
    await waitFor(app, 'step 2 of 2');
    await press(app, KEY.enter);
    await waitFor(app, 'Plan: 2 to add');
    await expandReview(app);
    await press(app, KEY.enter);
    await waitFor(app, 'Apply 2 changes');
    await press(app, 'y');
    const reading = await waitFor(app, 'Applying (2 of 2)');
    expect(reading).toContain('every change applied: reading them back');
    expect(reading).not.toContain('ctrl+c cancels and rolls back');
    await press(app, KEY.ctrlC);
    const said = await waitFor(
      app,
      'the last change is already applied, so nothing is rolled back',
    );
    expect(said).not.toContain('rolling back what was applied');
    release();
    const result = await waitFor(app, 'Apply complete: 2 changes applied and verified.');
    expect(result).not.toContain('rolled back');
    const posture = await sessions[0]?.observe(bucket, [
      'bucket.publicAccessBlock',
      'account.publicAccessBlock',
    ]);
    expect(posture?.values).toEqual({
      'bucket.publicAccessBlock': ALL_ON,
      'account.publicAccessBlock': ALL_ON,
    });
  });

  it('a bucket changed between the review and `y` is not applied: the drift is shown and the plan made again', async () => {
    const bucket = uniqueBucket('stale-y');
    await createBucket(bucket);
    await setAccountPublicAccessBlock(ALL_ON);
    const app = start(services(), bucket);
    await pastPosture(app);
    await waitFor(app, 'step 1 of 2');
    await press(app, KEY.enter);
    await waitFor(app, 'step 2 of 2');
    await press(app, KEY.enter);
    await waitFor(app, 'Plan: 1 to add, 0 to change, 0 to remove (0 irreversible).');
    await expandReview(app);
    await press(app, KEY.enter);
    await waitFor(app, `Apply 1 change to bucket ${bucket}`);

    // Someone else turns two of the flags on while the confirm screen is up.
    const { s3 } = rawClients();
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: false,
          RestrictPublicBuckets: false,
        },
      }),
    );
    await press(app, 'y');
    const review = await waitFor(app, (text) =>
      text.replace(/\s+/g, ' ').includes('read again and re-planned'),
    );
    expect(review.replace(/\s+/g, ' ')).toContain(
      'The bucket changed since it was read (Block Public Access (bucket) changed since the plan): read again and re-planned. Review the changes.',
    );
    // The new plan starts from what the bucket holds now.
    expect(review).toContain('Plan: 0 to add, 1 to change, 0 to remove (0 irreversible).');
    expect(review).toContain('review');
    // Nothing was applied, and no journal was opened.
    expect(readdirSync(dir).filter((name) => name === 'journals')).toEqual([]);
    const live = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    expect(live.PublicAccessBlockConfiguration?.BlockPublicPolicy).toBe(false);
    s3.destroy();

    // From the new plan, `y` applies.
    await expandReview(app);
    await press(app, KEY.enter);
    await waitFor(app, `Apply 1 change to bucket ${bucket}`);
    await press(app, 'y');
    await waitFor(app, 'Apply complete: 1 change applied and verified.');
  });

  it('says so when nothing needs changing', async () => {
    const bucket = uniqueBucket('done');
    await createBucket(bucket, { publicAccessBlock: ALL_ON });
    await setAccountPublicAccessBlock(ALL_ON);
    const app = start(services(), bucket);
    await pastPosture(app);
    await waitFor(app, 'step 1 of 2');
    expect(frame(app)).toContain('[x] Block public ACLs  now on');
    await press(app, KEY.enter);
    await waitFor(app, 'step 2 of 2');
    await press(app, KEY.enter);
    await waitFor(app, 'No changes. The bucket already matches.');
    expect(frame(app)).toContain('enter finish');
  });
});
