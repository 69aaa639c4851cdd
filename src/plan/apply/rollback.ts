/**
 * Rolling back what a journal recorded, after a crash or a failed rollback.
 * The journal is validated whole first (a tampered one makes no API call);
 * then every change that was applied, or may have been (an intent without an
 * outcome was in flight at the crash), is read and undone newest first when
 * it differs from its before-state, and read back. Safe to run again: each
 * outcome is appended to the same journal, and a resource already as before
 * is reported, not written. A bucket the journal created that has received
 * objects is kept, not emptied: it is reported with the command that removes
 * it, recorded, and left alone by every later run.
 *
 * Why one file of ~415 lines: the journal's validation, the undo loop and the
 * report of one rollback; the report's wording follows every outcome the loop
 * produces.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import * as z from 'zod';
import { escapeControl } from '../files/plan-file.js';
import { UnsafeFileError } from '../files/safe-file.js';
import type { RunIdentity } from '../model/call.js';
import { apiCallSchema, callProblem, targetSchema, writes } from '../model/call-guard.js';
import { collectRefs, referencedOutput } from '../model/output-refs.js';
import type { ApiCall, ResourceKey, Target } from '../model/types.js';
import type { CliContext } from '../render/cli-equivalent.js';
import { KEPT_NOT_EMPTY, keptBuckets, removeBucketCommand } from '../resources/bucket.js';
import { RESOURCE_KEYS, resourceSchema, satisfies } from '../resources/index.js';
import { objectLockOn, undoPinnedByObjectLock } from '../resources/object-lock.js';
import { KEPT_OUTCOME } from './executor.js';
import {
  appendLine,
  type JournalEntry,
  type JournalRecord,
  PARTIAL_SUFFIX,
  readJournalText,
} from './journal.js';
import { JournalError, splitEntries } from './journal-scan.js';
import {
  conflictText,
  errorText,
  recoverOutput,
  type UndoContext,
  undoChange,
  undoCommand,
} from './undo.js';

/** A JournalError whose message may quote the file: control characters escaped. */
function journalError(message: string): JournalError {
  return new JournalError(escapeControl(message));
}

const text = (max: number) => z.string().max(max);
const at = z.string().max(100);
const changeId = text(200).min(1);
const entrySchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('begin'),
    at,
    target: targetSchema,
    changes: z.number().int().min(0).max(500),
    tool: text(200),
    planId: z.uuid().optional(),
    reads: z
      .partialRecord(z.enum(RESOURCE_KEYS as [ResourceKey, ...ResourceKey[]]), z.unknown())
      .optional(),
  }),
  z.strictObject({
    type: z.literal('intent'),
    at,
    changeId,
    resource: z.enum(RESOURCE_KEYS as [ResourceKey, ...ResourceKey[]]),
    title: text(200),
    before: z.unknown(),
    after: z.unknown().optional(),
    undo: apiCallSchema.nullable(),
  }),
  z.strictObject({
    type: z.literal('applied'),
    at,
    changeId,
    output: z.record(z.string(), z.unknown()).optional(),
  }),
  z.strictObject({ type: z.literal('failed'), at, changeId, error: text(5000) }),
  z.strictObject({ type: z.literal('rolled-back'), at, changeId }),
  z.strictObject({
    type: z.literal('rollback-failed'),
    at,
    changeId,
    error: text(5000),
    command: text(20000).nullable(),
  }),
  z.strictObject({ type: z.literal('kept'), at, changeId, reason: text(500), command: text(2000) }),
  z.strictObject({
    type: z.literal('conflict'),
    at,
    changeId,
    now: z.unknown(),
    wrote: z.unknown(),
  }),
  z.strictObject({ type: z.literal('end'), at, outcome: text(100) }),
]);

/** One change the journal says was attempted. */
export interface JournalChange {
  readonly id: string;
  readonly resource: ResourceKey;
  readonly title: string;
  readonly before: unknown;
  /** What the write left (absent in older journals): undone only while it still holds. */
  readonly after?: unknown;
  readonly undo: ApiCall | null;
}

