/**
 * `s3-harden apply plan.json`: validates the file before any AWS call,
 * refuses a stale plan, checks its policies again with IAM Access Analyzer
 * (a saved plan may be old: errors are refused, security warnings need the
 * typed confirmation or --allow-security-warnings), confirms, applies with
 * the journal, rolls back on failure or Ctrl+C, and verifies.
 *
 * A fleet plan file goes to ./fleet-apply.ts. Both use the same checks
 * (./apply-checks.ts) and the same journalled run (./apply-execute.ts).
 */
import type { ApplyOutcome } from '../plan/executor.js';
import { renderPlan } from '../plan/render.js';
import { outcomeLines } from '../plan/render-outcome.js';
import { securityWarningsLine } from '../plan/validation.js';
import {
  type ApplyCommandOptions,
  confirm,
  connectFor,
  irreversibleChanges,
  loadAnyPlanFile,
  observeLive,
  policyGate,
  refuseIrreversible,
  refuseUnfinished,
  refuseWithoutTerminal,
  staleReason,
} from './apply-checks.js';
import { applyWithJournal, interruptible } from './apply-execute.js';
import { CommandError, EXIT, type ExitCode } from './exit-codes.js';
import { colourEnabled, formatLines } from './style.js';

/** 0 applied and verified, 1 rolled back (or applied but not reading back), 3 rollback incomplete. */
export function outcomeExit(outcome: ApplyOutcome): ExitCode {
  if (outcome.status === 'applied') {
    return outcome.results.every((result) => result.verified !== false) ? EXIT.ok : EXIT.error;
  }
  return outcome.status === 'rolled-back' ? EXIT.error : EXIT.rollbackIncomplete;
}

export async function runApply(
  options: ApplyCommandOptions,
  stdout = process.stdout,
): Promise<ExitCode> {
  // Validate the whole file first: an invalid plan makes no API call at all.
  const loaded = loadAnyPlanFile(options.file);
  if (loaded.kind === 'fleet') {
    const { runFleetApply } = await import('./fleet-apply.js');
    return runFleetApply(loaded.fleet, options, stdout);
  }
  const { plan } = loaded;
  const { target } = plan;
  refuseUnfinished(target, options);
  refuseWithoutTerminal(options);
  const irreversible = irreversibleChanges(plan);
  refuseIrreversible(
    irreversible.map((change) => change.title),
    options,
  );
  const colour = colourEnabled(stdout);
  const print = (text: string) => stdout.write(`${text}\n`);

  const session = await connectFor(target, options);
  try {
    const stale = staleReason(plan, await observeLive(session, plan));
    if (stale) {
      throw new CommandError(`the plan is stale: ${stale}. Make a new plan with s3-harden plan.`);
    }
    const { validation, checks, warned } = await policyGate(session, plan, options, (lines) =>
      print(formatLines(lines, colour)),
    );
    print(formatLines(renderPlan(plan), colour));
    if (checks.length > 0) print(`\n${formatLines(checks, colour)}`);
    if (plan.changes.length === 0) return EXIT.ok;

    if (!options.yes) {
      const count = plan.changes.length;
      // Irreversible changes and security warnings are confirmed by typing the bucket name.
      const reasons = [
        ...(irreversible.length > 0
          ? [
              `${irreversible.length} change(s) cannot be undone: ${irreversible.map((change) => change.title).join(', ')}.`,
            ]
          : []),
        ...(warned ? [`${securityWarningsLine(validation)}, listed above.`] : []),
      ];
      const typed = reasons.length > 0;
      const question = typed
        ? `\n${reasons.join('\n')}\nType the bucket name (${target.bucket}) to apply ${count} change${count === 1 ? '' : 's'}: `
        : `\nApply ${count} change${count === 1 ? '' : 's'} to ${target.bucket}? Type "yes" to continue: `;
      const agreed = await confirm(question, typed ? target.bucket : 'yes');
      if (!agreed) {
        print('Nothing applied.');
        return EXIT.error;
      }
    }

    const interrupt = interruptible(print);
    print('');
    try {
      const outcome = await applyWithJournal(session, plan, interrupt.signal, print);
      print('');
      print(formatLines(outcomeLines(outcome), colour));
      return outcomeExit(outcome);
    } finally {
      interrupt.dispose();
    }
  } finally {
    session.close();
  }
}
