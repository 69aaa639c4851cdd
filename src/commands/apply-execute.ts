/**
 * Running a plan once every check has passed and the operator agreed,
 * shared by a single plan (./apply.ts) and each section of a fleet plan
 * (./fleet-apply.ts): its own journal, each call announced as it starts, and
 * Ctrl+C turned into "finish the calls in flight, then roll back" — or, once
 * the last write is done, into "keep it all and write nothing more".
 */
import { join } from 'node:path';
import type { AwsSession } from '../aws/index.js';
import { applyPlan } from '../flow/apply.js';
import type { ApplyOutcome, ChangeResult } from '../plan/apply/executor.js';
import { openJournal, stateDir } from '../plan/apply/journal.js';
import { findUnfinishedJournals } from '../plan/apply/journal-scan.js';
import { acquireLock } from '../plan/apply/lock.js';
import type { Plan, Posture, Target } from '../plan/model/types.js';
import { cancelNotice } from '../plan/render/outcome.js';
import { escapeControl } from '../plan/render/sanitise.js';

/** The progress of the apply running under each cancel signal, so Ctrl+C can say what it does. */
const running = new WeakMap<AbortSignal, readonly ChangeResult[]>();

/**
 * Ctrl+C while applying: the calls in flight finish, then what was applied
 * is rolled back; after the last write nothing is undone. The line printed
 * says which. `dispose` removes the handler.
 */
export function interruptible(print: (text: string) => void): {
  readonly signal: AbortSignal;
  dispose(): void;
} {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (!controller.signal.aborted) {
      print(`\n${cancelNotice(running.get(controller.signal) ?? null)}`);
      controller.abort();
    }
  };
  process.on('SIGINT', onInterrupt);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onInterrupt) };
}

/** Applies one plan with its own journal, announcing each call as it starts. */
export async function applyWithJournal(
  session: AwsSession,
  plan: Plan,
  signal: AbortSignal,
  print: (text: string) => void,
  options: {
    readonly ignoreUnfinished?: boolean;
    /** The caller holds the bucket's lock already (taken before its gate). */
    readonly lockHeld?: boolean;
    /** The gate's reading, made under that lock a moment ago. */
    readonly readJustNow?: Posture['values'];
  } = {},
): Promise<ApplyOutcome> {
  const announced = new Set<string>();
  running.set(
    signal,
    plan.changes.map((change) => ({ change, status: 'pending' })),
  );
  try {
    return await applyPlan(session, plan, {
      openJournal: (target) => openJournal(target),
      ...(options.lockHeld ? {} : { lock: (target: Target) => acquireLock(target, 'apply') }),
      ...(options.readJustNow ? { readJustNow: options.readJustNow } : {}),
      ...(options.ignoreUnfinished
        ? {}
        : { unfinished: (target) => findUnfinishedJournals(target, join(stateDir(), 'journals')) }),
      signal,
      onProgress(results) {
        running.set(signal, results);
        // Announce each call as it starts; the full report follows at the end.
        for (const result of results) {
          const verb =
            result.status === 'applying'
              ? 'applying'
              : result.status === 'rolling-back'
                ? 'rolling back'
                : null;
          const key = `${verb}:${result.change.id}`;
          if (verb && !announced.has(key)) {
            announced.add(key);
            print(`  … ${verb} ${escapeControl(result.change.title)}`);
          }
        }
      },
    });
  } finally {
    running.delete(signal);
  }
}
