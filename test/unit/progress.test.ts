import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/commands/progress.js';

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

  it('never draws wider than the terminal', () => {
    const stream = terminal(20);
    createProgress(1000, 'buckets', stream);
    const line = (stream.writes[0] ?? '').replace('\r', '').replace('\u001b[K', '');
    expect(line.length).toBeLessThanOrEqual(19);
  });
});
