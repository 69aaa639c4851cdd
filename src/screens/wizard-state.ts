/**
 * The wizard as a state machine: a pure reducer over which screen shows,
 * the way back (Esc), the answers gathered so far — and the side effects the
 * state asks for, as data (`effect`: observe the bucket, read the log
 * target, gate the plan, apply it, roll a journal back). One hook
 * (./use-wizard-effects.ts) runs each effect once and dispatches its
 * result; nothing here touches AWS or the terminal.
 */
import type { BucketExceptions } from '../flow/bucket-exceptions.js';
import type { Gate, GateOptions } from '../flow/gate.js';
import type { ApplyOutcome } from '../plan/apply/executor.js';
import type { Plan, Posture, Preset } from '../plan/model/types.js';
import { keptControls } from '../steps/excepted-steps.js';
import type { StepAnswers } from '../steps/index.js';
import { type Answers, type DefaultChoices, defaultAnswers } from '../steps/index.js';
import type { NewBucketAnswers } from '../steps/new-bucket.js';
import type { StepId } from '../steps/types.js';

export type Route =
  | { readonly name: 'choose-preset' }
  | { readonly name: 'pick-bucket' }
  | { readonly name: 'new-bucket' }
  | { readonly name: 'observing' }
  /** Where the picked bucket stands, and what the preset would change. */
  | { readonly name: 'posture' }
  | { readonly name: 'step'; readonly index: number }
  | { readonly name: 'review' }
  | { readonly name: 'confirm' }
  /** Reading the bucket again and checking the plan once more, right before the first write. */
  | { readonly name: 'gating' }
  | { readonly name: 'applying' }
  | { readonly name: 'result' }
  /** Ctrl+C before the first write: nothing was written; the wizard says so and ends. */
  | { readonly name: 'cancelled' };

/** A side effect the state asks for; run once per `id` by the effects hook. */
export type Effect =
  | {
      readonly kind: 'observe';
      readonly bucket: string;
      readonly create?: NewBucketAnswers;
      /** Read again because the plan went stale: the answers stay, the review follows. */
      readonly replan?: boolean;
    }
  | { readonly kind: 'observe-related'; readonly bucket: string }
  | { readonly kind: 'gate'; readonly plan: Plan; readonly options: GateOptions }
  | { readonly kind: 'apply'; readonly plan: Plan }
  | { readonly kind: 'roll-back'; readonly paths: readonly string[] };

/** An unfinished journal of an earlier apply to the picked bucket, and what became of it. */
export interface JournalCheck {
  /** Journals without an end, oldest first. */
  readonly paths: readonly string[];
  readonly status: 'ask' | 'rolling' | 'done';
  /** The rollback's report, once done. */
  readonly lines: readonly string[];
}

export interface WizardState {
  readonly route: Route;
  /** Routes to return to with Esc, most recent last. */
  readonly history: readonly Route[];
  readonly preset: Preset;
  /** The steps walked for this bucket: the chosen ones less those its exceptions hold back. */
  readonly steps: readonly StepId[];
  /** The steps the preset (or the command line) chose, before any bucket's exceptions. */
  readonly chosenSteps: readonly StepId[];
  readonly bucket?: string;
  readonly posture?: Posture;
  /** What the bucket's exceptions held back, and what its tags say (who owns it). */
  readonly held?: BucketExceptions;
  readonly answers: Answers;
  /** What the command line chose that changes the defaults (--log-bucket). */
  readonly choices: DefaultChoices;
  /** Set when the wizard creates the bucket it hardens. */
  readonly create?: NewBucketAnswers;
  readonly outcome?: ApplyOutcome;
  /** The side effect this state asks for. */
  readonly effect?: { readonly id: number; readonly run: Effect };
  /** How many effects have been asked for: each new one's id, never reused. */
  readonly asked: number;
  /** Why the bucket could not be read (shown where it was chosen). */
  readonly problem?: string;
  /** Reading, or failing to read, another bucket a step's answers name. */
  readonly related?: string;
  /** What the last gate said (stale and re-planned, blocked, already applied): shown on the review. */
  readonly notice?: string;
  readonly journal?: JournalCheck;
  /** Unfinished journals the operator chose to ignore this run. */
  readonly ignoredJournals: readonly string[];
  /** An error the wizard cannot go on from. */
  readonly fatal?: string;
}

