/**
 * `s3-harden apply fleet.json`: applies a fleet plan section by section.
 *
 * Before any write (the checks are ./apply-checks.ts): the whole file was
 * validated (./apply.ts), no bucket has an unfinished journal, the
 * credentials are for the plan's account, every section's policies pass IAM
 * Access Analyzer's checks and the lockout guard, and the operator confirms
 * once for the whole fleet (irreversible changes and security warnings
 * listed together, confirmed by typing the account ID).
 *
 * Then the account section, then each bucket, each in its own region (a
 * session view there): a drift check right before it
 * (./fleet-section.ts: a stale bucket is not applied; a bucket section also needs the account's
 * settings as the account section leaves them; one that an earlier run
 * already applied is reported so and left alone), its own journal, apply; on a
 * failure only that section is rolled back, and the run stops
 * (--on-error stop, the default) or goes on (continue). Ctrl+C finishes the
 * calls in flight, rolls back the current section and stops. A table of every
 * section's result ends the run.
 */
import type { AwsSession } from '../aws/index.js';
import { ApplyRefusedError } from '../flow/apply.js';
import { gate, irreversibleChanges } from '../flow/gate.js';
import { driftDetails } from '../plan/apply/drift.js';
import { JournalWriteError } from '../plan/apply/journal.js';
import { LockError } from '../plan/apply/lock.js';
import type { FleetPlan } from '../plan/fleet/fleet.js';
import {
  fleetExitCode,
  fleetSummaryTable,
  isFailure,
  resultJson,
  resultOf,
  type SectionResult,
} from '../plan/fleet/outcome.js';
import {
  accountHeading,
  accountPlanLines,
  bucketPlanLines,
  plural,
  sectionHeading,
  wrapWords,
} from '../plan/fleet/render.js';
import type { Plan } from '../plan/model/types.js';
import { type renderValidation, securityWarningsLine } from '../plan/policy/validation.js';
import { digestLine } from '../plan/render/digest-line.js';
import { outcomeLines } from '../plan/render/outcome.js';
import { renderPlan } from '../plan/render/render.js';
import { escapeControl, jsonText } from '../plan/render/sanitise.js';
import {
  type ApplyCommandOptions,
  confirm,
  connectFor,
  gateOptions,
  type PolicyGate,
  policyOutcome,
  refuseIrreversible,
  refuseOtherDigest,
  refuseUnfinished,
  refuseWithoutTerminal,
} from './apply-checks.js';
import { applyWithJournal, interruptible } from './apply-execute.js';
import { CommandError, EXIT, type ExitCode } from './exit-codes.js';
import { checkInTurn } from './fleet-plan.js';
import { checkDrift, laterWrites, type Section, sectionsOf } from './fleet-section.js';
import { colourEnabled, formatLines } from './style.js';

/** How many sections' policies are checked with Access Analyzer at once. */
const CHECK_CONCURRENCY = 8;

/**
 * Every section's policy checks and lockout guard, before anything is
 * written; the first refusal (in file order) names its section.
 */
async function gateAll(
  session: AwsSession,
  sections: readonly Section[],
  options: ApplyCommandOptions,
  print: (text: string) => void,
  colour: boolean,
): Promise<Map<Section, PolicyGate>> {
  type Checks = ReturnType<typeof renderValidation>;
  type Gated =
    | { readonly gate: PolicyGate }
    | { readonly refused: CommandError; readonly shown: Checks };
  // Stage 1 of the gate for every section before any write; each section's
  // drift is judged right before it runs (./fleet-section.ts).
  const check = async (plan: Plan): Promise<Gated> => {
    let shown: Checks = [];
    try {
      const checked = await gate(plan, session.inRegion(plan.target.region), {
        ...gateOptions(options),
        checkState: false,
      });
      if (checked.status === 'stale' || checked.status === 'already-applied') {
        throw new Error('the gate judged a drift it was told not to check');
      }
      return { gate: policyOutcome(checked, options, (lines) => (shown = lines)) };
    } catch (error) {
      if (error instanceof CommandError) return { refused: error, shown };
      throw error;
    }
  };
  const gated = await checkInTurn(
    sections.map((section) => section.plan),
    CHECK_CONCURRENCY,
    check,
    // A check with policies to send has asked Access Analyzer; a refusal ends the checks anyway.
    (entry) => !('gate' in entry) || entry.gate.validation.policies.length > 0,
  );
  const gates = new Map<Section, PolicyGate>();
  for (const [index, entry] of gated.entries()) {
    const section = sections[index] as Section;
    if ('refused' in entry) {
      if (entry.shown.length > 0) print(formatLines(entry.shown, colour));
      throw new CommandError(`${section.label}: ${entry.refused.message}`, entry.refused.exitCode);
    }
    gates.set(section, entry.gate);
  }
  return gates;
}

