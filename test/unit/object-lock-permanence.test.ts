/**
 * Object Lock is forever, and once it is on S3 refuses to suspend versioning:
 * a plan puts the changes that cannot be undone last, and neither the
 * executor nor `rollback` tries to suspend versioning under Object Lock —
 * they report it as permanent instead of failing against S3.
 */
import { describe, expect, it } from 'vitest';
import { executePlan } from '../../src/plan/apply/executor.js';
import type { Journal, JournalRecord } from '../../src/plan/apply/journal.js';
import { parseJournal, rollbackJournal, rollbackLines } from '../../src/plan/apply/rollback.js';
import type { ApiCall, Plan, ResourceKey } from '../../src/plan/model/types.js';
import { VERSIONING_PINNED } from '../../src/plan/resources/object-lock.js';
import { syntheticPlan } from '../helpers/synthetic-plans.js';

/** A cloud that applies a plan's calls and undos to the resources they write. */
function fakeCloud(plan: Plan, failOn?: string) {
  const state = new Map<ResourceKey, unknown>();
  for (const change of plan.changes) state.set(change.resource, change.before);
  const calls: ApiCall[] = [];
  const same = (a: ApiCall | null, b: ApiCall) => JSON.stringify(a) === JSON.stringify(b);
  return {
    state,
    calls,
    run: async (call: ApiCall) => {
      calls.push(call);
      const applied = plan.changes.find((change) => same(change.call, call));
      const undone = plan.changes.find((change) => same(change.undo, call));
      const change = applied ?? undone;
      if (!change) throw new Error(`unexpected ${call.operation}`);
      if (!applied && change.resource === 'bucket.versioning') {
        const lock = state.get('bucket.objectLock') as { ObjectLockEnabled?: string } | null;
        if (lock?.ObjectLockEnabled === 'Enabled') {
          throw new Error('InvalidBucketState: versioning cannot be suspended');
        }
      }
      state.set(change.resource, applied ? change.after : change.before);
      // The call took effect, but its answer is lost.
      if (applied && change.id === failOn) throw new Error('socket hang up');
      return {};
    },
    read: async (resource: ResourceKey) => state.get(resource) ?? null,
  };
}

function memoryJournal(): Journal & { readonly records: JournalRecord[] } {
  const records: JournalRecord[] = [];
  return {
    path: '/memory/journal.jsonl',
    records,
    append: (entry) => {
      records.push(entry);
    },
    close: () => {},
  };
}

describe('Object Lock and what it makes permanent', () => {
  const worm = syntheticPlan('worm');
  const small = syntheticPlan('worm', ['public-access-block', 'versioning', 'object-lock']);

  it('goes after every change that can be undone', () => {
    const ids = worm.changes.map((change) => change.id);
    const lock = ids.indexOf('bucket.objectLock');
    expect(lock).toBeGreaterThan(ids.indexOf('bucket.versioning'));
    const after = worm.changes.slice(lock + 1);
    expect(after.every((change) => change.undo === null)).toBe(true);
  });

  it('a lost answer after Object Lock took effect: versioning is reported pinned, never suspended', async () => {
    const cloud = fakeCloud(small, 'bucket.objectLock');
    const outcome = await executePlan(small, {
      run: cloud.run,
      read: cloud.read,
      journal: memoryJournal(),
    });
    expect(outcome.status).toBe('rollback-incomplete');
    const versioning = outcome.results.find((result) => result.change.id === 'bucket.versioning');
    expect(versioning?.status).toBe('rollback-failed');
    expect(versioning?.error).toBe(VERSIONING_PINNED);
    // Versioning was enabled once and never suspended; the rest was undone.
    expect(cloud.calls.filter((call) => call.operation === 'PutBucketVersioning')).toHaveLength(1);
    expect(cloud.state.get('bucket.versioning')).toEqual({ Status: 'Enabled' });
    expect(
      outcome.results.find((result) => result.change.id === 'bucket.publicAccessBlock')?.status,
    ).toBe('rolled-back');
  });

  it('rollback of a journal whose Object Lock is on: versioning permanent, the journal ends', async () => {
    const target = { accountId: '123456789012', region: 'us-east-1', bucket: 'my-bucket' };
    const entries = [
      { type: 'begin', at: 't', target, changes: 2, tool: 's3-harden' },
      {
        type: 'intent',
        at: 't',
        changeId: 'bucket.versioning',
        resource: 'bucket.versioning',
        title: 'Versioning',
        before: null,
        undo: {
          service: 's3',
          operation: 'PutBucketVersioning',
          input: { Bucket: 'my-bucket', VersioningConfiguration: { Status: 'Suspended' } },
        },
      },
      { type: 'applied', at: 't', changeId: 'bucket.versioning' },
      {
        type: 'intent',
        at: 't',
        changeId: 'bucket.objectLock',
        resource: 'bucket.objectLock',
        title: 'Object Lock',
        before: null,
        undo: null,
      },
    ];
    const journal = parseJournal(entries.map((entry) => JSON.stringify(entry)).join('\n'));
    const live: Partial<Record<ResourceKey, unknown>> = {
      'bucket.versioning': { Status: 'Enabled' },
      'bucket.objectLock': { ObjectLockEnabled: 'Enabled' },
    };
    const calls: ApiCall[] = [];
    const recorded: JournalRecord[] = [];
    const outcome = await rollbackJournal(journal, {
      run: async (call) => {
        calls.push(call);
        return {};
      },
      read: async (resource) => live[resource] ?? null,
      record: (entry) => recorded.push(entry),
    });
    expect(calls).toEqual([]);
    expect(outcome.results.map((result) => result.status)).toEqual(['permanent', 'permanent']);
    expect(outcome.finished).toBe(true);
    expect(outcome.restored).toBe(false);
    expect(recorded.at(-1)).toMatchObject({ type: 'end' });
    const text = rollbackLines(outcome, 'j.jsonl').join('\n');
    expect(text).toContain(`! Versioning: ${VERSIONING_PINNED}`);
    expect(text).toContain('2 changes can never be undone (above). Nothing is left to retry.');
  });
});
