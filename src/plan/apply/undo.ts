/**
 * Undoing one change: the one routine behind the executor's rollback and
 * `s3-harden rollback`. It reads the resource first and undoes only what is
 * still this run's: a resource already as before is left alone, and one that
 * no longer holds what this run wrote (someone changed it since) is a
 * conflict — reported with both values, never overwritten. Otherwise it runs
 * the undo (its output references resolved), reads the resource back and
 * accepts it only when it reads as before; a bucket the plan created that S3
 * refuses to delete because it has received objects is kept, never emptied;
 * every outcome is recorded in the journal with the command that finishes it
 * by hand — a command with every reference resolved or looked up, never a
 * raw `{"fromOutput": …}`.
 */

import type { OutputRef } from '../model/call.js';
import { collectRefs, mapRefs, resolveRefs, resolveValueRefs } from '../model/output-refs.js';
import type { ApiCall, ResourceKey } from '../model/types.js';
import {
  type CliContext,
  cliCommand,
  expandPlaceholders,
  type ShellExpansion,
} from '../render/cli-equivalent.js';
import { formatValue } from '../render/render.js';
import { KEPT_NOT_EMPTY, refusedAsNotEmpty, removeBucketCommand } from '../resources/bucket.js';
import { outputLookup, satisfies } from '../resources/index.js';
import type { OutputLookup } from '../resources/spec.js';
import type { JournalRecord } from './journal.js';

export type UndoResult =
  | { readonly status: 'rolled-back' }
  /** It already read as before: nothing was written. */
  | { readonly status: 'already' }
  /** A created bucket left in place because it has received objects; `command` removes it. */
  | { readonly status: 'kept'; readonly command: string }
  /** It no longer holds what this run wrote: left as it is. */
  | { readonly status: 'conflict'; readonly now: unknown; readonly wrote: unknown }
  /** `command` restores it by hand (null: no command can name it; see the journal). */
  | { readonly status: 'failed'; readonly error: string; readonly command: string | null };

/** What this run created, by change id: for the commands that find a lost output. */
export interface Created {
  readonly resource: ResourceKey;
  /** The change's planned value (OutputRefs unresolved). */
  readonly after?: unknown;
}

export interface UndoContext {
  readonly outputs: ReadonlyMap<string, unknown>;
  /** Every change of the run, by id. */
  readonly created?: ReadonlyMap<string, Created>;
  readonly planId?: string;
  readonly cli?: CliContext;
}

export interface UndoDeps {
  run(call: ApiCall): Promise<unknown>;
  read(resource: ResourceKey): Promise<unknown>;
  /** Appends to the journal; best effort (a failure must not stop the rollback). */
  record(entry: JournalRecord): void;
}

export interface Undoable {
  readonly id: string;
  readonly resource: ResourceKey;
  readonly before: unknown;
  /**
   * What this run wrote (OutputRefs unresolved): undone only while it still
   * holds. Absent (journals of older versions): undone whenever not as before.
   */
  readonly after?: unknown;
  readonly undo: ApiCall;
}

/** An error's one line, whatever was thrown. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The CLI command for an undo. Every reference is resolved: from the outputs
 * recorded, else from what the change planned (a created alias's name), else
 * by a lookup command in its place (the key tagged with the plan's id).
 * Null only when none of these can name it.
 */
export function undoCommand(undo: ApiCall, context: UndoContext): string | null {
  const lookups: ShellExpansion[] = [];
  const unresolved = collectRefs(undo.input).some(
    (ref) => !context.outputs.has(ref.fromOutput.change),
  );
  if (!unresolved) {
    try {
      return cliCommand(resolveRefs(undo, context.outputs), context.cli);
    } catch {
      // An output without the path: looked up below like a missing one.
    }
  }
  const substitute = (value: unknown): unknown =>
    mapRefs(value, (ref) => {
      const found = lookupLost(ref, context);
      if (!found)
        throw new Error(`no way to find ${ref.fromOutput.path} of ${ref.fromOutput.change}`);
      if ('value' in found) return found.value;
      // A placeholder the shell quoting leaves alone, swapped for the lookup below.
      const placeholder = `S3HARDENLOOKUP${lookups.length}`;
      lookups.push({ placeholder, expansion: `$(${found.command})` });
      return placeholder;
    });
  let command: string;
  try {
    command = cliCommand(
      { ...undo, input: substitute(undo.input) as Record<string, unknown> },
      context.cli,
    );
  } catch {
    return null;
  }
  return expandPlaceholders(command, lookups);
}

