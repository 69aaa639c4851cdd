/**
 * Plan text on a terminal wraps at word boundaries with a hanging indent;
 * commands, JSON document lines and long tokens are never broken; a pipe
 * (width 0) gets every line as it is.
 */
import { describe, expect, it } from 'vitest';
import type { Line } from '../../src/plan/render/render.js';
import { wrapLines } from '../../src/plan/render/wrap-text.js';

const warning: Line = {
  kind: 'warning',
  text: '    warning: undo deletes s3-harden-trail-123456789012-us-east-1 only while it is empty: once CloudTrail has delivered logs it stays',
};

describe('wrapLines', () => {
  it('wraps a warning at 60 columns, continuing past its label', () => {
    const lines = wrapLines([warning], 60).map((line) => line.text);
    expect(lines).toEqual([
      '    warning: undo deletes',
      '             s3-harden-trail-123456789012-us-east-1 only',
      '             while it is empty: once CloudTrail has',
      '             delivered logs it stays',
    ]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toBe(warning.text.replace(/\s+/g, ' '));
  });

  it('continues a change title past its symbol', () => {
    const title: Line = {
      kind: 'add',
      text: '+ CloudTrail bucket s3-harden-trail-123456789012-us-east-1: Block Public Access (s3:PutPublicAccessBlock)',
    };
    expect(wrapLines([title], 60).map((line) => line.text)).toEqual([
      '+ CloudTrail bucket s3-harden-trail-123456789012-us-east-1:',
      '  Block Public Access (s3:PutPublicAccessBlock)',
    ]);
  });

  it('indents what a skipped step says under its first word', () => {
    const skipped: Line = {
      kind: 'note',
      text: 'Skipped Sensitive-data discovery (Macie): Macie is not available at this endpoint (http://127.0.0.1:5099, HTTP 200).',
    };
    expect(wrapLines([skipped], 60).map((line) => line.text)).toEqual([
      'Skipped Sensitive-data discovery (Macie): Macie is not',
      '  available at this endpoint (http://127.0.0.1:5099, HTTP',
      '  200).',
    ]);
  });

  it('leaves commands, document lines and tokens longer than the width whole', () => {
    const command: Line = {
      kind: 'command',
      text: `  aws s3api put-bucket-policy --policy '${'x'.repeat(90)}'`,
    };
    const document: Line = {
      kind: 'add',
      text: `    +       "Resource": "arn:aws:s3:::${'b'.repeat(60)}/*",`,
    };
    const token: Line = { kind: 'note', text: `  note: ${'t'.repeat(70)} end` };
    const [same, doc, ...rest] = wrapLines([command, document, token], 60);
    expect(same).toEqual(command);
    expect(doc).toEqual(document);
    expect(rest.map((line) => line.text)).toEqual([`  note: ${'t'.repeat(70)}`, '        end']);
  });

  it('changes nothing for a pipe (width 0) or a line that fits', () => {
    expect(wrapLines([warning], 0)).toEqual([warning]);
    expect(wrapLines([warning], 200)).toEqual([warning]);
  });
});
