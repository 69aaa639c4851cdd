/**
 * The AWS half of a resource family: the SDK command classes for its
 * operations, and how each resource is read and normalised into the plain
 * value the plan model compares.
 */
import type { RunIdentity } from '../../plan/model/call.js';
import type { ApiCall, ResourceKey, Target } from '../../plan/model/types.js';

// Each SDK command class takes its own input type; the plan catalogue has
// already validated the input, so the tables store them under one loose type.
export type CommandClass = new (input: never) => unknown;

export type CommandTable = Partial<Record<string, Record<string, CommandClass>>>;

export interface CallReader {
  readonly call: (target: Target) => ApiCall;
  /** The plain value from the call's output; null = absent. */
  readonly extract: (output: Record<string, unknown>) => unknown;
}

/** Sends one read through the session (errors normalised, calls counted). */
export type ReadSend = (call: ApiCall) => Promise<Record<string, unknown>>;

/**
 * A resource that takes several calls to read (list, then describe each),
 * e.g. the account's KMS keys. Returns the plain value; null = absent.
 */
export interface QueryReader {
  /**
   * With `identity` (apply, rollback), a resource the run creates is read as
   * that very one — by the ID its create returned, else by the tag with the
   * plan's id — not as whatever has its name or alias.
   */
  readonly query: (target: Target, send: ReadSend, identity?: RunIdentity) => Promise<unknown>;
  /**
   * The output the resource's create returned, found again by identity when
   * the answer was lost; null when the run created none.
   */
  readonly recover?: (target: Target, send: ReadSend, identity: RunIdentity) => Promise<unknown>;
}

export type Reader = CallReader | QueryReader;

export interface AwsFamily {
  readonly commands: CommandTable;
  readonly readers: Partial<Record<ResourceKey, Reader>>;
  /**
   * The calls its readers of `reading` will make after a first answer (a
   * listing, then each item described), judged from an earlier reading's
   * values: sent beside the first calls, through the same memo, so a read
   * that found nothing new takes one round trip. Only calls the readers
   * would make themselves, with the same input.
   */
  readonly readsAhead?: (
    previous: Readonly<Record<string, unknown>>,
    reading: readonly ResourceKey[],
  ) => readonly ApiCall[];
}
