/**
 * `audit --accounts` against the emulator: an organisation with member
 * accounts (the emulator lets any role be assumed and keys each account's
 * state by the account in the assumed role's credentials), buckets in two
 * regions, an account closed (left out), an account whose role cannot be
 * assumed (a proxy refuses it: one entry, exit 4, the run goes on), the
 * calls counted per account and per region, and the role ARN in the
 * caller's partition.
 */
import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  ListAccountsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { beforeAll, describe, expect, it } from 'vitest';
import { iamPolicyForAuditCaller, iamPolicyForAuditRole } from '../../src/plan/audit/iam.js';
import { type AuditReport, auditReportSchema } from '../../src/plan/audit/schema.js';
import { createIn, s3In } from '../helpers/accounts.js';
import { assumeProxy } from '../helpers/assume-proxy.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl } from '../helpers/emulator.js';
import { ACCOUNT } from '../helpers/fixtures.js';

const PREFIX = `orgt-${process.pid}-${Date.now().toString(36)}`;
const ROLE = 's3-harden-audit';
const DENIED = '999999999999';

let memberA = '';
let memberB = '';
let closed = '';

function endpoint(url = emulatorUrl()): string[] {
  return ['--endpoint-url', url];
}

function report(stdout: string): AuditReport {
  return auditReportSchema.parse(JSON.parse(stdout));
}

const MATCH = ['--match', `${PREFIX}-*`];

beforeAll(async () => {
  const org = new OrganizationsClient({ endpoint: emulatorUrl(), region: 'us-east-1' });
  try {
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  } catch (error) {
    if ((error as Error).name !== 'AlreadyInOrganizationException') throw error;
  }
  const create = async (name: string) => {
    const { CreateAccountStatus } = await org.send(
      new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
    );
    return CreateAccountStatus?.AccountId ?? '';
  };
  memberA = await create(`${PREFIX}-a`);
  memberB = await create(`${PREFIX}-b`);
  closed = await create(`${PREFIX}-closed`);
  await org.send(new CloseAccountCommand({ AccountId: closed }));
  const { Accounts } = await org.send(new ListAccountsCommand({}));
  expect(Accounts?.find((account) => account.Id === closed)?.Status).not.toBe('ACTIVE');

  const home = await s3In(ACCOUNT);
  await createIn(home, `${PREFIX}-home`);
  const a = await s3In(memberA);
  await createIn(a, `${PREFIX}-a1`);
  await createIn(a, `${PREFIX}-a2`);
  await createIn(a, `${PREFIX}-a-eu`, 'eu-west-1');
  const b = await s3In(memberB);
  await createIn(b, `${PREFIX}-b-eu`, 'eu-west-1');
});

