/**
 * `plan` over many buckets against the emulator, through the built CLI:
 * --match, a list and --all over buckets in mixed states (open, already
 * compliant, in another region — planned there —, missing), the sections and the summary, the
 * exit codes, --json, a saved fleet plan that validates, and the calls made:
 * what the account has once is read once per run, each bucket's reads once.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAnyPlan } from '../../src/plan/files/fleet-file.js';
import { wrapList } from '../../src/plan/fleet/render.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients, setAccountPublicAccessBlock } from '../helpers/fixtures.js';

const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
// Block Public Access is enough to see sections, skips and the account section.
const PAB_ONLY = ['--only', 'public-access-block,account-public-access-block'];
const endpoint = () => ['--endpoint-url', emulatorUrl()];

/** A prefix no other test's buckets share, and buckets under it in mixed states. */
async function mixedFleet(label: string) {
  const prefix = uniqueBucket(label).slice(0, 40);
  const open = `${prefix}-open`;
  const compliant = `${prefix}-done`;
  const other = `${prefix}-zopen`;
  const elsewhere = `${prefix}-eu`;
  await createBucket(open);
  await createBucket(compliant, { publicAccessBlock: ALL_ON });
  await createBucket(other);
  await rawClients().s3.send(
    new CreateBucketCommand({
      Bucket: elsewhere,
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    }),
  );
  return { prefix, open, compliant, other, elsewhere };
}

async function euBucket(bucket: string): Promise<void> {
  await rawClients().s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    }),
  );
}

