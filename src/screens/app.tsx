/**
 * The app shell: header, the current screen, and the global keys (Ctrl+C).
 * Navigation lives in wizard-state.ts; AWS arrives through hooks.
 */

import { Box, Text, useApp, useInput, useStdout } from 'ink';
import Spinner from 'ink-spinner';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { AwsSession } from '../aws/session.js';
import { auditReads } from '../plan/audit/controls.js';
import { summarisePosture } from '../plan/audit/posture-summary.js';
import { savedPlanText } from '../plan/files/plan-file.js';
import type { Plan, Posture, Preset } from '../plan/model/types.js';
import { callerContext, planLockout, principalArnFor } from '../plan/policy/lockout.js';
import type { PolicyValidation } from '../plan/policy/validation.js';
import type { CliContext } from '../plan/render/cli-equivalent.js';
import {
  buildPlan,
  defaultAnswers,
  optionalReadsFor,
  readsFor,
  relatedBucketFor,
  STEPS,
  stepsForPreset,
  unavailableReason,
} from '../steps/index.js';
import {
  assumedValues,
  type NewBucketAnswers,
  newBucketDefaults,
  newBucketFields,
  validateNewBucket,
} from '../steps/new-bucket.js';
import type { Step, StepId } from '../steps/types.js';
import { TOOL } from '../version.js';
import { ApplyProgress } from './apply-progress.js';
import { BucketPicker } from './bucket-picker.js';
import { Confirm } from './confirm.js';
import { FormStep } from './form-step.js';
import { Header } from './header.js';
import { PostureScreen } from './posture.js';
import { PresetPicker } from './preset-picker.js';
import { Result } from './result.js';
import { Review } from './review.js';
import { useServices } from './services.js';
import { tone } from './theme.js';
import { type JournalCheck, UnfinishedJournal } from './unfinished-journal.js';
import { useApply } from './use-apply.js';
import { useBuckets, usePosture, useSession } from './use-aws.js';
import { usePolicyValidation } from './use-policy-validation.js';
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

