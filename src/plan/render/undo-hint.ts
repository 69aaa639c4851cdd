/**
 * Where an apply's journal is and the exact command that undoes it, as
 * `apply` prints them and the result screen shows them: the path whole, the
 * command ready to paste (the path quoted for a POSIX shell, with the
 * endpoint and profile the apply used; the region comes from the journal).
 */
import type { ApplyOutcome } from '../apply/executor.js';
import { type CliContext, shellQuote } from './cli-equivalent.js';
import type { Line } from './render.js';
import { escapeControl } from './sanitise.js';

/** `s3-harden rollback PATH [--profile P] [--endpoint-url E]`. */
export function rollbackCommand(
  journalPath: string,
  cli: Pick<CliContext, 'endpoint' | 'profile'> = {},
): string {
  const parts = ['s3-harden', 'rollback', shellQuote(journalPath)];
  if (cli.profile) parts.push('--profile', shellQuote(cli.profile));
  if (cli.endpoint) parts.push('--endpoint-url', shellQuote(cli.endpoint));
  return escapeControl(parts.join(' '));
}

/** What the undo line is called: after a full apply it undoes all of it, else what is left. */
export function undoLabel(outcome: Pick<ApplyOutcome, 'status'>): string {
  return outcome.status === 'applied' ? 'Undo' : 'Undo what is left';
}

/** `Journal: PATH` and `Undo: COMMAND`, one line each (the terminal's width is the caller's). */
export function undoHintLines(
  outcome: Pick<ApplyOutcome, 'status' | 'journalPath'>,
  cli: Pick<CliContext, 'endpoint' | 'profile'> = {},
): Line[] {
  return [
    { kind: 'note', text: `Journal: ${escapeControl(outcome.journalPath)}` },
    {
      kind: 'command',
      text: `${undoLabel(outcome)}: ${rollbackCommand(outcome.journalPath, cli)}`,
    },
  ];
}
