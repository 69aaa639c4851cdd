/**
 * Lines that report an apply: each change as applied, failed, rolled back or
 * failed to roll back (with the command that fixes it by hand), then one
 * verdict. Shared by `apply` and the wizard's result screen.
 */
import type { ApplyOutcome, ChangeResult, ChangeStatus } from './executor.js';
import type { Line, LineKind } from './render.js';

export const STATUS_MARK: Record<ChangeStatus, string> = {
  pending: '·',
  applying: '…',
  applied: '✓',
  failed: '✗',
  'rolling-back': '…',
  'rolled-back': '↶',
  'rollback-failed': '‼',
};

const STATUS_TEXT: Record<ChangeStatus, string> = {
  pending: 'not applied',
  applying: 'applying',
  applied: 'applied',
  failed: 'failed',
  'rolling-back': 'rolling back',
  'rolled-back': 'rolled back',
  'rollback-failed': 'ROLLBACK FAILED',
};

const STATUS_KIND: Record<ChangeStatus, LineKind> = {
  pending: 'note',
  applying: 'plain',
  applied: 'add',
  failed: 'remove',
  'rolling-back': 'plain',
  'rolled-back': 'change',
  'rollback-failed': 'irreversible',
};

export function resultLines(result: ChangeResult): Line[] {
  const { change, status } = result;
  let text = `${STATUS_MARK[status]} ${change.title}: ${STATUS_TEXT[status]}`;
  if (status === 'applied' && result.verified === true) text += ', verified';
  if (status === 'applied' && result.verified === false)
    text += `, but ${result.verifyDetail ?? 'did not verify'}`;
  if (result.error) text += ` (${result.error})`;
  const lines: Line[] = [{ kind: STATUS_KIND[status], text }];
  if (result.manualCommand)
    lines.push({ kind: 'command', text: `    fix by hand: ${result.manualCommand}` });
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
    return {
      kind: 'warning',
      text: `${cause}; ${plural(count('rolled-back'), 'change')} rolled back. The bucket is as it was.`,
    };
  }
  return {
    kind: 'irreversible',
    text: `${cause} and ${plural(count('rollback-failed'), 'change')} could not be rolled back: run the commands above. Journal: ${outcome.journalPath}`,
  };
}

export function outcomeLines(outcome: ApplyOutcome): Line[] {
  return [...outcome.results.flatMap(resultLines), { kind: 'plain', text: '' }, verdict(outcome)];
}

/** Has the outcome changed a result's line since it was last printed? */
export function isSettled(status: ChangeStatus): boolean {
  return status !== 'applying' && status !== 'rolling-back' && status !== 'pending';
}
