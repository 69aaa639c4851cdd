/**
 * The demo as a new user meets it, in a real terminal: preset, bucket,
 * steps, review, apply — then the undo command the result screen prints,
 * run as printed while the demo is still up, puts the bucket back as it was.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TmuxTerminal, tmuxAvailable } from '../helpers/tmux.js';

const available = tmuxAvailable();

const ROOT = join(import.meta.dirname, '..', '..');
const BUCKET = 'demo-app-logs';
const squeeze = (text: string) => text.replace(/\s+/g, '');

interface Control {
  readonly id: string;
  readonly status: string;
  readonly detail: string;
}

describe.skipIf(!available)('the demo, applied and undone (tmux)', () => {
  let terminal: TmuxTerminal | undefined;
  afterEach(() => terminal?.close());

  it('applies baseline to demo-app-logs; the printed undo command restores it exactly', async () => {
    const state = mkdtempSync(join(tmpdir(), 's3-harden-e2e-demo-'));
    terminal = new TmuxTerminal(
      [process.execPath, join(ROOT, 'scripts', 'demo.mjs')],
      { S3_HARDEN_STATE_DIR: state, TERM: 'xterm-256color' },
      ROOT,
    );
    const t = terminal;
    await t.waitFor('› baseline', 60_000);
    const url = /Local AWS emulator at (http:\/\/127\.0\.0\.1:\d+)/.exec(t.history())?.[1];
    expect(url).toBeDefined();
    const audit = async () => {
      const report = await runCli([
        'audit',
        '--bucket',
        BUCKET,
        '--json',
        '--endpoint-url',
        url as string,
      ]);
      const parsed = JSON.parse(report.stdout) as { buckets: { results: unknown }[] };
      return parsed.buckets[0]?.results;
    };
    const before = await audit();
    expect(before).toBeDefined();

    t.send('Enter'); // baseline
    await t.waitFor(BUCKET);
    for (let moves = 0; moves < 10 && !t.screen().includes(`› ${BUCKET}`); moves++) {
      const screen = t.screen();
      t.send('Down');
      await t.waitFor((text) => text !== screen).catch(() => undefined);
    }
    t.send('Enter');
    await t.waitFor('stands now', 20_000);
    t.send('Enter');
    for (let step = 0; step < 20; step++) {
      const screen = await t.waitFor((text) => /step \d+ of \d+|Plan: /.test(text), 20_000);
      if (/Plan: /.test(screen)) break;
      t.send('Enter');
      await t.waitFor((text) => text !== screen, 20_000);
    }
    // Enter expands the summary to the whole diff; Enter there goes on to the confirmation.
    t.send('Enter');
    await t.waitFor(/^Review the plan\s*$/m, 20_000);
    t.send('Enter');
    await t.waitFor(/Apply \d+ changes?/, 20_000);
    t.send('y');
    const result = await t.waitFor('Undo:', 60_000);
    expect(await audit()).not.toEqual(before);

    // The journal apply wrote, and the command the screen prints for it.
    const journals = readdirSync(join(state, 'journals')).filter((name) => name.includes(BUCKET));
    expect(journals).toHaveLength(1);
    const journal = join(state, 'journals', journals[0] as string);
    expect(squeeze(result)).toContain(
      squeeze(`Undo: s3-harden rollback ${journal} --endpoint-url ${url}`),
    );
    // Run as printed (with --yes: no terminal here), while the demo is still up.
    const undone = await runCli(['rollback', journal, '--endpoint-url', url as string, '--yes'], {
      env: { S3_HARDEN_STATE_DIR: state },
    });
    // The emulator delivers access logs, as S3 does: the log bucket the plan
    // created has received objects by now, so it is kept and named with the
    // command that removes it — exit 3, a manual step left (README, exit codes).
    expect(undone.code, undone.stdout + undone.stderr).toBe(3);
    expect(undone.stdout).toContain(`Create log bucket ${BUCKET}-logs: kept`);
    expect(undone.stdout).toContain(`aws s3 rb s3://${BUCKET}-logs --force`);
    // The bucket itself is as it was: every control as before, and every
    // detail but versioning's — S3 cannot unset versioning, only suspend it
    // (the plan's warning says so), so "never enabled" now reads "Suspended".
    const after = (await audit()) as Control[];
    const same = (results: Control[]) =>
      results.map((result) =>
        result.id === 'versioning' || result.id === 'mfa-delete'
          ? { id: result.id, status: result.status }
          : result,
      );
    expect(same(after)).toEqual(same(before as Control[]));
    expect(after.find((result) => result.id === 'versioning')?.detail).toBe('Suspended');

    t.send('q');
    const quit = await t.waitFor('[exited ', 30_000);
    expect(squeeze(quit)).toContain(squeeze('its buckets are gone'));
  });
});
