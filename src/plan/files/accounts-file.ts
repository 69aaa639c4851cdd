/**
 * The saved multi-account fleet plan (`plan --accounts … --out`): versioned
 * JSON with its own format tag, grouping one fleet plan per account — each
 * exactly a fleet plan file's content, validated as one — with the role
 * name apply assumes in each account (never the ExternalId: when the role
 * needs one, the file says so and apply is given it again), and the
 * accounts that could not be planned, with the reason.
 */
import * as z from 'zod';
import type { FleetPlan } from '../fleet/fleet.js';
import { accountIdSchema } from '../model/call-guard.js';
import {
  type AnyPlan,
  MAX_FLEET_BYTES,
  MAX_FLEET_DEPTH,
  parseAnyPlan,
  serializeFleet,
  validateFleetObject,
} from './fleet-file.js';
import {
  displayText,
  PlanFileError,
  parseBoundedJson,
  schemaCheck,
  unloadable,
} from './plan-file.js';

export const ACCOUNTS_FORMAT = 's3-harden-accounts-plan';
export const ACCOUNTS_VERSION = 1;
/** The most accounts one file holds. */
export const MAX_PLAN_ACCOUNTS = 1000;

/** An account that could not be planned (its role not assumed, its buckets not listed). */
export interface AccountNotPlanned {
  readonly accountId: string;
  readonly reason: string;
}

export interface AccountsPlan {
  readonly createdAt: string;
  /** Whose credentials planned it: apply must run with the same account's. */
  readonly callerAccountId: string;
  /** The role assumed in every account but the caller's own. */
  readonly roleName: string;
  /** The role's trust policy needs an ExternalId: apply must be given it (it is not saved). */
  readonly externalId: boolean;
  /** One fleet plan per account, in the order they are applied. */
  readonly accounts: readonly FleetPlan[];
  readonly notPlanned: readonly AccountNotPlanned[];
}

const roleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name (no path)');

const accountsFileSchema = z.strictObject({
  format: z.literal(ACCOUNTS_FORMAT),
  version: z.literal(ACCOUNTS_VERSION),
  createdAt: z.iso.datetime(),
  createdBy: displayText(200),
  callerAccountId: accountIdSchema,
  roleName,
  externalId: z.boolean(),
  // Each is checked as a fleet plan file below, with its position in the message.
  accounts: z.array(z.unknown()).max(MAX_PLAN_ACCOUNTS),
  notPlanned: z
    .array(z.strictObject({ accountId: accountIdSchema, reason: displayText(2000) }))
    .max(MAX_PLAN_ACCOUNTS),
});

export function serializeAccountsPlan(plan: AccountsPlan, createdBy: string): string {
  const file = {
    format: ACCOUNTS_FORMAT,
    version: ACCOUNTS_VERSION,
    createdAt: plan.createdAt,
    createdBy,
    callerAccountId: plan.callerAccountId,
    roleName: plan.roleName,
    externalId: plan.externalId,
    accounts: plan.accounts.map((fleet) => JSON.parse(serializeFleet(fleet, createdBy))),
    notPlanned: plan.notPlanned.map((entry) => ({ ...entry })),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** The file's text as saved: throws PlanFileError when apply would refuse it. */
export function savedAccountsText(plan: AccountsPlan, createdBy: string): string {
  const text = serializeAccountsPlan(plan, createdBy);
  try {
    if (parsePlanFile(text).kind !== 'accounts') throw new PlanFileError('not an accounts plan');
  } catch (error) {
    if (error instanceof PlanFileError) throw new PlanFileError(unloadable(error));
    throw error;
  }
  return text;
}

export function validateAccountsObject(data: unknown): AccountsPlan {
  const header = data as { version?: unknown };
  if (header.version !== ACCOUNTS_VERSION) {
    throw new PlanFileError(
      `multi-account plan file version ${JSON.stringify(header.version)} is not supported (this s3-harden reads version ${ACCOUNTS_VERSION})`,
    );
  }
  const file = schemaCheck(accountsFileSchema, data);
  const seen = new Set<string>();
  const accounts = file.accounts.map((entry, index) => {
    let fleet: FleetPlan;
    try {
      fleet = validateFleetObject(entry);
    } catch (error) {
      if (error instanceof PlanFileError) {
        throw new PlanFileError(`accounts[${index}]: ${error.message}`);
      }
      throw error;
    }
    if (seen.has(fleet.accountId)) {
      throw new PlanFileError(`accounts[${index}]: account ${fleet.accountId} is listed twice`);
    }
    seen.add(fleet.accountId);
    return fleet;
  });
  for (const [index, entry] of file.notPlanned.entries()) {
    if (seen.has(entry.accountId)) {
      throw new PlanFileError(`notPlanned[${index}]: account ${entry.accountId} is listed twice`);
    }
    seen.add(entry.accountId);
  }
  return {
    createdAt: file.createdAt,
    callerAccountId: file.callerAccountId,
    roleName: file.roleName,
    externalId: file.externalId,
    accounts,
    notPlanned: file.notPlanned,
  };
}

export type LoadedPlan = AnyPlan | { readonly kind: 'accounts'; readonly accounts: AccountsPlan };

const ACCOUNTS_TAG = new RegExp(`^\\s*\\{\\s*"format"\\s*:\\s*"${ACCOUNTS_FORMAT}"`);

/** A single plan, a fleet plan or a multi-account plan file; throws PlanFileError with one line. */
export function parsePlanFile(text: string): LoadedPlan {
  if (!ACCOUNTS_TAG.test(text.slice(0, 200))) return parseAnyPlan(text);
  const data = parseBoundedJson(text, {
    bytes: MAX_FLEET_BYTES,
    depth: MAX_FLEET_DEPTH + 2,
    what: 'a multi-account plan file',
  });
  const format = (data as { format?: unknown } | null)?.format;
  if (format !== ACCOUNTS_FORMAT) throw new PlanFileError('not a multi-account plan file');
  return { kind: 'accounts', accounts: validateAccountsObject(data) };
}
