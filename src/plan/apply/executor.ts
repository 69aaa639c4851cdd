/**
 * Applies a plan's changes. Every resource is read first, all at once and
 * before any write (./prewrite.ts): a plan whose resource moved since it was
 * made is not written at all (stale): it is someone else's to redo, not this
 * run's to overwrite. Then the writes go out in waves (./schedule.ts): each
 * change as soon as what it depends on is applied and the change before it
 * on the same bucket is done, so independent writes overlap while one
 * bucket's writes stay one at a time. Before each write the change's before-
 * and after-state go to the journal; on any failure (or a cancel before the
 * last write is done) no new write starts, the writes in flight settle, and
 * every change whose call was made is undone newest started first — only
 * those still holding what this run wrote (./undo.ts) — each undo read back
 * to confirm, and every change ends in a reported state: nothing
 * half-applied goes unreported. Once every write has succeeded the plan is
 * applied, whatever the read-back finds: a read that fails is "not
 * verified", and the journal is closed all the same.
 *
 * Created resources are read with the run's identity (the plan's id and the
 * outputs so far, see RunIdentity): a key is found by its ID, or by the tag
 * with the plan's id when the answer to CreateKey was lost, never by alias.
 */

import type { RunIdentity } from '../model/call.js';
import {
  collectRefs,
  referencedOutput,
  resolveRefs,
  resolveValueRefs,
} from '../model/output-refs.js';
import type { ApiCall, Change, Plan, ResourceKey } from '../model/types.js';
import type { CliContext } from '../render/cli-equivalent.js';
import { formatValue } from '../render/render.js';
import { RESOURCES, satisfies } from '../resources/index.js';
import { objectLockOn, undoPinnedByObjectLock } from '../resources/object-lock.js';
import type { Journal } from './journal.js';
import { prewriteReads, staleness, staleUpFront } from './prewrite.js';
import { prerequisites, runInWaves } from './schedule.js';
import { conflictText, errorText, recoverOutput, type UndoContext, undoChange } from './undo.js';

export type ChangeStatus =
  | 'pending'
  | 'applying'
  | 'applied'
  | 'failed'
  /** Not written: its resource changed since the plan (or could not be read to tell). */
  | 'stale'
  | 'rolling-back'
  | 'rolled-back'
  | 'rollback-failed'
  /** Left in place by the rollback on purpose: a created bucket that has received objects. */
  | 'kept'
  /** Not undone: it no longer holds what this run wrote (someone changed it since). */
  | 'conflict';

export interface ChangeResult {
  readonly change: Change;
  readonly status: ChangeStatus;
  /** Why it failed, is stale, is in conflict, or why its rollback failed. */
  readonly error?: string;
  /** For a failed rollback: the command that restores it by hand; for a kept one, that removes it. */
  readonly manualCommand?: string;
  /** For an applied change: whether a fresh read shows the planned value. */
  readonly verified?: boolean;
  readonly verifyDetail?: string;
}

/**
 * `rollback-incomplete`: something is not as before and needs the operator —
 * an undo that failed, a created bucket kept because it has received
 * objects, or a change someone else has changed since (a conflict).
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
  /**
   * A fresh read of one resource of the plan's target; null = absent. With
   * the run's identity, a resource this run creates is read as that very one.
   */
  read(resource: ResourceKey, identity?: RunIdentity): Promise<unknown>;
  /**
   * The output of a create whose answer was lost, found again by identity
   * (the key tagged with the plan's id); null when nothing was created.
   */
  recover?(resource: ResourceKey, identity: RunIdentity): Promise<unknown>;
  readonly journal: Journal;
  /**
   * What the plan's resources read a moment ago, under this run's lock and
   * with nothing waited for since (apply --yes: the gate's reading): the
   * reads before the first write take these values instead of asking again.
   * Resources a run creates are read by the run's identity, never from here.
   */
  readonly readJustNow?: Readonly<Partial<Record<ResourceKey, unknown>>>;
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

/**
 * The plan's readings of the account-wide settings (those a write can change,
 * not listings), for the begin entry: what this apply found in place and
 * relies on, so rolling back an earlier journal does not pull it away unasked.
 */
function accountReads(plan: Plan): { reads?: Record<string, unknown> } {
  const reads: Record<string, unknown> = {};
  // What the plan writes is in `observed`; what it found in place and left
  // (account Block Public Access already on) only in the reading it was built from.
  const provenance = plan.provenance;
  const recorded = provenance && 'posture' in provenance ? provenance.posture.values : {};
  const values = { ...recorded, ...plan.observed };
  for (const [key, value] of Object.entries(values)) {
    const resource = RESOURCES[key as ResourceKey];
    if (resource?.scope !== 'account' || resource.readOnly || resource.volatile) continue;
    if (value !== undefined) reads[key] = value;
  }
  return Object.keys(reads).length > 0 ? { reads } : {};
}

