/**
 * `plan` and `apply` text: wrapped to the terminal's width at word boundaries,
 * continuations hanging under their text; into a pipe or a file, not at all.
 */
import { describe, expect, it } from 'vitest';
import { formatLines, outputWidth } from '../../src/commands/style.js';
import type { Line } from '../../src/plan/render/render.js';

const LINES: Line[] = [
  {
    kind: 'warning',
    text: 'warning: the bucket policy denies every principal outside the account, including the services that deliver logs to it; check the log delivery first.',
  },
  {
    kind: 'add',
    text: '+ Turn on default encryption with the new KMS key, rotating yearly, for every object written from now on',
  },
  {
    kind: 'command',
    text: 's3-harden rollback /home/operator/.local/state/s3-harden/journals/demo-app-logs-2026-12-06T02-40-00.json --endpoint-url http://localhost:5000',
  },
];

describe('output width', () => {
  it('a terminal wraps at its width: whole words, hanging indents, commands whole', () => {
    const width = outputWidth({ isTTY: true, columns: 60 });
    expect(width).toBe(60);
    const rows = formatLines(LINES, false, width).split('\n');
    const command = LINES[2]?.text ?? '';
    for (const row of rows) if (row !== command) expect(row.length, row).toBeLessThanOrEqual(60);
    expect(rows[0]?.startsWith('warning: the bucket policy')).toBe(true);
    // Continuations of "warning: " hang past the label; of "+ " under the first word.
    expect(rows[1]?.startsWith(' '.repeat('warning: '.length))).toBe(true);
    const added = rows.findIndex((row) => row.startsWith('+ Turn on'));
    expect(rows[added + 1]?.startsWith('  ')).toBe(true);
    expect(rows).toContain(command);
    // No word is cut: the words read as before.
    expect(rows.join(' ').replace(/\s+/g, ' ')).toBe(LINES.map((line) => line.text).join(' '));
  });

  it('a pipe or a file is not wrapped', () => {
    expect(outputWidth({ isTTY: false, columns: 60 })).toBe(0);
    expect(outputWidth({})).toBe(0);
    expect(outputWidth({ isTTY: true, columns: 0 })).toBe(0);
    expect(formatLines(LINES, false, 0)).toBe(LINES.map((line) => line.text).join('\n'));
    expect(formatLines(LINES, false)).toBe(LINES.map((line) => line.text).join('\n'));
  });

  it('80 columns wraps less than 60', () => {
    const at = (columns: number) => formatLines(LINES, false, columns).split('\n').length;
    expect(at(80)).toBeLessThan(at(60));
  });
});
