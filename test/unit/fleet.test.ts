/**
 * Fleet plans without AWS: composing sections over synthetic postures
 * (account-wide changes once, shared buckets planned in order, buckets that
 * cannot be planned skipped), the fleet plan file (round trip, and every
 * fleet-level check), bucket selection, and the apply summary.
 */
import { describe, expect, it } from 'vitest';
import { checkedPlan } from '../../src/commands/apply-checks.js';
import { globMatcher, globProblem, selectBuckets } from '../../src/commands/fleet-select.js';
import { planFromPosture } from '../../src/commands/plan.js';
import { parseAnyPlan, savedFleetText, serializeFleet } from '../../src/plan/files/fleet-file.js';
import {
  PlanFileError,
  parsePlan,
  savedPlanText,
  serializePlan,
} from '../../src/plan/files/plan-file.js';
import { composeFleet, type FleetPlan, isAccountWide } from '../../src/plan/fleet/fleet.js';
import {
  fleetExitCode,
  fleetSummaryTable,
  type SectionResult,
} from '../../src/plan/fleet/outcome.js';
import {
  accountHeading,
  fleetSummaryLines,
  sectionHeading,
  wrapWords,
} from '../../src/plan/fleet/render.js';
import type { Posture, PostureValues, Preset } from '../../src/plan/model/types.js';
import { linesToText } from '../../src/plan/render/render.js';
import { stepsForPreset } from '../../src/steps/index.js';
import type { StepId } from '../../src/steps/types.js';
import { openPosture, SYNTHETIC_ACCOUNT } from '../helpers/synthetic-plans.js';

// biome-ignore lint/suspicious/noExplicitAny: tests mutate the parsed JSON freely.
type Json = any;

const NOW = new Date('2026-11-28T12:00:00.000Z');
const LOG_TARGET_KEYS = [
  'logTarget.exists',
  'logTarget.policy',
  'logTarget.encryption',
  'logTarget.objectLock',
  'logTarget.requestPayment',
] as const;

/** An open bucket (nothing configured) named `bucket`, with its log target read. */
function openBucket(
  bucket: string,
  steps: readonly StepId[],
  options: { logBucket?: string; logTarget?: Partial<PostureValues> } = {},
): Posture {
  const base = openPosture(steps);
  const logBucket = options.logBucket ?? `${bucket}-logs`;
  const values: Record<string, unknown> = { ...base.values };
  for (const key of LOG_TARGET_KEYS) values[key] = null;
  Object.assign(values, options.logTarget ?? {});
  if (options.logBucket) {
    values['bucket.logging'] = { TargetBucket: logBucket, TargetPrefix: `${bucket}/` };
  }
  return { ...base, bucket, logBucket, values: values as Partial<PostureValues> };
}

function fleetOf(postures: readonly Posture[], preset: Preset, steps: readonly StepId[]) {
  return composeFleet(
    { accountId: SYNTHETIC_ACCOUNT, region: 'us-east-1', preset, postures, skipped: [], now: NOW },
    (posture) => planFromPosture(posture, preset, steps, NOW),
  );
}

const STRICT = stepsForPreset('strict');
const BASELINE = stepsForPreset('baseline');