export function App({ preset, steps, bucket, onExit }: Props) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const services = useServices();
  const rows = stdout.rows || 24;
  const [state, dispatch] = useReducer(
    wizardReducer,
    {
      ...(preset ? { preset } : {}),
      steps: steps ?? stepsForPreset(preset ?? 'baseline'),
      ...(bucket ? { bucket } : {}),
    },
    initialState,
  );
  const [problem, setProblem] = useState<string | undefined>();
  const [fatal, setFatal] = useState<string | undefined>();

  const session = useSession();
  const live = session.status === 'ready' ? session.value : undefined;
  // List buckets once the picker is first needed, and only once.
  const wantsList = useRef(false);
  if (state.route.name === 'pick-bucket') wantsList.current = true;
  const buckets = useBuckets(wantsList.current ? live : undefined);
  const { create } = state;
  // The steps' reads, and the audit's for the posture screen: one observe.
  // What only the posture screen needs fails soft (Macie or Access Analyzer
  // missing at the endpoint, say): its control then reads "unknown".
  const reads = useMemo(() => {
    const forSteps = readsFor(state.steps);
    if (create) return ['bucket.exists' as const, ...forSteps];
    return [...new Set([...forSteps, ...auditReads()])];
  }, [state.steps, create]);
  const observeOptions = useMemo(() => {
    const forSteps = readsFor(state.steps);
    const auditOnly = create ? [] : auditReads().filter((read) => !forSteps.includes(read));
    return {
      optional: [...optionalReadsFor(state.steps), ...auditOnly],
      ...(create ? { newBucket: { region: create.region, assumed: assumedValues(create) } } : {}),
    };
  }, [create, state.steps]);
  const relatedFor = useCallback(
    (observed: Posture) =>
      relatedBucketFor(state.steps, defaultAnswers(observed, state.preset, state.steps)),
    [state.steps, state.preset],
  );
  const posture = usePosture(
    live,
    state.route.name === 'observing' ? state.bucket : undefined,
    reads,
    observeOptions,
    relatedFor,
  );
  // An unfinished journal of an earlier apply to the chosen bucket, and what became of it.
  const [journalCheck, setJournalCheck] = useState<JournalCheck | undefined>();
  const ignoredJournals = useRef(new Set<string>());
  // Reading another bucket a step's answers now name (the access-log target).
  const [relatedRead, setRelatedRead] = useState<string | undefined>();

  const finish = (code: number) => {
    onExit(code);
    exit();
  };

  useEffect(() => {
    if (session.status === 'error') setFatal(session.message);
  }, [session]);
  useEffect(() => {
    if (fatal) finish(WIZARD_EXIT.error);
  });
  useEffect(() => {
    if (state.route.name !== 'observing') return;
    if (posture.status === 'ready' && create && posture.value.values['bucket.exists'] !== null) {
      setProblem(
        posture.value.unreadable['bucket.exists']
          ? `The name ${create.name} is taken by another AWS account; choose another.`
          : `Bucket ${create.name} already exists; choose it from the list to harden it.`,
      );
      dispatch({ type: 'observe-failed' });
    } else if (posture.status === 'ready') {
      setProblem(undefined);
      // An earlier apply to this bucket that never finished is offered for rollback first.
      const unfinished = (services.unfinishedJournals?.(posture.value) ?? []).filter(
        (path) => !ignoredJournals.current.has(path),
      );
      if (unfinished.length > 0) setJournalCheck({ paths: unfinished, status: 'ask', lines: [] });
      dispatch({ type: 'observed', posture: posture.value });
    } else if (posture.status === 'error') {
      setProblem(posture.message);
      dispatch({ type: 'observe-failed' });
    }
  }, [posture, state.route.name, create, services]);

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
  // The operator's IP and VPC endpoint are asked beside an IP allowlist or an
  // endpoint restriction (the bucket-policy step); unknown, such Denies "may deny".
  const policyAnswers = state.answers['bucket-policy'];
  const sourceIp = policyAnswers?.callerSourceIp?.trim();
  const sourceVpce = policyAnswers?.callerVpce?.trim();
  const lockout = useMemo(
    () =>
      planned.plan && state.posture
        ? planLockout(
            planned.plan,
            callerContext(state.posture.principalArn, live?.endpoint, {
              ...(sourceIp ? { sourceIp } : {}),
              ...(sourceVpce ? { sourceVpce } : {}),
            }),
          )
        : [],
    [planned.plan, state.posture, live, sourceIp, sourceVpce],
  );
  // `e` on the review: the bucket policy's request-wide Denies exempt the operator.
  const exempt =
    state.posture && state.steps.includes('bucket-policy')
      ? () => {
          const posture = state.posture as Posture;
          const current =
            state.answers['bucket-policy'] ??
            STEPS['bucket-policy'].defaults(posture, state.preset);
          dispatch({
            type: 'answer',
            step: 'bucket-policy',
            answers: { ...current, exemptPrincipal: principalArnFor(posture.principalArn) },
          });
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

  const apply = useApply(
    live,
    planned.plan,
    state.route.name === 'applying',
    cli,
    (outcome) => dispatch({ type: 'applied', outcome }),
    setFatal,
  );

  useInput((input, key) => {
    if (!(key.ctrl && input === 'c')) return;
    if (state.route.name === 'applying') apply.cancel();
    else finish(WIZARD_EXIT.interrupted);
  });

  const body = rows - 6;
  const screen = (() => {
    if (fatal) return <Text {...tone('error')}>{`✗ ${fatal}`}</Text>;
    if (session.status === 'loading') return <Busy label="Connecting to AWS…" />;
    if (journalCheck && (state.route.name === 'posture' || state.route.name === 'step')) {
      return (
        <UnfinishedJournal
          bucket={state.bucket ?? ''}
          check={journalCheck}
          onRollBack={() => {
            setJournalCheck({ ...journalCheck, status: 'rolling' });
            const run = async () => {
              const lines: string[] = [];
              // Newest first, like the rollback of each journal itself.
              for (const path of [...journalCheck.paths].reverse()) {
                lines.push(...((await services.rollBack?.(path, live as AwsSession))?.lines ?? []));
              }
              return lines;
            };
            run().then(
              (lines) => setJournalCheck({ ...journalCheck, status: 'done', lines }),
              (error: unknown) =>
                setJournalCheck({
                  ...journalCheck,
                  status: 'done',
                  lines: [`‼ ${(error as Error).message}`],
                }),
            );
          }}
          onIgnore={() => {
            for (const path of journalCheck.paths) ignoredJournals.current.add(path);
            setJournalCheck(undefined);
          }}
          onContinue={() => {
            // The rollback changed the bucket: read it again before the steps.
            setJournalCheck(undefined);
            dispatch({ type: 'pick-bucket', bucket: state.bucket ?? '' });
          }}
          onBack={() => {
            setJournalCheck(undefined);
            dispatch({ type: 'back' });
          }}
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
            summary={summarisePosture(state.posture as Posture, planned.plan)}
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
              setRelatedRead(`Reading ${related}…`);
              (live as AwsSession).observeLogTarget(posture, related).then(
                (updated) => {
                  setRelatedRead(undefined);
                  dispatch({ type: 'posture', posture: updated });
                },
                (error: unknown) =>
                  setRelatedRead(`Cannot read ${related}: ${(error as Error).message}`),
              );
            }}
            onBack={() => dispatch({ type: 'back' })}
            {...(relatedRead ? { error: relatedRead } : {})}
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
            warningsAccepted={warningsAccepted}
            onAcceptWarnings={() => {
              if (validation.status === 'done') setAccepted(findingsKey(validation.value));
            }}
            onSave={() => {
              const plan = planned.plan as Plan;
              try {
                const path = services.savePlan(plan.target.bucket, savedPlanText(plan, TOOL));
                return {
                  ok: true,
                  message: `✓ Saved to ${path}. Apply later: s3-harden apply ${path}`,
                };
              } catch (error) {
                return {
                  ok: false,
                  message: `✗ Could not save the plan: ${(error as Error).message}`,
                };
              }
            }}
            onConfirm={() => dispatch({ type: 'next' })}
            onFinish={() => finish(WIZARD_EXIT.ok)}
            onBack={() => dispatch({ type: 'back' })}
          />
        );
      case 'confirm':
        return (
          <Confirm
            plan={planned.plan as Plan}
            onApply={() => dispatch({ type: 'apply' })}
            onBack={() => dispatch({ type: 'back' })}
          />
        );
      case 'applying':
        return <ApplyProgress results={apply.results} cancelling={apply.cancelling} />;
      case 'result': {
        const outcome = state.outcome;
        if (!outcome) return null;
        const code =
          outcome.status === 'applied'
            ? outcome.results.every((result) => result.verified !== false)
              ? WIZARD_EXIT.ok
              : WIZARD_EXIT.error
            : outcome.status === 'rolled-back'
              ? WIZARD_EXIT.error
              : WIZARD_EXIT.rollbackIncomplete;
        return <Result outcome={outcome} height={body} onExit={() => finish(code)} />;
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
