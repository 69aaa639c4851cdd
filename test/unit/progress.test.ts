import { describe, expect, it } from 'vitest';
import { createProgress, terminalColumns } from '../../src/commands/progress.js';

function terminal(columns = 80) {
  const writes: string[] = [];
  return { isTTY: true, columns, writes, write: (text: string) => writes.push(text) };
}

describe('progress bar', () => {
  it('draws nothing when not on a terminal (pipes, CI logs, --json)', () => {
    const writes: string[] = [];
    const progress = createProgress(5, 'buckets', { isTTY: false, write: (t) => writes.push(t) });
    progress.tick();
    progress.done();
    expect(writes).toEqual([]);
  });

  it('counts finished items, redraws in place, and erases itself when done', () => {
    const stream = terminal();
    let clock = 0;
    const progress = createProgress(4, 'buckets', stream, () => clock);
    expect(stream.writes.at(-1)).toContain('0/4 buckets');
    clock += 100;
    progress.tick();
    expect(stream.writes.at(-1)).toMatch(/^\r.*1\/4 buckets/);
    progress.tick(); // within the redraw interval: not drawn
    expect(stream.writes.at(-1)).toContain('1/4');
    progress.tick();
    progress.tick(); // the last one is always drawn
    expect(stream.writes.at(-1)).toContain('4/4 buckets');
    progress.done();
    expect(stream.writes.at(-1)).toBe('\r\u001b[K');
  });

  it('draws to 80 columns on a pty that reports 0 (script, docker run -t)', () => {
    const stream = terminal(0);
    createProgress(1000, 'buckets', stream);
    const line = (stream.writes[0] ?? '').replace('\r', '').replace('\u001b[K', '');
    // Bar, count and label in full: not cut to the 10-character floor.
    expect(line).toBe(`${'░'.repeat(30)} 0/1000 buckets`);
    expect(terminalColumns({ isTTY: true, columns: 0 })).toBe(80);
    expect(terminalColumns({ isTTY: true })).toBe(80);
    expect(terminalColumns({ isTTY: false, columns: 120 })).toBe(80);
    expect(terminalColumns({ isTTY: true, columns: 132 })).toBe(132);
  });

  it('never draws wider than the terminal', () => {
    const stream = terminal(20);
    createProgress(1000, 'buckets', stream);
    const line = (stream.writes[0] ?? '').replace('\r', '').replace('\u001b[K', '');
    expect(line.length).toBeLessThanOrEqual(19);
  });
});
