/**
 * The multi-account plan file without AWS: what is saved is what apply
 * reads (each account's fleet exactly a fleet file), the ExternalId is
 * never saved (only that one was used), and the file-level checks refuse
 * in one line: an account twice, a version this s3-harden does not read, a
 * broken fleet named by its position.
 */
import { describe, expect, it } from 'vitest';
import { checkedPlan } from '../../src/commands/apply-checks.js';
import { planFromPosture } from '../../src/commands/plan.js';
import {
  type AccountsPlan,
  parsePlanFile,
  savedAccountsText,
} from '../../src/plan/files/accounts-file.js';
import { PlanFileError } from '../../src/plan/files/plan-file.js';
import { composeFleet } from '../../src/plan/fleet/fleet.js';
import type { Posture } from '../../src/plan/model/types.js';
import type { StepId } from '../../src/steps/types.js';
import { openPosture, SYNTHETIC_ACCOUNT } from '../helpers/synthetic-plans.js';

// biome-ignore lint/suspicious/noExplicitAny: tests mutate the parsed JSON freely.
type Json = any;

const NOW = new Date('2026-12-06T12:00:00.000Z');
const STEPS: StepId[] = ['public-access-block', 'account-public-access-block', 'versioning'];
const MEMBER = '314159265358';

function fleetIn(accountId: string, buckets: readonly string[]) {
  const postures = buckets.map((bucket): Posture => ({ ...openPosture(STEPS), accountId, bucket }));
  return composeFleet(
    { accountId, region: 'us-east-1', preset: 'baseline', postures, skipped: [], now: NOW },
    (posture) => planFromPosture(posture, 'baseline', STEPS, NOW),
  );
}

const SAMPLE: AccountsPlan = {
  createdAt: NOW.toISOString(),
  callerAccountId: SYNTHETIC_ACCOUNT,
  roleName: 's3-harden-apply',
  externalId: true,
  accounts: [fleetIn(SYNTHETIC_ACCOUNT, ['home-a']), fleetIn(MEMBER, ['member-a', 'member-b'])],
  notPlanned: [{ accountId: '999999999999', reason: 'cannot assume the role' }],
};

function refusal(text: string): string {
  try {
    parsePlanFile(text);
  } catch (error) {
    expect(error).toBeInstanceOf(PlanFileError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('the file was accepted');
}

describe('the multi-account plan file', () => {
  it('round-trips, and loads as apply loads it (each fleet derived again)', () => {
    const text = savedAccountsText(SAMPLE, 's3-harden test');
    const parsed = parsePlanFile(text);
    expect(parsed).toEqual({ kind: 'accounts', accounts: SAMPLE });
    expect(checkedPlan(text).kind).toBe('accounts');
    const file = JSON.parse(text);
    expect(file.format).toBe('s3-harden-accounts-plan');
    expect(file.accounts[1].format).toBe('s3-harden-fleet-plan');
    // Only whether an ExternalId was used: never its value.
    expect(file.externalId).toBe(true);
  });

  it.each<[string, (file: Json) => void, RegExp]>([
    [
      'an account twice',
      (file) => file.accounts.push(file.accounts[1]),
      /^accounts\[2\]: account 314159265358 is listed twice$/,
    ],
    [
      'an account both planned and not',
      (file) => {
        file.notPlanned[0].accountId = MEMBER;
      },
      /^notPlanned\[0\]: account 314159265358 is listed twice$/,
    ],
    [
      'a future version',
      (file) => {
        file.version = 2;
      },
      /^multi-account plan file version 2 is not supported \(this s3-harden reads version 1\)$/,
    ],
    [
      'a role name with a path',
      (file) => {
        file.roleName = 'path/role';
      },
      /^roleName: /,
    ],
    [
      'a fleet for another account than its sections',
      (file) => {
        file.accounts[1].accountId = '111122223333';
      },
      /^accounts\[1\]: sections\[0\] is for account 314159265358, but the fleet plan is for 111122223333$/,
    ],
    [
      'an ExternalId value',
      (file) => {
        file.externalId = 'ext-1234';
      },
      /^externalId: /,
    ],
  ])('refuses %s in one line', (_, edit, message) => {
    const file = JSON.parse(savedAccountsText(SAMPLE, 's3-harden test'));
    edit(file);
    expect(refusal(JSON.stringify(file, null, 2))).toMatch(message);
  });
});
