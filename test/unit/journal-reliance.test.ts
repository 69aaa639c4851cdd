/**
 * Which later applies rely on an account-wide change of an earlier journal:
 * the rollback of that journal asks (or, with --yes, keeps it) because of them.
 */
import { describe, expect, it } from 'vitest';
import { isAccountWide, reliedOnBy } from '../../src/plan/apply/journal-reliance.js';
import type { JournalSummary } from '../../src/plan/apply/journal-scan.js';
import type { JournalChange, ParsedJournal } from '../../src/plan/apply/rollback.js';

const ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const ACCOUNT = '123456789012';
const change: JournalChange = {
  id: 'account.publicAccessBlock',
  resource: 'account.publicAccessBlock',
  title: 'Block Public Access (account)',
  before: null,
  after: ON,
  undo: null,
};
const journal: ParsedJournal = {
  target: { accountId: ACCOUNT, region: 'us-east-1', bucket: 'first' },
  startedAt: '2026-12-01T10:00:00.000Z',
  changes: [change],
  outputs: new Map(),
  finished: true,
  kept: new Set(),
};
const PATH = '/journals/first.jsonl';

function later(overrides: Partial<JournalSummary> = {}): JournalSummary {
  return {
    path: '/journals/second.jsonl',
    target: { accountId: ACCOUNT, region: 'eu-west-1', bucket: 'second' },
    at: '2026-12-02T10:00:00.000Z',
    changes: 1,
    state: 'applied',
    inEffect: ['bucket.publicAccessBlock'],
    reads: { 'account.publicAccessBlock': ON },
    ...overrides,
  };
}

describe('reliedOnBy', () => {
  it('a later apply that read the setting as this one left it relies on it, in any region (one setting per account)', () => {
    expect(reliedOnBy(change, journal, PATH, [later()]).map((r) => r.how)).toEqual([
      'read it as this apply left it',
    ]);
  });

  it('a later apply that wrote it again relies on it', () => {
    const other = later({ inEffect: ['account.publicAccessBlock'], reads: {} });
    expect(reliedOnBy(change, journal, PATH, [other]).map((r) => r.how)).toEqual([
      'applied it again',
    ]);
  });

  it('a later journal from before readings were recorded may rely on it: counted, the safe way round', () => {
    const { reads: _none, ...old } = later();
    expect(reliedOnBy(change, journal, PATH, [old]).map((r) => r.how)).toEqual(['may rely on it']);
  });

  it('not relied on: the journal itself, earlier applies, other accounts, rolled-back applies, other readings', () => {
    const others = [
      later({ path: PATH }),
      later({ at: '2026-11-30T10:00:00.000Z' }),
      later({ target: { accountId: '999999999999', region: 'us-east-1', bucket: 'x' } }),
      later({ state: 'rolled back' }),
      later({ reads: { 'account.publicAccessBlock': null } }),
      later({ reads: {} }),
    ];
    expect(reliedOnBy(change, journal, PATH, others)).toEqual([]);
  });

  it('marks only account-scoped resources as account-wide', () => {
    expect(isAccountWide(change)).toBe(true);
    expect(isAccountWide({ resource: 'bucket.publicAccessBlock' })).toBe(false);
  });
});
