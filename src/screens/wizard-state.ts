/**
 * The wizard's navigation as a pure reducer: which screen is showing, the
 * way back (Esc), and the answers gathered so far. Screens dispatch; nothing
 * here touches AWS or the terminal.
 */
import type { ApplyOutcome } from '../plan/apply/executor.js';
import type { Posture, Preset } from '../plan/model/types.js';
import { type Answers, defaultAnswers } from '../steps/index.js';
import type { NewBucketAnswers } from '../steps/new-bucket.js';
import type { StepAnswers, StepId } from '../steps/types.js';

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
  | { readonly name: 'applying' }
  | { readonly name: 'result' };

export interface WizardState {
  readonly route: Route;
  /** Routes to return to with Esc, most recent last. */
  readonly history: readonly Route[];
  readonly preset: Preset;
  readonly steps: readonly StepId[];
  readonly bucket?: string;
  readonly posture?: Posture;
  readonly answers: Answers;
  /** Set when the wizard creates the bucket it hardens. */
  readonly create?: NewBucketAnswers;
  readonly outcome?: ApplyOutcome;
}

export type WizardAction =
  | { type: 'choose-preset'; preset: Preset; steps: readonly StepId[] }
  | { type: 'pick-bucket'; bucket: string }
  | { type: 'new-bucket'; defaults: NewBucketAnswers }
  | { type: 'create-answers'; answers: NewBucketAnswers }
  | { type: 'create-bucket' }
  | { type: 'observed'; posture: Posture }
  | { type: 'observe-failed' }
  | { type: 'posture'; posture: Posture }
  | { type: 'answer'; step: StepId; answers: StepAnswers[StepId] }
  | { type: 'next' }
  | { type: 'back' }
  | { type: 'apply' }
  | { type: 'applied'; outcome: ApplyOutcome };

/** Without a preset the wizard opens with the preset choice. */
export function initialState(options: {
  preset?: Preset;
  steps: readonly StepId[];
  bucket?: string;
}): WizardState {
  const base = {
    history: [],
    preset: options.preset ?? 'baseline',
    steps: options.steps,
    answers: {},
  };
  const start: Route = options.bucket ? { name: 'observing' } : { name: 'pick-bucket' };
  return {
    ...base,
    ...(options.bucket ? { bucket: options.bucket } : {}),
    route: options.preset ? start : { name: 'choose-preset' },
  };
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

export function wizardReducer(state: WizardState, action: WizardAction): WizardState {
  switch (action.type) {
    case 'choose-preset':
      return {
        ...go(state, state.bucket ? { name: 'observing' } : { name: 'pick-bucket' }),
        preset: action.preset,
        steps: action.steps,
      };
    case 'pick-bucket': {
      const { create: _dropped, ...rest } = state;
      return { ...go(rest, { name: 'observing' }), bucket: action.bucket, posture: undefined };
    }
    case 'new-bucket':
      return { ...go(state, { name: 'new-bucket' }), create: state.create ?? action.defaults };
    case 'create-answers':
      return { ...state, create: action.answers };
    case 'create-bucket':
      if (!state.create) return state;
      return { ...go(state, { name: 'observing' }), bucket: state.create.name, posture: undefined };
    case 'observed': {
      const answers = defaultAnswers(action.posture, state.preset, state.steps);
      // Observing is transient: Esc from the posture screen (or, for a new
      // bucket, the first step) goes back to where the bucket was chosen.
      const history = state.history.filter((route) => route.name !== 'observing');
      const ready = {
        ...state,
        posture: action.posture,
        answers,
        history: history.length > 0 ? history : [{ name: 'pick-bucket' } as const],
      };
      // An existing bucket starts from where it stands; a new one has no past.
      if (!state.create) return { ...ready, route: { name: 'posture' } };
      return { ...ready, route: nextRoute({ ...ready, route: { name: 'posture' } }) };
    }
    case 'observe-failed': {
      const previous = state.history.at(-1) ?? { name: 'pick-bucket' };
      return { ...state, route: previous, history: state.history.slice(0, -1) };
    }
    case 'posture':
      // A re-read (another bucket a step needs): the answers stay as they are.
      return { ...state, posture: action.posture };
    case 'answer':
      return { ...state, answers: { ...state.answers, [action.step]: action.answers } };
    case 'next':
      return go(state, nextRoute(state));
    case 'back': {
      // Once writes have started there is no way back: the result stands.
      if (state.route.name === 'applying' || state.route.name === 'result') return state;
      const previous = state.history.at(-1);
      if (!previous) return state;
      return { ...state, route: previous, history: state.history.slice(0, -1) };
    }
    case 'apply':
      return { ...state, route: { name: 'applying' }, history: [] };
    case 'applied':
      return { ...state, outcome: action.outcome, route: { name: 'result' } };
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
      return 'review';
    case 'applying':
      return 'applying';
    case 'result':
      return 'done';
    default:
      return undefined;
  }
}