/** Whether a fresh read of an applied change shows its planned value; never throws. */
async function verification(
  change: Change,
  identity: RunIdentity,
  deps: Pick<ExecutorDeps, 'read'>,
): Promise<Pick<ChangeResult, 'verified' | 'verifyDetail'>> {
  let live: unknown;
  try {
    live = await deps.read(change.resource, identity);
  } catch (error) {
    return {
      verified: false,
      verifyDetail: `not verified: the read-back failed (${errorText(error)})`,
    };
  }
  try {
    if (satisfies(change.resource, resolveValueRefs(change.after, identity.outputs), live)) {
      return { verified: true };
    }
  } catch {
    // A value the comparison cannot take is not the planned one.
  }
  return { verified: false, verifyDetail: `reads back as ${formatValue(live)}` };
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
    ...(plan.id ? { planId: plan.id } : {}),
    ...accountReads(plan),
  });
  let failure: string | undefined;
  let cancelled = false;
  // The changes whose call was made, in the order they started (their intents' order).
  const started: number[] = [];
  // Outputs of calls that later calls or undos refer to (OutputRef).
  const outputs = new Map<string, unknown>();
  const identity: RunIdentity = { ...(plan.id ? { planId: plan.id } : {}), outputs };
  const allCalls = plan.changes.flatMap((change) => [change.call, change.undo]);
  const fail = (change: Change, why: string) => {
    failure ??= `${change.title}: ${why}`;
  };
  // No new write once one has failed or the operator cancelled.
  const proceed = () => {
    if (failure) return false;
    if (deps.signal?.aborted) cancelled = true;
    return !cancelled;
  };

  // Every resource still as planned? Asked of all at once, before any write:
  // a plan whose resource moved is refused whole, nothing written.
  const reads = prewriteReads(plan.changes);
  if (proceed()) {
    const { readJustNow } = deps;
    const readUpFront: ExecutorDeps['read'] = (resource, runIdentity) =>
      readJustNow && resource in readJustNow && !RESOURCES[resource].createdByRun
        ? Promise.resolve(readJustNow[resource])
        : deps.read(resource, runIdentity);
    const stale = await staleUpFront(plan.changes, reads, readUpFront, identity);
    for (const [index, text] of stale) {
      fail(plan.changes[index] as Change, text);
      update(index, { status: 'stale', error: text });
    }
  }

  const start = async (index: number): Promise<boolean> => {
    const change = plan.changes[index] as Change;
    update(index, { status: 'applying' });
    if (reads.atTurn.has(index)) {
      const stale = await staleness(change, deps.read, identity);
      if (stale) {
        fail(change, stale);
        update(index, { status: 'stale', error: stale });
        return false;
      }
      // Something failed, or a cancel came, while it was read: it is not started.
      if (!proceed()) {
        update(index, { status: 'pending' });
        return false;
      }
    }
    try {
      journal.append({
        type: 'intent',
        changeId: change.id,
        resource: change.resource,
        title: change.title,
        before: change.before,
        after: change.after,
        undo: change.undo,
      });
    } catch (error) {
      fail(change, `not attempted, the journal could not be written (${errorText(error)})`);
      update(index, { status: 'pending', error: `journal: ${errorText(error)}` });
      return false;
    }
    started.push(index);
    let output: unknown;
    try {
      output = await deps.run(resolveRefs(change.call, outputs));
    } catch (error) {
      fail(change, errorText(error));
      record({ type: 'failed', changeId: change.id, error: errorText(error) });
      update(index, { status: 'failed', error: errorText(error) });
      return false;
    }
    outputs.set(change.id, output);
    const kept = referencedOutput(change.id, output, allCalls);
    record({
      type: 'applied',
      changeId: change.id,
      ...(Object.keys(kept).length > 0 ? { output: kept } : {}),
    });
    update(index, { status: 'applied' });
    return true;
  };
  // Independent writes overlap; each waits for what it must follow (./schedule.ts).
  await runInWaves({ waits: prerequisites(plan.changes), proceed, start });
  // A cancel that arrives during the last call still rolls back what was applied.
  if (!failure && deps.signal?.aborted) cancelled = true;

  if (!failure && !cancelled) {
    // Every write succeeded: whatever the read-back finds, the plan is applied
    // and the journal says so. A read that fails is "not verified", never a
    // crash that leaves the journal open and the next apply blocked. The
    // read-backs depend on nothing but the writes, all done: they go out
    // together (one round trip, not one per change), reported in plan order.
    const applied = [...started].sort((a, b) => a - b);
    const checks = await Promise.all(
      applied.map((index) => verification(plan.changes[index] as Change, identity, deps)),
    );
    for (const [i, index] of applied.entries()) update(index, checks[i] ?? {});
    record({ type: 'end', outcome: 'applied' });
    return { status: 'applied', cancelled: false, results, journalPath: journal.path };
  }

  const status = await rollBack(
    plan,
    started,
    { results, update, record, outputs, identity, allCalls },
    deps,
  );
  return {
    status,
    cancelled,
    results,
    error: failure ?? 'cancelled by the operator',
    journalPath: journal.path,
  };
}

