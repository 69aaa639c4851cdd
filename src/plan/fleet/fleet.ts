/**
 * Fleet plans: one reviewed plan for many buckets of one account, each
 * bucket's section planned (and applied) in the bucket's own region.
 *
 * Each bucket gets its own section — a plan exactly like a single plan file's
 * — and is applied, journaled and rolled back on its own. Settings that belong
 * to the account (account Block Public Access, enabling Macie, the account's
 * Access Analyzer analyzer) are planned once, in a separate account section
 * applied before the buckets: rolling a bucket back then never undoes
 * something every other bucket relies on (pausing Macie cancels every job in
 * the region), and the account section has its own journal.
 *
 * A bucket whose plan a plan file could not hold (apply would refuse the
 * file) is skipped, so the file stays loadable for the others.
 *
 * Sections are planned in order, each on top of what the sections before it
 * will have done: the account's settings as the account section leaves them,
 * and a bucket another section writes (a log bucket receiving several
 * buckets' logs) as that section leaves it. Applied in the same order, each
 * section's drift check then finds what it planned against.
 *
 * Pure: the caller observes the buckets and passes in how one bucket is planned.
 */

import {
  escapeControl,
  PlanFileError,
  planFileObject,
  unloadable,
  validatePlanObject,
} from '../files/plan-file.js';
import { composePlan } from '../model/compose.js';
import type {
  BuildProvenance,
  Change,
  Plan,
  Posture,
  Preset,
  PublicAccessBlock,
  ResourceKey,
} from '../model/types.js';
import { mayGrantPublicAccess, type PolicyDocument, statementsOf } from '../policy/document.js';
import { RESOURCES, resourceLabel } from '../resources/index.js';

/** A bucket that could not be planned, and why (one line). */
export interface SkippedBucket {
  readonly bucket: string;
  readonly reason: string;
}

export interface FleetPlan {
  readonly accountId: string;
  /** The session's region when planned (where apply connects); each section names its own. */
  readonly region: string;
  readonly preset: Preset;
  readonly createdAt: string;
  /**
   * The account-wide changes, applied before any bucket; null when none is
   * needed. Its target names the bucket whose plan proposed them (journals
   * are named after a bucket), but it writes nothing of that bucket.
   */
  readonly account: Plan | null;
  /**
   * One more account section per other region whose account settings
   * (Macie, the analyzer, a trail there) change, each in its region, applied
   * after `account` and before any bucket; account Block Public Access is in
   * at most one of them all.
   */
  readonly accountsElsewhere: readonly Plan[];
  /** One plan per bucket, in the order they are applied (compliant ones included). */
  readonly sections: readonly Plan[];
  readonly skipped: readonly SkippedBucket[];
}

/** The most buckets one fleet plan holds (sections and skipped together). */
export const MAX_FLEET_BUCKETS = 1000;

/** Settings of the account itself, which one bucket's rollback must not undo. */
export function isAccountWide(resource: ResourceKey): boolean {
  return resource.startsWith('account.') && RESOURCES[resource].scope === 'account';
}

/**
 * The one account-wide setting that is the same whatever the region: every
 * other account-wide resource (Macie, the analyzer, trails, KMS keys, VPC
 * endpoints) is the account's in one region.
 */
const GLOBAL_ACCOUNT: ReadonlySet<ResourceKey> = new Set(['account.publicAccessBlock']);

/** A log target's resource is its bucket's own resource, seen from another plan. */
const LOG_TARGET_TWIN: Partial<Record<ResourceKey, ResourceKey>> = {
  'logTarget.exists': 'bucket.exists',
  'logTarget.policy': 'bucket.policy',
  'logTarget.encryption': 'bucket.encryption',
  'logTarget.objectLock': 'bucket.objectLock',
  'logTarget.publicAccessBlock': 'bucket.publicAccessBlock',
  'logTarget.ownershipControls': 'bucket.ownershipControls',
  'logTarget.acl': 'bucket.acl',
  'logTarget.versioning': 'bucket.versioning',
  'logTarget.lifecycle': 'bucket.lifecycle',
};

/**
 * What a bucket S3 has just created reads as, for what no section writes:
 * a later section that shares a log bucket an earlier one creates sees it
 * as it will be, not as the absent bucket it observed (which apply would
 * then find changed, and skip the section as stale).
 */
const FRESH_BUCKET: Partial<Record<ResourceKey, unknown>> = {
  'bucket.acl': [],
  'logTarget.requestPayment': 'BucketOwner',
};

/** The planned values a bucket the change creates starts with; nothing when it creates none. */
function createdBucketValues(change: Change, key: string): [string, unknown][] {
  if (!key.endsWith('|bucket.exists') || change.before !== null || change.after === null) return [];
  const bucket = key.slice(0, -'|bucket.exists'.length);
  return Object.entries(FRESH_BUCKET).map(([resource, value]) => [`${bucket}|${resource}`, value]);
}