/** The fleet's review: each section as apply shows a single plan, under its heading. */
function review(
  sections: readonly Section[],
  gates: ReadonlyMap<Section, PolicyGate>,
  print: (text: string) => void,
  colour: boolean,
): void {
  for (const section of sections) {
    const { plan } = section;
    const heading = section.isAccount ? accountHeading(plan) : sectionHeading(plan);
    const lines = section.isAccount
      ? accountPlanLines(plan, renderPlan(plan))
      : bucketPlanLines(plan, renderPlan(plan));
    print(formatLines([...heading, ...lines], colour));
    const checks = gates.get(section)?.checks ?? [];
    if (checks.length > 0) print(`\n${formatLines(checks, colour)}`);
    print('');
  }
}

/** One confirmation for the whole fleet; typed (the account ID) when something needs it. */
async function confirmFleet(
  fleet: FleetPlan,
  sections: readonly Section[],
  gates: ReadonlyMap<Section, PolicyGate>,
  irreversible: readonly string[],
  output: NodeJS.WritableStream,
): Promise<boolean> {
  const changing = sections.filter((section) => section.plan.changes.length > 0);
  const total = changing.reduce((sum, section) => sum + section.plan.changes.length, 0);
  const buckets = changing.filter((section) => !section.isAccount).length;
  const listing = changing.map(
    (section) => `  ${section.label}: ${plural(section.plan.changes.length, 'change')}`,
  );
  const warned = changing.filter((section) => gates.get(section)?.warned);
  const reasons = [
    ...(irreversible.length > 0
      ? [
          `${irreversible.length} change(s) cannot be undone:`,
          ...irreversible.map((t) => `  ${escapeControl(t)}`),
        ]
      : []),
    ...warned.map(
      (section) =>
        `${section.label}: ${securityWarningsLine((gates.get(section) as PolicyGate).validation)}, listed above.`,
    ),
  ];
  const what = `${plural(total, 'change')} to ${plural(buckets, 'bucket')}${sections.some((section) => section.isAccount) ? ' and the account' : ''}`;
  const typed = reasons.length > 0;
  const question = [
    '',
    `Apply ${what}:`,
    ...listing,
    ...reasons,
    typed ? `Type the account ID (${fleet.accountId}) to continue: ` : 'Type "yes" to continue: ',
  ].join('\n');
  return confirm(question, typed ? fleet.accountId : 'yes', output);
}

/**
 * The session in the section's region: each bucket is read, written and
 * rolled back there (account Block Public Access still goes to the
 * session's own region, as every account-wide S3 Control call does).
 */
function inSection(session: AwsSession, section: Section): AwsSession {
  return section.plan.target.region === session.region
    ? session
    : session.inRegion(section.plan.target.region);
}

/** A section with nothing to change: unchanged while it reads as planned, else stale. */
async function emptySection(
  session: AwsSession,
  fleet: FleetPlan,
  section: Section,
  later: ReturnType<typeof laterWrites>,
  print: (text: string) => void,
): Promise<SectionResult> {
  const { label } = section;
  const state = await checkDrift(inSection(session, section), fleet, section, later);
  if (state.state !== 'stale') return { label, changes: 0, status: 'unchanged' };
  const why = escapeControl(state.reason);
  print(`${wrapWords(`${label}: stale, not applied: ${why}`, '  ').join('\n')}\n`);
  return {
    label,
    changes: 0,
    status: 'stale',
    detail: state.reason,
    drift: driftDetails(state.drift),
  };
}

