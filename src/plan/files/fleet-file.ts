/**
 * The saved fleet plan file: versioned JSON with its own format tag, holding
 * the account section and one section per bucket, each exactly a single plan
 * file's content. Validated whole before anything else happens: every
 * section passes every check a single plan file does, and the fleet's own
 * checks (one account, each bucket once, account-wide changes only in the
 * account section) hold. Since version 3 each section names its own region
 * (its plan's target) and the file's `region` is where apply connects;
 * version 2 files (one region for all) still load.
 */
import * as z from 'zod';
import {
  type FleetPlan,
  isAccountWide,
  MAX_FLEET_BUCKETS,
  physicalKey,
  type SkippedBucket,
} from '../fleet/fleet.js';
import { accountIdSchema, regionSchema, validBucketName } from '../model/call-guard.js';
import { type Plan, PRESETS } from '../model/types.js';
import { resourceLabel } from '../resources/index.js';
import {
  displayText,
  MAX_PLAN_BYTES,
  MAX_PLAN_DEPTH,
  measureFile,
  PlanFileError,
  parseBoundedJson,
  parsePlan,
  planFileObject,
  schemaCheck,
  unloadable,
  validatePlanObject,
} from './plan-file.js';

export const FLEET_FORMAT = 's3-harden-fleet-plan';
/**
 * 2: every section records its provenance (plan file version 2).
 * 3: sections may be in other regions than the file's (each its target's).
 */
export const FLEET_VERSION = 3;
/** Versions this s3-harden reads: a version 2 file has every section in the file's region. */
const READABLE_VERSIONS: readonly unknown[] = [2, FLEET_VERSION];
/** A section is a few kilobytes; the limit grows with the sections a fleet may hold. */
export const MAX_FLEET_BYTES = MAX_PLAN_BYTES + MAX_FLEET_BUCKETS * 64 * 1024;
/** A section sits two levels down: the file, then its list of sections. */
export const MAX_FLEET_DEPTH = MAX_PLAN_DEPTH + 2;

const fleetFileSchema = z.strictObject({
  format: z.literal(FLEET_FORMAT),
  version: z.union([z.literal(2), z.literal(FLEET_VERSION)]),
  createdAt: z.iso.datetime(),
  createdBy: displayText(200),
  accountId: accountIdSchema,
  region: regionSchema,
  preset: z.enum(PRESETS),
  // Each section is checked as a plan file below, with its position in the message.
  account: z.unknown(),
  // Version 3: the account sections of other regions (absent in version 2: none).
  accountsElsewhere: z.array(z.unknown()).max(MAX_FLEET_BUCKETS).optional(),
  sections: z.array(z.unknown()).max(MAX_FLEET_BUCKETS),
  skipped: z
    .array(z.strictObject({ bucket: validBucketName, reason: displayText(2000) }))
    .max(MAX_FLEET_BUCKETS),
});

