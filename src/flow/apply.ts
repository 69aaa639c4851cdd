/**
 * Running a plan once the gate (./gate.ts) says ready and the operator has
 * agreed — the commands and the wizard alike: its own write-ahead journal,
 * the executor (journal before each write, rollback on failure or cancel,
 * read-back after), and the outcome's exit code.
 */
import type { AwsSession } from '../aws/session.js';
import { type ApplyOutcome, type ChangeResult, executePlan } from '../plan/apply/executor.js';
import type { Journal } from '../plan/apply/journal.js';
import type { Plan, Target } from '../plan/model/types.js';
import { EXIT, type ExitCode } from './exit-codes.js';

export interface ApplyDeps {
  /** Opens the journal for the plan's target (its failure means nothing is applied). */
  openJournal(target: Target): Journal;
  /** Aborted: finish the call in flight, then roll back (unless the last write is done). */
  readonly signal?: AbortSignal;
  /** Every status change, for progress displays. */
  onProgress?(results: readonly ChangeResult[]): void;
}

export async function applyPlan(
  session: Pick<AwsSession, 'execute' | 'read' | 'endpoint' | 'profile'>,
  plan: Plan,
  deps: ApplyDeps,
): Promise<ApplyOutcome> {
  const { target } = plan;
  const journal = deps.openJournal(target);
  try {
    return await executePlan(plan, {
      run: (call) => session.execute(call),
      read: (resource) => session.read(target, resource),
      journal,
      ...(deps.signal ? { signal: deps.signal } : {}),
      cli: {
        region: target.region,
        ...(session.endpoint ? { endpoint: session.endpoint } : {}),
        ...(session.profile ? { profile: session.profile } : {}),
      },
      ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
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