export interface ParsedJournal {
  readonly target: Target;
  /** The plan's id, which what it created is tagged with (absent in older journals). */
  readonly planId?: string;
  /** When the apply began (its begin entry). */
  readonly startedAt: string;
  /** In the order they were attempted. */
  readonly changes: readonly JournalChange[];
  /** Outputs recorded by `applied` entries, for OutputRefs in undos. */
  readonly outputs: ReadonlyMap<string, unknown>;
  /** Whether the journal has an `end` entry (an apply or a rollback finished). */
  readonly finished: boolean;
  /** Changes a rollback kept on purpose (a created bucket with objects in it), by id. */
  readonly kept: ReadonlySet<string>;
}

/** Rebuilds an output object from the `path → value` map the executor keeps. */
function outputFrom(kept: Record<string, unknown>): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(kept)) {
    const keys = path.split('.');
    let node = output;
    for (const key of keys.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys.at(-1) as string] = value;
  }
  return output;
}

function checkUndo(undo: ApiCall, change: JournalChange, target: Target, where: string): void {
  const problem = callProblem(undo, target, 'journal');
  if (problem) throw journalError(`${where}${problem.at}${problem.text}`);
  let restores: boolean;
  try {
    restores = writes(undo, change.resource, target, change.before);
  } catch (error) {
    throw journalError(`${where}: ${(error as Error).message}`);
  }
  if (!restores) {
    throw journalError(`${where} does not restore the before-state of ${change.resource}`);
  }
}

/** Validates a journal's text whole; throws JournalError with one line. */
export function parseJournal(content: string): ParsedJournal {
  const raw = splitEntries(content);
  const entries: JournalEntry[] = raw.map((entry, index) => {
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = (issue?.path ?? []).join('.');
      // Zod lists every allowed value; a one-line message names the field instead.
      const said = issue?.message ?? 'invalid';
      throw journalError(
        `entry ${index + 1}${path ? ` (${path})` : ''}: ${said.length > 120 ? 'not an allowed value' : said}`,
      );
    }
    return parsed.data as JournalEntry;
  });
  const first = entries[0];
  if (first?.type !== 'begin') throw journalError('not an s3-harden journal (no begin entry)');
  const target = first.target as Target;
  const changes: JournalChange[] = [];
  const byId = new Map<string, JournalChange>();
  const outputs = new Map<string, unknown>();
  const kept = new Set<string>();
  let finished = false;
  for (const [index, entry] of entries.entries()) {
    const where = `entry ${index + 1}`;
    if (index > 0 && entry.type === 'begin') throw journalError(`${where}: a second begin`);
    if (entry.type === 'intent') {
      if (byId.has(entry.changeId)) {
        throw journalError(`${where}: change ${entry.changeId} appears twice`);
      }
      if (!resourceSchema(entry.resource).safeParse(entry.before).success) {
        throw journalError(`${where}: before is not a valid ${entry.resource} value`);
      }
      const change: JournalChange = {
        id: entry.changeId,
        resource: entry.resource,
        title: entry.title,
        before: entry.before,
        ...(entry.after !== undefined ? { after: entry.after } : {}),
        undo: entry.undo,
      };
      if (entry.undo) {
        checkUndo(entry.undo, change, target, `${where}.undo`);
        for (const ref of collectRefs(entry.undo.input)) {
          if (ref.fromOutput.change !== entry.changeId && !byId.has(ref.fromOutput.change)) {
            throw journalError(
              `${where}.undo uses the output of ${ref.fromOutput.change}, which does not run before it`,
            );
          }
        }
      }
      byId.set(change.id, change);
      changes.push(change);
    } else if (entry.type !== 'begin' && entry.type !== 'end') {
      if (!byId.has(entry.changeId)) {
        throw journalError(`${where}: ${entry.type} for unknown change ${entry.changeId}`);
      }
      if (entry.type === 'applied' && entry.output) {
        outputs.set(entry.changeId, outputFrom(entry.output));
      }
      if (entry.type === 'kept') kept.add(entry.changeId);
    } else if (entry.type === 'end') {
      finished = true;
    }
  }
  const planId = first.planId;
  return {
    target,
    ...(planId ? { planId } : {}),
    startedAt: first.at,
    changes,
    outputs,
    finished,
    kept,
  };
}

/** How every journal starts (the executor writes its begin entry first, `type` first). */
const BEGIN_PREFIX = '{"type":"begin",';

