import { describe, expect, it } from 'vitest';
import { wrapLines } from '../../src/screens/wrap-lines.js';

describe('wrapping review lines', () => {
  it('keeps short lines as they are', () => {
    expect(wrapLines([{ kind: 'add', text: '+ Versioning' }], 80)).toEqual([
      { kind: 'add', text: '+ Versioning' },
    ]);
  });

  it('wraps a long line at spaces, hanging under its text, every row within the width', () => {
    const text = `      ${'your IP is not known (--source-ip) and the Deny applies to every request '.repeat(3)}`;
    const wrapped = wrapLines([{ kind: 'note', text }], 40);
    expect(wrapped.length).toBeGreaterThan(3);
    for (const line of wrapped) {
      expect(line.text.length).toBeLessThanOrEqual(40);
      expect(line.kind).toBe('note');
    }
    expect(wrapped.slice(1).every((line) => line.text.startsWith(' '.repeat(10)))).toBe(true);
    // Nothing is lost.
    const words = (lines: { text: string }[]) => lines.flatMap((line) => line.text.split(/\s+/));
    expect(words(wrapped).filter(Boolean)).toEqual(text.split(/\s+/).filter(Boolean));
  });

  it('breaks a long word (an ARN, a URL) where it must', () => {
    const arn = `arn:aws:iam::123456789012:role/${'x'.repeat(60)}`;
    const wrapped = wrapLines([{ kind: 'plain', text: arn }], 40);
    expect(wrapped.map((line) => line.text.trim()).join('')).toBe(arn);
    expect(wrapped.every((line) => line.text.length <= 40)).toBe(true);
  });
});
