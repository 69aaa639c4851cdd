/**
 * Undoing one change: the one routine behind the executor's rollback and
 * `s3-harden rollback`. It runs the undo (its output references resolved),
 * reads the resource back and accepts it only when it reads as before; a
 * bucket the plan created that S3 refuses to delete because it has received
 * objects is kept, never emptied; every outcome is recorded in the journal
 * with the command that finishes it by hand.
 */
import { resolveRefs } from '../model/output-refs.js';
import type { ApiCall, ResourceKey } from '../model/types.js';
import { type CliContext, cliCommand } from '../render/cli-equivalent.js';
import { formatValue } from '../render/render.js';
import { KEPT_NOT_EMPTY, refusedAsNotEmpty, removeBucketCommand } from '../resources/bucket.js';
import { satisfies } from '../resources/index.js';
import type { JournalRecord } from './journal.js';

export type UndoResult =
  | { readonly status: 'rolled-back' }
  /** A created bucket left in place because it has received objects; `command` removes it. */
  | { readonly status: 'kept'; readonly command: string }
  /** `command` restores it by hand. */
  | { readonly status: 'failed'; readonly error: string; readonly command: string };

export interface UndoDeps {
  run(call: ApiCall): Promise<unknown>;
  read(resource: ResourceKey): Promise<unknown>;
  /** Appends to the journal; best effort (a failure must not stop the rollback). */
  record(entry: JournalRecord): void;
  readonly cli?: CliContext;
}

export interface Undoable {
  readonly id: string;
  readonly resource: ResourceKey;
  readonly before: unknown;
  readonly undo: ApiCall;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The CLI command for an undo, its references resolved where they can be. */
export function undoCommand(
  undo: ApiCall,
  outputs: ReadonlyMap<string, unknown>,
  cli?: CliContext,
): string {
  try {
    return cliCommand(resolveRefs(undo, outputs), cli);
  } catch {
    return cliCommand(undo, cli);
  }
}

export async function undoChange(
  change: Undoable,
  outputs: ReadonlyMap<string, unknown>,
  deps: UndoDeps,
): Promise<UndoResult> {
  const record = (entry: JournalRecord) => {
    try {
      deps.record(entry);
    } catch {
      // The next rollback re-reads every resource anyway.
    }
  };
  const command = undoCommand(change.undo, outputs, deps.cli);
  try {
    await deps.run(resolveRefs(change.undo, outputs));
    const live = await deps.read(change.resource);
    if (!satisfies(change.resource, change.before, live)) {
      throw new Error(
        `restored, but reads back as ${formatValue(live)} instead of ${formatValue(change.before)}`,
      );
    }
    record({ type: 'rolled-back', changeId: change.id });
    return { status: 'rolled-back' };
  } catch (error) {
    if (refusedAsNotEmpty(change.undo, error)) {
      const remove = removeBucketCommand(change.undo, deps.cli);
      record({ type: 'kept', changeId: change.id, reason: KEPT_NOT_EMPTY, command: remove });
      return { status: 'kept', command: remove };
    }
    record({ type: 'rollback-failed', changeId: change.id, error: message(error), command });
    return { status: 'failed', error: message(error), command };
  }
}
