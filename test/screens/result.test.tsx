/**
 * The result screen: however many changes an apply made, the verdict and
 * the journal stay on screen below them (the changes scroll).
 */
import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import { render as inkRender } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { ApplyOutcome, ChangeResult } from '../../src/plan/apply/executor.js';
import type { Change } from '../../src/plan/model/types.js';
import { Result, undoRows } from '../../src/screens/result.js';

function change(n: number): Change {
  return {
    id: `change.${n}`,
    step: 'logging',
    title: `Change number ${n}`,
    resource: 'bucket.versioning',
    action: 'update',
    call: { service: 's3', operation: 'PutBucketVersioning', input: {} },
    before: null,
    after: null,
    undo: null,
    dependsOn: [],
    warnings: [],
  };
}

/** Renders at a terminal's width (ink-testing-library's is always 100 columns); the last frame, colour stripped. */
function renderAt(tree: React.ReactElement, columns: number): { frame(): string; unmount(): void } {
  let last = '';
  const stdout = Object.assign(new EventEmitter(), {
    columns,
    rows: 100,
    write: (text: string) => {
      last = text;
      return true;
    },
  });
  const stdin = Object.assign(new EventEmitter(), {
    isTTY: true,
    setEncoding() {},
    setRawMode() {},
    resume() {},
    pause() {},
    ref() {},
    unref() {},
    read: () => null,
  });
  const instance = inkRender(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return { frame: () => stripVTControlCharacters(last), unmount: () => instance.unmount() };
}

describe('the result screen', () => {
  it('keeps the verdict and the journal in view when the changes do not fit', () => {
    const results: ChangeResult[] = Array.from({ length: 30 }, (_, n) => ({
      change: change(n + 1),
      status: 'applied',
      verified: true,
    }));
    const outcome = {
      status: 'applied',
      cancelled: false,
      results,
      journalPath: '/state/journals/j.jsonl',
    } as unknown as ApplyOutcome;
    const { lastFrame, unmount } = render(
      <Result outcome={outcome} height={20} onExit={() => {}} />,
    );
    const screen = lastFrame() ?? '';
    expect(screen).toContain('Apply complete: 30 changes applied and verified.');
    expect(screen).toContain('Journal:\n/state/journals/j.jsonl');
    expect(screen).toContain('Undo:\ns3-harden rollback /state/journals/j.jsonl');
    expect(screen).toContain('Change number 1: applied');
    expect(screen).not.toContain('Change number 30: applied');
    expect(screen.split('\n').length).toBeLessThanOrEqual(20);
    unmount();
  });

  // A real journal's path: the state directory, a timestamp, the bucket, a suffix.
  const longPath =
    '/home/operator/.local/state/s3-harden/journals/2025-06-01T10-20-30-123Z-my-company-production-assets-bucket-k3j9x2.jsonl';
  const endpoint = 'http://127.0.0.1:45123';
  const outcome = {
    status: 'applied',
    cancelled: false,
    results: [{ change: change(1), status: 'applied', verified: true }],
    journalPath: longPath,
  } as unknown as ApplyOutcome;

  for (const [columns, rows] of [
    [80, 24],
    [60, 20],
  ] as const) {
    it(`at ${columns}×${rows} shows the journal path and the undo command whole, on rows of their own`, () => {
      const lines = undoRows(outcome, { endpoint }, columns).map((line) => line.text);
      expect(lines.every((line) => line.length <= columns)).toBe(true);
      const journal = lines.indexOf('Journal:');
      const undo = lines.indexOf('Undo:');
      expect(journal).toBe(0);
      // Joined, the rows are exactly the path and exactly the command: nothing cut, nothing added.
      expect(lines.slice(journal + 1, undo).join('')).toBe(longPath);
      expect(lines.slice(undo + 1).join('')).toBe(
        `s3-harden rollback ${longPath} --endpoint-url ${endpoint}`,
      );
      // On the screen, at that width: every row in view with the verdict, none wider, within its rows.
      const screen = renderAt(
        <Result outcome={outcome} height={rows - 6} cli={{ endpoint }} onExit={() => {}} />,
        columns,
      );
      const shown = screen.frame().split('\n');
      expect(shown).toContain('Apply complete: 1 change applied and verified.');
      for (const row of lines) expect(shown).toContain(row);
      expect(Math.max(...shown.map((row) => row.length))).toBeLessThanOrEqual(columns);
      expect(shown.length).toBeLessThanOrEqual(rows - 6);
      screen.unmount();
    });
  }

  it('after a failure, offers to undo what is left', () => {
    const failed = { ...outcome, status: 'rollback-incomplete' } as unknown as ApplyOutcome;
    const lines = undoRows(failed, {}, 80).map((line) => line.text);
    expect(lines).toContain('Undo what is left:');
  });
});