/**
 * Loads and validates a journal; null when all it holds is a torn begin entry
 * (a crash while writing its first line: nothing was written to AWS). Only a
 * regular file of at most MAX_JOURNAL_BYTES is read; an empty file, or one
 * with no complete entry that is not a torn begin, is not a journal.
 */
export function loadJournal(path: string): ParsedJournal | null {
  let content: string;
  try {
    content = readJournalText(path);
  } catch (error) {
    if (error instanceof UnsafeFileError) throw journalError(error.message);
    throw error;
  }
  if (content.trim() === '') {
    // An empty `.partial` is the journal a run was creating when it stopped:
    // its first entry comes before any write, so nothing reached AWS.
    if (path.endsWith(PARTIAL_SUFFIX)) return null;
    throw journalError(`${path}: empty, not an s3-harden journal`);
  }
  try {
    if (splitEntries(content).length === 0) {
      const line = content.trim();
      if (BEGIN_PREFIX.startsWith(line) || line.startsWith(BEGIN_PREFIX)) return null;
      throw new JournalError('not an s3-harden journal (no complete entry)');
    }
    return parseJournal(content);
  } catch (error) {
    if (error instanceof JournalError) throw journalError(`${path}: ${error.message}`);
    throw error;
  }
}

/** Appends entries to an existing journal, each flushed to disk. */
export function appendToJournal(path: string): {
  append(entry: JournalRecord): void;
  close(): void;
} {
  // A torn last line (a crash mid-write) would glue onto the next entry: start on a new line.
  const content = readJournalText(path);
  const fd = openSync(path, 'a');
  if (content.length > 0 && !content.endsWith('\n')) writeSync(fd, '\n');
  return {
    append(entry) {
      appendLine(fd, `${JSON.stringify({ ...entry, at: new Date().toISOString() })}\n`);
    },
    close() {
      closeSync(fd);
    },
  };
}

/**
 * `kept`: a created bucket left in place because it has received objects;
 * `permanent`: a change that can never be undone (Object Lock, and the
 * versioning it pins); `conflict`: it no longer holds what the run wrote —
 * someone changed it since — so it is left as it is.
 */
export type RollbackStatus =
  | 'rolled-back'
  | 'already'
  | 'failed'
  | 'kept'
  | 'permanent'
  | 'conflict'
  /** Left as it is on purpose: an account-wide change the operator (or --yes) kept. */
  | 'left';

export interface RollbackResult {
  readonly change: JournalChange;
  readonly status: RollbackStatus;
  readonly error?: string;
  /**
   * For a failure: the command that restores it by hand (null: cannot be
   * undone); for a kept bucket: the command that removes it.
   */
  readonly manualCommand?: string | null;
}

export interface RollbackDeps {
  run(call: ApiCall): Promise<unknown>;
  /** A fresh read; with the run's identity, a resource the run created is read as that very one. */
  read(resource: ResourceKey, identity?: RunIdentity): Promise<unknown>;
  /** The output of a create the journal did not record (a crash, a lost answer), found by identity. */
  recover?(resource: ResourceKey, identity: RunIdentity): Promise<unknown>;
  /** Appends to the journal being rolled back. */
  record(entry: JournalRecord): void;
  readonly cli?: CliContext;
  /**
   * Changes to leave as they are, by id (account-wide ones kept): not read,
   * not written, not recorded, so a later run can still undo them.
   */
  readonly leave?: ReadonlySet<string>;
  /** Called as each change is about to be handled, then with its result. */
  onStart?(change: JournalChange): void;
  onResult?(result: RollbackResult): void;
}

export interface RollbackOutcome {
  readonly results: readonly RollbackResult[];
  /** Every change is as before. */
  readonly restored: boolean;
  /**
   * Nothing is left to retry: every change is as before, kept on purpose,
   * permanent, or someone else's now. The journal then has its end; what is
   * not as before still needs the operator.
   */
  readonly finished: boolean;
}

/** `bucket.x` → `bucket.exists`; `logTarget.x` → `logTarget.exists`. */
function existsKey(resource: ResourceKey): ResourceKey | null {
  const prefix = resource.split('.')[0];
  const key = `${prefix}.exists`;
  return key !== resource && (RESOURCE_KEYS as string[]).includes(key)
    ? (key as ResourceKey)
    : null;
}

