/**
 * An earlier apply that never finished (a crash): after the bucket is picked,
 * the wizard offers to roll it back first, with the rollback command's logic.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { rollBackInSession } from '../../src/commands/wizard.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import { findUnfinishedJournals } from '../../src/plan/apply/rollback.js';
import { App } from '../../src/screens/app.js';
import { ServicesProvider } from '../../src/screens/services.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';
import { frame, KEY, pastPosture, press, waitFor } from '../helpers/ink.js';

const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

describe('an unfinished journal for the picked bucket', () => {
  const sessions: AwsSession[] = [];
  afterEach(() => {
    for (const session of sessions.splice(0)) session.close();
  });

  it('is offered for rollback before the steps, and the bucket is read again after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 's3-harden-unfinished-'));
    const journals = join(dir, 'journals');
    const bucket = uniqueBucket('crashed');
    await createBucket(bucket);
    const session = await connect({ endpoint: emulatorUrl() });
    sessions.push(session);
    const target = { accountId: session.identity.accountId, region: 'us-east-1', bucket };
    // What a crash right after the first write leaves behind.
    const journal = openJournal(target, journals);
    const undo = {
      service: 's3' as const,
      operation: 'DeletePublicAccessBlock',
      input: { Bucket: bucket },
    };
    journal.append({ type: 'begin', target, changes: 2, tool: 's3-harden' });
    journal.append({
      type: 'intent',
      changeId: 'bucket.publicAccessBlock',
      resource: 'bucket.publicAccessBlock',
      title: 'Block Public Access (bucket)',
      before: null,
      undo,
    });
    await session.execute({
      service: 's3',
      operation: 'PutPublicAccessBlock',
      input: { Bucket: bucket, PublicAccessBlockConfiguration: ALL_ON },
    });
    journal.append({ type: 'applied', changeId: 'bucket.publicAccessBlock' });
    journal.close();

    const app = render(
      <ServicesProvider
        services={{
          connect: async () => {
            const wizardSession = await connect({ endpoint: emulatorUrl() });
            sessions.push(wizardSession);
            return wizardSession;
          },
          openJournal: (t) => openJournal(t, journals),
          savePlan: () => '',
          unfinishedJournals: (t) => findUnfinishedJournals(t, journals),
          rollBack: rollBackInSession,
        }}
      >
        <App
          preset="baseline"
          steps={['public-access-block']}
          bucket={bucket}
          onExit={() => undefined}
        />
      </ServicesProvider>,
    );
    await waitFor(app, `! An earlier apply to ${bucket} did not finish.`);
    expect(frame(app)).toContain('r roll it back now');
    await press(app, 'r');
    await waitFor(app, '↶ Block Public Access (bucket): rolled back');
    await press(app, KEY.enter);
    // Read again: the setting the crash left is gone, and the step proposes it anew.
    await pastPosture(app);
    await waitFor(app, '[x] Block public ACLs  now not set → on');
    expect(await session.read(target, 'bucket.publicAccessBlock')).toBeNull();
    expect(findUnfinishedJournals(target, journals)).toEqual([]);
  });
});