export function serializeFleet(fleet: FleetPlan, createdBy: string): string {
  const file = {
    format: FLEET_FORMAT,
    version: FLEET_VERSION,
    createdAt: fleet.createdAt,
    createdBy,
    accountId: fleet.accountId,
    region: fleet.region,
    preset: fleet.preset,
    account: fleet.account ? planFileObject(fleet.account, createdBy) : null,
    accountsElsewhere: fleet.accountsElsewhere.map((plan) => planFileObject(plan, createdBy)),
    sections: fleet.sections.map((section) => planFileObject(section, createdBy)),
    skipped: fleet.skipped.map((entry) => ({ bucket: entry.bucket, reason: entry.reason })),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** The fleet plan file's text as it is saved: throws PlanFileError when apply would refuse it. */
export function savedFleetText(fleet: FleetPlan, createdBy: string): string {
  const text = serializeFleet(fleet, createdBy);
  try {
    if (parseAnyPlan(text).kind !== 'fleet') throw new PlanFileError('not a fleet plan file');
  } catch (error) {
    if (error instanceof PlanFileError) throw new PlanFileError(unloadable(error));
    throw error;
  }
  return text;
}

/** One section through every single-plan check; the message says which section. */
function section(data: unknown, where: string): Plan {
  try {
    return validatePlanObject(data);
  } catch (error) {
    if (error instanceof PlanFileError) throw new PlanFileError(`${where}: ${error.message}`);
    throw error;
  }
}

/** Validates a fleet plan file's parsed JSON; throws PlanFileError with one line. */
export function validateFleetObject(data: unknown): FleetPlan {
  const header = data as { version?: unknown };
  if (header.version === undefined) throw new PlanFileError('the plan file has no version field');
  if (!READABLE_VERSIONS.includes(header.version)) {
    throw new PlanFileError(
      `fleet plan file version ${JSON.stringify(header.version)} is not supported (this s3-harden reads versions 2 and ${FLEET_VERSION})`,
    );
  }
  const file = schemaCheck(fleetFileSchema, data);
  if (file.sections.length + file.skipped.length > MAX_FLEET_BUCKETS) {
    throw new PlanFileError(`a fleet plan holds at most ${MAX_FLEET_BUCKETS} buckets`);
  }
  const sameFleet = (plan: Plan, where: string) => {
    if (plan.target.accountId !== file.accountId) {
      throw new PlanFileError(
        `${where} is for account ${plan.target.accountId}, but the fleet plan is for ${file.accountId}`,
      );
    }
    if (file.version === 2 && plan.target.region !== file.region) {
      throw new PlanFileError(
        `${where} is for region ${plan.target.region}, but the fleet plan is for ${file.region}`,
      );
    }
    if (plan.preset !== file.preset) {
      throw new PlanFileError(
        `${where} uses preset ${plan.preset}, but the fleet plan uses ${file.preset}`,
      );
    }
  };

  const seen = new Set<string>();
  const sections = file.sections.map((data, index) => {
    const where = `sections[${index}]`;
    const plan = section(data, where);
    sameFleet(plan, where);
    if (seen.has(plan.target.bucket)) {
      throw new PlanFileError(`${where}: bucket ${plan.target.bucket} has two sections`);
    }
    seen.add(plan.target.bucket);
    const shared = plan.changes.find((change) => isAccountWide(change.resource));
    if (shared) {
      throw new PlanFileError(
        `${where}: ${resourceLabel(shared.resource)} is account-wide; only the account section may change it`,
      );
    }
    return plan;
  });
  for (const [index, entry] of file.skipped.entries()) {
    if (seen.has(entry.bucket)) {
      throw new PlanFileError(`skipped[${index}]: bucket ${entry.bucket} is listed twice`);
    }
    seen.add(entry.bucket);
  }

  if (file.version === 2 && file.accountsElsewhere !== undefined) {
    throw new PlanFileError('accountsElsewhere: a version 2 fleet plan has one account section');
  }
  if (file.version === FLEET_VERSION && file.accountsElsewhere === undefined) {
    throw new PlanFileError('accountsElsewhere: required (a list, empty when none)');
  }
  if (file.account === null && (file.accountsElsewhere ?? []).length > 0) {
    throw new PlanFileError('accountsElsewhere: there is no account section before them');
  }
  const accountSection = (data: unknown, where: string): Plan => {
    const plan = section(data, where);
    sameFleet(plan, where);
    const local = plan.changes.find((change) => !isAccountWide(change.resource));
    if (local) {
      throw new PlanFileError(
        `${where}: ${resourceLabel(local.resource)} is not account-wide; it belongs in its bucket's section`,
      );
    }
    if (plan.changes.length === 0) throw new PlanFileError(`${where}: the section has no change`);
    if (!seen.has(plan.target.bucket)) {
      throw new PlanFileError(
        `${where}: names bucket ${plan.target.bucket}, which is not one of the fleet's buckets`,
      );
    }
    return plan;
  };
  const account = file.account === null ? null : accountSection(file.account, 'account');
  const accountsElsewhere = (file.accountsElsewhere ?? []).map((data, index) =>
    accountSection(data, `accountsElsewhere[${index}]`),
  );
  // One account section per region, and each account-wide setting in one of them.
  const regions = new Set<string>();
  const settings = new Set<string>();
  for (const [index, plan] of [account, ...accountsElsewhere].entries()) {
    if (!plan) continue;
    const where = index === 0 ? 'account' : `accountsElsewhere[${index - 1}]`;
    if (regions.has(plan.target.region)) {
      throw new PlanFileError(`${where}: a second account section for ${plan.target.region}`);
    }
    regions.add(plan.target.region);
    for (const change of plan.changes) {
      const key = physicalKey(change.resource, plan.target) as string;
      if (settings.has(key)) {
        throw new PlanFileError(
          `${where}: ${resourceLabel(change.resource)} is changed by two account sections`,
        );
      }
      settings.add(key);
    }
  }
  return {
    accountId: file.accountId,
    region: file.region,
    preset: file.preset,
    createdAt: file.createdAt,
    account,
    accountsElsewhere,
    sections,
    skipped: file.skipped as SkippedBucket[],
  };
}

export type AnyPlan =
  | { readonly kind: 'plan'; readonly plan: Plan }
  | { readonly kind: 'fleet'; readonly fleet: FleetPlan };

/** Fleet files start with their format (serializeFleet writes it first). */
const FLEET_TAG = new RegExp(`^\\s*\\{\\s*"format"\\s*:\\s*"${FLEET_FORMAT}"`);

/**
 * Parses a single plan file or a fleet plan file, whichever `text` is;
 * throws PlanFileError with one line. A single plan file gets exactly the
 * checks (and messages) of parsePlan; only a file tagged as a fleet plan may
 * be larger or nest deeper than a single plan.
 */
export function parseAnyPlan(text: string): AnyPlan {
  const measured = measureFile(text);
  const tagged = FLEET_TAG.test(text.slice(0, 200));
  if (!tagged && (measured.bytes > MAX_PLAN_BYTES || measured.depth > MAX_PLAN_DEPTH)) {
    return { kind: 'plan', plan: parsePlan(text) };
  }
  const data = parseBoundedJson(
    text,
    { bytes: MAX_FLEET_BYTES, depth: MAX_FLEET_DEPTH, what: 'a fleet plan file' },
    measured,
  );
  const format =
    typeof data === 'object' && data !== null && !Array.isArray(data)
      ? (data as { format?: unknown }).format
      : undefined;
  if (format === FLEET_FORMAT) return { kind: 'fleet', fleet: validateFleetObject(data) };
  // Tagged as a fleet yet not one (a second "format" key): a single plan's limits, all of them.
  return { kind: 'plan', plan: tagged ? parsePlan(text) : validatePlanObject(data) };
}