describe('audit --accounts (the built CLI) against the emulator', () => {
  it('--accounts all: every ACTIVE account, each bucket under its account and read in its region', async () => {
    const { code, stdout, stderr } = await runCli([
      'audit',
      ...MATCH,
      '--accounts',
      'all',
      '--role-name',
      ROLE,
      '--json',
      ...endpoint(),
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = report(stdout);
    const ids = result.accounts?.map((entry) => entry.accountId) ?? [];
    expect(ids).toContain(ACCOUNT);
    expect(ids).toContain(memberA);
    expect(ids).toContain(memberB);
    // Closed accounts are not ACTIVE: left out.
    expect(ids).not.toContain(closed);
    expect(result.accounts?.every((entry) => entry.status === 'audited')).toBe(true);
    const entry = (id: string) => result.accounts?.find((account) => account.accountId === id);
    expect(entry(memberA)).toMatchObject({
      name: `${PREFIX}-a`,
      roleArn: `arn:aws:iam::${memberA}:role/${ROLE}`,
      buckets: 3,
    });
    // The caller's own account uses its own credentials: no role.
    expect(entry(ACCOUNT)?.roleArn).toBeUndefined();
    // Written account by account, in the entries' order: each account's rows together.
    const owners = result.buckets.map((bucket) => bucket.accountId ?? '');
    expect(owners).toEqual([...owners].sort((x, y) => ids.indexOf(x) - ids.indexOf(y)));
    const rows = Object.fromEntries(
      result.buckets.map((bucket) => [bucket.bucket, [bucket.accountId, bucket.region]]),
    );
    expect(rows).toEqual({
      [`${PREFIX}-home`]: [ACCOUNT, 'us-east-1'],
      [`${PREFIX}-a1`]: [memberA, 'us-east-1'],
      [`${PREFIX}-a2`]: [memberA, 'us-east-1'],
      [`${PREFIX}-a-eu`]: [memberA, 'eu-west-1'],
      [`${PREFIX}-b-eu`]: [memberB, 'eu-west-1'],
    });
    // Read in its own region: no bucket is "unknown" for being elsewhere.
    for (const bucket of result.buckets) {
      expect(bucket.error).toBeUndefined();
      for (const control of bucket.results) expect(control.detail).not.toMatch(/regional/);
    }
    expect(result.summary).toMatchObject({ buckets: 5, errors: 0, accountErrors: 0 });
  });

  it('--exclude-accounts leaves accounts out of --accounts all', async () => {
    const { code, stdout } = await runCli([
      'audit',
      ...MATCH,
      '--accounts',
      'all',
      '--exclude-accounts',
      `${ACCOUNT},${memberA}`,
      '--role-name',
      ROLE,
      '--json',
      ...endpoint(),
    ]);
    expect(code).toBe(0);
    const result = report(stdout);
    const ids = result.accounts?.map((entry) => entry.accountId) ?? [];
    expect(ids).toContain(memberB);
    expect(ids).not.toContain(ACCOUNT);
    expect(ids).not.toContain(memberA);
    expect(result.buckets.map((bucket) => bucket.bucket)).toEqual([`${PREFIX}-b-eu`]);
  });

  it('counts: per-account reads once per account, per-region reads once per region, never per bucket', async () => {
    const { code, stdout } = await runCli([
      'audit',
      ...MATCH,
      '--accounts',
      `${memberA},${memberB}`,
      '--role-name',
      ROLE,
      '--json',
      ...endpoint(),
    ]);
    expect(code).toBe(0);
    const { stats, buckets } = report(stdout);
    expect(buckets).toHaveLength(4);
    const calls = stats.calls;
    // The caller's identity, then each member's (its assumed role): once each.
    expect(calls['sts:GetCallerIdentity']).toBe(3);
    expect(calls['sts:AssumeRole']).toBe(2);
    expect(calls['organizations:ListAccounts']).toBeUndefined();
    // Per account: its bucket list, its account Block Public Access.
    expect(calls['s3:ListBuckets']).toBe(2);
    expect(calls['s3control:GetPublicAccessBlock']).toBe(2);
    // Per region of each account's buckets: A has us-east-1 and eu-west-1, B eu-west-1 only.
    expect(calls['macie2:GetMacieSession']).toBe(3);
    expect(calls['accessanalyzer:ListAnalyzers']).toBe(3);
    expect(calls['cloudtrail:DescribeTrails']).toBe(3);
    // Per bucket: each read once; none found with HeadBucket (ListBuckets said its region).
    expect(calls['s3:HeadBucket']).toBeUndefined();
    expect(calls['s3:GetBucketPolicy']).toBe(4);
  });

  it('an account whose role cannot be assumed is one entry with the reason; the others are audited; exit 4', async () => {
    const proxy = await assumeProxy(emulatorUrl(), [DENIED]);
    try {
      const json = await runCli([
        'audit',
        ...MATCH,
        '--accounts',
        `${memberB},${DENIED}`,
        '--role-name',
        ROLE,
        '--external-id',
        'ext-1234',
        '--json',
        ...endpoint(proxy.url),
      ]);
      expect(json.code).toBe(4);
      expect(json.stderr.trim()).toBe(
        `s3-harden: 1 of 2 accounts could not be audited: ${DENIED} (see the report)`,
      );
      const result = report(json.stdout);
      const denied = result.accounts?.find((entry) => entry.accountId === DENIED);
      expect(denied).toMatchObject({
        status: 'failed',
        roleArn: `arn:aws:iam::${DENIED}:role/${ROLE}`,
        buckets: 0,
      });
      expect(denied?.error).toMatch(
        new RegExp(`^cannot assume arn:aws:iam::${DENIED}:role/${ROLE}: .*sts:AssumeRole`),
      );
      expect(result.buckets.map((bucket) => bucket.bucket)).toEqual([`${PREFIX}-b-eu`]);
      expect(result.summary.accountErrors).toBe(1);
      // Each AssumeRole: the role in the caller's partition, the session name, the ExternalId.
      expect(proxy.assumed.map((form) => form.RoleSessionName)).toEqual(['s3-harden', 's3-harden']);
      expect(proxy.assumed.every((form) => form.ExternalId === 'ext-1234')).toBe(true);

      // The text view says the account in one line; --fail-on is still said, exit 4 wins.
      const text = await runCli([
        'audit',
        ...MATCH,
        '--accounts',
        `${memberB},${DENIED}`,
        '--role-name',
        ROLE,
        '--fail-on',
        'fail',
        ...endpoint(proxy.url),
      ]);
      expect(text.code).toBe(4);
      const lines = text.stdout.split('\n');
      expect(lines.filter((line) => line.includes(`Account ${DENIED}`))).toEqual([
        expect.stringMatching(new RegExp(`^✗ Account ${DENIED}: not audited: cannot assume`)),
      ]);
      expect(lines).toContain(`══ Account ${memberB} ══`);
      expect(text.stderr).toMatch(/audit --fail-on: /);
      expect(text.stdout).toMatch(/\n2 accounts \(1 could not be audited\); \d+ buckets?: /);
    } finally {
      await proxy.close();
    }
  });

  it('an account whose buckets cannot be listed is one entry too; the caller’s own is still audited', async () => {
    const proxy = await assumeProxy(emulatorUrl(), [], { denyMemberListing: true });
    try {
      const { code, stdout } = await runCli([
        'audit',
        ...MATCH,
        '--accounts',
        `${ACCOUNT},${memberA}`,
        '--role-name',
        ROLE,
        '--json',
        ...endpoint(proxy.url),
      ]);
      expect(code).toBe(4);
      const result = report(stdout);
      // In account ID order (the member's ID is random: before or after the caller's).
      expect(result.accounts?.map((entry) => entry.accountId)).toEqual([ACCOUNT, memberA].sort());
      const status = Object.fromEntries(
        (result.accounts ?? []).map((entry) => [entry.accountId, entry]),
      );
      expect(status[ACCOUNT]?.status).toBe('audited');
      expect(status[memberA]?.status).toBe('failed');
      expect(status[memberA]?.error).toMatch(/s3:ListAllMyBuckets/);
      expect(result.buckets.map((bucket) => bucket.bucket)).toEqual([`${PREFIX}-home`]);
    } finally {
      await proxy.close();
    }
  });

  it('assumes roles in the caller’s partition (aws-cn here), never a fixed arn:aws:', async () => {
    const proxy = await assumeProxy(emulatorUrl(), []);
    try {
      const { code, stdout } = await runCli(
        [
          'audit',
          ...MATCH,
          '--accounts',
          memberA,
          '--role-name',
          ROLE,
          '--json',
          ...endpoint(proxy.url),
        ],
        { env: { AWS_REGION: 'cn-north-1' } },
      );
      expect(code).toBe(0);
      expect(proxy.assumed.map((form) => form.RoleArn)).toEqual([
        `arn:aws-cn:iam::${memberA}:role/${ROLE}`,
      ]);
      expect(report(stdout).accounts?.[0]?.roleArn).toBe(`arn:aws-cn:iam::${memberA}:role/${ROLE}`);
    } finally {
      await proxy.close();
    }
  });

  it.each([
    [['--accounts', '12345'], /"12345" is not an AWS account ID \(12 digits\)/],
    [['--accounts', 'all'], /--accounts needs --role-name/],
    [['--role-name', ROLE], /--role-name is assumed in the accounts --accounts names/],
    [['--exclude-accounts', DENIED], /--exclude-accounts leaves accounts out of --accounts/],
    [['--external-id', 'abc123'], /--external-id is sent with the role --role-name names/],
    [['--regions', 'eu-west-1,nowhere'], /"nowhere" is not an AWS region name/],
    [['--accounts', 'all', '--role-name', 'a/b'], /"a\/b" is not an IAM role name/],
  ])('bad flags %j: one line, exit 1, before any AWS call', async (flags, message) => {
    // An endpoint nothing listens on: any AWS call would fail differently.
    const { code, stderr } = await runCli([
      'audit',
      '--all',
      ...flags,
      '--endpoint-url',
      'http://127.0.0.1:9',
    ]);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('--iam-policy role|caller: the policies, in the partition of --region, with no AWS call', async () => {
    const role = await runCli([
      'audit',
      '--iam-policy',
      'role',
      '--region',
      'us-gov-west-1',
      '--endpoint-url',
      'http://127.0.0.1:9',
    ]);
    expect(role.code).toBe(0);
    expect(JSON.parse(role.stdout)).toEqual(iamPolicyForAuditRole('aws-us-gov').policy);
    const caller = await runCli([
      'audit',
      '--iam-policy',
      'caller',
      '--role-name',
      ROLE,
      '--endpoint-url',
      'http://127.0.0.1:9',
    ]);
    expect(caller.code).toBe(0);
    expect(JSON.parse(caller.stdout)).toEqual(iamPolicyForAuditCaller(ROLE, 'aws').policy);
  });

  it('--regions: only the buckets in those regions, read there', async () => {
    const { code, stdout } = await runCli([
      'audit',
      ...MATCH,
      '--accounts',
      `${memberA}`,
      '--role-name',
      ROLE,
      '--regions',
      'eu-west-1',
      '--json',
      ...endpoint(),
    ]);
    expect(code).toBe(0);
    const result = report(stdout);
    expect(result.regions).toEqual(['eu-west-1']);
    expect(result.buckets.map((bucket) => [bucket.bucket, bucket.region])).toEqual([
      [`${PREFIX}-a-eu`, 'eu-west-1'],
    ]);
  });
});