/**
 * The outputs a rollback needs that the journal lacks — a create whose answer
 * was lost, or a crash before it was recorded — found again by identity (the
 * key tagged with the plan's id) and recorded, so a later run has them too.
 */
async function recoverOutputs(
  journal: ParsedJournal,
  deps: RollbackDeps,
  outputs: Map<string, unknown>,
  record: (entry: JournalRecord) => void,
): Promise<void> {
  if (!deps.recover) return;
  const needed = new Set(
    journal.changes.flatMap((change) =>
      collectRefs(change.undo?.input).map((ref) => ref.fromOutput.change),
    ),
  );
  for (const change of journal.changes) {
    if (!needed.has(change.id) || outputs.has(change.id)) continue;
    const identity: RunIdentity = {
      ...(journal.planId ? { planId: journal.planId } : {}),
      outputs,
    };
    const recover = deps.recover;
    const found = await recoverOutput(() => recover(change.resource, identity));
    if (!found) continue;
    outputs.set(change.id, found);
    const undos = journal.changes.map((other) => other.undo);
    record({
      type: 'applied',
      changeId: change.id,
      output: referencedOutput(change.id, found, undos),
    });
  }
}

/** How a rollback that left account-wide changes in place on purpose ends its journal. */
export const LEFT_OUTCOME = 'rolled-back-except-account';

/** Undoes every change of `journal` that is not as before and still as the run left it, newest first. */
export async function rollbackJournal(
  journal: ParsedJournal,
  deps: RollbackDeps,
): Promise<RollbackOutcome> {
  const results: RollbackResult[] = [];
  const record = (entry: JournalRecord) => {
    try {
      deps.record(entry);
    } catch {
      // The next run re-reads every resource anyway.
    }
  };
  const outputs = new Map(journal.outputs);
  await recoverOutputs(journal, deps, outputs, record);
  const identity: RunIdentity = { ...(journal.planId ? { planId: journal.planId } : {}), outputs };
  const read = (resource: ResourceKey) => deps.read(resource, identity);
  const context: UndoContext = {
    outputs,
    created: new Map(
      journal.changes.map((change) => [
        change.id,
        {
          resource: change.resource,
          ...(change.after !== undefined ? { after: change.after } : {}),
        },
      ]),
    ),
    ...(journal.planId ? { planId: journal.planId } : {}),
    ...(deps.cli ? { cli: deps.cli } : {}),
  };
  // A bucket the journal created and that is gone again is as before, with all its settings.
  const created = new Set(
    journal.changes
      .filter((c) => c.before === null && c.resource.endsWith('.exists'))
      .map((c) => c.resource),
  );
  const goneAgain = async (resource: ResourceKey): Promise<boolean> => {
    const key = existsKey(resource);
    if (!key || !created.has(key)) return false;
    return (await read(key).catch(() => undefined)) === null;
  };
  const finish = (result: RollbackResult) => {
    results.push(result);
    deps.onResult?.(result);
  };

  // Read as the journal's Object Lock change is reached (it comes after the
  // versioning it needs, so newest first it is read before): once on, it pins versioning.
  let locked = false;
  for (const change of [...journal.changes].reverse()) {
    if (deps.leave?.has(change.id)) {
      finish({ change, status: 'left' });
      continue;
    }
    deps.onStart?.(change);
    let live: unknown;
    try {
      live = await read(change.resource);
    } catch (error) {
      if (await goneAgain(change.resource)) {
        finish({ change, status: 'already' });
        continue;
      }
      const error_ = `cannot read it: ${errorText(error)}`;
      const command = change.undo ? undoCommand(change.undo, context) : null;
      record({ type: 'rollback-failed', changeId: change.id, error: error_, command });
      finish({ change, status: 'failed', error: error_, manualCommand: command });
      continue;
    }
    if (change.resource === 'bucket.objectLock') locked = objectLockOn(live);
    if (satisfies(change.resource, change.before, live)) {
      finish({ change, status: 'already' });
      continue;
    }
    if (change.undo && journal.kept.has(change.id)) {
      // Kept by an earlier rollback: its objects are the operator's, not to be retried.
      const remove = removeBucketCommand(change.undo, deps.cli);
      finish({ change, status: 'kept', manualCommand: remove });
      continue;
    }
    // What can never be undone (Object Lock, and the versioning it pins) is
    // reported as permanent: there is nothing to retry, so the journal can end.
    const permanent = change.undo
      ? undoPinnedByObjectLock(change.resource, change.before, locked)
      : 'not as before, and it cannot be undone';
    if (permanent) {
      finish({ change, status: 'permanent', error: permanent, manualCommand: null });
      continue;
    }
    if (!change.undo) continue;
    const result = await undoChange(
      { ...change, undo: change.undo },
      context,
      { run: deps.run, read, record },
      { value: live },
    );
    if (result.status === 'rolled-back') finish({ change, status: 'rolled-back' });
    else if (result.status === 'already') finish({ change, status: 'already' });
    else if (result.status === 'kept') {
      finish({ change, status: 'kept', manualCommand: result.command });
    } else if (result.status === 'conflict') {
      finish({ change, status: 'conflict', error: conflictText(result.now, result.wrote) });
    } else {
      finish({ change, status: 'failed', error: result.error, manualCommand: result.command });
    }
  }
  const finished = results.every((result) => result.status !== 'failed');
  const restored =
    finished &&
    results.every(
      (result) =>
        result.status !== 'kept' &&
        result.status !== 'permanent' &&
        result.status !== 'conflict' &&
        result.status !== 'left',
    );
  const left = results.some((result) => result.status === 'left');
  if (finished) {
    record({
      type: 'end',
      outcome: restored ? 'rolled-back' : left ? LEFT_OUTCOME : KEPT_OUTCOME,
    });
  }
  return { results, restored, finished };
}

