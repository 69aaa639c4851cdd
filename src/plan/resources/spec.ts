/**
 * How a sub-resource is described to the rest of s3-harden. Each family of
 * resources (Block Public Access, encryption, policy…) has one module in this
 * folder with its value types, schemas, the call that writes a value, and the
 * operations it needs; index.ts gathers them.
 */
import type * as z from 'zod';
import type { ApiCall, OperationKey, OperationSpec, Target } from '../model/call.js';
import type { CliContext } from '../render/cli-equivalent.js';

export interface ResourceSpec<V> {
  /** The human name, for diffs and messages. */
  readonly label: string;
  /**
   * The operations its reader (../../aws/families) sends to read it: the IAM
   * policies ask for exactly these (test/unit/iam-policy.test.ts runs every
   * reader against them).
   */
  readonly reads: readonly OperationKey[];
  /**
   * Account-wide resources affect every bucket in the account; `logTarget`
   * ones live on the bucket that receives this bucket's access logs.
   */
  readonly scope: 'bucket' | 'account' | 'logTarget';
  /** Only read, never written (a listing, findings, the ACL grants): its write throws. */
  readonly readOnly?: true;
  /**
   * A value only this run can have made (the key tagged with its plan's id):
   * absent until this run creates it, so apply does not read it again before
   * creating it (that read would scan every key of the account).
   */
  readonly createdByRun?: true;
  /**
   * Read by what this run has made so far (the created key's ID, see
   * RunIdentity): while a change to it refers to an earlier change's output,
   * apply reads it before writing only once that output exists, not with the
   * reads it makes before the first write (../apply/prewrite.ts).
   */
  readonly readByOutputs?: true;
  /**
   * A listing others change all the time (the account's keys and Macie jobs,
   * object counts, findings): a saved plan derived from it is not stale when
   * it moves (../apply/drift.ts), and no step derives a write from it that
   * would weaken anything.
   */
  readonly volatile?: true;
  /**
   * One resource for every bucket of the account and region, though each
   * bucket's plan writes its own part of it (a trail's event selectors, each
   * bucket appending its selector): a fleet plans each section on what the
   * sections before it leave of it (../fleet/fleet.ts), so they chain.
   */
  readonly shared?: true;
  /** The shape of an observed value (null included where "absent" exists). */
  readonly schema: z.ZodType<V>;
  /** The one call that makes the resource read back as `value`. */
  write(target: Pick<Target, 'accountId' | 'bucket' | 'region' | 'logBucket'>, value: V): ApiCall;
  /**
   * Whether a live reading satisfies the expected value, for verification and
   * rollback. Default: structural equality. Versioning, for one, can never
   * return to "never enabled": Suspended is its closest restore.
   */
  satisfies?(expected: V, live: V): boolean;
  /**
   * Review the value as one document instead of field by field: its text
   * (e.g. a policy pretty-printed), null when absent. The review then shows
   * the whole document before and after as a line diff. Absent: field diff.
   */
  document?(value: V): string | null;
  /**
   * How to name an output of this resource's write when the run lost it (a
   * crash or a lost answer before it was recorded), for the commands printed
   * to finish a rollback by hand: the value itself when the planned value
   * holds it (a created alias's name), else an `aws …` command that prints it
   * (the key tagged with the plan's id). Null: no way.
   */
  lookup?(
    path: string,
    after: V | undefined,
    planId: string | undefined,
    cli: CliContext,
  ): OutputLookup | null;
}

export type OutputLookup = { readonly value: unknown } | { readonly command: string };

export type ResourceTable<Values> = { readonly [K in keyof Values]: ResourceSpec<Values[K]> };

/** A family module: its resources and the operations they use. */
export interface ResourceFamily<Values> {
  readonly resources: ResourceTable<Values>;
  readonly operations: readonly OperationSpec[];
}
