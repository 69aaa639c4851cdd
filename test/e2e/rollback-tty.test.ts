/**
 * `s3-harden rollback` with no path, in a real terminal: pick the apply from
 * the list, read the undo as a diff, type yes, and answer the account-wide
 * question apart — Enter keeps what a later apply relies on. Esc (or
 * Ctrl+C) in the list leaves at once: nothing rolled back, exit 1.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/aws/index.js';
import { BIN, runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, setAccountPublicAccessBlock } from '../helpers/fixtures.js';
import { cliEnvironment, TmuxTerminal, tmuxAvailable } from '../helpers/tmux.js';

const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const PAB_ONLY = ['--only', 'public-access-block,account-public-access-block'];

const available = tmuxAvailable();

describe.skipIf(!available)('rollback without a path, in a terminal (tmux)', () => {
  let terminal: TmuxTerminal | undefined;
  afterEach(() => terminal?.close());

  it('picks the older apply, shows the diff, asks twice, and keeps account Block Public Access another apply relies on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 's3-harden-e2e-rollback-'));
    const env = { S3_HARDEN_STATE_DIR: join(dir, 'state') };
    await setAccountPublicAccessBlock(null);
    const first = uniqueBucket('tty-a');
    const second = uniqueBucket('tty-b');
    for (const bucket of [first, second]) {
      await createBucket(bucket);
      const file = join(dir, `${bucket}.json`);
      const plan = await runCli(
        ['plan', ...PAB_ONLY, '--bucket', bucket, '--out', file, '--endpoint-url', emulatorUrl()],
        { env },
      );
      expect(plan.code, plan.stderr).toBe(2);
      const applied = await runCli(['apply', file, '--yes', '--endpoint-url', emulatorUrl()], {
        env,
      });
      expect(applied.code, applied.stderr).toBe(0);
    }

    terminal = new TmuxTerminal(
      [process.execPath, BIN, 'rollback', '--endpoint-url', emulatorUrl()],
      cliEnvironment(env.S3_HARDEN_STATE_DIR),
      dir,
    );
    const list = await terminal.waitFor('Which apply should be rolled back?');
    // Newest first: the second bucket's apply is the one under the cursor.
    expect(list).toMatch(new RegExp(`› ${second}\\s`));
    expect(list).toContain(first);
    terminal.send('Down');
    await terminal.waitFor(new RegExp(`› ${first}\\s`));
    terminal.send('Enter');
    const asked = await terminal.waitFor('to continue:');
    expect(asked).toContain('! account-wide: affects every bucket in account');
    // Coloured as a diff, not escape codes printed as text.
    expect(asked).not.toContain('\\u001b');
    expect(asked).toContain(`! relied on by ${second}`);
    terminal.send('-l', 'yes');
    terminal.send('Enter');
    const wide = await terminal.waitFor('[y/N]');
    // The terminal wraps at 80 columns: read the question as one line.
    expect(wide.replace(/\n/g, '')).toContain('A later apply relies on it (above). [y/N]');
    terminal.send('Enter'); // the default: keep it
    const done = (await terminal.waitFor('[exited ')).replace(/\n/g, '');
    expect(done).toContain('[exited 0]');
    expect(done).toContain('Kept as they are (account-wide):');
    expect(done).toContain('--include-account');

    const session = await connect({ endpoint: emulatorUrl() });
    try {
      const values = (
        await session.observe(first, ['bucket.publicAccessBlock', 'account.publicAccessBlock'])
      ).values;
      expect(values['bucket.publicAccessBlock']).toBeNull();
      expect(values['account.publicAccessBlock']).toEqual(ALL_ON);
    } finally {
      session.close();
    }
  });

  it('Esc, or Ctrl+C, in the list: "Nothing rolled back.", exit 1 — the process ends, the bucket keeps what was applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 's3-harden-e2e-rollback-'));
    const env = { S3_HARDEN_STATE_DIR: join(dir, 'state') };
    const bucket = uniqueBucket('tty-esc');
    await createBucket(bucket);
    const file = join(dir, 'plan.json');
    const only = ['--only', 'public-access-block'];
    const plan = await runCli(
      ['plan', ...only, '--bucket', bucket, '--out', file, '--endpoint-url', emulatorUrl()],
      { env },
    );
    expect(plan.code, plan.stderr).toBe(2);
    const applied = await runCli(['apply', file, '--yes', '--endpoint-url', emulatorUrl()], {
      env,
    });
    expect(applied.code, applied.stderr).toBe(0);

    for (const key of ['Escape', 'C-c']) {
      terminal = new TmuxTerminal(
        [process.execPath, BIN, 'rollback', '--endpoint-url', emulatorUrl()],
        cliEnvironment(env.S3_HARDEN_STATE_DIR),
        dir,
      );
      await terminal.waitFor(new RegExp(`› ${bucket}\\s`));
      terminal.send(key);
      const done = await terminal.waitFor('[exited ');
      expect(done, key).toContain('Nothing rolled back.\n[exited 1]');
      terminal.close();
    }

    const session = await connect({ endpoint: emulatorUrl() });
    try {
      const values = (await session.observe(bucket, ['bucket.publicAccessBlock'])).values;
      expect(values['bucket.publicAccessBlock']).toEqual(ALL_ON);
    } finally {
      session.close();
    }
  });
});