export async function runFleetApply(
  fleet: FleetPlan,
  options: ApplyCommandOptions,
  stdout: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stdout,
  stderr: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stderr,
  /** A session already in the fleet's account (a multi-account apply's, assumed there); kept open. */
  entered?: AwsSession,
): Promise<ExitCode> {
  const sections = sectionsOf(fleet);
  const plans = sections.map((section) => section.plan);
  refuseOtherDigest(plans, options);
  // An earlier apply that crashed may have left a bucket half-applied: every one is checked first.
  for (const section of sections) refuseUnfinished(section.plan.target, options);
  refuseWithoutTerminal(options);
  const irreversible = sections.flatMap((section) =>
    irreversibleChanges(section.plan).map((change) => `${section.label}: ${change.title}`),
  );
  refuseIrreversible(irreversible, options);
  // With --json, stdout holds the JSON result alone; what a person reads goes to stderr.
  const human = options.json ? stderr : stdout;
  const colour = colourEnabled(human);
  const print = (text: string) => human.write(`${text}\n`);
  const report = (results: readonly SectionResult[], code: ExitCode) => {
    if (!options.json) return;
    const json = {
      accountId: fleet.accountId,
      region: fleet.region,
      exitCode: code,
      sections: results.map((result) => ({ label: result.label, ...resultJson(result) })),
    };
    stdout.write(`${jsonText(json)}\n`);
  };

  if (entered && entered.identity.accountId !== fleet.accountId) {
    throw new CommandError(
      `the plan is for account ${fleet.accountId}, but these credentials are for account ${entered.identity.accountId}`,
    );
  }
  const session = entered ?? (await connectFor(fleet, options));
  try {
    const gates = await gateAll(session, sections, options, print, colour);
    review(sections, gates, print, colour);
    print(formatLines([digestLine(plans)], colour));
    const later = laterWrites(sections);
    if (sections.every((section) => section.plan.changes.length === 0)) {
      // Nothing to apply, but the buckets must still read as the plan judged them.
      const results: SectionResult[] = [];
      for (const section of sections) {
        results.push(await emptySection(session, fleet, section, later, print));
      }
      if (results.every((result) => result.status === 'unchanged')) {
        print('No changes. Every bucket in the fleet plan already matched when it was made.');
        report(results, EXIT.ok);
        return EXIT.ok;
      }
      print(formatLines(fleetSummaryTable(results), colour));
      const code = fleetExitCode(results);
      report(results, code);
      return code;
    }
    const output = options.json ? process.stderr : process.stdout;
    if (!options.yes && !(await confirmFleet(fleet, sections, gates, irreversible, output))) {
      print('Nothing applied.');
      return EXIT.error;
    }

    const results: SectionResult[] = [];
    const interrupt = interruptible(print);
    let halted = false;
    try {
      for (const section of sections) {
        const { plan, label } = section;
        const changes = plan.changes.length;
        if (changes === 0) {
          results.push(
            halted || interrupt.signal.aborted
              ? { label, changes, status: 'unchanged' }
              : await emptySection(session, fleet, section, later, print),
          );
          continue;
        }
        if (halted || interrupt.signal.aborted) {
          results.push({ label, changes, status: 'not-run' });
          continue;
        }
        print(formatLines(section.isAccount ? accountHeading(plan) : sectionHeading(plan), colour));
        const local = inSection(session, section);
        const state = await checkDrift(local, fleet, section, later);
        if (state.state === 'applied') {
          print('  already applied: it reads as the plan leaves it; nothing to do\n');
          results.push({ label, changes, status: 'already-applied' });
          continue;
        }
        if (state.state === 'stale') {
          const why = escapeControl(state.reason);
          print(`${wrapWords(`stale, not applied: ${why}`, '  ').join('\n')}\n`);
          results.push({
            label,
            changes,
            status: 'stale',
            detail: state.reason,
            drift: driftDetails(state.drift),
          });
          continue;
        }
        if (interrupt.signal.aborted) {
          results.push({ label, changes, status: 'not-run' });
          continue;
        }
        let outcome: Awaited<ReturnType<typeof applyWithJournal>>;
        try {
          outcome = await applyWithJournal(local, plan, interrupt.signal, print, {
            ...(options.ignoreUnfinished ? { ignoreUnfinished: true } : {}),
          });
        } catch (error) {
          // Another run holds this bucket, an earlier apply never finished, or its
          // journal cannot be begun (a full disk): nothing written in this section.
          const refused =
            error instanceof ApplyRefusedError ||
            error instanceof LockError ||
            error instanceof JournalWriteError;
          if (!refused) throw error;
          print(`${wrapWords(`not applied: ${escapeControl(error.message)}`, '  ').join('\n')}\n`);
          results.push({ label, changes, status: 'refused', detail: error.message });
          if (options.onError !== 'continue') halted = true;
          continue;
        }
        print('');
        print(formatLines(outcomeLines(outcome), colour));
        print('');
        const result = resultOf(label, changes, outcome);
        results.push(result);
        if (outcome.cancelled || (isFailure(result) && options.onError !== 'continue')) {
          halted = true;
        }
      }
    } finally {
      interrupt.dispose();
    }
    print(formatLines(fleetSummaryTable(results), colour));
    const code = fleetExitCode(results);
    report(results, code);
    return code;
  } finally {
    if (!entered) session.close();
  }
}
