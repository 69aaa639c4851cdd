/**
 * Lines that report an apply: each change as applied, failed, rolled back,
 * failed to roll back (with the command that fixes it by hand) or kept (a
 * created bucket that has received objects, with the command that removes
 * it), then one verdict. Shared by `apply` and the wizard's result screen.
 */
import type { ApplyOutcome, ChangeResult, ChangeStatus } from '../apply/executor.js';
import { KEPT_NOT_EMPTY, keptBuckets } from '../resources/bucket.js';
import { RESOURCES } from '../resources/index.js';
import type { Line, LineKind } from './render.js';
import { escapeControl } from './sanitise.js';

export const STATUS_MARK: Record<ChangeStatus, string> = {
  pending: '·',
  applying: '…',
  applied: '✓',
  failed: '✗',
  'rolling-back': '…',
  'rolled-back': '↶',
  'rollback-failed': '‼',
  kept: '!',
  stale: '✗',
  conflict: '‼',
};

const STATUS_TEXT: Record<ChangeStatus, string> = {
  pending: 'not applied',
  applying: 'applying',
  applied: 'applied',
  failed: 'failed',
  'rolling-back': 'rolling back',
  'rolled-back': 'rolled back',
  'rollback-failed': 'ROLLBACK FAILED',
  kept: KEPT_NOT_EMPTY,
  stale: 'not written',
  conflict: 'NOT ROLLED BACK',
};

const STATUS_KIND: Record<ChangeStatus, LineKind> = {
  pending: 'note',
  applying: 'plain',
  applied: 'add',
  failed: 'remove',
  'rolling-back': 'plain',
  'rolled-back': 'change',
  'rollback-failed': 'irreversible',
  kept: 'warning',
  stale: 'remove',
  conflict: 'irreversible',
};

export function resultLines(result: ChangeResult): Line[] {
  const { change, status } = result;
  let text = `${STATUS_MARK[status]} ${change.title}: ${STATUS_TEXT[status]}`;
  if (status === 'applied' && result.verified === true) text += ', verified';
  if (status === 'applied' && result.verified === false)
    text += `, but ${result.verifyDetail ?? 'did not verify'}`;
  if (result.error) text += ` (${result.error})`;
  // The title comes from the plan file, the error and command may quote AWS: escaped for any screen.
  const lines: Line[] = [{ kind: STATUS_KIND[status], text: escapeControl(text) }];
  if (result.manualCommand) {
    const how = status === 'kept' ? 'once you have checked its objects, remove it' : 'fix by hand';
    lines.push({ kind: 'command', text: `    ${how}: ${escapeControl(result.manualCommand)}` });
  }
  return lines;
}

export function verdict(outcome: ApplyOutcome): Line {
  const count = (status: ChangeStatus) =>
    outcome.results.filter((result) => result.status === status).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (outcome.status === 'applied') {
    const unverified = outcome.results.filter((result) => result.verified === false).length;
    if (unverified > 0) {
      return {
        kind: 'warning',
        text: `Applied ${plural(count('applied'), 'change')}, but ${unverified} did not read back as planned.`,
      };
    }
    return {
      kind: 'summary',
      text: `Apply complete: ${plural(count('applied'), 'change')} applied and verified.`,
    };
  }
  const cause = outcome.cancelled ? 'Apply cancelled' : 'Apply failed';
  if (outcome.status === 'rolled-back') {
    // A create whose answer was lost may still take effect after the run looked for it by tag.
    const creating = outcome.results.find(
      (result) => result.status === 'failed' && RESOURCES[result.change.resource].createdByRun,
    );
    const late = creating
      ? ` If ${escapeControl(creating.change.title)} did run after all, s3-harden rollback ${outcome.journalPath} finds it by its tag and undoes it.`
      : '';
    return {
      kind: 'warning',
      text: `${cause}; ${plural(count('rolled-back'), 'change')} rolled back. The bucket is as it was.${late}`,
    };
  }
  const failed = count('rollback-failed');
  const kept = count('kept');
  const conflicts = count('conflict');
  if (conflicts > 0) {
    return {
      kind: 'irreversible',
      text: `${cause}; ${plural(conflicts, 'change')} left as ${conflicts === 1 ? 'it is' : 'they are'}: someone changed ${conflicts === 1 ? 'it' : 'them'} since this run wrote ${conflicts === 1 ? 'it' : 'them'} (above)${failed > 0 ? `, and ${plural(failed, 'change')} could not be rolled back: run the commands above` : ''}. Journal: ${outcome.journalPath}`,
    };
  }
  if (failed === 0) {
    const undone = count('rolled-back');
    const rolled = undone > 0 ? `${plural(undone, 'change')} rolled back, but ` : '';
    return {
      kind: 'warning',
      text: `${cause}; ${rolled}${keptBuckets(kept)}, having received objects: remove ${kept === 1 ? 'it' : 'them'} with the command above. Journal: ${outcome.journalPath}`,
    };
  }
  const alsoKept = kept > 0 ? `; ${keptBuckets(kept)}` : '';
  return {
    kind: 'irreversible',
    text: `${cause} and ${plural(failed, 'change')} could not be rolled back: run the commands above${alsoKept}. Journal: ${outcome.journalPath}`,
  };
}

export function outcomeLines(outcome: ApplyOutcome): Line[] {
  return [...outcome.results.flatMap(resultLines), { kind: 'plain', text: '' }, verdict(outcome)];
}

/** Has the outcome changed a result's line since it was last printed? */
export function isSettled(status: ChangeStatus): boolean {
  return status !== 'applying' && status !== 'rolling-back' && status !== 'pending';
}

/** Where an apply is, for what a Ctrl+C would do now. */
export type ApplyPhase = 'writing' | 'verifying' | 'rolling-back';

const ROLLBACK_STATUSES = new Set<ChangeStatus>([
  'failed',
  'rolling-back',
  'rolled-back',
  'rollback-failed',
  'kept',
  'stale',
  'conflict',
]);

export function applyPhase(results: readonly ChangeResult[]): ApplyPhase {
  if (results.some((result) => ROLLBACK_STATUSES.has(result.status))) return 'rolling-back';
  // No results yet: the apply has not started, every write is still to come.
  const writesLeft =
    results.length === 0 ||
    results.some((result) => result.status === 'pending' || result.status === 'applying');
  return writesLeft ? 'writing' : 'verifying';
}

/**
 * What a Ctrl+C does, said when it is pressed: before the last write is done
 * the applied changes are rolled back; after it nothing more is written and
 * nothing is undone (a plan applied whole beats one undone after the fact);
 * a rollback under way runs to its end. `null`: no apply is running (a fleet
 * between buckets). Lines fit 80 columns.
 */
export function cancelNotice(results: readonly ChangeResult[] | null): string {
  if (!results) return 'Cancelling: nothing more will be written.';
  switch (applyPhase(results)) {
    case 'writing':
      return 'Cancelling: finishing the calls in flight, then rolling back what was applied…';
    case 'verifying':
      return 'Cancelling: the last change is already applied, so nothing is rolled back.\nNothing more will be written; reading the changes back…';
    case 'rolling-back':
      return 'Cancelling: the rollback under way runs to its end; nothing else is written.';
  }
}
