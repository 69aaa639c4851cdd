/**
 * Running a plan once every check has passed and the operator agreed,
 * shared by a single plan (./apply.ts) and each section of a fleet plan
 * (./fleet-apply.ts): its own journal, each call announced as it starts, and
 * Ctrl+C turned into "finish the call in flight, then roll back".
 */
import type { AwsSession } from '../aws/index.js';
import { type ApplyOutcome, executePlan } from '../plan/executor.js';
import { openJournal } from '../plan/journal.js';
import type { Plan } from '../plan/types.js';

/**
 * Ctrl+C while applying: the call in flight finishes, then what was applied
 * is rolled back. `dispose` removes the handler.
 */
export function interruptible(print: (text: string) => void): {
  readonly signal: AbortSignal;
  dispose(): void;
} {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (!controller.signal.aborted) {
      print('\nCancelling: finishing the call in flight, then rolling back what was applied…');
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
): Promise<ApplyOutcome> {
  const { target } = plan;
  const journal = openJournal(target);
  const announced = new Set<string>();
  try {
    return await executePlan(plan, {
      run: (call) => session.execute(call),
      read: (resource) => session.read(target, resource),
      journal,
      signal,
      cli: { region: target.region, ...(session.endpoint ? { endpoint: session.endpoint } : {}) },
      onProgress(results) {
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
            print(`  … ${verb} ${result.change.title}`);
          }
        }
      },
    });
  } finally {
    journal.close();
  }
}
