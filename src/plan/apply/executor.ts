/**
 * Applies a plan's changes in order. Before each write the change's
 * before-state goes to the journal; on any failure (or a cancel before the
 * last write is done) the applied changes are undone newest first, each undo
 * read back to confirm, and every change ends in a reported state: nothing
 * half-applied goes unreported.
 */

import { referencedOutput, resolveRefs } from '../model/output-refs.js';
import type { ApiCall, Change, Plan, ResourceKey } from '../model/types.js';
import type { CliContext } from '../render/cli-equivalent.js';
import { formatValue } from '../render/render.js';
import { satisfies } from '../resources/index.js';
import { objectLockOn, undoPinnedByObjectLock } from '../resources/object-lock.js';
import type { Journal } from './journal.js';
import { undoChange } from './undo.js';

export type ChangeStatus =
  | 'pending'
  | 'applying'
  | 'applied'
  | 'failed'
  | 'rolling-back'
  | 'rolled-back'
  | 'rollback-failed'
  /** Left in place by the rollback on purpose: a created bucket that has received objects. */
  | 'kept';

export interface ChangeResult {
  readonly change: Change;
  readonly status: ChangeStatus;
  /** Why it failed, or why its rollback failed. */
  readonly error?: string;
  /** For a failed rollback: the command that restores it by hand; for a kept one, that removes it. */
  readonly manualCommand?: string;
  /** For an applied change: whether a fresh read shows the planned value. */
  readonly verified?: boolean;
  readonly verifyDetail?: string;
}

/**
 * `rollback-incomplete`: something is not as before and needs the operator —
 * an undo that failed, or a created bucket kept because it has received objects.
 */
export type ApplyStatus = 'applied' | 'rolled-back' | 'rollback-incomplete';

export interface ApplyOutcome {
  readonly status: ApplyStatus;
  /**
   * True when the operator cancelled before the last write was done; the
   * applied changes were then undone. A cancel after it changes nothing.
   */
  readonly cancelled: boolean;
  readonly results: readonly ChangeResult[];
  /** The error that stopped apply. */
  readonly error?: string;
  readonly journalPath: string;
}

export interface ExecutorDeps {
  /** Runs one call; throws an Error with a one-line message on failure. */
  run(call: ApiCall): Promise<unknown>;
  /** A fresh read of one resource of the plan's target; null = absent. */
  read(resource: ResourceKey): Promise<unknown>;
  readonly journal: Journal;
  /**
   * Aborted by a cancel (Ctrl+C): stop before the next change, then roll
   * back. Once the last write is done it is ignored: a plan applied whole is
   * better than one undone after the fact.
   */
  readonly signal?: AbortSignal;
  /** Every status change, for progress displays. */
  onProgress?(results: readonly ChangeResult[]): void;
  readonly cli?: CliContext;
}

