/**
 * `s3-harden rollback` without a journal, on a terminal: the list of
 * unfinished and recent applies (bucket, began, changes, state), picked with
 * the keyboard — also when the keys arrive in one read.
 */
import { describe, expect, it, vi } from 'vitest';
import type { JournalSummary } from '../../src/plan/apply/journal-scan.js';
import { JournalPicker } from '../../src/screens/journal-picker.js';
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
