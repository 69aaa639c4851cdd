/**
 * `s3-harden --bucket NAME` for a bucket that does not exist, without
 * --preset, in a real terminal: after the preset the wizard says so where
 * buckets are chosen, the header drops the name, and another can be typed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';
import { cliEnvironment, TmuxTerminal, tmuxAvailable } from '../helpers/tmux.js';

const available = tmuxAvailable();

describe.skipIf(!available)('a missing --bucket in a terminal (tmux)', () => {
  let terminal: TmuxTerminal | undefined;
  afterEach(() => terminal?.close());

  it('says the bucket does not exist, forgets it, and takes a typed one', async () => {
    const missing = uniqueBucket('no-such');
    const real = uniqueBucket('typed');
    await createBucket(real);
    terminal = new TmuxTerminal(
      [process.execPath, BIN, '--bucket', missing, '--endpoint-url', emulatorUrl()],
      cliEnvironment(),
      mkdtempSync(join(tmpdir(), 's3-harden-e2e-cwd-')),
    );
    await terminal.waitFor('Which defaults should the wizard propose?');
    terminal.send('Enter');
    const said = await terminal.waitFor(`✗ Bucket ${missing} does not exist.`);
    expect(said).toContain('Which bucket should be hardened?');
    // Named once: in the message, no longer in the header.
    expect(said.split(missing)).toHaveLength(2);
    await terminal.waitFor('› Type a bucket name…');
    terminal.send('Enter');
    await terminal.waitFor('Bucket name:');
    // Typed as a paste: the name and its Enter in one go.
    terminal.send('-l', `${real}\r`);
    const posture = await terminal.waitFor('stands now');
    expect(posture).toContain(real);
    expect(posture).not.toContain(missing);
    terminal.send('C-c');
    await terminal.waitFor('[exited ');
  });
});
