/**
 * Ctrl+C right after `y` always gets an answer on screen — cancelled before
 * the first write, cancelled and rolled back, or finished with nothing left
 * to cancel — never silence, and the exit code that goes with it. Keys are
 * sent as a terminal delivers them (one write, one read), at 80×24 and 60×20.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import { App } from '../../src/screens/app.js';
import { ServicesProvider, type WizardServices } from '../../src/screens/services.js';
import type { StepId } from '../../src/steps/types.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, setAccountPublicAccessBlock } from '../helpers/fixtures.js';
import { expandReview, frame, KEY, pastPosture, press, waitFor } from '../helpers/ink.js';
import { renderInTerminal } from '../helpers/ink-keys.js';

const PAB_STEPS: readonly StepId[] = ['public-access-block', 'account-public-access-block'];
const RESOURCES = ['bucket.publicAccessBlock', 'account.publicAccessBlock'] as const;
const CANCELLED = 'Cancelled before the first write: nothing was written, the bucket is as it was.';
const NOTHING_LEFT = 'Finished: nothing left to cancel.';
const ROLLED_BACK = 'The bucket is as it was.';

/** The screen's text as one line: narrow terminals wrap the answer. */
const oneLine = (screen: string) => screen.replace(/\s*\n\s*/g, ' ');

describe('Ctrl+C right after y', () => {
  let dir: string;
  let sessions: AwsSession[];
  let exitCode: number | undefined;

  const services = (wrap: (session: AwsSession) => AwsSession = (s) => s): WizardServices => ({
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

  const start = (wizard: WizardServices, bucket: string, columns: number, rows: number) =>
    renderInTerminal(
      <ServicesProvider services={wizard}>
        <App
          preset="baseline"
          steps={PAB_STEPS}
          bucket={bucket}
          onExit={(code) => {
            exitCode = code;
          }}
        />
      </ServicesProvider>,
      { columns, rows },
    );

  /** From the posture screen to the confirmation, ready for `y`. */
  async function toConfirm(app: ReturnType<typeof start>) {
    await pastPosture(app);
    await waitFor(app, 'step 1 of 2');
    await press(app, KEY.enter);
    await waitFor(app, 'step 2 of 2');
    await press(app, KEY.enter);
    await waitFor(app, 'Plan: 2 to add');
    await expandReview(app);
    await press(app, KEY.enter);
    await waitFor(app, 'Apply 2 changes');
  }

  const read = async (bucket: string) =>
    (await sessions[0]?.observe(bucket, [...RESOURCES]))?.values;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-cancel-'));
    sessions = [];
    exitCode = undefined;
    await setAccountPublicAccessBlock(null);
  });
  afterEach(() => {
    for (const session of sessions) session.close();
  });

  for (const [columns, rows] of [
    [80, 24],
    [60, 20],
  ] as const) {
    it(`at ${columns}×${rows}: y and Ctrl+C in one read end with an answer and its exit code`, async () => {
      const bucket = uniqueBucket('y-ctrl-c');
      await createBucket(bucket);
      const app = start(services(), bucket, columns, rows);
      await toConfirm(app);
      await press(app, `y${KEY.ctrlC}`);
      const answer = oneLine(
        await waitFor(app, (screen: string) =>
          [CANCELLED, NOTHING_LEFT, ROLLED_BACK].some((text) => oneLine(screen).includes(text)),
        ),
      );
      await vi.waitFor(() => expect(exitCode).toBeDefined());
      const values = await read(bucket);
      if (answer.includes(NOTHING_LEFT)) {
        expect(exitCode).toBe(0);
        expect(values?.['bucket.publicAccessBlock']).not.toBeNull();
      } else {
        // Cancelled before any write, or cancelled and rolled back: as it was.
        expect(exitCode).toBe(answer.includes(CANCELLED) ? 130 : 1);
        expect(values).toEqual({
          'bucket.publicAccessBlock': null,
          'account.publicAccessBlock': null,
        });
      }
    });
  }

  it('Ctrl+C while the bucket is read again before the first write: nothing is written, and it says so', async () => {
    const bucket = uniqueBucket('cancel-gate');
    await createBucket(bucket);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reads = 0;
    let writes = 0;
    // The gate's read (the second observe of the bucket) waits until released.
    const slowGate = (session: AwsSession): AwsSession => ({
      ...session,
      observe: async (...args: Parameters<AwsSession['observe']>) => {
        reads += 1;
        if (reads === 2) await held;
        return session.observe(...args);
      },
      execute: async (call) => {
        writes += 1;
        return session.execute(call);
      },
    });
    const app = start(services(slowGate), bucket, 80, 24);
    await toConfirm(app);
    await press(app, 'y');
    await waitFor(app, 'again before the first write');
    await press(app, KEY.ctrlC);
    await waitFor(app, 'Cancelling: nothing has been written');
    release();
    await waitFor(app, (screen: string) => oneLine(screen).includes(CANCELLED));
    await vi.waitFor(() => expect(exitCode).toBe(130));
    expect(writes).toBe(0);
    expect(await read(bucket)).toEqual({
      'bucket.publicAccessBlock': null,
      'account.publicAccessBlock': null,
    });
  });

  it('Ctrl+C on the result screen: "Finished: nothing left to cancel.", and the apply’s exit code', async () => {
    const bucket = uniqueBucket('cancel-done');
    await createBucket(bucket);
    const app = start(services(), bucket, 60, 20);
    await toConfirm(app);
    await press(app, 'y');
    await waitFor(app, 'Apply complete: 2 changes applied and verified.');
    await press(app, KEY.ctrlC);
    await waitFor(app, NOTHING_LEFT);
    await vi.waitFor(() => expect(exitCode).toBe(0));
    expect(frame(app)).toContain(NOTHING_LEFT);
  });
});
