/**
 * What the review shows, as lines, apart from Ink: the diff with its
 * "Skipped …" notes folded into one line (unfolded on request), where each
 * change's header is in it (for `n` / `p`), and the one-screen summary —
 * one line per change, its symbol and title, coloured as the diff is. Pure.
 */
import type { BucketExceptions } from '../flow/bucket-exceptions.js';
import { diffPlan } from '../plan/model/diff.js';
import type { Plan } from '../plan/model/types.js';
import type { Line } from '../plan/render/render.js';
import { escapeControl } from '../plan/render/sanitise.js';
import { exceptionLines } from '../steps/excepted-lines.js';
import { accountBpaWarnings } from '../steps/excepted-steps.js';

const SYMBOL = { add: '+', change: '~', remove: '-', irreversible: '!' } as const;

/** The key that unfolds the skipped steps' reasons. */
export const WHY_KEY = 'i';

/** "Skipped: Lifecycle, Macie (i: why)", or null when nothing was skipped. */
export function skippedLine(plan: Pick<Plan, 'skipped'>, unfolded: boolean): Line | null {
  if (plan.skipped.length === 0) return null;
  const steps = [...new Set(plan.skipped.map((entry) => escapeControl(entry.step)))];
  const why = unfolded ? `${WHY_KEY}: hide why` : `${WHY_KEY}: why`;
  return { kind: 'note', text: `Skipped: ${steps.join(', ')} (${why})` };
}

/**
 * The diff as renderPlan drew it, its leading "Skipped …" notes replaced by
 * the folded line (and, unfolded, the notes under it).
 */
export function foldSkipped(
  plan: Pick<Plan, 'skipped'>,
  diff: readonly Line[],
  unfolded: boolean,
): Line[] {
  const count = plan.skipped.length;
  const line = skippedLine(plan, unfolded);
  if (!line) return [...diff];
  const notes = diff.slice(0, count).map((note): Line => ({ ...note, text: `  ${note.text}` }));
  return [line, ...(unfolded ? notes : []), ...diff.slice(count)];
}

/** A change's header in the diff: "+ Title  (s3:Operation)", not indented. */
export function isChangeHeader(line: Line): boolean {
  return (
    (line.kind === 'add' ||
      line.kind === 'change' ||
      line.kind === 'remove' ||
      line.kind === 'irreversible') &&
    /^[+~!-] \S/.test(line.text)
  );
}

/** Indices of the change headers in `lines`, in order. */
export function changeAnchors(lines: readonly Line[]): number[] {
  return lines.flatMap((line, index) => (isChangeHeader(line) ? [index] : []));
}

/** One line per change: its symbol and title. */
export function summaryLines(plan: Pick<Plan, 'changes'>): Line[] {
  return diffPlan(plan).changes.map(
    (entry): Line => ({
      kind: entry.symbol,
      text: `${SYMBOL[entry.symbol]} ${escapeControl(entry.change.title)}`,
    }),
  );
}

/**
 * What the bucket's exceptions and tags say, above the diff: the steps they
 * held back, the expired ones, who owns the bucket (a stack or Terraform
 * reverts the change unless it adopts it), and what account-wide Block
 * Public Access would do to a bucket excepted to stay public.
 */
export function exceptionNotes(held: BucketExceptions | undefined, plan: Plan): Line[] {
  if (!held) return [];
  const overridden = accountBpaWarnings(plan.changes, [
    { bucket: plan.target.bucket, excepted: held.excepted },
  ]);
  return exceptionLines(held, [...held.warnings, ...overridden]).map(
    (line): Line => ({ ...line, text: escapeControl(line.text) }),
  );
}
