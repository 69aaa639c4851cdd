/**
 * The app shell: header, the current screen, and the global keys (Ctrl+C).
 * The wizard's states, and the side effects they ask for, live in
 * wizard-state.ts; one hook (use-wizard-effects.ts) runs those effects
 * through the flow layer. This file maps state to screens.
 *
 * Why one file of ~450 lines: mapping state to screens is one switch, best
 * read whole.
 */

import { Box, Text, useApp, useInput, useStdout } from 'ink';
import Spinner from 'ink-spinner';
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { outcomeExit } from '../flow/apply.js';
import { summarisePosture } from '../plan/audit/posture-summary.js';
import type { Plan, Posture, Preset } from '../plan/model/types.js';
import { callerContext, planLockout, principalArnFor } from '../plan/policy/lockout.js';
import type { PolicyValidation } from '../plan/policy/validation.js';
import type { CliContext } from '../plan/render/cli-equivalent.js';
import {
  buildPlan,
  callerContextFor,
  callerContextLabels,
  exemptingAnswers,
  STEPS,
  stepsForPreset,
  unavailableReason,
} from '../steps/index.js';
import {
  type NewBucketAnswers,
  newBucketDefaults,
  newBucketFields,
  validateNewBucket,
} from '../steps/new-bucket.js';
import type { Step, StepId } from '../steps/types.js';
import { ApplyProgress } from './apply-progress.js';
import { BucketPicker } from './bucket-picker.js';
import { Confirm } from './confirm.js';
import { FormStep } from './form-step.js';
import { Header } from './header.js';
import { PostureScreen } from './posture.js';
import { PresetPicker } from './preset-picker.js';
import { Result } from './result.js';
import { Review } from './review.js';
import { reviewFiles as makeReviewFiles } from './review-files.js';
import { exceptionNotes } from './review-lines.js';
import { useServices } from './services.js';
import { tone } from './theme.js';
import { UnfinishedJournal } from './unfinished-journal.js';
import { useBuckets, useSession } from './use-aws.js';
import { useExceptionsProblem } from './use-exceptions.js';
import { usePolicyValidation } from './use-policy-validation.js';
import { useWizardEffects } from './use-wizard-effects.js';
import { initialState, progressLabel, wizardReducer } from './wizard-state.js';

/** Exit codes the wizard ends with (see src/commands/exit-codes.ts). */
export const WIZARD_EXIT = { ok: 0, error: 1, rollbackIncomplete: 3, interrupted: 130 } as const;

type Props = {
  /** Skip the preset choice and use this one. */
  readonly preset?: Preset;
  /** The steps to walk (tests narrow them); default: the preset's. */
  readonly steps?: readonly StepId[];
  /** Skip the picker and harden this bucket. */
  readonly bucket?: string;
  /** One log bucket for the access logs (--log-bucket). */
  readonly logBucket?: string;
  /** Called once, with the exit code, just before the app unmounts. */
  readonly onExit: (code: number) => void;
};

/**
 * Why Enter cannot move on from a step: its validation messages, and a
 * planning error (a policy over 20 KB, say) that only the posture reveals.
 */
