/**
 * `s3-harden rollback` without a journal, on a terminal: the list of
 * unfinished and recent applies (bucket, began, changes, state), picked with
 * the keyboard — also when the keys arrive in one read. Mounted as the
 * command mounts it (pickJournal), Esc and Ctrl+C leave the terminal's stdin
 * let go, so the process can end; a pick leaves it held for the questions.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { JournalSummary } from '../../src/plan/apply/journal-scan.js';
import { JournalPicker, pickJournal } from '../../src/screens/journal-picker.js';
import { frame, KEY, press, waitFor } from '../helpers/ink.js';
import { renderInTerminal } from '../helpers/ink-keys.js';

const summary = (bucket: string, at: string, state: JournalSummary['state']): JournalSummary => ({
  path: `/state/journals/${at}-${bucket}.jsonl`,
  target: { accountId: '123456789012', bucket, region: 'us-east-1' },
  at,
  changes: 3,
  state,
  inEffect: [],
});

const JOURNALS = [
  summary('stuck-bucket', '2026-12-05T10:00:00.000Z', 'unfinished'),
  summary('newest-bucket', '2026-12-06T09:30:00.000Z', 'applied'),
  summary('older-bucket', '2026-12-04T08:00:00.000Z', 'rolled back'),
];

describe('the journal picker', () => {
  for (const [columns, rows] of [
    [80, 24],
    [60, 20],
  ] as const) {
    it(`at ${columns}×${rows}: shows bucket, time, changes and state; two Downs in one read pick the third`, async () => {
      let picked: string | undefined;
      const app = renderInTerminal(
        <JournalPicker
          journals={JOURNALS}
          onPick={(path) => {
            picked = path;
          }}
          onCancel={() => undefined}
        />,
        { columns, rows },
      );
      const shown = await waitFor(app, 'Which apply should be rolled back?');
      expect(shown).toContain('stuck-bucket  2026-12-05 10:00:00Z  3 changes  unfinished');
      expect(shown).toContain('esc cancel');
      // Two Downs in one read (a held key) move two rows.
      await press(app, '\u001b[B\u001b[B');
      await waitFor(app, '› older-bucket');
      await press(app, KEY.enter);
      await vi.waitFor(() => expect(picked).toBe(JOURNALS[2]?.path));
      app.unmount();
    });
  }

  it('Esc cancels without picking', async () => {
    let cancelled = false;
    const app = renderInTerminal(
      <JournalPicker
        journals={JOURNALS}
        onPick={() => undefined}
        onCancel={() => {
          cancelled = true;
        }}
      />,
      { columns: 80, rows: 24 },
    );
    await waitFor(app, '› stuck-bucket');
    await press(app, KEY.escape);
    await vi.waitFor(() => expect(cancelled).toBe(true));
    expect(frame(app)).toContain('stuck-bucket');
    app.unmount();
  });
});

/** A terminal's stdin that says whether it is held (ref'd: it keeps the process alive). */
class HeldStdin extends EventEmitter {
  readonly isTTY = true;
  held = false;
  private readonly reads: string[] = [];
  write = (data: string) => {
    this.reads.push(data);
    this.emit('readable');
  };
  read = () => this.reads.shift() ?? null;
  setEncoding() {}
  setRawMode() {}
  ref() {
    this.held = true;
  }
  unref() {
    this.held = false;
  }
}

/** pickJournal on a test terminal: its stdin, its last frame, and what it resolves to. */
function mountPicker() {
  const stdin = new HeldStdin();
  const frames: string[] = [];
  const screen = Object.assign(new EventEmitter(), {
    columns: 80,
    rows: 24,
    write: (text: string) => frames.push(text),
  }) as unknown as NodeJS.WriteStream;
  const picked = pickJournal(JOURNALS, stdin, {
    stdout: screen,
    stderr: screen,
    debug: true,
    patchConsole: false,
  });
  return { stdin, lastFrame: () => frames.at(-1), picked };
}

describe('pickJournal, as `s3-harden rollback` mounts it', () => {
  it.each([
    ['Esc', KEY.escape],
    ['Ctrl+C', KEY.ctrlC],
  ])(
    '%s: nothing picked, and stdin let go (held, the process would never exit)',
    async (_name, key) => {
      const app = mountPicker();
      await waitFor(app, '› stuck-bucket');
      expect(app.stdin.held).toBe(true);
      await press(app, key);
      expect(await app.picked).toBeNull();
      expect(app.stdin.held).toBe(false);
    },
  );

  it('Enter: the journal under the cursor, stdin held for the questions that follow', async () => {
    const app = mountPicker();
    await waitFor(app, '› stuck-bucket');
    await press(app, KEY.enter);
    expect(await app.picked).toBe(JOURNALS[0]?.path);
    expect(app.stdin.held).toBe(true);
  });
});