export type WizardAction =
  | { type: 'choose-preset'; preset: Preset; steps: readonly StepId[] }
  | { type: 'pick-bucket'; bucket: string }
  | { type: 'new-bucket'; defaults: NewBucketAnswers }
  | { type: 'create-answers'; answers: NewBucketAnswers }
  | { type: 'create-bucket' }
  | {
      type: 'observed';
      posture: Posture;
      unfinished?: readonly string[];
      /** The bucket's exceptions, read before it was observed. */
      held?: BucketExceptions;
    }
  | { type: 'observe-failed'; message?: string }
  | { type: 'read-related'; bucket: string }
  | { type: 'related-read'; posture: Posture }
  | { type: 'related-failed'; message: string }
  | { type: 'posture'; posture: Posture }
  | { type: 'answer'; step: StepId; answers: StepAnswers[StepId] }
  | { type: 'next' }
  | { type: 'back' }
  | { type: 'apply'; plan: Plan; options: GateOptions }
  | { type: 'gated'; plan: Plan; gate: Gate }
  | { type: 'applied'; outcome: ApplyOutcome }
  /** Ctrl+C came before the first write: the gate's answer, or the apply, is not acted on. */
  | { type: 'cancelled' }
  | { type: 'journal-roll-back' }
  | { type: 'journal-rolled-back'; lines: readonly string[] }
  | { type: 'journal-ignore' }
  | { type: 'journal-continue' }
  | { type: 'journal-back' }
  | { type: 'failed'; message: string };

/** Asks for `run`: a new id, so the effects hook runs it once. */
function ask(state: WizardState, run: Effect): WizardState {
  const id = state.asked + 1;
  return { ...state, asked: id, effect: { id, run } };
}

/** The effect is done: nothing is asked for until the next one. */
function done(state: WizardState): WizardState {
  const { effect: _done, ...rest } = state;
  return rest;
}

function observe(state: WizardState, replan = false): WizardState {
  return ask(state, {
    kind: 'observe',
    bucket: state.bucket ?? '',
    ...(state.create ? { create: state.create } : {}),
    ...(replan ? { replan } : {}),
  });
}

/** Without a preset the wizard opens with the preset choice. */
export function initialState(options: {
  preset?: Preset;
  steps: readonly StepId[];
  bucket?: string;
  choices?: DefaultChoices;
}): WizardState {
  const base: WizardState = {
    choices: options.choices ?? {},
    route: { name: 'choose-preset' },
    history: [],
    preset: options.preset ?? 'baseline',
    steps: options.steps,
    chosenSteps: options.steps,
    answers: {},
    asked: 0,
    ignoredJournals: [],
    ...(options.bucket ? { bucket: options.bucket } : {}),
  };
  if (!options.preset) return base;
  return options.bucket
    ? observe({ ...base, route: { name: 'observing' } })
    : { ...base, route: { name: 'pick-bucket' } };
}

function go(state: WizardState, route: Route): WizardState {
  return { ...state, route, history: [...state.history, state.route] };
}

/** The screen after the current one in the forward direction. */
function nextRoute(state: WizardState): Route {
  const { route } = state;
  if (route.name === 'posture')
    return state.steps.length > 0 ? { name: 'step', index: 0 } : { name: 'review' };
  if (route.name === 'step' && route.index + 1 < state.steps.length)
    return { name: 'step', index: route.index + 1 };
  if (route.name === 'step') return { name: 'review' };
  if (route.name === 'review') return { name: 'confirm' };
  return route;
}

