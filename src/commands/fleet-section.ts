/**
 * Each section of a fleet plan as `apply fleet.json` meets it: which
 * sections there are, and whether one may go ahead right before it is
 * applied — ready, already applied by an earlier run, or stale (and why).
 */
import type { AwsSession } from '../aws/index.js';
import { currentState, type PlanState } from '../flow/gate.js';
import { type Drift, namesList } from '../plan/apply/drift.js';
import { accountSections, type FleetPlan, physicalKey } from '../plan/fleet/fleet.js';
import type { Change, Plan, Posture } from '../plan/model/types.js';
import { resourceLabel, satisfies } from '../plan/resources/index.js';

export interface Section {
  readonly plan: Plan;
  readonly isAccount: boolean;
  /** "bucket logs-a", or "account 123456789012". */
  readonly label: string;
}

export function sectionsOf(fleet: FleetPlan): Section[] {
  const accounts = accountSections(fleet);
  return [
    // Several regions' account sections: each label names its region.
    ...accounts.map((plan) => ({
      plan,
      isAccount: true,
      label:
        accounts.length > 1
          ? `account ${fleet.accountId} (${plan.target.region})`
          : `account ${fleet.accountId}`,
    })),
    ...fleet.sections.map((plan) => ({ plan, isAccount: false, label: plan.target.bucket })),
  ];
}

/**
 * Why a bucket section may not go ahead because of the account: it was
 * planned on top of the account section's settings, which must read so now.
 * Each entry's `planned` is the value the account section sets.
 */
function accountDrift(fleet: FleetPlan, live: Posture): Drift[] {
  return accountChangesFor(fleet, live).flatMap((change): Drift[] => {
    const reason = live.unreadable[change.resource];
    const { resource, after: planned } = change;
    if (reason) return [{ resource, planned, live: undefined, reason }];
    const now = live.values[resource];
    return satisfies(resource, planned, now) ? [] : [{ resource, planned, live: now }];
  });
}

/**
 * The account section's changes a bucket section was planned on top of: the
 * account's own in the bucket's region (account Block Public Access in any).
 */
function accountChangesFor(fleet: FleetPlan, where: Plan['target']): Change[] {
  return accountSections(fleet).flatMap((account) =>
    account.changes.filter(
      (change) =>
        physicalKey(change.resource, account.target) === physicalKey(change.resource, where),
    ),
  );
}

/**
 * For each change of a section, the values later sections write to the same
 * resource (a log bucket's policy, extended by the log bucket's own section):
 * after a run that applied them all, the resource reads as the last of them.
 */
export function laterWrites(
  sections: readonly Section[],
): (section: Section, change: Change) => unknown[] {
  const writes = new Map<string, { readonly at: number; readonly after: unknown }[]>();
  for (const [at, section] of sections.entries()) {
    for (const change of section.plan.changes) {
      const key = physicalKey(change.resource, section.plan.target);
      if (key === null) continue;
      const list = writes.get(key) ?? [];
      list.push({ at, after: change.after });
      writes.set(key, list);
    }
  }
  return (section, change) => {
    const at = sections.indexOf(section);
    const key = physicalKey(change.resource, section.plan.target);
    return (key === null ? [] : (writes.get(key) ?? []))
      .filter((write) => write.at > at)
      .map((write) => write.after);
  };
}

/** Reads the section now: ready, already applied, or stale (and why). */
export async function checkDrift(
  session: AwsSession,
  fleet: FleetPlan,
  section: Section,
  later: ReturnType<typeof laterWrites>,
): Promise<PlanState> {
  const accountKeys = section.isAccount
    ? []
    : accountChangesFor(fleet, section.plan.target).map((change) => change.resource);
  let live: Posture;
  let state: PlanState;
  try {
    ({ live, state } = await currentState(session, section.plan, {
      extra: accountKeys,
      alsoApplied: (change) => later(section, change),
    }));
  } catch (error) {
    // A bucket that vanished or cannot be read is not applied; the others may be.
    if (error instanceof Error && error.name !== 'Error') {
      return { state: 'stale', reason: `cannot read it: ${error.message}`, drift: [] };
    }
    throw error;
  }
  if (state.state === 'applied' || section.isAccount) return state;
  // The section was planned on top of the account section: when what moved
  // is only the account's settings, that is the reason to give.
  const onlyAccount =
    state.state === 'ready' || state.drift.every((entry) => accountKeys.includes(entry.resource));
  const account = accountDrift(fleet, live);
  if (account.length === 0 || !onlyAccount) return state;
  const labels = namesList(account.map((entry) => resourceLabel(entry.resource)));
  return {
    state: 'stale',
    reason: `${labels} ${account.length > 1 ? 'are' : 'is'} not as the account section sets ${account.length > 1 ? 'them' : 'it'}`,
    drift: account,
  };
}