/**
 * What a plan's resource key is in the world: the same key for every plan
 * that reads or writes it (a log target's policy is its bucket's policy).
 */
export function physicalKey(
  resource: ResourceKey,
  where: { readonly bucket: string; readonly region: string; readonly logBucket?: string },
): string | null {
  if (GLOBAL_ACCOUNT.has(resource)) return `account|${resource}`;
  // A shared resource (a trail's selectors) is one for every bucket of a region, though each section writes it.
  if (isAccountWide(resource) || RESOURCES[resource].shared) {
    return `account:${where.region}|${resource}`;
  }
  if (RESOURCES[resource].scope === 'logTarget') {
    return where.logBucket
      ? `bucket:${where.logBucket}|${LOG_TARGET_TWIN[resource] ?? resource}`
      : null;
  }
  return `bucket:${where.bucket}|${resource}`;
}

/** The posture as it will be once the planned writes of earlier sections are made. */
export function overlayPlanned(posture: Posture, planned: ReadonlyMap<string, unknown>): Posture {
  let values: Record<string, unknown> | undefined;
  for (const resource of Object.keys(posture.values) as ResourceKey[]) {
    const key = physicalKey(resource, posture);
    if (key !== null && planned.has(key)) {
      values ??= { ...posture.values };
      values[resource] = planned.get(key);
    }
  }
  return values ? { ...posture, values } : posture;
}

/** KMS aliases are named per region. */
function aliasKey(region: string, name: string): string {
  return `${region}|${name}`;
}

/** Errors that explain themselves in one line (AwsError, AnswerError…); a bare Error is a bug. */
function isOneLineError(error: unknown): error is Error {
  return error instanceof Error && error.name !== 'Error';
}

export class FleetConflictError extends Error {
  override name = 'FleetConflictError';
}

/** The account section turns BlockPublicPolicy on, so S3 refuses any public bucket policy after it. */
function blocksPublicPolicies(accountChanges: readonly Change[]): boolean {
  const change = accountChanges.find((entry) => entry.resource === 'account.publicAccessBlock');
  if (!change) return false;
  const before = change.before as PublicAccessBlock | null;
  const after = change.after as PublicAccessBlock | null;
  return Boolean(after?.BlockPublicPolicy) && !before?.BlockPublicPolicy;
}

/** Every account section of a fleet, in the order they are applied. */
export function accountSections(fleet: Pick<FleetPlan, 'account' | 'accountsElsewhere'>): Plan[] {
  return fleet.account ? [fleet.account, ...fleet.accountsElsewhere] : [];
}

function checkSection(
  plan: Plan,
  accountChanges: readonly Change[],
  aliases: ReadonlyMap<string, string>,
): void {
  for (const change of plan.changes) {
    if (isAccountWide(change.resource)) {
      throw new FleetConflictError(
        `its plan changes ${resourceLabel(change.resource)} differently from the account section; plan it alone with --bucket`,
      );
    }
    const isPolicy = change.resource === 'bucket.policy' || change.resource === 'logTarget.policy';
    if (
      isPolicy &&
      blocksPublicPolicies(accountChanges) &&
      statementsOf(change.after as PolicyDocument | null).some(mayGrantPublicAccess)
    ) {
      throw new FleetConflictError(
        `${change.title} keeps a statement that may grant public access, which S3 refuses once the account section turns BlockPublicPolicy on; plan it alone with --bucket`,
      );
    }
    const alias = change.resource === 'kms.alias' ? (change.after as { AliasName?: string }) : null;
    const owner = alias?.AliasName
      ? aliases.get(aliasKey(plan.target.region, alias.AliasName))
      : undefined;
    if (owner) {
      throw new FleetConflictError(
        `its new KMS key alias ${alias?.AliasName} is also planned for bucket ${owner}`,
      );
    }
  }
}

/**
 * A section the fleet plan file could not hold: apply checks every section
 * of a file before it starts, so one such section would spoil the file for
 * every bucket. Throws (and the bucket is skipped) with the loader's reason.
 */
function checkLoadable(plan: Plan): void {
  try {
    validatePlanObject(JSON.parse(JSON.stringify(planFileObject(plan, 'check'))));
  } catch (error) {
    if (error instanceof PlanFileError) throw new PlanFileError(unloadable(error));
    throw error;
  }
}

export interface FleetInput {
  readonly accountId: string;
  readonly region: string;
  readonly preset: Preset;
  /** The buckets that were read, in the order their sections are applied. */
  readonly postures: readonly Posture[];
  /** Buckets that could not even be read. */
  readonly skipped: readonly SkippedBucket[];
  readonly now: Date;
}

