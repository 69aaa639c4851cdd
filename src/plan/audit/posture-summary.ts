/**
 * What the wizard's posture screen shows once a bucket is picked: each audit
 * control as it stands, and what the chosen preset's plan would do to it.
 * Pure: the controls come from ./controls.ts, the plan from the steps.
 */

import { type Excepted, exceptedText } from '../exceptions/exceptions.js';
import type { Plan, Posture } from '../model/types.js';
import type { CisVersion } from './cis.js';
import {
  CONTROLS,
  type ControlId,
  type ControlStatus,
  controlsForCis,
  evaluateControls,
  securityHubLabel,
} from './controls.js';

/**
 * What the plan does to a control: `fixes` one that does not hold now and
 * will, `changes` what it reads without settling it (tightens one that holds,
 * or leaves one failing), `none` leaves it alone.
 */
export type PlannedEffect = 'fixes' | 'changes' | 'none';

export interface PostureRow {
  readonly id: ControlId;
  readonly title: string;
  readonly status: ControlStatus;
  readonly detail: string;
  /** "S3.8 · CIS 2.1.4", or empty. */
  readonly ids: string;
  readonly planned: PlannedEffect;
  /** The control's status once the plan is applied. */
  readonly after: ControlStatus;
  /** Deliberately different (an exception in force): "excepted (public website)". */
  readonly excepted?: string;
}

export interface PostureSummary {
  readonly rows: readonly PostureRow[];
  readonly holding: number;
  readonly fixed: number;
  /** Not holding now, and not after the plan either. */
  readonly stillFailing: number;
}

/** The posture as it will read once every change of `plan` is applied. */
function postureAfter(posture: Posture, plan: Plan | undefined): Posture {
  if (!plan || plan.changes.length === 0) return posture;
  const values: Record<string, unknown> = { ...posture.values };
  for (const change of plan.changes) values[change.resource] = change.after;
  return { ...posture, values };
}

export interface PostureOptions {
  /** The bucket's exceptions in force, by control. */
  readonly excepted?: Readonly<Partial<Record<ControlId, Excepted>>>;
  /** Whose CIS numbers the rows show (default the newest). */
  readonly cisVersion?: CisVersion;
}

export function summarisePosture(
  posture: Posture,
  plan: Plan | undefined,
  options: PostureOptions = {},
): PostureSummary {
  const catalogue = options.cisVersion ? controlsForCis(options.cisVersion) : CONTROLS;
  const now = new Map(evaluateControls(posture).map((result) => [result.id, result]));
  const then = new Map(
    evaluateControls(postureAfter(posture, plan)).map((result) => [result.id, result]),
  );
  const written = new Set(plan?.changes.map((change) => change.resource) ?? []);
  const rows = catalogue.map((control): PostureRow => {
    const result = now.get(control.id);
    const status = result?.status ?? 'unknown';
    const next = then.get(control.id);
    // A control whose verdict reads the same after the plan is not changed by
    // it, whatever of its reads the plan writes (replication health when the
    // bucket does not replicate, say).
    const touched =
      control.resources.some((resource) => written.has(resource)) &&
      (next?.status !== status || next?.detail !== result?.detail);
    const after = touched ? (next?.status ?? 'unknown') : status;
    // A control that holds needs no exception: only the others are shown excepted.
    const excepted = status !== 'pass' ? options.excepted?.[control.id] : undefined;
    return {
      id: control.id,
      title: control.title,
      status,
      detail: result?.detail ?? '',
      ids: [securityHubLabel(control.id), control.cis ? `CIS ${control.cis}` : undefined]
        .filter(Boolean)
        .join(' · '),
      planned: !touched ? 'none' : status !== 'pass' && after === 'pass' ? 'fixes' : 'changes',
      after,
      ...(excepted ? { excepted: exceptedText(excepted) } : {}),
    };
  });
  return {
    rows,
    holding: rows.filter((row) => row.status === 'pass').length,
    fixed: rows.filter((row) => row.planned === 'fixes').length,
    stillFailing: rows.filter((row) => row.after !== 'pass').length,
  };
}