function stepProblems(
  step: Step<Record<string, unknown>>,
  posture: Posture,
  answers: Record<string, unknown>,
): string[] {
  const problems = step.validate(answers);
  if (problems.length > 0) return problems;
  // Another bucket named in the answers is read on Enter; until then, no plan.
  const related = step.relatedBucket?.(answers);
  if (related && related !== posture.bucket && related !== posture.logBucket) return [];
  try {
    step.plan(posture, answers);
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

/** What a Ctrl+C on the result screen, or one that came too late to undo anything, says. */
const NOTHING_TO_CANCEL = 'Finished: nothing left to cancel.';

function Busy({ label }: { readonly label: string }) {
  return (
    <Text>
      <Text {...tone('accent')}>
        <Spinner type="dots" />
      </Text>{' '}
      {label}
    </Text>
  );
}

export function App({ preset, steps, bucket, logBucket, onExit }: Props) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const services = useServices();
  const reviewFiles = useMemo(() => makeReviewFiles(services), [services]);
  const rows = stdout.rows || 24;
  const [state, dispatch] = useReducer(
    wizardReducer,
    {
      ...(preset ? { preset } : {}),
      steps: steps ?? stepsForPreset(preset ?? 'baseline'),
      ...(bucket ? { bucket } : {}),
      ...(logBucket ? { choices: { logBucket } } : {}),
    },
    initialState,
  );
  const session = useSession();
  const live = session.status === 'ready' ? session.value : undefined;
  // List buckets once the picker is first needed, and only once.
  const wantsList = useRef(false);
  if (state.route.name === 'pick-bucket') wantsList.current = true;
  const buckets = useBuckets(wantsList.current ? live : undefined);
  const { create, problem } = state;
  const badExceptions = useExceptionsProblem();
  const fatal =
    state.fatal ?? (session.status === 'error' ? session.message : undefined) ?? badExceptions;
  const applying = useWizardEffects(state, dispatch, live);

  const finish = (code: number) => {
    onExit(code);
    exit();
  };

  // A Ctrl+C on the result screen: say there is nothing left to cancel, then exit.
  const [closing, setClosing] = useState(false);
  useEffect(() => {
    if (fatal) finish(WIZARD_EXIT.error);
    else if (state.route.name === 'cancelled') finish(WIZARD_EXIT.interrupted);
    else if (closing && state.outcome) finish(outcomeExit(state.outcome));
  });
  // The route as drawn last: a Ctrl+C right after `y` may reach a handler of the render before it.
  const route = useRef(state.route.name);
  route.current = state.route.name;

  const planned = useMemo((): { plan?: Plan; error?: string } => {
    if (!state.posture) return {};
    try {
      return {
        plan: buildPlan(state.posture, state.preset, state.steps, state.answers, undefined, create),
      };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }, [state.posture, state.preset, state.steps, state.answers, create]);

  const cli: CliContext = useMemo(
    () => ({
      ...(state.posture ? { region: state.posture.region } : {}),
      ...(live?.endpoint ? { endpoint: live.endpoint } : {}),
      ...(live?.profile ? { profile: live.profile } : {}),
    }),
    [state.posture, live],
  );

  // Deny statements in the plan's policies that would lock the operator out.
  // What the steps know of the operator's own requests (the bucket-policy
  // step asks for their IP and VPC endpoint); unknown, such Denies "may deny".
  const callerExtras = useMemo(
    () => callerContextFor(state.steps, state.answers),
    [state.steps, state.answers],
  );
  const callerTerms = useMemo(() => callerContextLabels(state.steps), [state.steps]);
  const notes = useMemo(
    () => (planned.plan ? exceptionNotes(state.held, planned.plan) : []),
    [state.held, planned.plan],
  );
  const lockout = useMemo(
    () =>
      planned.plan && state.posture
        ? planLockout(
            planned.plan,
            callerContext(state.posture.principalArn, live?.endpoint, callerExtras),
          )
        : [],
    [planned.plan, state.posture, live, callerExtras],
  );
  // `e` on the review: the steps that can exempt the operator do.
  const exempting = state.posture
    ? exemptingAnswers(
        state.steps,
        state.answers,
        state.posture,
        state.preset,
        principalArnFor(state.posture.principalArn),
      )
    : null;
  const exempt = exempting
    ? () => {
        for (const id of state.steps) {
          const answers = exempting[id];
          if (answers !== state.answers[id] && answers !== undefined) {
            dispatch({ type: 'answer', step: id, answers });
          }
        }
      }
    : undefined;

  // The plan's policies, checked with IAM Access Analyzer while the review is up.
  const validation = usePolicyValidation(
    live,
    planned.plan,
    state.route.name === 'review' || state.route.name === 'confirm',
  );
  // Security warnings accepted (key `a` on the review), for these findings only.
  const [accepted, setAccepted] = useState<string | undefined>();
  const findingsKey = (value: PolicyValidation) => JSON.stringify(value.findings);
  const warningsAccepted =
    validation.status === 'done' && accepted === findingsKey(validation.value);

  // Ctrl+C: from `y` on it always gets an answer — cancelled (and rolled back), or finished.
  useInput((input, key) => {
    if (!(key.ctrl && input === 'c')) return;
    if (route.current === 'gating' || route.current === 'applying') applying.cancel();
    else if (route.current === 'result') setClosing(true);
    else if (route.current !== 'cancelled') finish(WIZARD_EXIT.interrupted);
  });

  const body = rows - 6;
  const screen = (() => {
    if (fatal) return <Text {...tone('error')}>{`✗ ${fatal}`}</Text>;
    if (session.status === 'loading') return <Busy label="Connecting to AWS…" />;
    const { journal } = state;
    if (journal && (state.route.name === 'posture' || state.route.name === 'step')) {
      return (
        <UnfinishedJournal
          bucket={state.bucket ?? ''}
          check={journal}
          onRollBack={() => dispatch({ type: 'journal-roll-back' })}
          onIgnore={() => dispatch({ type: 'journal-ignore' })}
          onContinue={() => dispatch({ type: 'journal-continue' })}
          onBack={() => dispatch({ type: 'journal-back' })}
        />
      );
    }
    switch (state.route.name) {
      case 'choose-preset':
        return (
          <PresetPicker
            onChoose={(chosen) =>
              dispatch({
                type: 'choose-preset',
                preset: chosen,
                steps: steps ?? stepsForPreset(chosen),
              })
            }
          />
        );
      case 'pick-bucket':
        return (
          <BucketPicker
            buckets={buckets}
            height={body}
            onPick={(name) => dispatch({ type: 'pick-bucket', bucket: name })}
            onCreate={() =>
              dispatch({
                type: 'new-bucket',
                defaults: newBucketDefaults(live?.region ?? 'us-east-1', state.preset),
              })
            }
            {...(state.history.length > 0 ? { onBack: () => dispatch({ type: 'back' }) } : {})}
            {...(problem ? { problem } : {})}
          />
        );
      case 'new-bucket': {
        const answers = state.create as NewBucketAnswers;
        return (
          <FormStep
            title="Create a new bucket"
            summary="The wizard creates it, then hardens it; undo deletes it while it is still empty."
            controls={[]}
            fields={newBucketFields(answers)}
            value={answers as unknown as Record<string, unknown>}
            problems={validateNewBucket(answers)}
            onChange={(next) =>
              dispatch({ type: 'create-answers', answers: next as unknown as NewBucketAnswers })
            }
            onNext={() => dispatch({ type: 'create-bucket' })}
            height={rows - 9}
            onBack={() => dispatch({ type: 'back' })}
            {...(problem ? { error: problem } : {})}
          />
        );
      }
      case 'observing':
        return <Busy label={`Reading the configuration of ${state.bucket}…`} />;
      case 'posture':
        return (
          <PostureScreen
            bucket={state.bucket ?? ''}
            preset={state.preset}
            summary={summarisePosture(state.posture as Posture, planned.plan, {
              ...(state.held ? { excepted: state.held.excepted } : {}),
              ...(services.cisVersion ? { cisVersion: services.cisVersion } : {}),
            })}
            onNext={() => dispatch({ type: 'next' })}
            onBack={() => dispatch({ type: 'back' })}
          />
        );
      case 'step': {
        const id = state.steps[state.route.index] as StepId;
        // Each step has its own answer type; the form edits them as a record.
        const step = STEPS[id] as unknown as Step<Record<string, unknown>>;
        const posture = state.posture as Posture;
        const answers = (state.answers[id] ?? step.defaults(posture, state.preset)) as Record<
          string,
          unknown
        >;
        const answer = (next: Record<string, unknown>) =>
          dispatch({ type: 'answer', step: id, answers: next as never });
        return (
          <FormStep
            key={id}
            title={step.title}
            summary={step.summary}
            controls={step.controls}
            fields={step.fields(posture, answers)}
            value={answers}
            problems={stepProblems(step, posture, answers)}
            unavailable={unavailableReason(id, posture)}
            height={rows - 9}
            onChange={answer}
            {...(step.keep
              ? { onKeep: () => answer((step.keep as NonNullable<typeof step.keep>)(posture)) }
              : {})}
            onNext={() => {
              const related = step.relatedBucket?.(answers);
              if (!related || related === posture.bucket || related === posture.logBucket) {
                dispatch({ type: 'next' });
                return;
              }
              dispatch({ type: 'read-related', bucket: related });
            }}
            onBack={() => dispatch({ type: 'back' })}
            {...(state.related ? { error: state.related } : {})}
          />
        );
      }
      case 'review':
        if (!planned.plan)
          return <Text {...tone('error')}>{`✗ ${planned.error ?? 'no plan'}`}</Text>;
        return (
          <Review
            plan={planned.plan}
            cli={cli}
            height={body}
            validation={validation}
            lockout={lockout}
            {...(exempt ? { onExempt: exempt } : {})}
            {...(state.notice ? { notice: state.notice } : {})}
            notes={notes}
            terms={callerTerms}
            warningsAccepted={warningsAccepted}
            onAcceptWarnings={() => {
              if (validation.status === 'done') setAccepted(findingsKey(validation.value));
            }}
            planName={reviewFiles.planName(planned.plan.target.bucket)}
            scriptName={reviewFiles.scriptName(planned.plan.target.bucket)}
            onSave={(name) => reviewFiles.save(planned.plan as Plan, name, cli)}
            onWrite={(name, text) => reviewFiles.write(name, text)}
            onConfirm={() => dispatch({ type: 'next' })}
            onFinish={() => finish(WIZARD_EXIT.ok)}
            onBack={() => dispatch({ type: 'back' })}
          />
        );
      case 'confirm':
        return (
          <Confirm
            plan={planned.plan as Plan}
            onApply={() =>
              dispatch({
                type: 'apply',
                plan: planned.plan as Plan,
                options: {
                  caller: callerExtras,
                  // The review lets a lockout through only once it is overridden.
                  allowLockout: lockout.length > 0,
                  // The confirm screen asked for the bucket name when something cannot be undone.
                  accepted: { irreversible: true, securityWarnings: warningsAccepted },
                  ...(validation.status === 'done' ? { validation: validation.value } : {}),
                },
              })
            }
            onBack={() => dispatch({ type: 'back' })}
          />
        );
      case 'gating':
        return (
          <Box flexDirection="column">
            <Busy label={`Reading ${state.bucket} again before the first write…`} />
            {applying.cancelling ? <Text {...tone('warning')}>{applying.cancelling}</Text> : null}
          </Box>
        );
      case 'cancelled':
        return (
          <Text {...tone('warning')}>
            Cancelled before the first write: nothing was written, the bucket is as it was.
          </Text>
        );
      case 'applying':
        return <ApplyProgress results={applying.results} cancelling={applying.cancelling} />;
      case 'result': {
        const outcome = state.outcome;
        if (!outcome) return null;
        // A Ctrl+C that came after the last write undid nothing: the result says why.
        const late = applying.cancelling !== null && outcome.status === 'applied';
        const note = closing || late ? NOTHING_TO_CANCEL : null;
        return (
          <Box flexDirection="column">
            <Result
              outcome={outcome}
              height={note ? body - 1 : body}
              cli={cli}
              onExit={() => finish(outcomeExit(outcome))}
            />
            {note ? <Text {...tone('warning')}>{note}</Text> : null}
          </Box>
        );
      }
    }
  })();

  return (
    <Box flexDirection="column">
      <Header
        {...(live ? { account: live.identity.accountId } : { status: 'connecting…' })}
        {...(state.posture
          ? { region: state.posture.region }
          : live
            ? { region: live.region }
            : {})}
        {...(state.bucket ? { bucket: state.bucket } : {})}
        {...(progressLabel(state) ? { progress: progressLabel(state) } : {})}
      />
      {screen}
    </Box>
  );
}