/** One region's account section as it is being composed. */
interface AccountGroup {
  /** The bucket whose plan first proposed one of its changes (journals are named after a bucket). */
  readonly anchor: Posture;
  readonly changes: Change[];
  /** The plans that gave it its changes: how apply derives it again. */
  readonly from: BuildProvenance[];
}

/**
 * Plans every bucket in order (see the module comment). `planBucket` plans
 * one bucket from its posture as a single plan would; a one-line error from
 * it (an answer the posture rules out) skips that bucket.
 *
 * Account-wide changes are grouped by region: one account section per
 * region whose account settings change (Macie, the analyzer, a trail there),
 * applied in that region; account Block Public Access, the same in every
 * region, goes to the section of the first bucket that needs it, once.
 */
export function composeFleet(input: FleetInput, planBucket: (posture: Posture) => Plan): FleetPlan {
  // The value each written resource will have once the sections so far are applied.
  const planned = new Map<string, unknown>();
  const groups = new Map<string, AccountGroup>();
  // The physical keys of the account-wide changes some account section holds.
  const taken = new Set<string>();
  const allAccountChanges = () => [...groups.values()].flatMap((group) => group.changes);
  const aliases = new Map<string, string>();
  const sections: Plan[] = [];
  const skipped: SkippedBucket[] = [...input.skipped];

  for (const posture of input.postures) {
    try {
      let plan = planBucket(overlayPlanned(posture, planned));
      const fresh = plan.changes.filter(
        (change) =>
          isAccountWide(change.resource) &&
          !taken.has(physicalKey(change.resource, posture) as string),
      );
      if (fresh.length > 0) {
        // The first bucket of its region needing an account-wide change gives
        // it to that region's account section; this bucket is planned again on top of it.
        checkLoadable(plan);
        const group = groups.get(posture.region) ?? { anchor: posture, changes: [], from: [] };
        groups.set(posture.region, group);
        if (plan.provenance && 'posture' in plan.provenance) group.from.push(plan.provenance);
        for (const change of fresh) {
          const key = physicalKey(change.resource, posture) as string;
          group.changes.push(change);
          taken.add(key);
          planned.set(key, change.after);
        }
        plan = planBucket(overlayPlanned(posture, planned));
      }
      checkSection(plan, allAccountChanges(), aliases);
      checkLoadable(plan);
      for (const change of plan.changes) {
        const key = physicalKey(change.resource, plan.target);
        if (key === null) continue;
        planned.set(key, change.after);
        for (const [fresh, value] of createdBucketValues(change, key)) {
          if (!planned.has(fresh)) planned.set(fresh, value);
        }
        if (change.resource === 'kms.alias') {
          const name = (change.after as { AliasName?: string } | null)?.AliasName;
          if (name) aliases.set(aliasKey(posture.region, name), posture.bucket);
        }
      }
      sections.push(plan);
    } catch (error) {
      if (!isOneLineError(error)) throw error;
      skipped.push({ bucket: posture.bucket, reason: oneLine(error.message) });
    }
  }

  const accounts = [...groups.values()].map((group) =>
    accountSection(
      { accountId: input.accountId, region: group.anchor.region, bucket: group.anchor.bucket },
      input,
      group.changes,
      group.from,
    ),
  );
  return {
    accountId: input.accountId,
    region: input.region,
    preset: input.preset,
    createdAt: input.now.toISOString(),
    account: accounts[0] ?? null,
    accountsElsewhere: accounts.slice(1),
    sections,
    skipped,
  };
}

/**
 * The account section: the account-wide changes, targeted at the bucket
 * whose plan first proposed one (journals are named after a bucket). Also
 * how apply derives a saved account section again (`id` then the file's).
 */
export function accountSection(
  target: Plan['target'],
  input: Pick<FleetInput, 'preset' | 'now'>,
  changes: readonly Change[],
  accountFrom: readonly BuildProvenance[],
  id?: string,
): Plan {
  const values: Record<string, unknown> = {};
  for (const change of changes) values[change.resource] = change.before;
  // composePlan drops dependencies on the bucket changes left in their sections.
  return composePlan({
    ...(id ? { id } : {}),
    target,
    preset: input.preset,
    values,
    changes,
    skipped: [],
    now: input.now,
    ...(accountFrom.length > 0 ? { provenance: { accountFrom } } : {}),
  });
}

/** What a plan file may hold as a reason: one line, no control characters, bounded. */
export function oneLine(text: string): string {
  const line = escapeControl(text.replace(/\s*\n\s*/g, ' '));
  return line.length > 2000 ? `${line.slice(0, 1997)}...` : line;
}