/** What a finished rollback left as it is: kept buckets, permanent changes, someone else's changes. */
function finishedRemainder(kept: number, permanent: number, conflicts: number): string {
  const parts: string[] = [];
  if (kept > 0)
    parts.push(`${keptBuckets(kept)}: remove ${kept === 1 ? 'it' : 'them'} by hand (above)`);
  if (permanent > 0) {
    parts.push(`${permanent} change${permanent === 1 ? '' : 's'} can never be undone (above)`);
  }
  if (conflicts > 0) {
    parts.push(
      `${conflicts} change${conflicts === 1 ? ' was' : 's were'} changed by someone else since and left as ${conflicts === 1 ? 'it is' : 'they are'} (above)`,
    );
  }
  return `${parts.join('; ')}.`;
}

/** One line per change, and a verdict. */
export function rollbackLines(outcome: RollbackOutcome, path: string): string[] {
  const lines = outcome.results.map((result) => {
    const title = result.change.title;
    if (result.status === 'rolled-back') return `↶ ${title}: rolled back`;
    if (result.status === 'already') return `= ${title}: already as before`;
    if (result.status === 'kept') {
      return `! ${title}: ${KEPT_NOT_EMPTY} — once you have checked its objects, remove it: ${result.manualCommand}`;
    }
    if (result.status === 'permanent') return `! ${title}: ${result.error}`;
    if (result.status === 'conflict') return `‼ ${title}: ${result.error}`;
    if (result.status === 'left') return `= ${title}: kept as it is (account-wide, below)`;
    const how = result.manualCommand ? ` — restore it by hand: ${result.manualCommand}` : '';
    return `‼ ${title}: ${result.error}${how}`;
  });
  if (outcome.results.length === 0) lines.push('The journal records no change.');
  const count = (status: RollbackStatus) =>
    outcome.results.filter((result) => result.status === status).length;
  const onlyLeft =
    outcome.finished &&
    count('left') > 0 &&
    count('kept') + count('permanent') + count('conflict') === 0;
  lines.push(
    outcome.restored
      ? `Everything in ${path} is as it was before.`
      : onlyLeft
        ? `Everything else in ${path} is as it was before.`
        : outcome.finished
          ? `Rolled back everything else in ${path}; ${finishedRemainder(count('kept'), count('permanent'), count('conflict'))} Nothing is left to retry.`
          : `Rollback incomplete: ${count('failed')} change(s) need the commands above; run s3-harden rollback ${path} again to retry.`,
  );
  return lines;
}

export { findUnfinishedJournals, JournalError } from './journal-scan.js';
