/**
 * Keys that arrive in one read — a held key, a paste, an SSH packet — are
 * each handled, on lists and text fields alike, at 80×24 and 60×20. Each
 * `stdin.write` here is one terminal read (test/helpers/ink-keys.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import { App } from '../../src/screens/app.js';
import { ServicesProvider, type WizardServices } from '../../src/screens/services.js';
import type { StepId } from '../../src/steps/types.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';
import { frame, KEY, press, waitFor } from '../helpers/ink.js';
import { renderInTerminal } from '../helpers/ink-keys.js';

const PAB_STEPS: readonly StepId[] = ['public-access-block', 'account-public-access-block'];
const DOWN = '\u001b[B';
const BACKSPACE = '\u007f';

describe('keys in one read', () => {
  let dir: string;
  let sessions: AwsSession[];

  const services = (): WizardServices => ({
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
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-bursts-'));
    sessions = [];
  });
  afterEach(() => {
    for (const session of sessions) session.close();
  });

  for (const [columns, rows] of [
    [80, 24],
    [60, 20],
  ] as const) {
    it(`at ${columns}×${rows}: Down Down in one read moves two rows; Backspace Backspace deletes two characters; a paste with its newline is typed, then Enter`, async () => {
      const bucket = uniqueBucket('burst');
      await createBucket(bucket);
      const app = renderInTerminal(
        <ServicesProvider services={services()}>
          <App steps={PAB_STEPS} onExit={() => undefined} />
        </ServicesProvider>,
        { columns, rows },
      );
      await waitFor(app, '› baseline');
      await press(app, `${DOWN}${DOWN}`);
      await waitFor(app, '› worm');
      // Back up to baseline, again in one read.
      await press(app, '\u001b[A\u001b[A');
      await waitFor(app, '› baseline');
      await press(app, KEY.enter);
      await waitFor(app, '› Type a bucket name…');
      await press(app, KEY.enter);
      await waitFor(app, 'Bucket name:');
      await press(app, 'abcd');
      await waitFor(app, 'Bucket name: abcd');
      await press(app, `${BACKSPACE}${BACKSPACE}`);
      await waitFor(app, (screen: string) => /Bucket name: ab(?!c)/.test(screen));
      // Nothing invisible went into the field: no complaint about its characters.
      expect(frame(app)).not.toContain('may contain only');
      await press(app, `${BACKSPACE}${BACKSPACE}`);
      // The pasted name and its trailing newline: typed as is, then Enter.
      await press(app, `${bucket}\r`);
      const posture = await waitFor(app, 'stands now');
      expect(posture).toContain(bucket.slice(0, 20));
      app.unmount();
    });
  }
});
