/**
 * The operator's hands in a real terminal, at 80×24 and 60×20: keys that
 * tmux sends in one write (a held key, SSH), a paste with its newline, and
 * Ctrl+C sent together with the `y` that applies — which must end with an
 * answer on screen and the exit code that goes with it, never silence.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, setAccountPublicAccessBlock } from '../helpers/fixtures.js';
import { cliEnvironment, TmuxTerminal, tmuxAvailable } from '../helpers/tmux.js';

const available = tmuxAvailable();

/** The screen as one line: narrow panes wrap long answers. */
const oneLine = (screen: string) => screen.replace(/\s*\n\s*/g, ' ');

const ANSWERS = [
  'Cancelled before the first write: nothing was written, the bucket is as it was.',
  'Finished: nothing left to cancel.',
  'The bucket is as it was.',
];

describe.skipIf(!available)('keys, paste and Ctrl+C in a terminal (tmux)', () => {
  let terminal: TmuxTerminal | undefined;
  afterEach(() => terminal?.close());

  for (const [columns, rows] of [
    [80, 24],
    [60, 20],
  ] as const) {
    it(`at ${columns}×${rows}`, async () => {
      const bucket = uniqueBucket('hands');
      await createBucket(bucket);
      await setAccountPublicAccessBlock(null);
      terminal = new TmuxTerminal(
        [process.execPath, BIN, '--endpoint-url', emulatorUrl()],
        cliEnvironment(),
        mkdtempSync(join(tmpdir(), 's3-harden-e2e-cwd-')),
        { columns, rows },
      );
      const t = terminal;
      await t.waitFor('› baseline');
      // Two Downs in one send-keys: two rows; two Ups back.
      t.send('Down', 'Down');
      await t.waitFor('› worm');
      t.send('Up', 'Up');
      await t.waitFor('› baseline');
      t.send('Enter');
      await t.waitFor('› Type a bucket name…');
      t.send('Enter');
      await t.waitFor('Bucket name:');
      t.send('-l', 'abcd');
      await t.waitFor('Bucket name: abcd');
      t.send('BSpace', 'BSpace');
      await t.waitFor((screen) => /Bucket name: ab(?!c)/.test(screen));
      expect(t.screen()).not.toContain('may contain only');
      t.send('BSpace', 'BSpace');
      await t.waitFor((screen) => /Bucket name: *\S? *$/m.test(screen) && !screen.includes('ab'));
      // A paste of the name with its trailing newline: typed as is, then Enter.
      t.paste(`${bucket}\n`);
      await t.waitFor('stands now', 20_000);
      // Through the steps with their defaults to the review and the confirmation.
      t.send('Enter');
      for (let step = 0; step < 20; step++) {
        const screen = await t.waitFor((text) => /step \d+ of \d+|Plan: /.test(text), 20_000);
        if (/Plan: /.test(screen)) break;
        const before = screen;
        t.send('Enter');
        await t.waitFor((text) => text !== before, 20_000);
      }
      // Enter expands the summary to the whole diff; Enter there goes on to the confirmation.
      t.send('Enter');
      await t.waitFor(/^Review the plan\s*$/m, 20_000);
      t.send('Enter');
      await t.waitFor(/Apply \d+ changes?/, 20_000);
      // y and Ctrl+C in one write.
      t.send('y', 'C-c');
      const end = oneLine(
        await t.waitFor(
          (screen) => ANSWERS.some((answer) => oneLine(screen).includes(answer)),
          60_000,
        ),
      );
      const exited = await t.waitFor('[exited ', 60_000);
      const code = Number(/\[exited (\d+)\]/.exec(exited)?.[1]);
      if (end.includes(ANSWERS[0] as string)) expect(code).toBe(130);
      else if (end.includes(ANSWERS[1] as string)) expect(code).toBe(0);
      else expect(code).toBe(1);
    });
  }
});
