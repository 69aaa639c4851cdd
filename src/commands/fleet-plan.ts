/**
 * `s3-harden plan --all | --match GLOB | --bucket a,b,c`: a dry run over many
 * buckets of one account, as one fleet plan (../plan/fleet/fleet.ts).
 *
 * Buckets are read `concurrency` at a time, each in its own region, through
 * one memoised view of the session (./fleet-read.ts), so what the account
 * has in a region (Macie, Access Analyzer, its KMS keys) is read once per
 * region, account Block Public Access once per run, and each bucket's reads
 * once, in parallel. Buckets that cannot be planned (denied, gone) are
 * listed as skipped with the reason; the rest are planned.
 *
 * Exit codes as a single plan: 2 when any section has changes, 0 none, 1 when
 * any section has a policy error or a lockout (same flags), or when buckets
 * were selected and none could be planned. `--all` on an account with no
 * bucket is 0: nothing to do.
 */

import { mapLimit } from '../aws/families/map-limit.js';
import { type AwsSession, connect } from '../aws/index.js';
import { savedFleetText } from '../plan/files/fleet-file.js';
import { accountSections, composeFleet, type FleetPlan } from '../plan/fleet/fleet.js';
import {
  accountHeading,
  accountPlanLines,
  bucketPlanLines,
  fleetSummaryLines,
  plural,
  sectionHeading,
} from '../plan/fleet/render.js';
import { planDigest, shortDigest } from '../plan/model/digest.js';
import type { Plan } from '../plan/model/types.js';
import { type LockoutFinding, lockoutRefusal, planLockout } from '../plan/policy/lockout.js';
import { blocksApply, errorsLine, type PolicyValidation } from '../plan/policy/validation.js';
import { fleetCliScriptFile } from '../plan/render/cli-script-file.js';
import { digestLine } from '../plan/render/digest-line.js';
import { renderPlan } from '../plan/render/render.js';
import { escapeControl, jsonText } from '../plan/render/sanitise.js';
import { exceptionLines } from '../steps/excepted-lines.js';
import { accountBpaWarnings, type ExceptedPlan, keptControls } from '../steps/excepted-steps.js';
import { TOOL } from '../version.js';
import { inRegions } from './bucket-regions.js';
import { CommandError, EXIT, type ExitCode } from './exit-codes.js';
import { bucketNames, readFleet } from './fleet-read.js';
import type { BucketSelection } from './fleet-select.js';
import {
  choicesOf,
  cliContextOf,
  lockoutContext,
  type PlanCommandOptions,
  planFromPosture,
  planStepIds,
  planText,
  planToJson,
  saveFile,
} from './plan.js';
import { exceptionsJson, stderrWarn } from './plan-exceptions.js';
import { colourEnabled, formatLines } from './style.js';

/** A single plan's options, less what takes one bucket, plus which buckets and how many at once. */
export interface FleetPlanCommandOptions
  extends Omit<PlanCommandOptions, 'bucket' | 'create' | 'iamPolicy'> {
  readonly selection: BucketSelection;
  /** Buckets read at once. */
  readonly concurrency: number;
  /** --regions: only buckets in these regions. */
  readonly regions?: readonly string[];
}

/** A section with what the policy checks and the lockout guard found. */
interface CheckedSection {
  readonly plan: Plan;
  readonly validation: PolicyValidation;
  readonly lockout: readonly LockoutFinding[];
}

const NONE_KEPT = { kept: [] };

/**
 * Policy checks over many sections: one by one until `probed` says a check
 * reached IAM Access Analyzer (that first call finds out, once for the
 * session, whether the endpoint has it), then `limit` at a time.
 */
export async function checkInTurn<R>(
  plans: readonly Plan[],
  limit: number,
  check: (plan: Plan) => Promise<R>,
  probed: (result: R) => boolean,
): Promise<R[]> {
  const results: R[] = [];
  while (results.length < plans.length) {
    const result = await check(plans[results.length] as Plan);
    results.push(result);
    if (probed(result)) break;
  }
  results.push(...(await mapLimit(plans.slice(results.length), limit, check)));
  return results;
}