interface RunState {
  readonly results: readonly ChangeResult[];
  update(index: number, patch: Partial<ChangeResult>): void;
  record(entry: Parameters<Journal['append']>[0]): void;
  readonly outputs: Map<string, unknown>;
  readonly identity: RunIdentity;
  /** Every call and undo of the plan: which outputs are referenced. */
  readonly allCalls: readonly (ApiCall | null)[];
}

/**
 * Undoes every change whose call was made — applied, or failed (a call that
 * failed may still have taken effect: a timeout after S3 wrote it, a lost
 * answer; undoChange tells by reading it first) — newest started first: a
 * change starts only once what it follows is applied, so that is a valid
 * reverse order. An output a failed call lost (a created key's ID) is found
 * again by identity first, so its undo can name it. Ends the journal.
 */
async function rollBack(
  plan: Plan,
  started: readonly number[],
  run: RunState,
  deps: ExecutorDeps,
): Promise<ApplyStatus> {
  const { results, update, record, outputs, identity, allCalls } = run;
  const failed = new Set(started.filter((index) => results[index]?.status === 'failed'));
  for (const index of started) {
    if (!failed.has(index) || !deps.recover) continue;
    const change = plan.changes[index] as Change;
    const referenced = allCalls.some((call) =>
      collectRefs(call?.input).some((ref) => ref.fromOutput.change === change.id),
    );
    if (!referenced) continue;
    const recover = deps.recover;
    const found = await recoverOutput(() => recover(change.resource, identity));
    if (found) {
      outputs.set(change.id, found);
      const keptOutput = referencedOutput(change.id, found, allCalls);
      record({ type: 'applied', changeId: change.id, output: keptOutput });
    }
  }
  // Object Lock, once on, pins versioning: its undo would be refused.
  const locked = started.some((index) => {
    const change = plan.changes[index] as Change;
    return change.resource === 'bucket.objectLock' && objectLockOn(change.after);
  });
  const context: UndoContext = {
    outputs,
    created: new Map(plan.changes.map((c) => [c.id, { resource: c.resource, after: c.after }])),
    ...(plan.id ? { planId: plan.id } : {}),
    ...(deps.cli ? { cli: deps.cli } : {}),
  };
  let incomplete = false;
  let kept = false;
  for (const index of [...started].reverse()) {
    const change = plan.changes[index] as Change;
    const wasFailed = failed.has(index);
    if (!wasFailed) update(index, { status: 'rolling-back' });
    const pinned = undoPinnedByObjectLock(change.resource, change.before, locked);
    if (!change.undo || pinned) {
      if (wasFailed) continue;
      incomplete = true;
      const error = pinned ?? 'cannot be undone';
      record({ type: 'rollback-failed', changeId: change.id, error, command: null });
      update(index, { status: 'rollback-failed', error });
      continue;
    }
    const result = await undoChange({ ...change, undo: change.undo }, context, {
      run: deps.run,
      read: (resource) => deps.read(resource, identity),
      record,
    });
    if (result.status === 'rolled-back' || result.status === 'already') {
      // A failed call that took no effect stays "failed"; one undone, rolled back.
      if (!(wasFailed && result.status === 'already')) update(index, { status: 'rolled-back' });
    } else if (result.status === 'kept') {
      kept = true;
      update(index, { status: 'kept', manualCommand: result.command });
    } else if (result.status === 'conflict') {
      incomplete = true;
      update(index, { status: 'conflict', error: conflictText(result.now, result.wrote) });
    } else {
      incomplete = true;
      update(index, {
        status: 'rollback-failed',
        error: result.error,
        ...(result.command ? { manualCommand: result.command } : {}),
      });
    }
  }
  const status: ApplyStatus = incomplete || kept ? 'rollback-incomplete' : 'rolled-back';
  // A kept bucket leaves nothing to retry: the journal says so, and is finished.
  record({ type: 'end', outcome: kept && !incomplete ? KEPT_OUTCOME : status });
  return status;
}
