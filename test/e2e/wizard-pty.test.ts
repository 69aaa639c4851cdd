/**
 * The built CLI in a real pseudo-terminal against the emulator: keys in,
 * screen text out, through to "applied".
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/aws/index.js';
import { CONTROLS } from '../../src/plan/audit/controls.js';
import { BIN } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, setAccountPublicAccessBlock } from '../helpers/fixtures.js';
import { cliEnvironment, TmuxTerminal, tmuxAvailable } from '../helpers/tmux.js';

const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

const available = tmuxAvailable();

describe.skipIf(!available)('the built CLI in a pseudo-terminal (tmux)', () => {
  let terminal: TmuxTerminal | undefined;
  afterEach(() => terminal?.close());

  const environment = () => cliEnvironment();

  it('picks a bucket, reviews, applies, and exits 0 with the settings in place', async () => {
    const bucket = uniqueBucket('e2e');
    await createBucket(bucket);
    await setAccountPublicAccessBlock(null);
    terminal = new TmuxTerminal(
      [process.execPath, BIN, '--endpoint-url', emulatorUrl()],
      environment(),
      mkdtempSync(join(tmpdir(), 's3-harden-e2e-cwd-')),
    );
    // The header is the ready marker: it is drawn before the SDK loads.
    await terminal.waitFor('s3-harden');
    await terminal.waitFor('Which defaults should the wizard propose?');
    terminal.send('Enter'); // baseline
    await terminal.waitFor(bucket);
    // The list starts with "Type a bucket name…" and "Create a new bucket…".
    for (let moves = 0; moves < 10 && !terminal.screen().includes(`› ${bucket}`); moves++) {
      const before = terminal.screen();
      terminal.send('Down');
      await terminal.waitFor((screen: string) => screen !== before).catch(() => undefined);
    }
    await terminal.waitFor(`› ${bucket}`);
    terminal.send('Enter');
    // Where the bucket stands first: every control, in 80 columns.
    const posture = await terminal.waitFor(`Where ${bucket} stands now`);
    expect(posture).toMatch(/✗ Block Public Access \(bucket\) .*→ fixed/);
    expect(posture).toMatch(new RegExp(`Holds \\d+ of ${CONTROLS.length}\\.`));
    expect(Math.max(...posture.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
    terminal.send('Enter');
    // Accept every step's defaults until the review.
    let screen = await terminal.waitFor(/step 1 of \d+/);
    const total = Number(/step 1 of (\d+)/.exec(screen)?.[1]);
    for (let step = 1; step <= total; step++) {
      screen = await terminal.waitFor(`step ${step} of ${total}`);
      terminal.send('Enter');
    }
    const review = await terminal.waitFor(/Plan: \d+ to add, \d+ to change, \d+ to remove/);
    expect(review).toContain('+ Block Public Access (bucket)');
    // Fits 80 columns: no line of the screen is wider.
    expect(Math.max(...review.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
    // Enter expands the summary to the whole diff; Enter there goes on to the confirmation.
    terminal.send('Enter');
    await terminal.waitFor(/^Review the plan\s*$/m, 20_000);
    terminal.send('Enter');
    await terminal.waitFor(/Apply \d+ changes/);
    terminal.send('y');
    await terminal.waitFor(/Apply complete: \d+ changes applied and verified\./);
    terminal.send('Enter');
    await terminal.waitFor('[exited 0]');

    const session = await connect({ endpoint: emulatorUrl() });
    try {
      const posture = await session.observe(bucket, [
        'bucket.publicAccessBlock',
        'account.publicAccessBlock',
      ]);
      expect(posture.values).toEqual({
        'bucket.publicAccessBlock': ALL_ON,
        'account.publicAccessBlock': ALL_ON,
      });
    } finally {
      session.close();
    }
  });

  it('Ctrl+C before any write quits with 130 and changes nothing', async () => {
    const bucket = uniqueBucket('e2e-quit');
    await createBucket(bucket);
    terminal = new TmuxTerminal(
      [
        process.execPath,
        BIN,
        '--endpoint-url',
        emulatorUrl(),
        '--bucket',
        bucket,
        '--preset',
        'strict',
      ],
      { ...environment(), NO_COLOR: '1' },
      tmpdir(),
    );
    await terminal.waitFor('stands now');
    terminal.send('C-c');
    await terminal.waitFor('[exited 130]');
  });

  it('starts with DEV=true in the environment (Ink would load React DevTools there)', async () => {
    terminal = new TmuxTerminal(
      [process.execPath, BIN, '--endpoint-url', emulatorUrl()],
      { ...environment(), DEV: 'true' },
      tmpdir(),
    );
    await terminal.waitFor('Which defaults should the wizard propose?');
    terminal.send('C-c');
    await terminal.waitFor('[exited 130]');
  });
});
