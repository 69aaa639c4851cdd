/**
 * `s3-harden apply plan.json`: validates the file before any AWS call,
 * refuses a stale plan (one that an earlier run already applied is "already
 * applied", exit 0: nothing to do), checks its policies again with IAM Access Analyzer
 * (a saved plan may be old: errors are refused, security warnings need the
 * typed confirmation or --allow-security-warnings), confirms, applies with
 * the journal, rolls back on failure or Ctrl+C, and verifies.
 *
 * A fleet plan file goes to ./fleet-apply.ts. Both use the same checks
 * (./apply-checks.ts) and the same journalled run (./apply-execute.ts).
 */

import { outcomeExit } from '../flow/apply.js';
import { gate, irreversibleChanges } from '../flow/gate.js';
import { driftDetails } from '../plan/apply/drift.js';
import { acquireLock, LockError, refuseWhileHeld } from '../plan/apply/lock.js';
import { resultJson, resultOf, type SectionResult } from '../plan/fleet/outcome.js';
import { wrapWords } from '../plan/fleet/render.js';
import { securityWarningsLine } from '../plan/policy/validation.js';
import { withDigest } from '../plan/render/digest-line.js';
import { outcomeLines } from '../plan/render/outcome.js';
import { renderPlan } from '../plan/render/render.js';
import { escapeControl, jsonText } from '../plan/render/sanitise.js';
import { rollbackCommand, undoHintLines } from '../plan/render/undo-hint.js';
import {
  type ApplyCommandOptions,
  confirm,
  connectFor,
  gateOptions,
  loadAnyPlanFile,
  policyOutcome,
  refuseIrreversible,
  refuseOtherDigest,
  refuseUnfinished,
  refuseWithoutTerminal,
} from './apply-checks.js';
import { applyWithJournal, interruptible } from './apply-execute.js';
import { CommandError, EXIT, type ExitCode } from './exit-codes.js';
import { colourEnabled, formatLines, outputWidth } from './style.js';

export { outcomeExit };

export async function runApply(
  options: ApplyCommandOptions,
  stdout: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> & { columns?: number } = process.stdout,
  stderr: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> & { columns?: number } = process.stderr,
): Promise<ExitCode> {
  // Validate the whole file first: an invalid plan makes no API call at all.
  const loaded = loadAnyPlanFile(options.file);
  if (loaded.kind === 'fleet') {
    const { runFleetApply } = await import('./fleet-apply.js');
    return runFleetApply(loaded.fleet, options, stdout, stderr);
  }
  if (loaded.kind === 'accounts') {
    const { runAccountsApply } = await import('./fleet-accounts-apply.js');
    return runAccountsApply(loaded.accounts, options, stdout, stderr);
  }
  const { plan } = loaded;
  const { target } = plan;
  refuseOtherDigest(plan, options);
  refuseUnfinished(target, options);
  refuseWithoutTerminal(options);
  const irreversible = irreversibleChanges(plan);
  refuseIrreversible(
    irreversible.map((change) => change.title),
    options,
  );
  // With --json, stdout holds the JSON result alone; what a person reads goes to stderr.
  const human = options.json ? stderr : stdout;
  const colour = colourEnabled(human);
  // Wrapped to the terminal, not at all into a pipe or a file.
  const width = outputWidth(human);
  const print = (text: string) => human.write(`${text}\n`);
  const count = plan.changes.length;
  const report = (result: Omit<SectionResult, 'label' | 'changes'> & { undo?: string }) => {
    if (!options.json) return;
    const { undo, ...section } = result;
    const json = {
      bucket: target.bucket,
      ...resultJson({ label: '', changes: count, ...section }),
      ...(undo ? { undo } : {}),
    };
    stdout.write(`${jsonText(json)}\n`);
  };

  // Another run on this bucket (a rollback, say) could undo what the gate
  // would call applied. With --yes nothing waits between the gate and the
  // first write: the lock is taken before the gate, and the gate's reading,
  // made under it, is the one the executor checks its changes against (the
  // same reads are not sent again). A prompt takes the lock after it.
  let held: { release(): void } | undefined;
  try {
    if (options.yes) held = acquireLock(target, 'apply');
    else refuseWhileHeld(target);
  } catch (error) {
    if (error instanceof LockError) throw new CommandError(error.message);
    throw error;
  }
  try {
    const session = await connectFor(target, { ...options, early: true });
    try {
      const checked = await gate(plan, session, gateOptions(options));
      if (checked.status === 'already-applied') {
        // A pipeline run again after a successful apply: nothing to do, not an error.
        const note = `Already applied: ${target.bucket} reads as planned. Nothing to do.`;
        print(wrapWords(note, '', '  ').join('\n'));
        report({ status: 'already-applied' });
        return EXIT.ok;
      }
      if (checked.status === 'stale') {
        report({ status: 'stale', detail: checked.reason, drift: driftDetails(checked.drift) });
        throw new CommandError(
          `the plan is stale: ${checked.reason}. Make a new plan with s3-harden plan.`,
        );
      }
      const { validation, checks, warned } = policyOutcome(checked, options, (lines) =>
        print(formatLines(lines, colour, width)),
      );
      print(formatLines(withDigest(renderPlan(plan), plan), colour, width));
      if (checks.length > 0) print(`\n${formatLines(checks, colour, width)}`);
      if (count === 0) {
        report({ status: 'unchanged' });
        return EXIT.ok;
      }

      if (!options.yes) {
        // Irreversible changes and security warnings are confirmed by typing the bucket name.
        const reasons = [
          ...(irreversible.length > 0
            ? [
                `${irreversible.length} change(s) cannot be undone: ${irreversible.map((change) => escapeControl(change.title)).join(', ')}.`,
              ]
            : []),
          ...(warned ? [`${securityWarningsLine(validation)}, listed above.`] : []),
        ];
        const typed = reasons.length > 0;
        const question = typed
          ? `\n${reasons.join('\n')}\nType the bucket name (${target.bucket}) to apply ${count} change${count === 1 ? '' : 's'}: `
          : `\nApply ${count} change${count === 1 ? '' : 's'} to ${target.bucket}? Type "yes" to continue: `;
        const output = options.json ? process.stderr : process.stdout;
        const agreed = await confirm(question, typed ? target.bucket : 'yes', output);
        if (!agreed) {
          print('Nothing applied.');
          report({ status: 'not-run' });
          return EXIT.error;
        }
      }

      const interrupt = interruptible(print);
      print('');
      try {
        const outcome = await applyWithJournal(session, plan, interrupt.signal, print, {
          ...(options.ignoreUnfinished ? { ignoreUnfinished: true } : {}),
          ...(held ? { lockHeld: true } : {}),
          ...(held && checked.status === 'ready' && checked.live
            ? { readJustNow: checked.live.values }
            : {}),
        });
        // Where the journal is and the command that undoes it, success or not: ready to paste.
        const cli = {
          ...(session.endpoint ? { endpoint: session.endpoint } : {}),
          ...(session.profile ? { profile: session.profile } : {}),
        };
        print('');
        print(
          formatLines([...outcomeLines(outcome), ...undoHintLines(outcome, cli)], colour, width),
        );
        report({
          ...resultOf(target.bucket, count, outcome),
          journalPath: outcome.journalPath,
          undo: rollbackCommand(outcome.journalPath, cli),
        });
        return outcomeExit(outcome);
      } finally {
        interrupt.dispose();
      }
    } finally {
      session.close();
    }
  } finally {
    held?.release();
  }
}