describe('plan for many buckets', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-fleet-plan-'));
  });
  beforeEach(async () => {
    await setAccountPublicAccessBlock(null);
  });

  it('--match: a section per bucket (each in its own region), the account once, exit 2', async () => {
    const fleet = await mixedFleet('fm');
    const file = join(dir, `${fleet.prefix}.json`);
    const result = await runCli([
      'plan',
      '--match',
      `${fleet.prefix}-*`,
      ...PAB_ONLY,
      '--out',
      file,
      ...endpoint(),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(2);
    const out = result.stdout;
    // The account section first, then the buckets in name order.
    const headings = out.split('\n').filter((line) => line.startsWith('── '));
    expect(headings.map((line) => line.replace(/ ─+$/, ''))).toEqual([
      '── Account 123456789012 (us-east-1): 1 change, applied first',
      `── Bucket ${fleet.compliant}: 0 changes`,
      `── Bucket ${fleet.elsewhere}: 1 change`,
      `── Bucket ${fleet.open}: 1 change`,
      `── Bucket ${fleet.other}: 1 change`,
    ]);
    // The bucket in eu-west-1 is planned there, not skipped.
    expect(out).toContain(`Changes to bucket ${fleet.elsewhere} (account 123456789012, eu-west-1)`);
    for (const line of headings) expect(line.length).toBeLessThanOrEqual(80);
    expect(out).toContain('Account-wide changes (account 123456789012, us-east-1):');
    // Account Block Public Access appears once, in the account section only.
    expect(out.match(/\+ Block Public Access \(account\)/g)).toHaveLength(1);
    expect(out.match(/\+ Block Public Access \(bucket\)/g)).toHaveLength(3);
    expect(out).toContain(
      [
        'Fleet plan for account 123456789012 (us-east-1, eu-west-1), preset baseline:',
        '  Account-wide: 1 change, applied before the buckets.',
        '  3 buckets with changes:',
        // Several regions: each bucket names its own (wrapList is tested in test/unit/fleet.test.ts).
        ...wrapList(
          [
            `${fleet.elsewhere} (eu-west-1, 1 change)`,
            `${fleet.open} (us-east-1, 1 change)`,
            `${fleet.other} (us-east-1, 1 change)`,
          ],
          '    ',
        ),
        '  1 bucket already compliant:',
        `    ${fleet.compliant}`,
        '',
        'Fleet plan: 4 to add, 0 to change, 0 to remove (0 irreversible).',
        '',
        `Saved the fleet plan to ${file}. Apply it with: s3-harden apply ${file}`,
      ].join('\n'),
    );

    const saved = parseAnyPlan(readFileSync(file, 'utf8'));
    expect(saved.kind).toBe('fleet');
    if (saved.kind !== 'fleet') return;
    expect(saved.fleet.account?.changes.map((change) => change.id)).toEqual([
      'account.publicAccessBlock',
    ]);
    expect(saved.fleet.sections.map((plan) => [plan.target.bucket, plan.target.region])).toEqual([
      [fleet.compliant, 'us-east-1'],
      [fleet.elsewhere, 'eu-west-1'],
      [fleet.open, 'us-east-1'],
      [fleet.other, 'us-east-1'],
    ]);
    expect(saved.fleet.skipped).toEqual([]);
    // A dry run writes nothing.
    const again = await runCli(['plan', '--bucket', fleet.open, ...PAB_ONLY, ...endpoint()]);
    expect(again.stdout).toContain('+ Block Public Access (account)');
  });

  it('a list keeps its order and skips a bucket that does not exist; one bucket stays a single plan', async () => {
    const fleet = await mixedFleet('fl');
    const missing = `${fleet.prefix}-gone`;
    const result = await runCli([
      'plan',
      '--bucket',
      `${fleet.other},${missing},${fleet.open}`,
      ...PAB_ONLY,
      '--json',
      ...endpoint(),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout);
    expect(json.sections.map((section: { bucket: string }) => section.bucket)).toEqual([
      fleet.other,
      fleet.open,
    ]);
    expect(json.skipped).toEqual([
      { bucket: missing, reason: `Bucket ${missing} does not exist.` },
    ]);
    expect(json.account.changes.map((change: { id: string }) => change.id)).toEqual([
      'account.publicAccessBlock',
    ]);
    // Each section is the single plan's JSON view, with its plan file.
    expect(json.sections[0].counts).toEqual({ add: 1, change: 0, remove: 0, irreversible: 0 });
    expect(json.sections[0].plan.format).toBe('s3-harden-plan');
    expect(json.summary).toEqual({
      withChanges: [fleet.other, fleet.open],
      compliant: [],
      skipped: [missing],
    });

    // One name: today's single plan, byte for byte what `--bucket` always printed.
    const single = await runCli(['plan', '--bucket', fleet.open, ...PAB_ONLY, ...endpoint()]);
    expect(single.code).toBe(2);
    expect(single.stdout).not.toContain('── ');
    expect(single.stdout).toContain(`Changes to bucket ${fleet.open} (account 123456789012`);
  });

  it('exit 0 when every bucket already matches, and --all covers every bucket', async () => {
    const fleet = await mixedFleet('fz');
    await setAccountPublicAccessBlock(ALL_ON);
    const result = await runCli([
      'plan',
      '--bucket',
      `${fleet.compliant}`,
      '--bucket',
      `${fleet.open}`,
      '--only',
      'account-public-access-block',
      ...endpoint(),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n').slice(-1)).toEqual([
      'No changes. Every bucket planned already matches.',
    ]);

    const all = await runCli(['plan', '--all', ...PAB_ONLY, '--json', ...endpoint()]);
    const json = JSON.parse(all.stdout);
    const planned = [
      ...json.summary.withChanges,
      ...json.summary.compliant,
      ...json.summary.skipped,
    ];
    for (const bucket of Object.values(fleet).filter((name) => name !== fleet.prefix)) {
      expect(planned).toContain(bucket);
    }
  });

  it('exit 1 when a section would lock the caller out, naming it; --allow-lockout plans it', async () => {
    const open = uniqueBucket('fk-open');
    const locked = uniqueBucket('fk-locked');
    await createBucket(open);
    await createBucket(locked);
    await rawClients().s3.send(
      new PutBucketPolicyCommand({
        Bucket: locked,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'OnlyThroughOurEndpoint',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [`arn:aws:s3:::${locked}`, `arn:aws:s3:::${locked}/*`],
              Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } },
            },
          ],
        }),
      }),
    );
    const args = [
      'plan',
      '--bucket',
      `${open},${locked}`,
      '--only',
      'bucket-policy',
      ...endpoint(),
    ];
    const refused = await runCli(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(
      new RegExp(`^s3-harden: ${locked}: lockout: bucket policy OnlyThroughOurEndpoint denies you`),
    );
    // Every section is still shown.
    expect(refused.stdout).toContain(`── Bucket ${open}: 1 change`);
    expect(refused.stdout).toContain('Lockout check: Deny statements that apply to you');
    const allowed = await runCli([...args, '--allow-lockout']);
    expect(allowed.code).toBe(2);
  });

  it('reads what the account has once per run, and each bucket once', async () => {
    const buckets = [uniqueBucket('fc-a'), uniqueBucket('fc-b'), uniqueBucket('fc-c')];
    for (const bucket of buckets) await createBucket(bucket);
    const result = await runCli([
      'plan',
      '--bucket',
      buckets.join(','),
      '--preset',
      'strict',
      '--json',
      ...endpoint(),
    ]);
    expect(result.code).toBe(2);
    const calls = JSON.parse(result.stdout).calls as Record<string, number>;
    // The account's own settings and listings: once, however many buckets.
    const once = [
      'sts:GetCallerIdentity',
      's3control:GetPublicAccessBlock',
      'kms:ListAliases',
      'ec2:DescribeVpcEndpoints',
      'macie2:GetMacieSession',
      'accessanalyzer:ListAnalyzers',
      'cloudtrail:DescribeTrails',
      'cloudtrail:GetTrail',
    ];
    for (const operation of once) expect(calls[operation], operation).toBe(1);
    // Each bucket's configuration: once per bucket.
    const perBucket = [
      's3:GetPublicAccessBlock',
      's3:GetBucketEncryption',
      's3:GetBucketOwnershipControls',
      's3:GetBucketAcl',
      's3:GetBucketVersioning',
      's3:GetObjectLockConfiguration',
      's3:GetBucketLogging',
      's3:GetBucketPolicy',
      's3control:GetAccessPoint',
      's3control:GetAccessPointPolicy',
    ];
    for (const operation of perBucket) expect(calls[operation], operation).toBe(3);
    // HeadBucket: each bucket once (its region), each proposed log bucket once
    // (absent), and s3-harden's CloudTrail bucket once (absent: nothing else of it is read).
    expect(calls['s3:HeadBucket']).toBe(7);
    // Nothing else is read more often than once per bucket.
    for (const [operation, count] of Object.entries(calls)) {
      expect(count, operation).toBeLessThanOrEqual(operation === 's3:HeadBucket' ? 7 : 3);
    }
  });

  it('over two regions: what a region has is read once per region, not per bucket; --regions keeps a region', async () => {
    const prefix = uniqueBucket('fr').slice(0, 40);
    const us = [`${prefix}-us-a`, `${prefix}-us-b`];
    const eu = [`${prefix}-eu-a`, `${prefix}-eu-b`];
    for (const bucket of us) await createBucket(bucket);
    for (const bucket of eu) await euBucket(bucket);
    const result = await runCli([
      'plan',
      '--match',
      `${prefix}-*`,
      '--preset',
      'strict',
      '--json',
      ...endpoint(),
    ]);
    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout);
    expect(json.skipped).toEqual([]);
    expect(
      json.sections.map((section: { bucket: string; region: string }) => [
        section.bucket,
        section.region,
      ]),
    ).toEqual([
      [eu[0], 'eu-west-1'],
      [eu[1], 'eu-west-1'],
      [us[0], 'us-east-1'],
      [us[1], 'us-east-1'],
    ]);
    const calls = json.calls as Record<string, number>;
    // The account's own: once per run, whatever the regions.
    for (const operation of [
      'sts:GetCallerIdentity',
      's3control:GetPublicAccessBlock',
      's3:ListBuckets',
    ]) {
      expect(calls[operation], operation).toBe(1);
    }
    // What the account has in a region: once per region (two), not once per bucket (four).
    const perRegion = [
      'kms:ListAliases',
      'ec2:DescribeVpcEndpoints',
      'macie2:GetMacieSession',
      'accessanalyzer:ListAnalyzers',
      'cloudtrail:DescribeTrails',
    ];
    for (const operation of perRegion) expect(calls[operation], operation).toBe(2);
    // Each bucket's configuration: once per bucket.
    for (const operation of [
      's3:GetPublicAccessBlock',
      's3:GetBucketEncryption',
      's3:GetBucketPolicy',
    ]) {
      expect(calls[operation], operation).toBe(4);
    }

    const only = await runCli([
      'plan',
      '--match',
      `${prefix}-*`,
      '--regions',
      'eu-west-1',
      ...PAB_ONLY,
      '--json',
      ...endpoint(),
    ]);
    expect(only.code).toBe(2);
    const kept = JSON.parse(only.stdout);
    expect(kept.sections.map((section: { bucket: string }) => section.bucket)).toEqual(eu);
    expect(kept.skipped).toEqual([]);
    // The account section's region is its first bucket's.
    expect(kept.account.plan.target.region).toBe('eu-west-1');
  });

  it('refuses a bad --regions in one line before any call, and --regions on one bucket', async () => {
    const bad = await runCli(['plan', '--all', '--regions', 'mars-1', ...endpoint()]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--regions');
    const one = await runCli([
      'plan',
      '--bucket',
      'one-bucket',
      '--regions',
      'eu-west-1',
      ...endpoint(),
    ]);
    expect(one.code).toBe(1);
    expect(one.stderr.trim()).toBe(
      's3-harden: --regions applies to several buckets only (--all, --match, --bucket a,b).',
    );
  });

  it('draws a progress bar on a terminal (stderr), erased when done; exit 1 when nothing could be planned', async () => {
    const { runFleetPlan } = await import('../../src/commands/fleet-plan.js');
    const { CommandError } = await import('../../src/commands/exit-codes.js');
    const bucket = uniqueBucket('fp-bar');
    await createBucket(bucket);
    const drawn: string[] = [];
    const terminal = { isTTY: true, columns: 80, write: (text: string) => drawn.push(text) };
    const printed: string[] = [];
    const stdout = { isTTY: false, write: (text: string) => printed.push(text) > 0 };
    const options = {
      selection: { kind: 'list', buckets: [bucket, `${bucket}-gone`] } as const,
      preset: 'baseline' as const,
      skip: [],
      only: ['public-access-block' as const],
      json: false,
      concurrency: 2,
      connection: { endpoint: emulatorUrl() },
    };
    expect(await runFleetPlan(options, stdout, terminal)).toBe(2);
    expect(drawn[0]).toBe(`\r${'░'.repeat(30)} 0/2 buckets read\u001b[K`);
    expect(drawn).toContain(`\r${'█'.repeat(30)} 2/2 buckets read\u001b[K`);
    expect(drawn.at(-1)).toBe('\r\u001b[K');
    expect(printed.join('')).not.toContain('buckets read');

    const none = await runFleetPlan(
      { ...options, selection: { kind: 'list', buckets: [`${bucket}-x`, `${bucket}-y`] } },
      stdout,
      terminal,
    ).catch((error: unknown) => error);
    expect(none).toBeInstanceOf(CommandError);
    expect((none as Error).message).toBe(
      'none of the 2 buckets selected could be planned (each is listed as skipped, with the reason)',
    );
  });

  it('refuses a selection that is missing, doubled or empty, in one line, before any call', async () => {
    for (const [args, message] of [
      [['plan', ...endpoint()], /choose the buckets: --bucket NAME/],
      [['plan', '--all', '--match', 'x*', ...endpoint()], /--all, --match were given together/],
      [['plan', '--bucket', 'a-b,a-b', ...endpoint()], /bucket a-b is listed twice/],
      [['plan', '--match', 'logs-[ab]', ...endpoint()], /may hold only lowercase letters/],
      [['plan', '--all', '--concurrency', '0', ...endpoint()], /from 1 to 64/],
      [['plan', '--bucket', 'a-b,c-d', '--create-bucket', ...endpoint()], /plans one bucket/],
      [['plan', '--match', 'nothing-like-this-*', ...endpoint()], /no bucket matches nothing/],
    ] as const) {
      const result = await runCli([...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });
});