export function fleetToJson(
  fleet: FleetPlan,
  checked: readonly CheckedSection[],
  calls: Record<string, number>,
) {
  const view = (entry: CheckedSection) => planToJson(entry.plan, entry.validation, entry.lockout);
  const accounts = accountSections(fleet).length;
  const [account, ...elsewhere] = checked.slice(0, accounts);
  const sections = checked.slice(accounts);
  return {
    accountId: fleet.accountId,
    region: fleet.region,
    preset: fleet.preset,
    /** The whole fleet's: what `apply --expect-digest` takes. */
    digest: shortDigest(planDigest(checked.map((entry) => entry.plan))),
    account: account ? view(account) : null,
    accountsElsewhere: elsewhere.map((entry) => ({
      region: entry.plan.target.region,
      ...view(entry),
    })),
    sections: sections.map((entry) => ({
      bucket: (entry as CheckedSection).plan.target.bucket,
      region: (entry as CheckedSection).plan.target.region,
      ...view(entry as CheckedSection),
    })),
    skipped: fleet.skipped,
    summary: {
      withChanges: fleet.sections.filter((p) => p.changes.length > 0).map((p) => p.target.bucket),
      compliant: fleet.sections.filter((p) => p.changes.length === 0).map((p) => p.target.bucket),
      skipped: fleet.skipped.map((entry) => entry.bucket),
    },
    /** Every API call the run made, by service:operation: what "read once" means, counted. */
    calls,
  };
}

export function fleetText(
  fleet: FleetPlan,
  checked: readonly CheckedSection[],
  session: Pick<AwsSession, 'endpoint' | 'profile'>,
  colour: boolean,
): string {
  const parts = checked.map((entry) => {
    const isAccount = accountSections(fleet).includes(entry.plan);
    const heading = isAccount ? accountHeading(entry.plan) : sectionHeading(entry.plan);
    const lines = renderPlan(entry.plan);
    const body = planText(
      entry.plan,
      entry.validation,
      entry.lockout,
      session,
      colour,
      isAccount ? accountPlanLines(entry.plan, lines) : bucketPlanLines(entry.plan, lines),
    );
    return `${formatLines(heading, colour)}\n${body}`;
  });
  parts.push(
    `${formatLines([digestLine(checked.map((entry) => entry.plan)), ...fleetSummaryLines(fleet)], colour)}\n`,
  );
  return parts.join('\n');
}

/** Exit 1 for what apply would refuse, naming the first bucket and how many more. */
export function refusal(
  checked: readonly CheckedSection[],
  allowLockout: boolean,
): CommandError | null {
  const named = (entries: readonly CheckedSection[]) => {
    const first = entries[0]?.plan.target.bucket;
    return entries.length > 1 ? `${first} and ${entries.length - 1} more` : `${first}`;
  };
  const errors = checked.filter((entry) => blocksApply(entry.validation));
  if (errors.length > 0) {
    return new CommandError(
      `${named(errors)}: ${errorsLine((errors[0] as CheckedSection).validation)}; apply would refuse this fleet plan.`,
    );
  }
  const locked = checked.filter((entry) => entry.lockout.length > 0);
  if (locked.length > 0 && !allowLockout) {
    return new CommandError(
      `${named(locked)}: ${lockoutRefusal((locked[0] as CheckedSection).lockout)}; add --allow-lockout to plan it anyway.`,
    );
  }
  return null;
}

/** One account's fleet plan, with what the policy checks and the lockout guard found. */
export interface PlannedFleet {
  readonly fleet: FleetPlan;
  readonly checked: readonly CheckedSection[];
  /** The buckets selected (within --regions). */
  readonly names: readonly string[];
  readonly excepted: ReadonlyMap<string, ExceptedPlan>;
  readonly warnings: ReturnType<typeof accountBpaWarnings>;
  readonly exceptionNotes: ReturnType<typeof exceptionLines>;
}

