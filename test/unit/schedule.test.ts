/**
 * When each change may start (src/plan/apply/schedule.ts), and the bench's
 * ordering depth (bench/apply-critical-path.mjs), which must agree with it.
 */
import { describe, expect, it } from 'vitest';
import { orderingDepth as benchDepth, dependencyDepth } from '../../bench/apply-critical-path.mjs';
import {
  chainOf,
  orderingDepth,
  prerequisites,
  runInWaves,
} from '../../src/plan/apply/schedule.js';
import type { ApiCall, Change } from '../../src/plan/model/types.js';
import { syntheticPlan } from '../helpers/synthetic-plans.js';

type Shape = Pick<Change, 'id' | 'call' | 'resource' | 'undo' | 'dependsOn'>;

const undo: ApiCall = { service: 's3', operation: 'Undo', input: {} };
function shape(
  id: string,
  input: Record<string, unknown>,
  options: { dependsOn?: string[]; undo?: ApiCall | null; resource?: string } = {},
): Shape {
  return {
    id,
    resource: (options.resource ?? id) as Change['resource'],
    call: { service: 's3', operation: 'Put', input },
    undo: options.undo === undefined ? undo : options.undo,
    dependsOn: options.dependsOn ?? [],
  };
}

describe('prerequisites', () => {
  it('one bucket in plan order; other buckets and bucketless calls apart; dependsOn kept', () => {
    const changes = [
      shape('a', { Bucket: 'one' }),
      shape('b', { Bucket: 'two' }),
      shape('c', { AccountId: '1' }, { resource: 'account.publicAccessBlock' }),
      shape('d', { Bucket: 'one' }, { dependsOn: ['b', 'missing'] }),
      shape('e', { KeyId: 'k' }, { resource: 'kms.rotation' }),
    ];
    expect(prerequisites(changes)).toEqual([[], [], [], [0, 1], []]);
    expect(chainOf(changes[0] as Shape)).toBe('bucket one');
    expect(chainOf(changes[2] as Shape)).toBe('resource account.publicAccessBlock');
    expect(orderingDepth(prerequisites(changes))).toBe(2);
  });

  it('a change waits for the changes whose output its call refers to, dependency or not', () => {
    const changes = [
      shape('kms.key', {}),
      shape('b', {
        Bucket: 'one',
        Key: { fromOutput: { change: 'kms.key', path: 'KeyMetadata.Arn' } },
      }),
    ];
    expect(prerequisites(changes)).toEqual([[], [0]]);
    expect(benchDepth(changes)).toBe(2);
  });

  it('a dependency later in plan order is not waited for (plan order is the order)', () => {
    expect(prerequisites([shape('a', {}, { dependsOn: ['b'] }), shape('b', {})])).toEqual([[], []]);
  });

  it('a change that cannot be undone follows every change before it, and precedes every one after', () => {
    const changes = [
      shape('a', { Bucket: 'one' }),
      shape('b', { Bucket: 'two' }),
      shape('lock', { Bucket: 'one' }, { undo: null }),
      shape('c', { Bucket: 'three' }),
    ];
    expect(prerequisites(changes)).toEqual([[], [], [0, 1], [2]]);
    expect(orderingDepth(prerequisites(changes))).toBe(3);
  });

  it.each(['baseline', 'strict', 'worm'] as const)(
    'the bench counts the same ordering depth: %s',
    (preset) => {
      const { changes } = syntheticPlan(preset);
      const depth = orderingDepth(prerequisites(changes));
      expect(benchDepth(changes)).toBe(depth);
      expect(depth).toBeGreaterThanOrEqual(dependencyDepth(changes));
      expect(depth).toBeLessThan(changes.length);
    },
  );
});

describe('runInWaves', () => {
  it('starts what may start in plan order, and what waits once its prerequisites are applied', async () => {
    const started: number[] = [];
    const gates = new Map<number, (ok: boolean) => void>();
    const running = runInWaves({
      waits: [[], [0], [], [1, 2]],
      proceed: () => true,
      start: (index) => {
        started.push(index);
        return new Promise((resolve) => gates.set(index, resolve));
      },
    });
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    await tick();
    expect(started).toEqual([0, 2]);
    gates.get(2)?.(true);
    await tick();
    expect(started).toEqual([0, 2]);
    gates.get(0)?.(true);
    await tick();
    expect(started).toEqual([0, 2, 1]);
    gates.get(1)?.(true);
    await tick();
    expect(started).toEqual([0, 2, 1, 3]);
    gates.get(3)?.(true);
    await running;
  });

  it('after a failure nothing more starts, and it resolves once the rest in flight settle', async () => {
    const started: number[] = [];
    const gates = new Map<number, (ok: boolean) => void>();
    let failed = false;
    let done = false;
    const running = runInWaves({
      waits: [[], [], [0]],
      proceed: () => !failed,
      start: (index) => {
        started.push(index);
        return new Promise((resolve) => gates.set(index, resolve));
      },
    }).then(() => {
      done = true;
    });
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    await tick();
    failed = true;
    gates.get(1)?.(false);
    await tick();
    expect(done).toBe(false);
    gates.get(0)?.(true);
    await running;
    expect(started).toEqual([0, 1]);
  });
});
