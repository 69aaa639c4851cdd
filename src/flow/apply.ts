/**
 * Running a plan once the gate (./gate.ts) says ready and the operator has
 * agreed — the commands and the wizard alike: the bucket's lock (one
 * operator at a time), under it the check that no earlier apply is left
 * unfinished, its own write-ahead journal, the executor (every resource read
 * again before the first write, independent writes overlapping, journal
 * before each write, rollback on failure or cancel, read-back after), and the
 * outcome's exit code.
 */
import type { AwsSession } from '../aws/session.js';
import { type ApplyOutcome, type ChangeResult, executePlan } from '../plan/apply/executor.js';
import type { Journal } from '../plan/apply/journal.js';
import type { Plan, Posture, Target } from '../plan/model/types.js';
import { EXIT, type ExitCode } from './exit-codes.js';

/** Apply did not start: another run holds the bucket, or an earlier one never finished. */
export class ApplyRefusedError extends Error {
  override name = 'ApplyRefusedError';
}

export interface ApplyDeps {
  /** Opens the journal for the plan's target (its failure means nothing is applied). */
  openJournal(target: Target): Journal;
  /**
   * Takes the bucket's lock for the apply (../plan/apply/lock.ts); it throws
   * when another run holds it, and then nothing is applied.
   */
  lock?(target: Target): { release(): void };
  /**
   * The journals of earlier applies to the target that never finished,
   * checked under the lock (a check before it could race another apply).
   */
  unfinished?(target: Target): readonly string[];
  /** Aborted: finish the calls in flight, then roll back (unless the last write is done). */
  readonly signal?: AbortSignal;
  /** Every status change, for progress displays. */
  onProgress?(results: readonly ChangeResult[]): void;
  /**
   * The gate's reading, when it was made under the lock already held for
   * this run and nothing has waited since (see ExecutorDeps.readJustNow).
   */
  readonly readJustNow?: Posture['values'];
}

export async function applyPlan(
  session: ApplySession,
  plan: Plan,
  deps: ApplyDeps,
): Promise<ApplyOutcome> {
  const { target } = plan;
  const lock = deps.lock?.(target);
  try {
    const left = deps.unfinished?.(target) ?? [];
    if (left.length > 0) {
      throw new ApplyRefusedError(
        `an earlier apply to ${target.bucket} did not finish: run s3-harden rollback ${left.at(-1)} first`,
      );
    }
    return await run(session, plan, deps);
  } finally {
    lock?.release();
  }
}

type ApplySession = Pick<AwsSession, 'execute' | 'read' | 'recover' | 'endpoint' | 'profile'> &
  Partial<Pick<AwsSession, 'memoised'>>;

async function run(session: ApplySession, plan: Plan, deps: ApplyDeps): Promise<ApplyOutcome> {
  const { target } = plan;
  const journal = deps.openJournal(target);
  // Reads between two writes share their calls (the read-backs of a key's
  // alias, rotation and policy list its aliases once); every write through
  // the view forgets them, so nothing read before a write stands in after it.
  const aws = session.memoised?.() ?? session;
  try {
    return await executePlan(plan, {
      run: (call) => aws.execute(call),
      read: (resource, identity) => aws.read(target, resource, identity),
      recover: (resource, identity) => aws.recover(target, resource, identity),
      journal,
      ...(deps.signal ? { signal: deps.signal } : {}),
      cli: {
        region: target.region,
        ...(session.endpoint ? { endpoint: session.endpoint } : {}),
        ...(session.profile ? { profile: session.profile } : {}),
      },
      ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
      ...(deps.readJustNow ? { readJustNow: deps.readJustNow } : {}),
    });
  } finally {
    journal.close();
  }
}

/** 0 applied and verified, 1 rolled back (or applied but not reading back), 3 rollback incomplete. */
export function outcomeExit(outcome: ApplyOutcome): ExitCode {
  if (outcome.status === 'applied') {
    return outcome.results.every((result) => result.verified !== false) ? EXIT.ok : EXIT.error;
  }
  return outcome.status === 'rolled-back' ? EXIT.error : EXIT.rollbackIncomplete;
}