describe('composing a fleet', () => {
  it('plans each account-wide change once, in the account section, and no bucket repeats it', () => {
    const buckets = ['alpha', 'bravo', 'charlie'];
    const fleet = fleetOf(
      buckets.map((bucket) => openBucket(bucket, STRICT)),
      'strict',
      STRICT,
    );
    expect(fleet.account?.changes.map((change) => change.resource).sort()).toEqual([
      'account.analyzer',
      'account.macie',
      'account.ownTrail',
      'account.ownTrailLogging',
      'account.publicAccessBlock',
      'account.trailBucket',
      'account.trailBucketEncryption',
      'account.trailBucketLifecycle',
      'account.trailBucketOwnership',
      'account.trailBucketPolicy',
      'account.trailBucketPublicAccessBlock',
      'account.trailBucketVersioning',
    ]);
    expect(fleet.sections.map((plan) => plan.target.bucket)).toEqual(buckets);
    expect(fleet.skipped).toEqual([]);
    for (const plan of fleet.sections) {
      expect(plan.changes.filter((change) => isAccountWide(change.resource))).toEqual([]);
      // Each bucket keeps its own KMS key and its own Macie job, planned with Macie on.
      expect(plan.changes.map((change) => change.id)).toContain('kms.key');
      const job = plan.changes.find((change) => change.resource === 'bucket.macieJob');
      expect(job?.dependsOn).not.toContain('account.macie');
      expect(plan.observed['account.macie']).toBeUndefined();
    }
    // s3-harden's trail is the account section's; each bucket appends its own
    // selector (and its log bucket's) to it, on what the sections before it
    // leave (a shared resource).
    const selectors = fleet.sections.map((plan) =>
      plan.changes.find((change) => change.resource === 'trail.selectors'),
    );
    expect(selectors.map((change) => change?.before)).toEqual([
      null,
      selectors[0]?.after,
      selectors[1]?.after,
    ]);
    expect(selectors[2]?.after).toMatchObject({
      AdvancedEventSelectors: buckets.flatMap((bucket) => [
        { Name: `s3-harden: ${bucket}` },
        { Name: `s3-harden: ${bucket}-logs` },
      ]),
    });
    // A single plan of the same bucket holds the account changes itself.
    const single = planFromPosture(openBucket('alpha', STRICT), 'strict', STRICT, NOW);
    const accountIds = fleet.account?.changes.map((change) => change.id) ?? [];
    expect(
      single.changes.filter((change) => isAccountWide(change.resource)).map((c) => c.id),
    ).toEqual(expect.arrayContaining(accountIds));
    expect(
      single.changes.filter((change) => !isAccountWide(change.resource)).map((c) => c.id),
    ).toEqual((fleet.sections[0]?.changes ?? []).map((change) => change.id));
  });

  it('plans a log bucket shared by two buckets in order: the second adds its grant to the first', () => {
    const shared = { 'logTarget.exists': { Region: 'us-east-1' } };
    const fleet = fleetOf(
      [
        openBucket('app-a', BASELINE, { logBucket: 'central-logs', logTarget: shared }),
        openBucket('app-b', BASELINE, { logBucket: 'central-logs', logTarget: shared }),
      ],
      'baseline',
      BASELINE,
    );
    const grant = (index: number) =>
      fleet.sections[index]?.changes.find((change) => change.resource === 'logTarget.policy');
    const first = grant(0);
    const second = grant(1);
    expect(first?.before).toBeNull();
    // What app-b's section expects to find (and its drift check will) is what app-a's leaves.
    expect(second?.before).toEqual(first?.after);
    expect(fleet.sections[1]?.observed['logTarget.policy']).toEqual(first?.after);
    const after = second?.after as { Statement: { Sid: string }[] } | undefined;
    const sids = after?.Statement.map((statement) => statement.Sid);
    // The first section also made the log bucket HTTPS-only; the second keeps that and adds its grant.
    expect(sids).toEqual([
      'S3HardenAccessLogsFromappa',
      'S3HardenDenyInsecureTransport',
      'S3HardenAccessLogsFromappb',
    ]);
  });

  it('skips a bucket that cannot be planned, with a one-line reason, and plans the rest', () => {
    const fleet = fleetOf(
      [
        openBucket('good-one', BASELINE),
        openBucket('elsewhere', BASELINE, {
          logBucket: 'eu-logs',
          logTarget: { 'logTarget.exists': { Region: 'eu-west-1' } },
        }),
        openBucket('good-two', BASELINE),
      ],
      'baseline',
      BASELINE,
    );
    expect(fleet.sections.map((plan) => plan.target.bucket)).toEqual(['good-one', 'good-two']);
    expect(fleet.skipped).toEqual([
      {
        bucket: 'elsewhere',
        reason:
          'Server access logging: eu-logs is in eu-west-1; the target must be in us-east-1, like the bucket.',
      },
    ]);
  });

  it('skips a bucket whose kept public statement S3 would refuse after the account section', () => {
    const open = openBucket('website', BASELINE);
    const website: Posture = {
      ...open,
      values: {
        ...open.values,
        'bucket.policy': {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'PublicRead',
              Effect: 'Allow',
              Principal: '*',
              Action: 's3:GetObject',
              Resource: 'arn:aws:s3:::website/*',
            },
          ],
        },
      },
    };
    const fleet = fleetOf([openBucket('private', BASELINE), website], 'baseline', BASELINE);
    expect(fleet.account?.changes.map((change) => change.id)).toEqual([
      'account.publicAccessBlock',
    ]);
    expect(fleet.sections.map((plan) => plan.target.bucket)).toEqual(['private']);
    expect(fleet.skipped[0]?.bucket).toBe('website');
    expect(fleet.skipped[0]?.reason).toMatch(
      /^Bucket policy keeps a statement that may grant public access, which S3 refuses once the account section turns BlockPublicPolicy on; plan it alone with --bucket$/,
    );
  });

  it('skips the second of two buckets whose new KMS keys would share an alias', () => {
    const fleet = fleetOf([openBucket('a.b', STRICT), openBucket('a-b', STRICT)], 'strict', STRICT);
    expect(fleet.sections.map((plan) => plan.target.bucket)).toEqual(['a.b']);
    expect(fleet.skipped).toEqual([
      {
        bucket: 'a-b',
        reason: 'its new KMS key alias alias/s3-harden-a-b is also planned for bucket a.b',
      },
    ]);
  });

  it('skips a bucket whose plan a plan file could not hold, so the file still loads for the rest', () => {
    // moto accepts a default-encryption key ID that is not canonical; the plan-file schema does not.
    const notCanonical = {
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms' as const,
            KMSMasterKeyID: 'key/abcd',
          },
        },
      ],
    };
    const odd = openBucket('odd', BASELINE, {
      logTarget: {
        'logTarget.exists': { Region: 'us-east-1' },
        'logTarget.encryption': notCanonical,
      },
    });
    const plan = planFromPosture(odd, 'baseline', BASELINE, NOW);
    expect(() => savedPlanText(plan, 'test')).toThrow(
      /^apply would refuse it: observed\.logTarget\.encryption: not a valid logTarget\.encryption value \(not a KMS key ARN, alias or key ID\)$/,
    );
    const fleet = fleetOf(
      [openBucket('good-one', BASELINE), odd, openBucket('good-two', BASELINE)],
      'baseline',
      BASELINE,
    );
    expect(fleet.sections.map((section) => section.target.bucket)).toEqual([
      'good-one',
      'good-two',
    ]);
    expect(fleet.skipped).toEqual([
      {
        bucket: 'odd',
        reason:
          'apply would refuse it: observed.logTarget.encryption: not a valid logTarget.encryption value (not a KMS key ARN, alias or key ID)',
      },
    ]);
    const loaded = parseAnyPlan(savedFleetText(fleet, 'test'));
    expect(loaded.kind === 'fleet' && loaded.fleet.skipped.map((entry) => entry.bucket)).toEqual([
      'odd',
    ]);
    // Its reason, wrapped, stays within 80 columns in the summary.
    const summary = linesToText(fleetSummaryLines(fleet)).split('\n');
    expect(summary).toContain(
      '    odd: apply would refuse it: observed.logTarget.encryption: not a valid',
    );
    for (const line of summary) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('saves a file apply would refuse nowhere: savedFleetText checks it with the loader', () => {
    const fleet = sampleFleet();
    const broken = {
      ...fleet,
      sections: [fleet.sections[0], fleet.sections[0]] as FleetPlan['sections'],
    };
    expect(() => savedFleetText(broken, 'test')).toThrow(
      /^apply would refuse it: sections\[1\]: bucket one has two sections$/,
    );
    expect(parseAnyPlan(savedFleetText(fleet, 'test')).kind).toBe('fleet');
  });

  it('has no account section when the account already matches', () => {
    const steps: StepId[] = ['public-access-block', 'account-public-access-block'];
    const on = {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    };
    const posture = openBucket('one', steps);
    const fleet = fleetOf(
      [{ ...posture, values: { ...posture.values, 'account.publicAccessBlock': on } }],
      'baseline',
      steps,
    );
    expect(fleet.account).toBeNull();
    expect(linesToText(fleetSummaryLines(fleet))).toBe(
      [
        'Fleet plan for account 123456789012 (us-east-1), preset baseline:',
        '  1 bucket with changes:',
        '    one (1 change)',
        '',
        'Fleet plan: 1 to add, 0 to change, 0 to remove (0 irreversible).',
      ].join('\n'),
    );
  });
});

