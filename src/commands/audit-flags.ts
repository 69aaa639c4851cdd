/**
 * `audit`'s multi-account and multi-region flags: each value checked, and
 * the flags checked together, before any AWS call (one line, exit 1).
 */
import { InvalidArgumentError } from 'commander';
import type { AccountsSelection } from './audit-accounts.js';
import { regionProblem } from './connection.js';
import { fail } from './run-command.js';

/** Accounts audited at once when --account-concurrency is not given. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 4;

/** "all", or account IDs separated by commas (each 12 digits). */
export function parseAccounts(value: string): 'all' | string[] {
  if (value.trim() === 'all') return 'all';
  const ids = value.split(',').map((id) => id.trim());
  for (const id of ids) {
    if (!/^\d{12}$/.test(id)) {
      throw new InvalidArgumentError(
        `"${id}" is not an AWS account ID (12 digits); give IDs separated by commas, or all.`,
      );
    }
  }
  return ids;
}

/** An IAM role name (1–64 of letters, digits and +=,.@_-); a path is not taken. */
export function parseRoleName(value: string): string {
  if (!/^[\w+=,.@-]{1,64}$/.test(value)) {
    throw new InvalidArgumentError(
      `"${value}" is not an IAM role name (1-64 letters, digits and +=,.@_-, no path).`,
    );
  }
  return value;
}

/** An STS ExternalId: 2–1224 of letters, digits and +=,.@:/_-. */
export function parseExternalId(value: string): string {
  if (!/^[\w+=,.@:/-]{2,1224}$/.test(value)) {
    throw new InvalidArgumentError(
      'it is not a valid external ID (2-1224 letters, digits and +=,.@:/_-).',
    );
  }
  return value;
}

/** Region names separated by commas, each checked. */
export function parseRegions(value: string): string[] {
  const regions = value.split(',').map((region) => region.trim());
  for (const region of regions) {
    const problem = regionProblem(region);
    if (problem) throw new InvalidArgumentError(problem);
  }
  return [...new Set(regions)];
}

export function parseAccountConcurrency(value: string): number {
  const count = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(count >= 1 && count <= 32)) {
    throw new InvalidArgumentError('It must be a whole number from 1 to 32.');
  }
  return count;
}

export interface AccountFlags {
  readonly accounts?: 'all' | string[];
  readonly excludeAccounts?: 'all' | string[];
  readonly roleName?: string;
  readonly externalId?: string;
  readonly accountConcurrency?: number;
  readonly bucket?: string[];
}

/** The flags together: the multi-account selection, or undefined for a one-account run. */
export function accountsSelection(flags: AccountFlags): AccountsSelection | undefined {
  if (flags.externalId !== undefined && flags.roleName === undefined) {
    fail('--external-id is sent with the role --role-name names: give --role-name too.');
  }
  if (flags.roleName !== undefined && flags.accounts === undefined) {
    fail('--role-name is assumed in the accounts --accounts names: give --accounts too.');
  }
  if (flags.excludeAccounts !== undefined && flags.accounts === undefined) {
    fail('--exclude-accounts leaves accounts out of --accounts: give --accounts too.');
  }
  if (flags.excludeAccounts === 'all') {
    fail('--exclude-accounts takes account IDs, not all.');
  }
  if (flags.accountConcurrency !== undefined && flags.accounts === undefined) {
    fail('--account-concurrency needs --accounts.');
  }
  if (flags.accounts === undefined) return undefined;
  if (flags.roleName === undefined) {
    fail(
      '--accounts needs --role-name: the role to assume in each account (e.g. s3-harden-audit).',
    );
  }
  if (flags.bucket !== undefined) {
    fail(
      '--accounts covers each account’s buckets: choose them with --all or --match, not --bucket.',
    );
  }
  const twice =
    flags.accounts === 'all'
      ? undefined
      : flags.accounts.find((id, index, ids) => ids.indexOf(id) !== index);
  if (twice) fail(`account ${twice} is listed twice.`);
  return {
    ids: flags.accounts,
    ...(flags.excludeAccounts ? { exclude: flags.excludeAccounts } : {}),
    roleName: flags.roleName,
    ...(flags.externalId !== undefined ? { externalId: flags.externalId } : {}),
    concurrency: flags.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY,
  };
}

/**
 * `audit --iam-policy role|caller`: the member role's policy (the audit's
 * reads in every region) or the caller's additions (ListAccounts, AssumeRole
 * of --role-name), in the partition of --region; printed with no AWS call.
 */
export async function printAuditIamPolicy(
  which: 'role' | 'caller',
  flags: { readonly roleName?: string; readonly region?: string },
  stdout: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const { iamPolicyForAuditCaller, iamPolicyForAuditRole } = await import('../plan/audit/iam.js');
  const { partitionOf } = await import('../plan/policy/statements.js');
  const partition = partitionOf(flags.region ?? 'us-east-1');
  if (which === 'caller' && flags.roleName === undefined) {
    fail('--iam-policy caller names the role it may assume: give --role-name too.');
  }
  const result =
    which === 'role'
      ? iamPolicyForAuditRole(partition)
      : iamPolicyForAuditCaller(flags.roleName as string, partition);
  stdout.write(`${JSON.stringify(result.policy, null, 2)}\n`);
}
