/**
 * The diff model: which fields of which sub-resource a plan changes, computed
 * apart from any rendering so the wizard, `plan` and `--json` share it.
 */
import { deepEqual, isPlainObject } from './deep-equal.js';
import type { Change, Plan } from './types.js';

export { deepEqual } from './deep-equal.js';

export type FieldDiffKind = 'add' | 'change' | 'remove';

export interface FieldDiff {
  /** Dotted path inside the configuration, e.g. "BlockPublicAcls". */
  readonly path: string;
  readonly kind: FieldDiffKind;
  readonly before?: unknown;
  readonly after?: unknown;
}

export type ChangeSymbol = 'add' | 'change' | 'remove' | 'irreversible';

export interface ChangeDiff {
  readonly change: Change;
  readonly symbol: ChangeSymbol;
  readonly irreversible: boolean;
  readonly fields: readonly FieldDiff[];
}

export interface PlanCounts {
  readonly add: number;
  readonly change: number;
  readonly remove: number;
  readonly irreversible: number;
}

export interface PlanDiff {
  readonly changes: readonly ChangeDiff[];
  readonly counts: PlanCounts;
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, inner] of Object.entries(value)) {
      flatten(inner, prefix ? `${prefix}.${key}` : key, out);
    }
  } else if (value !== undefined && value !== null) {
    out.set(prefix, value);
  }
}

/** Every leaf field that differs between two configurations; arrays compare whole. */
export function fieldDiffs(before: unknown, after: unknown): FieldDiff[] {
  const left = new Map<string, unknown>();
  const right = new Map<string, unknown>();
  flatten(before, '', left);
  flatten(after, '', right);
  const paths = [...new Set([...left.keys(), ...right.keys()])];
  const diffs: FieldDiff[] = [];
  for (const path of paths) {
    const hasBefore = left.has(path);
    const hasAfter = right.has(path);
    if (hasBefore && hasAfter) {
      if (!deepEqual(left.get(path), right.get(path))) {
        diffs.push({ path, kind: 'change', before: left.get(path), after: right.get(path) });
      }
    } else if (hasAfter) {
      diffs.push({ path, kind: 'add', after: right.get(path) });
    } else {
      diffs.push({ path, kind: 'remove', before: left.get(path) });
    }
  }
  return diffs;
}

const ACTION_SYMBOL = { create: 'add', update: 'change', delete: 'remove' } as const;

export function diffChange(change: Change): ChangeDiff {
  const irreversible = change.undo === null;
  return {
    change,
    irreversible,
    symbol: irreversible ? 'irreversible' : ACTION_SYMBOL[change.action],
    fields: fieldDiffs(change.before, change.after),
  };
}

export function diffPlan(plan: Pick<Plan, 'changes'>): PlanDiff {
  const changes = plan.changes.map(diffChange);
  const count = (action: Change['action']) =>
    plan.changes.filter((change) => change.action === action).length;
  return {
    changes,
    counts: {
      add: count('create'),
      change: count('update'),
      remove: count('delete'),
      irreversible: changes.filter((diff) => diff.irreversible).length,
    },
  };
}