/** Back to the review after a gate that did not let the plan through, saying why. */
function backToReview(state: WizardState, notice: string): WizardState {
  return { ...done(state), route: { name: 'review' }, notice };
}

function gated(state: WizardState, plan: Plan, result: Gate): WizardState {
  switch (result.status) {
    case 'ready':
      return ask({ ...state, route: { name: 'applying' }, history: [] }, { kind: 'apply', plan });
    case 'stale':
      // Someone changed the bucket since it was read: read it again and re-plan, never apply.
      return observe(
        {
          ...state,
          route: { name: 'observing' },
          notice: `The bucket changed since it was read (${result.reason}): read again and re-planned. Review the changes.`,
        },
        true,
      );
    case 'already-applied':
      return backToReview(
        state,
        'Already applied: the bucket reads as the plan leaves it. Nothing to do.',
      );
    case 'blocked':
      return backToReview(state, `✗ ${result.reason}.`);
    case 'needs-confirmation':
      return {
        ...done(state),
        route: { name: 'confirm' },
        notice: result.securityWarnings
          ? 'Accept the security warnings on the review (a) first.'
          : 'Confirm the changes that cannot be undone first.',
      };
  }
}

export function wizardReducer(state: WizardState, action: WizardAction): WizardState {
  switch (action.type) {
    case 'choose-preset': {
      const chosen = {
        ...state,
        preset: action.preset,
        steps: action.steps,
        chosenSteps: action.steps,
      };
      return state.bucket
        ? observe(go(chosen, { name: 'observing' }))
        : go(chosen, { name: 'pick-bucket' });
    }
    case 'pick-bucket': {
      // Another bucket has its own exceptions: the chosen steps again, until it is read.
      const { create: _dropped, posture: _old, held: _theirs, ...rest } = state;
      return observe({
        ...go(rest, { name: 'observing' }),
        bucket: action.bucket,
        steps: state.chosenSteps,
      });
    }
    case 'new-bucket':
      return { ...go(state, { name: 'new-bucket' }), create: state.create ?? action.defaults };
    case 'create-answers':
      return { ...state, create: action.answers };
    case 'create-bucket': {
      if (!state.create) return state;
      const { posture: _old, held: _theirs, ...rest } = state;
      return observe({
        ...go(rest, { name: 'observing' }),
        bucket: state.create.name,
        steps: state.chosenSteps,
      });
    }
    case 'observed': {
      const replan = state.effect?.run.kind === 'observe' && state.effect.run.replan === true;
      const unfinished = (action.unfinished ?? []).filter(
        (path) => !state.ignoredJournals.includes(path),
      );
      const { problem: _cleared, journal: _old, ...rest } = done(state);
      const { held: _before, ...unheld } = rest;
      const base: WizardState = {
        ...unheld,
        posture: action.posture,
        // The steps its exceptions leave: what is walked, planned and saved.
        ...(action.held ? { held: action.held, steps: action.held.stepIds } : {}),
        ...(unfinished.length > 0
          ? { journal: { paths: unfinished, status: 'ask', lines: [] } }
          : {}),
      };
      // A re-plan keeps the operator's answers and returns to the review.
      if (replan) return { ...base, route: { name: 'review' } };
      // What its exceptions keep as it is within the steps walked (the KMS choice, say).
      const answers = defaultAnswers(action.posture, state.preset, base.steps, {
        ...state.choices,
        ...(action.held ? { keep: keptControls(action.held) } : {}),
      });
      // Observing is transient: Esc from the posture screen (or, for a new
      // bucket, the first step) goes back to where the bucket was chosen.
      const history = state.history.filter((route) => route.name !== 'observing');
      const { notice: _stale, ...fresh } = base;
      const ready: WizardState = {
        ...fresh,
        answers,
        history: history.length > 0 ? history : [{ name: 'pick-bucket' }],
      };
      // An existing bucket starts from where it stands; a new one has no past.
      if (!state.create) return { ...ready, route: { name: 'posture' } };
      return { ...ready, route: nextRoute({ ...ready, route: { name: 'posture' } }) };
    }
    case 'observe-failed': {
      const replan = state.effect?.run.kind === 'observe' && state.effect.run.replan === true;
      const previous = state.history.at(-1) ?? { name: 'pick-bucket' };
      const problem = action.message ? { problem: action.message } : {};
      if (replan) {
        return { ...done(state), route: previous, history: state.history.slice(0, -1), ...problem };
      }
      // The name could not be used: it leaves the header, and the operator
      // picks or types another where buckets are chosen — also when it came
      // from --bucket, where going back would be the preset screen, which
      // has no place to say why or to choose another bucket.
      const { bucket: _failed, ...rest } = done(state);
      if (previous.name === 'pick-bucket' || previous.name === 'new-bucket') {
        return { ...rest, route: previous, history: state.history.slice(0, -1), ...problem };
      }
      return { ...rest, route: { name: 'pick-bucket' }, ...problem };
    }
    case 'read-related':
      return ask(
        { ...state, related: `Reading ${action.bucket}…` },
        {
          kind: 'observe-related',
          bucket: action.bucket,
        },
      );
    case 'related-read': {
      const { related: _read, ...rest } = done(state);
      return { ...rest, posture: action.posture };
    }
    case 'related-failed':
      return { ...done(state), related: action.message };
    case 'posture':
      // A re-read (another bucket a step needs): the answers stay as they are.
      return { ...state, posture: action.posture };
    case 'answer':
      return { ...state, answers: { ...state.answers, [action.step]: action.answers } };
    case 'next': {
      const { notice: _seen, ...rest } = state;
      return go(rest, nextRoute(state));
    }
    case 'back': {
      // Once writes have started there is no way back: the result stands.
      const { route } = state;
      if (['applying', 'result', 'gating', 'cancelled'].includes(route.name)) {
        return state;
      }
      const previous = state.history.at(-1);
      if (!previous) return state;
      return { ...state, route: previous, history: state.history.slice(0, -1) };
    }
    case 'apply':
      return ask(
        { ...state, route: { name: 'gating' } },
        {
          kind: 'gate',
          plan: action.plan,
          options: action.options,
        },
      );
    case 'gated':
      return gated(state, action.plan, action.gate);
    case 'applied':
      return { ...done(state), outcome: action.outcome, route: { name: 'result' } };
    case 'cancelled':
      return { ...done(state), route: { name: 'cancelled' }, history: [] };
    case 'journal-roll-back':
      if (!state.journal) return state;
      return ask(
        { ...state, journal: { ...state.journal, status: 'rolling' } },
        {
          kind: 'roll-back',
          paths: state.journal.paths,
        },
      );
    case 'journal-rolled-back':
      if (!state.journal) return state;
      return { ...done(state), journal: { ...state.journal, status: 'done', lines: action.lines } };
    case 'journal-ignore': {
      const { journal, ...rest } = state;
      return { ...rest, ignoredJournals: [...state.ignoredJournals, ...(journal?.paths ?? [])] };
    }
    case 'journal-continue': {
      // The rollback changed the bucket: read it again before the steps.
      const { journal: _done, ...rest } = state;
      return wizardReducer(rest, { type: 'pick-bucket', bucket: state.bucket ?? '' });
    }
    case 'journal-back': {
      const { journal: _left, ...rest } = state;
      return wizardReducer(rest, { type: 'back' });
    }
    case 'failed':
      return { ...done(state), fatal: action.message };
  }
}

/** "step k of n" for the header: the hardening steps, then review. */
export function progressLabel(state: WizardState): string | undefined {
  const total = state.steps.length;
  switch (state.route.name) {
    case 'step':
      return `step ${state.route.index + 1} of ${total}`;
    case 'review':
    case 'confirm':
    case 'gating':
      return 'review';
    case 'applying':
      return 'applying';
    case 'result':
    case 'cancelled':
      return 'done';
    default:
      return undefined;
  }
}
