/**
 * A saved plan is applied only if it is what s3-harden proposes: the plan
 * file records what produced it (the steps, the answers, the new bucket's
 * answers, the reading — Plan.provenance), and before apply connects, the
 * plan is derived again from those inputs and compared with the file, field
 * by field. An edited `after`, an added or duplicated change, another
 * target, region or log bucket, a retitled change: each is a difference, and
 * the file is refused naming the first one. (The gate then checks that the
 * recorded reading still holds live — ../plan/apply/drift.ts — so the
 * derivation is from the live state.)
 *
 * Edited answers derive a plan the tool could have proposed for them; the
 * weakening rules (../plan/files/weakening.ts) hold whatever the answers.
 */

import { PlanFileError } from '../plan/files/plan-file.js';
import { accountSection, type FleetPlan, isAccountWide } from '../plan/fleet/fleet.js';
import type { BuildProvenance, Change, Plan, Posture } from '../plan/model/types.js';
import { type Answers, buildPlan, STEPS } from './index.js';
import type { NewBucketAnswers } from './new-bucket.js';
import type { StepId } from './types.js';

const EDITED =
  'differs from what s3-harden plans from the inputs the file records: the file was edited, or made by another version of s3-harden; make a new plan';

/** buildPlan again, from what a plan recorded; `id` and `createdAt` are the file's. */
function deriveOne(provenance: BuildProvenance, plan: Pick<Plan, 'id' | 'createdAt'>) {
  const unknown = provenance.steps.find((id) => !Object.hasOwn(STEPS, id));
  if (unknown !== undefined) {
    throw new PlanFileError(`provenance.steps: ${JSON.stringify(unknown)} is not a step`);
  }
  const posture: Posture = { ...provenance.posture, ...(plan.id ? { planId: plan.id } : {}) };
  try {
    return buildPlan(
      posture,
      provenance.preset,
      provenance.steps as StepId[],
      provenance.answers as Answers,
      new Date(plan.createdAt),
      provenance.create as NewBucketAnswers | undefined,
    );
  } catch (error) {
    // Answers no step accepts (or of the wrong shape): nothing s3-harden would propose.
    throw new PlanFileError(
      `provenance: the recorded answers do not make a plan (${(error as Error).message.split('\n')[0]})`,
    );
  }
}

/** The account section, derived as composeFleet built it: each plan's new account-wide changes in turn. */
function deriveAccount(accountFrom: readonly BuildProvenance[], section: Plan): Plan {
  const changes: Change[] = [];
  for (const provenance of accountFrom) {
    for (const change of deriveOne(provenance, section).changes) {
      if (isAccountWide(change.resource) && !changes.some((c) => c.resource === change.resource)) {
        changes.push(change);
      }
    }
  }
  return accountSection(
    section.target,
    { preset: accountFrom[0]?.preset ?? section.preset, now: new Date(section.createdAt) },
    changes,
    accountFrom,
    section.id,
  );
}

/** The plan derived again from its provenance. */
export function deriveAgain(plan: Plan): Plan {
  const provenance = plan.provenance;
  if (!provenance) throw new PlanFileError('the plan records no provenance');
  return 'accountFrom' in provenance
    ? deriveAccount(provenance.accountFrom, plan)
    : deriveOne(provenance, plan);
}

/** As a plan file holds it: what JSON drops (undefined) dropped, for a fair comparison. */
const asFile = (value: unknown): unknown =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value));

/** The path of the first place `a` and `b` differ ("" when equal): "changes[2].after.Statement[0]". */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (Object.is(a, b)) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return `${path}[${i}]`;
      const found = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (
    a &&
    b &&
    typeof a === 'object' &&
    typeof b === 'object' &&
    !Array.isArray(a) === !Array.isArray(b)
  ) {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
      const found = firstDifference(left[key], right[key], path ? `${path}.${key}` : key);
      if (found !== null) return found;
    }
    return null;
  }
  return path || '(the plan)';
}

/** What is compared: everything the review shows and apply runs. */
function compared(plan: Plan) {
  return asFile({
    target: plan.target,
    preset: plan.preset,
    observed: plan.observed,
    changes: plan.changes,
    skipped: plan.skipped,
  });
}

/** Throws PlanFileError naming the first difference when `plan` is not what its provenance gives. */
export function checkDerivation(plan: Plan, where = ''): void {
  const derived = deriveAgain(plan);
  const difference = firstDifference(compared(derived), compared(plan));
  if (difference === null) return;
  const change = /^changes\[(\d+)\]/.exec(difference);
  const resource = change ? plan.changes[Number(change[1])]?.resource : undefined;
  throw new PlanFileError(`${where}${difference}${resource ? ` (${resource})` : ''} ${EDITED}`);
}

/** checkDerivation for every section of a fleet plan, named by position. */
export function checkFleetDerivation(fleet: FleetPlan): void {
  if (fleet.account) checkDerivation(fleet.account, 'account.');
  fleet.accountsElsewhere.forEach((section, index) => {
    checkDerivation(section, `accountsElsewhere[${index}].`);
  });
  fleet.sections.forEach((section, index) => {
    checkDerivation(section, `sections[${index}].`);
  });
}
