/**
 * Screens that fit, in a real terminal at 80×24 and 60×20: the audit keeps
 * look-alike bucket names apart, the wizard's header keeps the bucket, `?`
 * shows a field's full help, and the review opens on a summary that fits,
 * takes a burst of keys, and expands with Enter at the change picked.
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

const widest = (screen: string) => Math.max(...screen.split('\n').map((line) => line.length));

describe.skipIf(!available)('narrow terminals (tmux)', () => {
  let terminal: TmuxTerminal | undefined;
  afterEach(() => terminal?.close());

  const open = (args: string[], size: { columns: number; rows: number }) => {
    terminal = new TmuxTerminal(
      [process.execPath, BIN, ...args, '--endpoint-url', emulatorUrl()],
      cliEnvironment(),
      mkdtempSync(join(tmpdir(), 's3-harden-e2e-cwd-')),
      size,
    );
    return terminal;
  };

  for (const [columns, rows] of [
    [80, 24],
    [60, 20],
  ] as const) {
    it(`at ${columns}×${rows}: the audit tells look-alike buckets apart`, async () => {
      // Names longer than the bucket column, alike but for their ends.
      const stem = uniqueBucket('narrow-demo-lookalike-buckets');
      const names = [`${stem}-1`, `${stem}-1-logs`, `${stem}-2`];
      for (const name of names) await createBucket(name);
      const t = open(['audit', '--bucket', names.join(',')], { columns, rows });
      const shown = await t.waitFor('[exited ', 30_000);
      const report = t.history();
      expect(widest(report)).toBeLessThanOrEqual(columns);
      // One row per bucket, each name shown (whole or cut in its middle) differently.
      const bucketRows = report
        .split('\n')
        .filter((line) => line.startsWith(stem.slice(0, 8)))
        .map((line) => line.split(/\s{2,}/)[0]);
      expect(bucketRows).toHaveLength(3);
      expect(new Set(bucketRows).size).toBe(3);
      expect(shown).toContain('[exited 0]');
    });

    it(`at ${columns}×${rows}: header, full help, and a review summary that fits and expands`, async () => {
      const bucket = uniqueBucket('narrow-wizard');
      await createBucket(bucket);
      const t = open(['--bucket', bucket, '--preset', 'baseline'], { columns, rows });
      const posture = await t.waitFor('stands now', 30_000);
      expect(posture).toContain(bucket);
      expect(widest(posture)).toBeLessThanOrEqual(columns);
      t.send('Enter');
      const step = await t.waitFor(/step 1 of \d+/);
      expect(step).toContain(bucket);
      // Whatever is cut to the width (the step's sentence, the field's help) can be read whole with ?.
      if (step.split('\n').slice(2).join('\n').includes('…')) {
        expect(step).toContain('? full help');
        t.send('?');
        const full = await t.waitFor('? less help');
        expect(full.replace(/\s+/g, ' ')).toContain(
          'Stops ACLs and bucket policies from making this bucket or its objects public.',
        );
        expect(widest(full)).toBeLessThanOrEqual(columns);
        t.send('?');
        await t.waitFor('? full help');
      } else expect(step).not.toContain('full help');
      // The rest of the steps with their defaults.
      for (let count = 0; count < 20; count++) {
        const screen = await t.waitFor((text) => /step \d+ of \d+|Plan: /.test(text), 20_000);
        if (/Plan: /.test(screen)) break;
        t.send('Enter');
        await t.waitFor((text) => text !== screen, 20_000);
      }
      const summary = await t.waitFor('Review the plan: summary');
      expect(widest(summary)).toBeLessThanOrEqual(columns);
      expect(summary.trimEnd().split('\n').length).toBeLessThanOrEqual(rows);
      const changes = summary.split('\n').filter((line) => /^[› ] [+~\-!] /.test(line));
      expect(changes.length).toBeGreaterThanOrEqual(3);
      // A held Down: two in one write move two rows; Enter expands at that change.
      t.send('Down', 'Down');
      const third = changes[2]?.slice(2).trim() as string;
      await t.waitFor(`› ${third}`);
      t.send('Enter');
      const diff = await t.waitFor(/^Review the plan\s*$/m);
      const top = diff.split('\n').find((line) => /^[+~\-!] /.test(line)) ?? '';
      expect(top.startsWith(third)).toBe(true);
      expect(diff).toContain('enter apply…');
      expect(widest(diff)).toBeLessThanOrEqual(columns);
      // n jumps to the next change, d goes back to the summary with the same change picked.
      t.send('n');
      await t.waitFor(
        (screen) => (screen.split('\n').find((line) => /^[+~\-!] /.test(line)) ?? '') !== top,
      );
      t.send('d');
      await t.waitFor(`› ${third}`);
      t.send('C-c');
      await t.waitFor('[exited ');
    });
  }
});