/**
 * A reference's value from the outputs recorded, else how to find it: the
 * value the change planned, or the command that looks it up (its tag).
 */
function lookupLost(ref: OutputRef, context: UndoContext): OutputLookup | null {
  try {
    return { value: resolveValueRefs(ref, context.outputs) };
  } catch {
    const { change, path } = ref.fromOutput;
    const created = context.created?.get(change);
    return created
      ? outputLookup(created.resource, path, created.after, context.planId, context.cli ?? {})
      : null;
  }
}

/**
 * The undo call with every reference resolved: from the outputs recorded,
 * else from what the change planned (the alias a CreateAlias made is the
 * alias planned — a run killed before its answer was journalled left no
 * output, yet the alias exists). Throws when a reference has neither.
 */
export function resolvedUndo(undo: ApiCall, context: UndoContext): ApiCall {
  try {
    return resolveRefs(undo, context.outputs);
  } catch (error) {
    const substitute = (value: unknown): unknown =>
      mapRefs(value, (ref) => {
        const found = lookupLost(ref, context);
        if (found && 'value' in found) return found.value;
        throw error;
      });
    return { ...undo, input: substitute(undo.input) as Record<string, unknown> };
  }
}

/** Whether `live` still holds what the change wrote; references resolved where they can be. */
function stillHolds(
  change: Undoable,
  live: unknown,
  outputs: ReadonlyMap<string, unknown>,
): boolean {
  if (change.after === undefined) return true;
  try {
    return satisfies(change.resource, resolveValueRefs(change.after, outputs), live);
  } catch {
    // A reference not resolvable here (a lost output) matches any value: the
    // read itself found the resource by this run's identity.
    try {
      return satisfies(change.resource, change.after, live);
    } catch {
      return false;
    }
  }
}

/**
 * Undoes one change. `live`, when given, is a read made just before (the
 * rollback command reads first to tell what needs undoing).
 */
export async function undoChange(
  change: Undoable,
  context: UndoContext,
  deps: UndoDeps,
  live?: { readonly value: unknown },
): Promise<UndoResult> {
  const record = (entry: JournalRecord) => {
    try {
      deps.record(entry);
    } catch {
      // The next rollback re-reads every resource anyway.
    }
  };
  const command = undoCommand(change.undo, context);
  let now: unknown;
  try {
    now = live ? live.value : await deps.read(change.resource);
  } catch (error) {
    const error_ = `cannot read it: ${errorText(error)}`;
    record({ type: 'rollback-failed', changeId: change.id, error: error_, command });
    return { status: 'failed', error: error_, command };
  }
  if (satisfies(change.resource, change.before, now)) return { status: 'already' };
  if (!stillHolds(change, now, context.outputs)) {
    record({ type: 'conflict', changeId: change.id, now, wrote: change.after });
    return { status: 'conflict', now, wrote: change.after };
  }
  try {
    await deps.run(resolvedUndo(change.undo, context));
    const after = await deps.read(change.resource);
    if (!satisfies(change.resource, change.before, after)) {
      throw new Error(
        `restored, but reads back as ${formatValue(after)} instead of ${formatValue(change.before)}`,
      );
    }
    record({ type: 'rolled-back', changeId: change.id });
    return { status: 'rolled-back' };
  } catch (error) {
    if (refusedAsNotEmpty(change.undo, error)) {
      const remove = removeBucketCommand(change.undo, context.cli);
      record({ type: 'kept', changeId: change.id, reason: KEPT_NOT_EMPTY, command: remove });
      return { status: 'kept', command: remove };
    }
    record({ type: 'rollback-failed', changeId: change.id, error: errorText(error), command });
    return { status: 'failed', error: errorText(error), command };
  }
}

/** How often a lookup by identity that fails (a reset, a timeout) is tried. */
const RECOVER_ATTEMPTS = 3;

/**
 * The output of a create whose answer was lost, found again by identity; null
 * when nothing was created. A lookup that fails is tried again: given up
 * after one failed read, the created resource would have no ID to undo it by
 * (a key left Enabled until a later rollback finds it). Never throws.
 */
export async function recoverOutput<T>(lookup: () => Promise<T | null>): Promise<T | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await lookup()) ?? null;
    } catch {
      if (attempt >= RECOVER_ATTEMPTS) return null;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** One line on a conflict: what this run wrote, and what is there now. */
export function conflictText(now: unknown, wrote: unknown): string {
  return `changed by someone else since this run wrote it — left as it is (now ${formatValue(now)}; this run wrote ${formatValue(wrote)})`;
}
