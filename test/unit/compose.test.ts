import { describe, expect, it } from 'vitest';
import { composePlan, orderChanges, PlanError } from '../../src/plan/model/compose.js';
import type { Change } from '../../src/plan/model/types.js';
import { accountChange, bucketChange, ON, pab, TARGET } from './support.js';

/** A change that only matters for ordering. */
function change(id: string, dependsOn: string[] = []): Change {
  return bucketChange(null, ON, { id, dependsOn });
}

const ids = (changes: readonly Change[]) => changes.map((entry) => entry.id);

describe('orderChanges', () => {
  it.each<[string, Change[], string[]]>([
    ['empty', [], []],
    [
      'independent changes keep step order',
      [change('a'), change('b'), change('c')],
      ['a', 'b', 'c'],
    ],
    ['a dependency listed later moves first', [change('a', ['b']), change('b')], ['b', 'a']],
    [
      'only the dependent change moves; the rest keep their order',
      [change('a'), change('b', ['d']), change('c'), change('d')],
      ['a', 'd', 'b', 'c'],
    ],
    [
      'a chain resolves fully',
      [change('a', ['b']), change('b', ['c']), change('c')],
      ['c', 'b', 'a'],
    ],
    [
      'a diamond places the shared dependency once, first',
      [
        change('top', ['left', 'right']),
        change('left', ['base']),
        change('right', ['base']),
        change('base'),
      ],
      ['base', 'left', 'right', 'top'],
    ],
    [
      'a dependency already satisfied (no such change) is ignored',
      [change('a', ['not-in-plan']), change('b')],
      ['a', 'b'],
    ],
    ['a dependency already in front stays put', [change('a'), change('b', ['a'])], ['a', 'b']],
  ])('%s', (_label, input, expected) => {
    expect(ids(orderChanges(input))).toEqual(expected);
  });

  it('does not reorder the input array', () => {
    const input = [change('a', ['b']), change('b')];
    orderChanges(input);
    expect(ids(input)).toEqual(['a', 'b']);
  });

  it.each<[string, Change[], string]>([
    [
      'two changes',
      [change('a', ['b']), change('b', ['a'])],
      'changes depend on each other in a cycle: a -> b -> a',
    ],
    [
      'three changes',
      [change('x'), change('a', ['b']), change('b', ['c']), change('c', ['a'])],
      'changes depend on each other in a cycle: a -> b -> c -> a',
    ],
    ['a change on itself', [change('a', ['a'])], 'changes depend on each other in a cycle: a -> a'],
  ])('a cycle of %s → PlanError naming it', (_label, input, message) => {
    expect(() => orderChanges(input)).toThrow(PlanError);
    expect(() => orderChanges(input)).toThrow(message);
  });

  it('duplicate ids → PlanError', () => {
    const input = [change('a'), change('b'), change('a')];
    expect(() => orderChanges(input)).toThrow(PlanError);
    expect(() => orderChanges(input)).toThrow('two changes share the id a');
  });
});

describe('composePlan', () => {
  const now = new Date('2025-03-04T05:06:07.089Z');

  it('records the observed before-state of exactly the resources it writes', () => {
    const plan = composePlan({
      target: TARGET,
      preset: 'strict',
      values: {
        'bucket.publicAccessBlock': pab({ BlockPublicAcls: false }),
        'account.publicAccessBlock': ON,
      },
      changes: [bucketChange(pab({ BlockPublicAcls: false }), ON)],
      skipped: [],
      now,
    });
    expect(plan.observed).toEqual({ 'bucket.publicAccessBlock': pab({ BlockPublicAcls: false }) });
    expect(plan.createdAt).toBe('2025-03-04T05:06:07.089Z');
    expect(plan.preset).toBe('strict');
    expect(plan.target).toEqual(TARGET);
  });

  it('an absent resource is recorded as null', () => {
    const plan = composePlan({
      target: TARGET,
      preset: 'baseline',
      values: { 'bucket.publicAccessBlock': null, 'account.publicAccessBlock': null },
      changes: [accountChange(null, ON), bucketChange(null, ON)],
      skipped: [],
      now,
    });
    expect(plan.observed).toEqual({
      'bucket.publicAccessBlock': null,
      'account.publicAccessBlock': null,
    });
    expect(Object.keys(plan.observed).sort()).toEqual([
      'account.publicAccessBlock',
      'bucket.publicAccessBlock',
    ]);
  });

  it('no changes → nothing observed, skipped steps carried through', () => {
    const skipped = [{ step: 'Block Public Access (account)', reason: 'cannot read: denied' }];
    const plan = composePlan({
      target: TARGET,
      preset: 'baseline',
      values: { 'bucket.publicAccessBlock': ON },
      changes: [],
      skipped,
      now,
    });
    expect(plan.observed).toEqual({});
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual(skipped);
  });

  it('orders the changes', () => {
    const plan = composePlan({
      target: TARGET,
      preset: 'baseline',
      values: {},
      changes: [
        accountChange(null, ON, { dependsOn: ['bucket.publicAccessBlock'] }),
        bucketChange(null, ON),
      ],
      skipped: [],
      now,
    });
    expect(ids(plan.changes)).toEqual(['bucket.publicAccessBlock', 'account.publicAccessBlock']);
  });

  it('defaults createdAt to now', () => {
    const before = Date.now();
    const plan = composePlan({
      target: TARGET,
      preset: 'baseline',
      values: {},
      changes: [],
      skipped: [],
    });
    const created = Date.parse(plan.createdAt);
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(Date.now());
  });
});
