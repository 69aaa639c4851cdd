/**
 * The one hook that runs the wizard's side effects: the reducer
 * (./wizard-state.ts) asks for them as data, this runs each once — through
 * the flow layer and the session, never the SDK — and dispatches the
 * result. What applying shows while it runs (each change's progress, what
 * a Ctrl+C does) is kept here too, with the cancel that Ctrl+C calls.
 */
import { type Dispatch, useCallback, useEffect, useRef, useState } from 'react';
import type { AwsSession } from '../aws/session.js';
import { applyPlan } from '../flow/apply.js';
import { bucketExceptions } from '../flow/bucket-exceptions.js';
import { gate } from '../flow/gate.js';
import { observeBucket } from '../flow/observe.js';
import type { ChangeResult } from '../plan/apply/executor.js';
import type { Target } from '../plan/model/types.js';
import { cancelNotice } from '../plan/render/outcome.js';
import { useServices } from './services.js';
import type { Effect, WizardAction, WizardState } from './wizard-state.js';

export interface ApplyProgressState {
  readonly results: readonly ChangeResult[];
  /** What the Ctrl+C does, said when it was pressed; null until then. */
  readonly cancelling: string | null;
  readonly cancel: () => void;
}

/** What a Ctrl+C between `y` and the first write does. */
const BEFORE_WRITES = 'Cancelling: nothing has been written; stopping before the first write…';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function useWizardEffects(
  state: WizardState,
  dispatch: Dispatch<WizardAction>,
  session: AwsSession | undefined,
): ApplyProgressState {
  const services = useServices();
  const [results, setResults] = useState<readonly ChangeResult[]>([]);
  const [cancelling, setCancelling] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  // The executor's latest progress, read at the moment of a Ctrl+C (state may lag a render).
  const latest = useRef<readonly ChangeResult[]>([]);
  // A Ctrl+C since `y`: before the apply starts, the gate's answer and the apply are dropped.
  const cancelled = useRef(false);
  const ran = useRef(0);
  // The state an effect was asked in: what it reads of it (preset, steps, posture) is its own.
  const asked = useRef(state);
  asked.current = state;

  const run = useCallback(
    async (effect: Effect, live: AwsSession): Promise<WizardAction> => {
      const current = asked.current;
      switch (effect.kind) {
        case 'observe': {
          const { create } = effect;
          // The bucket's exceptions first (the file's, its tags'): they decide
          // its steps, and so what is read. A bucket to create has no tags yet.
          const held = await bucketExceptions(
            live,
            effect.bucket,
            current.chosenSteps,
            {
              exceptions: (await services.exceptions?.()) ?? [],
              now: services.now?.() ?? new Date(),
              ...(services.cisVersion ? { cisVersion: services.cisVersion } : {}),
            },
            !create,
          );
          const posture = await observeBucket(live, {
            bucket: effect.bucket,
            preset: current.preset,
            steps: held.stepIds,
            choices: current.choices,
            ...(create ? { create } : {}),
            // The posture screen shows the audit's controls: what only it needs fails soft.
            withAudit: !create,
          });
          if (create && posture.values['bucket.exists'] !== null) {
            return {
              type: 'observe-failed',
              message: posture.unreadable['bucket.exists']
                ? `The name ${create.name} is taken by another AWS account; choose another.`
                : `Bucket ${create.name} already exists; choose it from the list to harden it.`,
            };
          }
          // An earlier apply to this bucket that never finished is offered for rollback first.
          return {
            type: 'observed',
            posture,
            unfinished: services.unfinishedJournals?.(posture) ?? [],
            held,
          };
        }
        case 'observe-related': {
          const posture = current.posture;
          if (!posture) return { type: 'related-failed', message: 'nothing read yet' };
          try {
            return {
              type: 'related-read',
              posture: await live.observeLogTarget(posture, effect.bucket),
            };
          } catch (error) {
            return {
              type: 'related-failed',
              message: `Cannot read ${effect.bucket}: ${message(error)}`,
            };
          }
        }
        case 'gate': {
          const result = await gate(effect.plan, live, effect.options);
          if (cancelled.current) return { type: 'cancelled' };
          return { type: 'gated', plan: effect.plan, gate: result };
        }
        case 'apply': {
          if (cancelled.current) return { type: 'cancelled' };
          controller.current = new AbortController();
          latest.current = effect.plan.changes.map((change) => ({ change, status: 'pending' }));
          setResults(latest.current);
          const { lock, unfinishedJournals } = services;
          const outcome = await applyPlan(live, effect.plan, {
            ...(lock ? { lock: (target: Target) => lock(target) } : {}),
            // Checked again under the lock: another apply may have begun since the bucket was picked.
            ...(unfinishedJournals
              ? { unfinished: (target: Target) => unfinishedJournals(target) }
              : {}),
            openJournal: (target) => {
              try {
                return services.openJournal(target);
              } catch (error) {
                throw new Error(`cannot open the journal, nothing was applied: ${message(error)}`);
              }
            },
            signal: controller.current.signal,
            onProgress(progress) {
              latest.current = progress;
              setResults(progress);
            },
          });
          return { type: 'applied', outcome };
        }
        case 'roll-back': {
          const lines: string[] = [];
          try {
            // Newest first, like the rollback of each journal itself.
            for (const path of [...effect.paths].reverse()) {
              lines.push(...((await services.rollBack?.(path, live))?.lines ?? []));
            }
          } catch (error) {
            lines.push(`‼ ${message(error)}`);
          }
          return { type: 'journal-rolled-back', lines };
        }
      }
    },
    [services],
  );

  const effect = state.effect;
  useEffect(() => {
    if (!effect || !session || ran.current === effect.id) return;
    ran.current = effect.id;
    run(effect.run, session).then(dispatch, (error: unknown) => {
      const text = message(error);
      // A read that fails goes back to where the bucket was chosen; anything else ends the wizard.
      dispatch(
        effect.run.kind === 'observe'
          ? { type: 'observe-failed', message: text }
          : { type: 'failed', message: text },
      );
    });
  }, [effect, session, run, dispatch]);

  // Ctrl+C from `y` on: before the apply starts nothing is written and the
  // wizard ends saying so; once it runs, the executor stops and rolls back.
  const cancel = useCallback(() => {
    if (cancelled.current) return;
    cancelled.current = true;
    setCancelling(controller.current ? cancelNotice(latest.current) : BEFORE_WRITES);
    controller.current?.abort();
  }, []);

  return { results, cancelling, cancel };
}
