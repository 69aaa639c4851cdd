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
 * Then the account section, then each bucket: a drift check right before it
 * (a stale bucket is not applied; a bucket section also needs the account's
 * settings as the account section leaves them), its own journal, apply; on a
 * failure only that section is rolled back, and the run stops
 * (--on-error stop, the default) or goes on (continue). Ctrl+C finishes the
 * call in flight, rolls back the current section and stops. A table of every
 * section's result ends the run.
 */
import type { AwsSession } from '../aws/index.js';
import type { FleetPlan } from '../plan/fleet.js';
import {
  fleetExitCode,
  fleetSummaryTable,
  isFailure,
  resultOf,
  type SectionResult,
} from '../plan/fleet-outcome.js';
import { accountHeading, accountPlanLines, plural, sectionHeading } from '../plan/fleet-render.js';
import { formatValue, renderPlan } from '../plan/render.js';
import { outcomeLines } from '../plan/render-outcome.js';
import { satisfies } from '../plan/resources/index.js';
import type { Plan, Posture } from '../plan/types.js';
import { securityWarningsLine } from '../plan/validation.js';
import {
  type ApplyCommandOptions,
  confirm,
  connectFor,
  irreversibleChanges,
  observeLive,
  type PolicyGate,
  policyGate,
  refuseIrreversible,
  refuseUnfinished,
  refuseWithoutTerminal,
  staleReason,
} from './apply-checks.js';
import { applyWithJournal, interruptible } from './apply-execute.js';
import { CommandError, EXIT, type ExitCode } from './exit-codes.js';
import { checkInTurn } from './fleet-plan.js';
import { colourEnabled, formatLines } from './style.js';

/** How many sections' policies are checked with Access Analyzer at once. */
const CHECK_CONCURRENCY = 8;

interface Section {
  readonly plan: Plan;
  readonly isAccount: boolean;
  /** "bucket logs-a", or "account 123456789012". */
  readonly label: string;
}

function sectionsOf(fleet: FleetPlan): Section[] {
  return [
    ...(fleet.account
      ? [{ plan: fleet.account, isAccount: true, label: `account ${fleet.accountId}` }]
      : []),
    ...fleet.sections.map((plan) => ({ plan, isAccount: false, label: plan.target.bucket })),
  ];
}

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
  type Checks = Parameters<Parameters<typeof policyGate>[3]>[0];
  type Gated =
    | { readonly gate: PolicyGate }
    | { readonly refused: CommandError; readonly shown: Checks };
  const gate = async (plan: Plan): Promise<Gated> => {
    let shown: Checks = [];
    try {
      return { gate: await policyGate(session, plan, options, (lines) => (shown = lines)) };
    } catch (error) {
      if (error instanceof CommandError) return { refused: error, shown };
      throw error;
    }
  };
  const gated = await checkInTurn(
    sections.map((section) => section.plan),
    CHECK_CONCURRENCY,
    gate,
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
    const lines = section.isAccount ? accountPlanLines(plan, renderPlan(plan)) : renderPlan(plan);
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
      ? [`${irreversible.length} change(s) cannot be undone:`, ...irreversible.map((t) => `  ${t}`)]
      : []),
    ...warned.map(
      (section) =>
        `${section.label}: ${securityWarningsLine((gates.get(section) as PolicyGate).validation)}, listed above.`,
    ),
  ];
  const what = `${plural(total, 'change')} to ${plural(buckets, 'bucket')}${fleet.account ? ' and the account' : ''}`;
  const typed = reasons.length > 0;
  const question = [
    '',
    `Apply ${what}:`,
    ...listing,
    ...reasons,
    typed ? `Type the account ID (${fleet.accountId}) to continue: ` : 'Type "yes" to continue: ',
  ].join('\n');
  return confirm(question, typed ? fleet.accountId : 'yes');
}

/**
 * Why a bucket section may not go ahead because of the account: it was
 * planned on top of the account section's settings, which must read so now.
 */
function accountDrift(fleet: FleetPlan, live: Posture): string | null {
  const problems = (fleet.account?.changes ?? []).flatMap((change) => {
    const reason = live.unreadable[change.resource];
    if (reason) return [`${change.resource}: unknown (${reason})`];
    const now = live.values[change.resource];
    return satisfies(change.resource, change.after, now)
      ? []
      : [
          `${change.resource}: the account section sets ${formatValue(change.after)}, now ${formatValue(now)}`,
        ];
  });
  return problems.length > 0 ? problems.join('; ') : null;
}

/** Reads the section now; null when it may be applied, else why not. */
async function checkDrift(
  session: AwsSession,
  fleet: FleetPlan,
  section: Section,
): Promise<string | null> {
  const accountKeys = section.isAccount
    ? []
    : (fleet.account?.changes ?? []).map((change) => change.resource);
  let live: Posture;
  try {
    live = await observeLive(session, section.plan, accountKeys);
  } catch (error) {
    // A bucket that vanished or cannot be read is not applied; the others may be.
    if (error instanceof Error && error.name !== 'Error') return `cannot read it: ${error.message}`;
    throw error;
  }
  return staleReason(section.plan, live) ?? (section.isAccount ? null : accountDrift(fleet, live));
}

export async function runFleetApply(
  fleet: FleetPlan,
  options: ApplyCommandOptions,
  stdout: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stdout,
): Promise<ExitCode> {
  const sections = sectionsOf(fleet);
  // An earlier apply that crashed may have left a bucket half-applied: every one is checked first.
  for (const section of sections) refuseUnfinished(section.plan.target, options);
  refuseWithoutTerminal(options);
  const irreversible = sections.flatMap((section) =>
    irreversibleChanges(section.plan).map((change) => `${section.label}: ${change.title}`),
  );
  refuseIrreversible(irreversible, options);
  const colour = colourEnabled(stdout);
  const print = (text: string) => stdout.write(`${text}\n`);

  const session = await connectFor(fleet, options);
  try {
    const gates = await gateAll(session, sections, options, print, colour);
    review(sections, gates, print, colour);
    if (sections.every((section) => section.plan.changes.length === 0)) {
      print('No changes. Every bucket in the fleet plan already matched when it was made.');
      return EXIT.ok;
    }
    if (!options.yes && !(await confirmFleet(fleet, sections, gates, irreversible))) {
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
          results.push({ label, changes, status: 'unchanged' });
          continue;
        }
        if (halted || interrupt.signal.aborted) {
          results.push({ label, changes, status: 'not-run' });
          continue;
        }
        print(formatLines(section.isAccount ? accountHeading(plan) : sectionHeading(plan), colour));
        const stale = await checkDrift(session, fleet, section);
        if (stale) {
          print(`  stale, not applied: ${stale}\n`);
          results.push({ label, changes, status: 'stale', detail: `stale: ${stale}` });
          continue;
        }
        if (interrupt.signal.aborted) {
          results.push({ label, changes, status: 'not-run' });
          continue;
        }
        const outcome = await applyWithJournal(session, plan, interrupt.signal, print);
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
    return fleetExitCode(results);
  } finally {
    session.close();
  }
}