/** The `end` outcome of a rollback that undid everything but kept a bucket. */
export const KEPT_OUTCOME = 'rolled-back-except-kept';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function executePlan(plan: Plan, deps: ExecutorDeps): Promise<ApplyOutcome> {
  const { journal } = deps;
  const results: ChangeResult[] = plan.changes.map((change) => ({ change, status: 'pending' }));
  const update = (index: number, patch: Partial<ChangeResult>) => {
    results[index] = { ...(results[index] as ChangeResult), ...patch };
    deps.onProgress?.([...results]);
  };

  // The journal is the only record that makes a crash recoverable: if it cannot
  // be written before a change, the change is not made. Records written after
  // a call are best effort; a failure to write one must not stop the rollback.
  const record = (entry: Parameters<Journal['append']>[0]) => {
    try {
      journal.append(entry);
    } catch {
      // Reported by the missing records; the outcome below is still returned.
    }
  };
  journal.append({
    type: 'begin',
    target: plan.target,
    changes: plan.changes.length,
    tool: 's3-harden',
  });
  let failure: string | undefined;
  let cancelled = false;
  const applied: number[] = [];
  // Outputs of calls that later calls or undos refer to (OutputRef).
  const outputs = new Map<string, unknown>();
  const allCalls = plan.changes.flatMap((change) => [change.call, change.undo]);

  for (const [index, change] of plan.changes.entries()) {
    if (deps.signal?.aborted) {
      cancelled = true;
      break;
    }
    update(index, { status: 'applying' });
    try {
      journal.append({
        type: 'intent',
        changeId: change.id,
        resource: change.resource,
        title: change.title,
        before: change.before,
        undo: change.undo,
      });
    } catch (error) {
      failure = `${change.title}: not attempted, the journal could not be written (${message(error)})`;
      update(index, { status: 'pending', error: `journal: ${message(error)}` });
      break;
    }
    let output: unknown;
    try {
      output = await deps.run(resolveRefs(change.call, outputs));
    } catch (error) {
      failure = `${change.title}: ${message(error)}`;
      record({ type: 'failed', changeId: change.id, error: message(error) });
      update(index, { status: 'failed', error: message(error) });
      break;
    }
    outputs.set(change.id, output);
    const kept = referencedOutput(change.id, output, allCalls);
    record({
      type: 'applied',
      changeId: change.id,
      ...(Object.keys(kept).length > 0 ? { output: kept } : {}),
    });
    applied.push(index);
    update(index, { status: 'applied' });
  }
  // A cancel that arrives during the last call still rolls back what was applied.
  if (!failure && deps.signal?.aborted) cancelled = true;

  if (!failure && !cancelled) {
    for (const index of applied) {
      const change = plan.changes[index] as Change;
      const live = await deps
        .read(change.resource)
        .catch((error) => `unreadable: ${message(error)}`);
      const verified = satisfies(change.resource, change.after, live);
      update(
        index,
        verified ? { verified } : { verified, verifyDetail: `reads back as ${formatValue(live)}` },
      );
    }
    record({ type: 'end', outcome: 'applied' });
    return { status: 'applied', cancelled: false, results, journalPath: journal.path };
  }

  let incomplete = false;
  let kept = false;
  // A call that failed may still have taken effect (a timeout after S3 wrote
  // it): read it back, and undo it too unless it still reads as before.
  const failedIndex = results.findIndex((result) => result.status === 'failed');
  if (failedIndex >= 0) {
    const change = plan.changes[failedIndex] as Change;
    const live = await deps.read(change.resource).then(
      (value) => ({ value }),
      () => null,
    );
    if (!live || !satisfies(change.resource, change.before, live.value)) applied.push(failedIndex);
  }
  // Object Lock, once on, pins versioning: its undo would be refused.
  const locked = applied.some((index) => {
    const change = plan.changes[index] as Change;
    return change.resource === 'bucket.objectLock' && objectLockOn(change.after);
  });
  for (const index of [...applied].reverse()) {
    const change = plan.changes[index] as Change;
    update(index, { status: 'rolling-back' });
    const pinned = undoPinnedByObjectLock(change.resource, change.before, locked);
    if (!change.undo || pinned) {
      incomplete = true;
      const error = pinned ?? 'cannot be undone';
      record({ type: 'rollback-failed', changeId: change.id, error, command: null });
      update(index, { status: 'rollback-failed', error });
      continue;
    }
    const result = await undoChange({ ...change, undo: change.undo }, outputs, {
      run: deps.run,
      read: deps.read,
      record,
      ...(deps.cli ? { cli: deps.cli } : {}),
    });
    if (result.status === 'rolled-back') {
      update(index, { status: 'rolled-back' });
    } else if (result.status === 'kept') {
      kept = true;
      update(index, { status: 'kept', manualCommand: result.command });
    } else {
      incomplete = true;
      update(index, {
        status: 'rollback-failed',
        error: result.error,
        manualCommand: result.command,
      });
    }
  }
  const status: ApplyStatus = incomplete || kept ? 'rollback-incomplete' : 'rolled-back';
  // A kept bucket leaves nothing to retry: the journal says so, and is finished.
  record({ type: 'end', outcome: kept && !incomplete ? KEPT_OUTCOME : status });
  return {
    status,
    cancelled,
    results,
    error: failure ?? 'cancelled by the operator',
    journalPath: journal.path,
  };
}
