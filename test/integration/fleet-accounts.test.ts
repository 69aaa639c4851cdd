/**
 * Fleet plans across accounts against the emulator, through the built CLI
 * (the emulator lets any role be assumed and keys each account's state by
 * the assumed role's credentials): `plan --match … --accounts … --role-name`
 * plans each account's buckets (each in its own region) and saves them
 * grouped by account; `apply` applies account by account and fresh reads in
 * each account show its buckets hardened; an account whose role cannot be
 * assumed (a proxy refuses it) is one line, the others go on, exit 4 — at
 * plan and at apply; bad flags are one line before any call.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parsePlanFile } from '../../src/plan/files/accounts-file.js';
import { createIn, s3In } from '../helpers/accounts.js';
import { assumeProxy } from '../helpers/assume-proxy.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl } from '../helpers/emulator.js';
import { ACCOUNT, setAccountPublicAccessBlock } from '../helpers/fixtures.js';

const PREFIX = `facct-${process.pid}-${Date.now().toString(36)}`;
const ROLE = 's3-harden-apply';
const MEMBER = '314159265358';
const DENIED = '999999999999';
const EMPTY = '271828182845';
const PAB_ONLY = ['--only', 'public-access-block'];
const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

const endpoint = (url = emulatorUrl()) => ['--endpoint-url', url];

async function blockOf(s3: S3Client, bucket: string): Promise<unknown> {
  try {
    const out = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    return out.PublicAccessBlockConfiguration;
  } catch {
    return null;
  }
}

describe('fleet plans across accounts', () => {
  let dir: string;
  let label = 0;
  const prefix = () => `${PREFIX}-${++label}`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-fleet-accounts-'));
  });
  beforeEach(async () => {
    await setAccountPublicAccessBlock(null);
  });

  async function seed(p: string) {
    const home = await s3In(ACCOUNT);
    const member = await s3In(MEMBER);
    await createIn(home, `${p}-home`);
    await createIn(member, `${p}-m1`);
    await createIn(member, `${p}-m-eu`, 'eu-west-1');
    return { home, member };
  }

  it('plans each account, saves them grouped by account, applies account by account', async () => {
    const p = prefix();
    const { home, member } = await seed(p);
    const file = join(dir, `${p}.json`);
    const planned = await runCli([
      'plan',
      '--match',
      `${p}-*`,
      '--accounts',
      `${ACCOUNT},${MEMBER},${EMPTY}`,
      '--role-name',
      ROLE,
      ...PAB_ONLY,
      '--out',
      file,
      ...endpoint(),
    ]);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
    const lines = planned.stdout.split('\n');
    // An account none of whose buckets match is no error: nothing to plan there.
    expect(planned.stdout).toContain(`══ Account ${EMPTY} ══\nNo buckets to plan here.`);
    expect(lines).toContain(`══ Account ${ACCOUNT} ══`);
    expect(lines).toContain(`══ Account ${MEMBER} ══`);
    // A member's AWS CLI commands run in the member account, through its
    // role: never printed as if for the caller's own credentials.
    expect(planned.stdout).toContain(
      `══ Account ${MEMBER} ══\nAWS CLI commands below run in account ${MEMBER}: use credentials of arn:aws:iam::${MEMBER}:role/${ROLE} (not the caller's).\n`,
    );
    expect(planned.stdout).toContain(`══ Account ${ACCOUNT} ══\n── Bucket`);
    expect(planned.stdout).toContain(`Changes to bucket ${p}-m-eu (account ${MEMBER}, eu-west-1)`);
    expect(planned.stdout).toContain(`Saved the plan for 3 accounts to ${file}.`);

    const saved = parsePlanFile(readFileSync(file, 'utf8'));
    expect(saved.kind).toBe('accounts');
    if (saved.kind !== 'accounts') return;
    expect(saved.accounts.roleName).toBe(ROLE);
    expect(saved.accounts.externalId).toBe(false);
    expect(
      saved.accounts.accounts.map((fleet) => [
        fleet.accountId,
        fleet.sections.map((plan) => [plan.target.bucket, plan.target.region]),
      ]),
    ).toEqual([
      // In account ID order.
      [ACCOUNT, [[`${p}-home`, 'us-east-1']]],
      [EMPTY, []],
      [
        MEMBER,
        [
          [`${p}-m-eu`, 'eu-west-1'],
          [`${p}-m1`, 'us-east-1'],
        ],
      ],
    ]);

    const applied = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Accounts: 3 of 3 applied cleanly.');
    expect(await blockOf(home, `${p}-home`)).toEqual(ALL_ON);
    expect(await blockOf(member, `${p}-m1`)).toEqual(ALL_ON);
    expect(await blockOf(member, `${p}-m-eu`)).toEqual(ALL_ON);

    // Read back: planned again, nothing is left in either account.
    const again = await runCli([
      'plan',
      '--match',
      `${p}-*`,
      '--accounts',
      `${ACCOUNT},${MEMBER}`,
      '--role-name',
      ROLE,
      ...PAB_ONLY,
      ...endpoint(),
    ]);
    expect(again.code).toBe(0);
  });

  it('an account whose role cannot be assumed is one line at plan and at apply; the others go on; exit 4', async () => {
    const p = prefix();
    const { member } = await seed(p);
    const denyAtPlan = await assumeProxy(emulatorUrl(), [DENIED]);
    const file = join(dir, `${p}.json`);
    try {
      const planned = await runCli([
        'plan',
        '--match',
        `${p}-*`,
        '--accounts',
        `${MEMBER},${DENIED}`,
        '--role-name',
        ROLE,
        ...PAB_ONLY,
        '--out',
        file,
        ...endpoint(denyAtPlan.url),
      ]);
      expect(planned.code).toBe(4);
      expect(planned.stderr.trim()).toBe(
        's3-harden: 1 of 2 accounts could not be planned (each is listed, with the reason)',
      );
      expect(planned.stdout.split('\n').filter((line) => line.includes(DENIED))).toEqual([
        expect.stringMatching(
          new RegExp(
            `^✗ Account ${DENIED}: not planned: cannot assume arn:aws:iam::${DENIED}:role/${ROLE}`,
          ),
        ),
      ]);
      expect(planned.stdout).toContain(`══ Account ${MEMBER} ══`);
    } finally {
      await denyAtPlan.close();
    }
    const saved = parsePlanFile(readFileSync(file, 'utf8'));
    expect(saved.kind === 'accounts' && saved.accounts.notPlanned.map((e) => e.accountId)).toEqual([
      DENIED,
    ]);

    // At apply, the member's role is refused: one line, nothing written there, exit 4.
    const denyAtApply = await assumeProxy(emulatorUrl(), [MEMBER]);
    try {
      const applied = await runCli(['apply', file, '--yes', ...endpoint(denyAtApply.url)]);
      expect(applied.code).toBe(4);
      const lines = applied.stdout.split('\n');
      expect(lines.filter((line) => line.startsWith(`✗ Account ${MEMBER}`))).toEqual([
        expect.stringMatching(new RegExp(`^✗ Account ${MEMBER}: not applied: cannot assume`)),
      ]);
      expect(lines).toContain(
        `· Account ${DENIED}: not in this plan: ${saved.kind === 'accounts' ? saved.accounts.notPlanned[0]?.reason : ''}`,
      );
    } finally {
      await denyAtApply.close();
    }
    expect(await blockOf(member, `${p}-m1`)).toBeNull();
  });

  it('an account that does not apply cleanly ends the run; --on-error continue goes on to the next', async () => {
    const p = prefix();
    const { home, member } = await seed(p);
    const file = join(dir, `${p}.json`);
    const planned = await runCli([
      'plan',
      '--match',
      `${p}-*`,
      '--accounts',
      `${ACCOUNT},${MEMBER}`,
      '--role-name',
      ROLE,
      ...PAB_ONLY,
      '--out',
      file,
      ...endpoint(),
    ]);
    expect(planned.code).toBe(2);
    // The caller's own bucket drifts after the plan: its section is stale.
    const changed = { ...ALL_ON, BlockPublicAcls: false };
    await home.send(
      new PutPublicAccessBlockCommand({
        Bucket: `${p}-home`,
        PublicAccessBlockConfiguration: changed,
      }),
    );
    const stopped = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toContain(
      `· Account ${MEMBER}: not run (account ${ACCOUNT} did not apply cleanly; --on-error continue goes on)`,
    );
    expect(await blockOf(member, `${p}-m1`)).toBeNull();
    expect(await blockOf(home, `${p}-home`)).toEqual(changed);

    const continued = await runCli([
      'apply',
      file,
      '--yes',
      '--on-error',
      'continue',
      ...endpoint(),
    ]);
    expect(continued.code).toBe(1);
    expect(continued.stdout).toContain('Accounts: 1 of 2 applied cleanly.');
    expect(await blockOf(member, `${p}-m1`)).toEqual(ALL_ON);
    expect(await blockOf(member, `${p}-m-eu`)).toEqual(ALL_ON);
    // The stale bucket is still as it was found.
    expect(await blockOf(home, `${p}-home`)).toEqual(changed);
  });

  it('bad flags are one line and exit 1 before any call; the ExternalId is asked for again at apply', async () => {
    const unreachable = ['--endpoint-url', 'http://127.0.0.1:9'];
    for (const [args, message] of [
      [['plan', '--all', '--accounts', MEMBER], /^s3-harden: --accounts needs --role-name/],
      [
        ['plan', '--bucket', 'aaa,bbb', '--accounts', MEMBER, '--role-name', ROLE],
        /not --bucket\.$/,
      ],
      [
        ['plan', '--all', '--accounts', MEMBER, '--role-name', ROLE, '--log-bucket', 'logs-x'],
        /^s3-harden: --log-bucket names one bucket, in one account: leave out --accounts\.$/,
      ],
      [
        ['plan', '--all', '--role-name', ROLE],
        /^s3-harden: --role-name is assumed in the accounts/,
      ],
    ] as const) {
      const result = await runCli([...args, ...unreachable]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr.trim(), args.join(' ')).toMatch(message);
    }

    const p = prefix();
    await seed(p);
    const file = join(dir, `${p}.json`);
    const planned = await runCli([
      'plan',
      '--match',
      `${p}-*`,
      '--accounts',
      MEMBER,
      '--role-name',
      ROLE,
      '--external-id',
      'ext-5678',
      ...PAB_ONLY,
      '--out',
      file,
      ...endpoint(),
    ]);
    expect(planned.code).toBe(2);
    expect(readFileSync(file, 'utf8')).not.toContain('ext-5678');
    const refused = await runCli(['apply', file, '--yes', ...unreachable]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `s3-harden: the role ${ROLE} was assumed with an ExternalId, which plan files never hold: give it again with --external-id`,
    );
  });
});
