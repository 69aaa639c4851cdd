/**
 * The streamed audit report (src/plan/audit/report-stream.ts) is the bytes
 * `jsonText` prints of the collected one, whatever the report holds; and
 * forEachInOrder hands results on in order while holding no more than its
 * window, however many items there are; AccountOrder (audit --accounts) keeps
 * each account's rows together, in account order.
 */
import { describe, expect, it } from 'vitest';
import { forEachInOrder } from '../../src/aws/families/map-limit.js';
import { AccountOrder } from '../../src/commands/audit-accounts.js';
import { CONTROLS } from '../../src/plan/audit/controls.js';
import { buildReport, type ReportInput } from '../../src/plan/audit/report.js';
import { reportWriter } from '../../src/plan/audit/report-stream.js';
import type { BucketAudit } from '../../src/plan/audit/schema.js';
import { jsonText } from '../../src/plan/render/sanitise.js';

const row = (bucket: string, i: number): BucketAudit => ({
  bucket,
  region: 'eu-west-1',
  results: CONTROLS.map((control, j) => ({
    id: control.id,
    status: (['pass', 'fail', 'unknown'] as const)[(i + j) % 3] ?? 'pass',
    // A line separator and a C1 control: escaped by jsonText, on every line of a row too.
    detail: j === 0 ? `odd\u2028name\u009b ${bucket}` : '',
  })),
});

function streamed(input: ReportInput): string {
  let text = '';
  const generatedAt = input.generatedAt ?? new Date();
  const { buckets, account, accounts, calls, durationMs, ...start } = input;
  const writer = reportWriter(
    (chunk) => {
      text += chunk;
    },
    { ...start, generatedAt },
  );
  for (const bucket of buckets) writer.row(bucket);
  writer.end({
    ...(account ? { account } : {}),
    ...(accounts ? { accounts } : {}),
    calls,
    durationMs,
  });
  return text;
}

const base = {
  tool: 's3-harden 0.1.0',
  accountId: '123456789012',
  region: 'eu-west-1',
  calls: { 's3:HeadBucket': 3, 's3:GetBucketPolicy': 3 },
  durationMs: 1234,
  generatedAt: new Date('2026-01-02T03:04:05Z'),
};

describe('reportWriter', () => {
  it('writes what jsonText prints of the collected report', () => {
    const cases: ReportInput[] = [
      { ...base, buckets: [row('a', 0), row('b', 1), row('c', 2)] },
      {
        ...base,
        buckets: [],
        account: { results: [{ id: 'bpa-account', status: 'fail', detail: 'off' }] },
      },
      {
        ...base,
        cisVersion: '5.0.0',
        regions: ['eu-west-1'],
        buckets: [
          row('a', 0),
          { bucket: 'gone', region: null, results: [], error: 'gone', errorKind: 'not-found' },
        ],
        accounts: [
          { accountId: '123456789012', status: 'audited', buckets: 2 },
          { accountId: '210987654321', status: 'failed', error: 'denied', buckets: 0 },
        ],
      },
    ];
    for (const input of cases) expect(streamed(input)).toBe(`${jsonText(buildReport(input))}\n`);
  });

  it('writes nothing until the first row', () => {
    let text = '';
    const writer = reportWriter(
      (chunk) => {
        text += chunk;
      },
      { ...base },
    );
    expect(text).toBe('');
    writer.row(row('a', 0));
    expect(text).toContain('"bucket": "a"');
    expect(text).not.toContain('"summary"');
  });
});

describe('forEachInOrder', () => {
  it('emits in order as soon as the rows before are done, and holds no more than its window', async () => {
    const release = new Map<number, () => void>();
    const started: number[] = [];
    const emitted: number[] = [];
    const items = Array.from({ length: 100 }, (_, i) => i);
    const run = forEachInOrder(
      items,
      4,
      (i) => {
        started.push(i);
        // Item 0 waits for the test; the rest answer at once.
        return i === 0
          ? new Promise<number>((r) => release.set(0, () => r(0)))
          : Promise.resolve(i);
      },
      (i) => {
        emitted.push(i);
      },
      10,
    );
    // Let every ready item run: the window stops them at 10 started, none emitted.
    while (started.length < 10) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(started.length).toBe(10);
    expect(emitted).toEqual([]);
    release.get(0)?.();
    await run;
    expect(emitted).toEqual(items);
  });

  it('waits for an emit that returns a promise before the next', async () => {
    const order: string[] = [];
    await forEachInOrder(
      [1, 2, 3],
      3,
      async (i) => i,
      async (i) => {
        order.push(`start ${i}`);
        await new Promise((r) => setImmediate(r));
        order.push(`end ${i}`);
      },
    );
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });
});

describe('AccountOrder (audit --accounts)', () => {
  it('hands rows on account by account, a later account’s held until the ones before are done', async () => {
    const out: string[] = [];
    const order = new AccountOrder(async (row) => {
      out.push(row.bucket);
      // Each emit takes a turn: rows that arrive meanwhile must wait theirs.
      await new Promise((resolve) => setImmediate(resolve));
    });
    const r = (name: string): BucketAudit => ({ bucket: name, region: 'us-east-1', results: [] });
    await order.row(1, r('b1'));
    await order.row(2, r('c1'));
    await order.row(0, r('a1'));
    await order.done(2);
    // Account 1 arrives while account 0's end drains the held rows.
    const draining = order.done(0);
    await order.row(1, r('b2'));
    await draining;
    await order.row(1, r('b3'));
    await order.done(1);
    expect(out).toEqual(['a1', 'b1', 'b2', 'b3', 'c1']);
  });
});
