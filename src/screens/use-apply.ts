/**
 * Runs the executor for the wizard: progress as it happens, Ctrl+C as a
 * cancel that rolls back (until the last write is done: after it, nothing is
 * undone), and the outcome once everything has settled.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AwsSession } from '../aws/session.js';
import { type ApplyOutcome, type ChangeResult, executePlan } from '../plan/apply/executor.js';
import type { Plan } from '../plan/model/types.js';
import type { CliContext } from '../plan/render/cli-equivalent.js';
import { cancelNotice } from '../plan/render/outcome.js';
import { useServices } from './services.js';

export interface ApplyState {
  readonly results: readonly ChangeResult[];
  /** What the Ctrl+C does, said when it was pressed; null until then. */
  readonly cancelling: string | null;
  readonly cancel: () => void;
}

export function useApply(
  session: AwsSession | undefined,
  plan: Plan | undefined,
  active: boolean,
  cli: CliContext,
  onDone: (outcome: ApplyOutcome) => void,
  onError: (message: string) => void,
): ApplyState {
  const { openJournal } = useServices();
  const [results, setResults] = useState<readonly ChangeResult[]>([]);
  const [cancelling, setCancelling] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  // The executor's latest progress, read at the moment of a Ctrl+C (state may lag a render).
  const latest = useRef<readonly ChangeResult[]>([]);
  const started = useRef(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once, when apply becomes active.
  useEffect(() => {
    if (!active || !session || !plan || started.current) return;
    started.current = true;
    controller.current = new AbortController();
    latest.current = plan.changes.map((change) => ({ change, status: 'pending' }));
    setResults(latest.current);
    let journal: ReturnType<typeof openJournal>;
    try {
      journal = openJournal(plan.target);
    } catch (error) {
      onError(`cannot open the journal, nothing was applied: ${(error as Error).message}`);
      return;
    }
    executePlan(plan, {
      run: (call) => session.execute(call),
      read: (resource) => session.read(plan.target, resource),
      journal,
      signal: controller.current.signal,
      cli,
      onProgress(progress) {
        latest.current = progress;
        setResults(progress);
      },
    })
      .then(onDone, (error: unknown) =>
        onError(error instanceof Error ? error.message : String(error)),
      )
      .finally(() => journal.close());
  }, [active, session, plan]);

  const cancel = useCallback(() => {
    if (controller.current?.signal.aborted) return;
    setCancelling(cancelNotice(latest.current));
    controller.current?.abort();
  }, []);

  return { results, cancelling, cancel };
}