/** A small valid fleet: the account section and three bucket sections, one skipped bucket. */
function sampleFleet(): FleetPlan {
  const steps: StepId[] = ['public-access-block', 'account-public-access-block', 'versioning'];
  const fleet = fleetOf(
    ['one', 'two', 'three'].map((bucket) => openBucket(bucket, steps)),
    'baseline',
    steps,
  );
  return { ...fleet, skipped: [{ bucket: 'four', reason: 'Access denied: s3:GetBucketPolicy.' }] };
}

// Each plan has its own id: the file is compared with the fleet it was saved from.
const SAMPLE = sampleFleet();
const VALID = serializeFleet(SAMPLE, 's3-harden test');

function edited(edit: (file: Json) => void): string {
  const file = JSON.parse(VALID);
  edit(file);
  return JSON.stringify(file, null, 2);
}

function rejection(text: string): string {
  try {
    parseAnyPlan(text);
  } catch (error) {
    expect(error).toBeInstanceOf(PlanFileError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(/\p{Cc}/u.test(message)).toBe(false);
    return message;
  }
  throw new Error('parseAnyPlan accepted the file');
}

describe('a fleet over two regions', () => {
  const inRegion = (posture: Posture, region: string): Posture => ({ ...posture, region });
  const twoRegions = () =>
    fleetOf(
      [
        inRegion(openBucket('eu-one', STRICT), 'eu-west-1'),
        inRegion(openBucket('eu-two', STRICT), 'eu-west-1'),
        openBucket('us-one', STRICT),
      ],
      'strict',
      STRICT,
    );

  it('an account section per region, account Block Public Access once, each bucket in its region', () => {
    const fleet = twoRegions();
    expect(fleet.skipped).toEqual([]);
    const eu = fleet.account;
    expect(eu?.target.region).toBe('eu-west-1');
    expect(eu?.changes.map((change) => change.resource)).toContain('account.publicAccessBlock');
    expect(eu?.changes.map((change) => change.resource)).toContain('account.macie');
    expect(fleet.accountsElsewhere).toHaveLength(1);
    const us = fleet.accountsElsewhere[0];
    expect(us?.target).toMatchObject({ region: 'us-east-1', bucket: 'us-one' });
    const usResources = us?.changes.map((change) => change.resource) ?? [];
    // Macie, the analyzer and a trail are the account's in each region; BPA is not.
    expect(usResources).toContain('account.macie');
    expect(usResources).toContain('account.analyzer');
    expect(usResources).toContain('account.ownTrail');
    expect(usResources).not.toContain('account.publicAccessBlock');
    for (const plan of fleet.sections) {
      expect(plan.changes.filter((change) => isAccountWide(change.resource))).toEqual([]);
    }
    // Each region's trail gets its own buckets' selectors: us-one's starts afresh.
    const selectors = fleet.sections.map(
      (plan) => plan.changes.find((change) => change.resource === 'trail.selectors')?.before,
    );
    expect(selectors[0]).toBeNull();
    expect(selectors[1]).not.toBeNull();
    expect(selectors[2]).toBeNull();
    expect(fleetSummaryLines(fleet)[0]?.text).toBe(
      'Fleet plan for account 123456789012 (eu-west-1, us-east-1), preset strict:',
    );
  });

  it('round-trips through the file, and the file refuses two account sections for one region', () => {
    const fleet = twoRegions();
    const text = serializeFleet(fleet, 's3-harden test');
    const parsed = parseAnyPlan(text);
    expect(parsed.kind === 'fleet' && parsed.fleet).toEqual(fleet);
    expect(savedFleetText(fleet, 's3-harden test')).toBe(text);
    // As apply loads it: every section, each region's account section too, derived again.
    expect(checkedPlan(text).kind).toBe('fleet');
    const file = JSON.parse(text);
    file.accountsElsewhere.push(file.account);
    expect(() => parseAnyPlan(JSON.stringify(file))).toThrow(
      /^accountsElsewhere\[1\]: a second account section for eu-west-1$/,
    );
    const v2 = JSON.parse(text);
    v2.version = 2;
    // Version 2 held one region: a section elsewhere is refused there.
    expect(() => parseAnyPlan(JSON.stringify(v2))).toThrow(
      /^sections\[0\] is for region eu-west-1, but the fleet plan is for us-east-1$/,
    );
  });
});

describe('the fleet plan file', () => {
  it('round-trips: what is saved is what apply reads', () => {
    const parsed = parseAnyPlan(VALID);
    expect(parsed.kind).toBe('fleet');
    expect(parsed.kind === 'fleet' && parsed.fleet).toEqual(SAMPLE);
    const header = JSON.parse(VALID);
    expect(Object.keys(header)).toEqual([
      'format',
      'version',
      'createdAt',
      'createdBy',
      'accountId',
      'region',
      'preset',
      'account',
      'accountsElsewhere',
      'sections',
      'skipped',
    ]);
    expect(header.format).toBe('s3-harden-fleet-plan');
    // Each section is exactly a single plan file.
    expect(parsePlan(JSON.stringify(header.sections[1])).target.bucket).toBe('two');
  });

  it('reads a version 2 file (every section in its region) as before', () => {
    const file = JSON.parse(VALID);
    file.version = 2;
    delete file.accountsElsewhere;
    const parsed = parseAnyPlan(JSON.stringify(file));
    expect(parsed.kind === 'fleet' && parsed.fleet).toEqual(SAMPLE);
  });

  it('reads a section in another region than the file (version 3)', () => {
    const file = JSON.parse(VALID);
    expect(file.version).toBe(3);
    file.sections[0].target.region = 'eu-west-1';
    const parsed = parseAnyPlan(JSON.stringify(file));
    expect(parsed.kind === 'fleet' && parsed.fleet.sections[0]?.target.region).toBe('eu-west-1');
  });

  it('reads a single plan file as before', () => {
    const single = serializePlan(sampleFleet().sections[0] as never, 'test');
    expect(parseAnyPlan(single)).toEqual({ kind: 'plan', plan: parsePlan(single) });
  });

  it.each<[string, (file: Json) => void, RegExp]>([
    [
      'a bucket with two sections',
      (file) => file.sections.push(file.sections[0]),
      /^sections\[3\]: bucket one has two sections$/,
    ],
    [
      'a section for another account',
      (file) => {
        file.sections[1] = JSON.parse(
          JSON.stringify(file.sections[1]).replaceAll('123456789012', '999999999999'),
        );
      },
      /^sections\[1\] is for account 999999999999, but the fleet plan is for 123456789012$/,
    ],
    [
      'a version 2 file (one region) with a section in another region',
      (file) => {
        file.version = 2;
        file.sections[0].target.region = 'eu-west-1';
      },
      /^sections\[0\] is for region eu-west-1, but the fleet plan is for us-east-1$/,
    ],
    [
      'a section with another preset',
      (file) => {
        file.sections[2].preset = 'worm';
      },
      /^sections\[2\] uses preset worm, but the fleet plan uses baseline$/,
    ],
    [
      'a hostile section: a call to another section’s bucket',
      (file) => {
        file.sections[1].changes[0].call.input.Bucket = 'one';
      },
      /^sections\[1\]: changes\[0\]\.call names bucket "one", but the plan is for two$/,
    ],
    [
      'a section whose undo restores something else',
      (file) => {
        file.sections[0].changes[0].undo = {
          service: 's3',
          operation: 'DeletePublicAccessBlock',
          input: { Bucket: 'one' },
        };
        file.sections[0].changes[0].before = { ...file.sections[0].changes[0].after };
      },
      /^sections\[0\]: changes\[0\]: its before-state does not match observed\.bucket\.publicAccessBlock$/,
    ],
    [
      'an account-wide change in a bucket section',
      (file) => {
        file.sections[0].changes.push(file.account.changes[0]);
        file.sections[0].observed['account.publicAccessBlock'] = null;
      },
      /^sections\[0\]: Block Public Access \(account\) is account-wide; only the account section may change it$/,
    ],
    [
      'a bucket change in the account section',
      (file) => {
        file.account.target.bucket = 'one';
        file.account.changes.push(file.sections[0].changes[0]);
        file.account.observed['bucket.publicAccessBlock'] = null;
      },
      /^account: Block Public Access \(bucket\) is not account-wide; it belongs in its bucket's section$/,
    ],
    [
      'an account section naming a bucket outside the fleet',
      (file) => {
        file.account.target.bucket = 'not-in-fleet';
      },
      /^account: names bucket not-in-fleet, which is not one of the fleet's buckets$/,
    ],
    [
      'a skipped bucket that also has a section',
      (file) => file.skipped.push({ bucket: 'two', reason: 'x' }),
      /^skipped\[1\]: bucket two is listed twice$/,
    ],
    [
      'control characters in a skip reason',
      (file) => {
        file.skipped[0].reason = '\u001b[2Jgone';
      },
      /^skipped\[0\]\.reason: must not contain control characters$/,
    ],
    [
      'a header for another account',
      (file) => {
        file.accountId = '210987654321';
      },
      /^sections\[0\] is for account 123456789012, but the fleet plan is for 210987654321$/,
    ],
    [
      'a future version',
      (file) => {
        file.version = 4;
      },
      /^fleet plan file version 4 is not supported \(this s3-harden reads versions 2 and 3\)$/,
    ],
    [
      'more sections than a fleet holds',
      (file) => {
        file.skipped = Array.from({ length: 1000 }, (_, i) => ({ bucket: `b-${i}`, reason: 'x' }));
      },
      /^a fleet plan holds at most 1000 buckets$/,
    ],
    [
      'an unknown field',
      (file) => {
        file.note = 'hi';
      },
      /^plan: Unrecognized key: "note"$/,
    ],
  ])('rejects %s in one line', (_name, edit, message) => {
    expect(rejection(edited(edit))).toMatch(message);
  });

  it('refuses a fleet file nested deeper than a section may be, before parsing', () => {
    const deep = VALID.replace(
      '"skipped": [',
      `"deep": ${'['.repeat(80)}${']'.repeat(80)}, "skipped": [`,
    );
    expect(rejection(deep)).toBe('nested more than 66 levels deep; not a plan file');
  });
});

describe('selecting buckets', () => {
  const listed = ['logs-a', 'logs-bb', 'web-prod', 'api-prod', 'logs'];
  it('matches * and ? only, anchored at both ends', () => {
    expect(listed.filter(globMatcher('logs-*'))).toEqual(['logs-a', 'logs-bb']);
    expect(listed.filter(globMatcher('*-prod'))).toEqual(['web-prod', 'api-prod']);
    expect(listed.filter(globMatcher('logs-?'))).toEqual(['logs-a']);
    expect(listed.filter(globMatcher('logs.a'))).toEqual([]);
    expect(selectBuckets({ kind: 'all' }, listed)).toEqual(listed);
    expect(selectBuckets({ kind: 'list', buckets: ['x'] }, listed)).toEqual(['x']);
  });
  it('refuses a pattern no bucket name could match', () => {
    expect(globProblem('logs-[ab]')).toMatch(/may hold only lowercase letters/);
    expect(globProblem('')).toBe('the pattern is empty');
    expect(globProblem('Logs*')).toMatch(/may hold only/);
    expect(globProblem('logs-*')).toBeNull();
  });
});

describe('fleet text fits 80 columns', () => {
  const planFor = (bucket: string, changes: number) =>
    ({
      ...(sampleFleet().sections[0] as FleetPlan['sections'][number]),
      target: { accountId: SYNTHETIC_ACCOUNT, region: 'us-east-1', bucket },
      changes: Array.from({ length: changes }, () => ({})),
    }) as never;

  it('a section heading runs its rule out to 80 columns, never past', () => {
    expect(linesToText(sectionHeading(planFor('logs-a', 3)))).toBe(
      `── Bucket logs-a: 3 changes ${'─'.repeat(52)}`,
    );
    for (const length of [3, 40, 60, 62, 63]) {
      for (const count of [1, 12, 1000]) {
        const lines = linesToText(sectionHeading(planFor('b'.repeat(length), count))).split('\n');
        for (const line of lines) expect(line.length, `${length}/${count}`).toBeLessThanOrEqual(80);
      }
    }
  });

  it('a heading too long for one line puts its change count on the next, the name uncut', () => {
    const name = `b${'x'.repeat(61)}`;
    expect(linesToText(sectionHeading(planFor(name, 3))).split('\n')).toEqual([
      `── Bucket ${name}: ${'─'.repeat(6)}`,
      '   3 changes',
    ]);
    const longest = 'c'.repeat(63);
    expect(linesToText(sectionHeading(planFor(longest, 1000))).split('\n')).toEqual([
      `── Bucket ${longest}: ${'─'.repeat(5)}`,
      '   1,000 changes',
    ]);
    const account = linesToText(accountHeading(planFor('x', 1)));
    expect(account).toMatch(/^── Account 123456789012 \(us-east-1\): 1 change, applied first ─+$/);
    expect(account.length).toBe(80);
  });

  it('wraps words at 80 columns under a hanging indent; a longer word stays whole', () => {
    const text = `${'word '.repeat(30)}${'x'.repeat(90)} end`;
    const lines = wrapWords(text, '    ');
    expect(lines[0]?.startsWith('    word')).toBe(true);
    expect(lines[1]?.startsWith('      word')).toBe(true);
    expect(lines).toContain(`      ${'x'.repeat(90)}`);
    expect(lines.at(-1)).toBe('      end');
    for (const line of lines.filter((line) => !line.includes('xxx')))
      expect(line.length).toBeLessThanOrEqual(80);
    expect(wrapWords('short', '')).toEqual(['short']);
  });
});

describe('the fleet apply summary', () => {
  const result = (label: string, status: SectionResult['status'], extra = {}): SectionResult => ({
    label,
    changes: 2,
    status,
    ...extra,
  });
  it('exits 0 when every section applied, 1 on any failure or skip, 3 on an incomplete rollback', () => {
    expect(fleetExitCode([result('a', 'applied'), result('b', 'unchanged')])).toBe(0);
    expect(fleetExitCode([result('a', 'applied'), result('b', 'stale')])).toBe(1);
    expect(fleetExitCode([result('a', 'rolled-back'), result('b', 'not-run')])).toBe(1);
    expect(fleetExitCode([result('a', 'unverified')])).toBe(1);
    expect(fleetExitCode([result('a', 'rollback-incomplete'), result('b', 'rolled-back')])).toBe(3);
    // Applied by an earlier run: a retry of the same file exits 0.
    expect(fleetExitCode([result('a', 'already-applied'), result('b', 'applied')])).toBe(0);
    expect(fleetExitCode([result('a', 'already-applied'), result('b', 'stale')])).toBe(1);
  });
  it('a retry: sections an earlier run applied are "already applied", not an error', () => {
    expect(
      linesToText(
        fleetSummaryTable([
          result('account 123456789012', 'already-applied', { changes: 1 }),
          result('logs-a', 'already-applied'),
          result('logs-b', 'applied'),
        ]),
      ).split('\n'),
    ).toEqual([
      '  Bucket                Result               Changes',
      '✓ account 123456789012  already applied      1',
      '✓ logs-a                already applied      2',
      '✓ logs-b                applied              2',
      '',
      'Fleet apply complete: 1 section applied and verified, 2 already applied.',
    ]);
    expect(
      linesToText(fleetSummaryTable([result('logs-a', 'already-applied')]))
        .split('\n')
        .at(-1),
    ).toBe('Fleet apply complete: nothing to do (1 already applied).');
  });
  it('a stale section: one short line naming what drifted, wrapped within 80 columns', () => {
    const text = linesToText(
      fleetSummaryTable([
        result('logs-a', 'stale', {
          detail:
            'Bucket policy, Versioning and 2 more changed since the plan; Default encryption could not be read (Access denied: s3:GetEncryptionConfiguration on bucket logs-a.)',
        }),
      ]),
    );
    expect(text.split('\n').slice(1, 5)).toEqual([
      '≠ logs-a  stale, skipped       2',
      '    stale: Bucket policy, Versioning and 2 more changed since the plan; Default',
      '      encryption could not be read (Access denied: s3:GetEncryptionConfiguration',
      '      on bucket logs-a.)',
    ]);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });
  it('is a table of bucket, result and changes, with journals under the failures', () => {
    const text = linesToText(
      fleetSummaryTable([
        result('account 123456789012', 'applied', { changes: 1 }),
        result('logs-a', 'applied'),
        result('logs-b', 'rolled-back', {
          detail: 'Versioning: Access denied',
          journalPath: '/state/j.jsonl',
        }),
        result('logs-c', 'not-run'),
      ]),
    );
    expect(text).toBe(
      [
        '  Bucket                Result               Changes',
        '✓ account 123456789012  applied              1',
        '✓ logs-a                applied              2',
        '↶ logs-b                rolled back          2',
        '    Versioning: Access denied',
        '    journal: /state/j.jsonl',
        '· logs-c                not run              2',
        '',
        'Fleet apply incomplete: 2 applied, 1 rolled back, 1 not run.',
      ].join('\n'),
    );
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });
  it('gives a long bucket name a line of its own rather than cutting it', () => {
    const long = `b${'x'.repeat(60)}`;
    const lines = linesToText(fleetSummaryTable([result(long, 'applied')])).split('\n');
    expect(lines[1]).toBe(`✓ ${long}`);
    expect(lines[2]?.trim()).toBe('applied              2');
  });
});