/** Reads, plans and checks the selected buckets of the account `base` is in. */
export async function planFleetIn(
  base: AwsSession,
  options: FleetPlanCommandOptions,
  progressStream: { isTTY?: boolean; write(text: string): unknown },
  /** One account of many (plan --accounts): a glob matching none of its buckets is no error. */
  oneOfMany = false,
): Promise<PlannedFleet> {
  const stepIds = planStepIds(options);
  // One memoised view for the run: the account's settings are read once, not per bucket.
  const session = base.memoised();
  const listed = await bucketNames(session, options.selection, oneOfMany);
  const names = await inRegions(session, listed.names, listed.regions, options.regions);
  const readings = await readFleet(
    session,
    names,
    listed.regions,
    options,
    stepIds,
    progressStream,
    {
      exceptions: options.exceptions ?? [],
      now: options.now ?? new Date(),
      warn: stderrWarn,
      ...(options.cisVersion ? { cisVersion: options.cisVersion } : {}),
    },
  );
  const excepted = new Map(
    readings.flatMap((reading) =>
      'posture' in reading ? [[reading.posture.bucket, reading.excepted] as const] : [],
    ),
  );
  const now = new Date();
  const fleet = composeFleet(
    {
      accountId: session.identity.accountId,
      region: session.region,
      preset: options.preset,
      postures: readings.flatMap((reading) => ('posture' in reading ? [reading.posture] : [])),
      skipped: readings.flatMap((reading) => ('skipped' in reading ? [reading.skipped] : [])),
      now,
    },
    (posture) =>
      planFromPosture(
        posture,
        options.preset,
        excepted.get(posture.bucket)?.stepIds ?? stepIds,
        now,
        undefined,
        // What the bucket's exceptions keep as it is, within the steps still planned.
        { ...choicesOf(options), keep: keptControls(excepted.get(posture.bucket) ?? NONE_KEPT) },
      ),
  );
  const plans = [...accountSections(fleet), ...fleet.sections];
  const warnings = accountBpaWarnings(
    plans.flatMap((plan) => plan.changes),
    [...excepted].map(([bucket, entry]) => ({ bucket, excepted: entry.excepted })),
  );
  const noted = [...excepted].flatMap(([bucket, entry]) => exceptionLines(entry, [], bucket));
  const exceptionNotes = [...noted, ...exceptionLines({ leftAsIs: [], expired: [] }, warnings)];
  const context = lockoutContext(session, session.identity.arn, options);
  const check = async (plan: Plan): Promise<CheckedSection> => ({
    plan,
    validation: await session.validatePolicies(plan),
    lockout: planLockout(plan, context),
  });
  const checked = await checkInTurn(
    plans,
    options.concurrency,
    check,
    (entry) => entry.validation.policies.length > 0,
  );
  return { fleet, checked, names, excepted, warnings, exceptionNotes };
}

export async function runFleetPlan(
  options: FleetPlanCommandOptions,
  stdout: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stdout,
  progressStream: { isTTY?: boolean; write(text: string): unknown } = process.stderr,
): Promise<ExitCode> {
  const base = await connect(options.connection);
  try {
    const { fleet, checked, names, excepted, warnings, exceptionNotes } = await planFleetIn(
      base,
      options,
      progressStream,
    );
    const session = base;
    const plans = checked.map((entry) => entry.plan);
    const saveError = options.out
      ? saveFile(options.out, () => savedFleetText(fleet, TOOL), options.force)
      : null;
    const out = escapeControl(options.out ?? '');
    const problem = refusal(checked, Boolean(options.allowLockout));
    if (options.cliScript) {
      stdout.write(fleetCliScriptFile(fleet, cliContextOf(session)));
      if (options.out && !saveError) progressStream.write(`Saved the fleet plan to ${out}.\n`);
    } else if (options.json) {
      const json = fleetToJson(fleet, checked, base.callCounts());
      const exceptions = [...excepted]
        .filter(([, entry]) => entry.leftAsIs.length > 0 || entry.expired.length > 0)
        .map(([bucket, entry]) => ({ bucket, ...exceptionsJson(entry, []) }));
      stdout.write(
        `${jsonText(exceptionNotes.length > 0 ? { ...json, exceptions, exceptionWarnings: warnings } : json)}\n`,
      );
    } else if (names.length === 0) {
      stdout.write(
        `No buckets in account ${fleet.accountId} to plan: nothing to do.${options.out && !saveError ? ` Saved an empty fleet plan to ${out}.` : ''}\n`,
      );
    } else {
      stdout.write(fleetText(fleet, checked, session, colourEnabled(stdout)));
      if (exceptionNotes.length > 0) {
        stdout.write(`\n${formatLines(exceptionNotes, colourEnabled(stdout))}\n`);
      }
      if (options.out && !saveError) {
        stdout.write(
          checked.some((entry) => blocksApply(entry.validation))
            ? `\nSaved the fleet plan to ${out}; apply refuses it while its policies have errors.\n`
            : `\nSaved the fleet plan to ${out}. Apply it with: s3-harden apply ${out}\n`,
        );
      }
    }
    if (saveError) throw saveError;
    if (problem) throw problem;
    if (fleet.sections.length === 0 && names.length > 0) {
      throw new CommandError(
        `none of the ${plural(fleet.skipped.length, 'bucket')} selected could be planned (each is listed as skipped, with the reason)`,
      );
    }
    return plans.some((plan) => plan.changes.length > 0) ? EXIT.changes : EXIT.ok;
  } finally {
    base.close();
  }
}
