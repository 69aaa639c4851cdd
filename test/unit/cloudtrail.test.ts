/**
 * CloudTrail data events, pure: which selectors log which bucket's object
 * reads and writes (basic and advanced, read-only and write-only, prefixes,
 * exclusions, fields that narrow), the bucket's selector appended within
 * CloudTrail's limits, which trail takes it, the "no selectors" value, the
 * step's plans per preset and situation, and the audit control's verdicts.
 */
import { describe, expect, it } from 'vitest';
import { evaluateControls } from '../../src/plan/audit/controls.js';
import { parseFailOn } from '../../src/plan/audit/fail-on.js';
import { parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import type { Posture, PostureValues } from '../../src/plan/model/types.js';
import {
  type AdvancedSelector,
  type BasicSelector,
  bucketAdvancedSelector,
  bucketBasicSelector,
  type Coverage,
  isCandidate,
  isCreationDefault,
  MANAGEMENT_SELECTOR,
  OWN_TRAIL,
  type Selectors,
  selectorsCoverage,
  type TrailSummary,
  trailBucketName,
  withBucketSelector,
} from '../../src/plan/resources/cloudtrail.js';
import { satisfies, writeCall } from '../../src/plan/resources/index.js';
import { COST_NOTE, cloudTrailStep as step } from '../../src/steps/cloudtrail.js';
import { buildPlan, defaultAnswers, unavailableReason } from '../../src/steps/index.js';
import { ACCOUNT_ID, BUCKET, posture as postureOf, REGION } from './support.js';

const SCOPE = { partition: 'aws', bucket: BUCKET };
const BOTH: Coverage = { read: true, write: true };
const READ: Coverage = { read: true, write: false };
const WRITE: Coverage = { read: false, write: true };
const NONE: Coverage = { read: false, write: false };

const basic = (selector: BasicSelector): Selectors => ({ EventSelectors: [selector] });
const s3Basic = (values: string[], ReadWriteType?: string): BasicSelector => ({
  ...(ReadWriteType ? { ReadWriteType } : {}),
  DataResources: [{ Type: 'AWS::S3::Object', Values: values }],
});
const DATA = { Field: 'eventCategory', Equals: ['Data'] };
const OBJECTS = { Field: 'resources.type', Equals: ['AWS::S3::Object'] };
const advanced = (...fields: AdvancedSelector['FieldSelectors'][]): Selectors => ({
  AdvancedEventSelectors: fields.map((FieldSelectors) => ({ FieldSelectors })),
});
const arn = (operator: string, ...values: string[]) => ({
  Field: 'resources.ARN',
  [operator]: values,
});
const MANAGEMENT_FIELDS = { Field: 'eventCategory', Equals: ['Management'] };

describe('which selectors log the bucket’s data events', () => {
  it.each<[string, Selectors, Coverage]>([
    ['basic, every bucket (arn:aws:s3)', basic(s3Basic(['arn:aws:s3'])), BOTH],
    ['basic, every bucket (arn:aws:s3:::)', basic(s3Basic(['arn:aws:s3:::'])), BOTH],
    ['basic, the bucket', basic(s3Basic([`arn:aws:s3:::${BUCKET}/`])), BOTH],
    ['basic, the bucket without the slash', basic(s3Basic([`arn:aws:s3:::${BUCKET}`])), BOTH],
    ['basic, read-only', basic(s3Basic(['arn:aws:s3'], 'ReadOnly')), READ],
    ['basic, write-only', basic(s3Basic([`arn:aws:s3:::${BUCKET}/`], 'WriteOnly')), WRITE],
    ['basic, a prefix of the bucket only', basic(s3Basic([`arn:aws:s3:::${BUCKET}/logs/`])), NONE],
    ['basic, another bucket', basic(s3Basic(['arn:aws:s3:::other-bucket/'])), NONE],
    ['basic, a bucket whose name starts like it', basic(s3Basic(['arn:aws:s3:::my-'])), NONE],
    ['basic, another partition', basic(s3Basic(['arn:aws-cn:s3'])), NONE],
    [
      'basic, Lambda data events',
      basic({ DataResources: [{ Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda'] }] }),
      NONE,
    ],
    ['basic, management events only', basic({ IncludeManagementEvents: true }), NONE],
    [
      'basic, a read-only and a write-only selector together',
      {
        EventSelectors: [s3Basic(['arn:aws:s3'], 'ReadOnly'), s3Basic(['arn:aws:s3'], 'WriteOnly')],
      },
      BOTH,
    ],
    ['advanced, every S3 object', advanced([DATA, OBJECTS]), BOTH],
    [
      'advanced, read-only',
      advanced([DATA, OBJECTS, { Field: 'readOnly', Equals: ['true'] }]),
      READ,
    ],
    [
      'advanced, write-only',
      advanced([DATA, OBJECTS, { Field: 'readOnly', Equals: ['false'] }]),
      WRITE,
    ],
    [
      'advanced, everything but reads',
      advanced([DATA, OBJECTS, { Field: 'readOnly', NotEquals: ['true'] }]),
      WRITE,
    ],
    [
      'advanced, a read-only and a write-only selector together',
      advanced(
        [DATA, OBJECTS, { Field: 'readOnly', Equals: ['true'] }],
        [DATA, OBJECTS, { Field: 'readOnly', Equals: ['false'] }],
      ),
      BOTH,
    ],
    [
      'advanced, the bucket',
      advanced([DATA, OBJECTS, arn('StartsWith', `arn:aws:s3:::${BUCKET}/`)]),
      BOTH,
    ],
    [
      'advanced, a prefix of its name',
      advanced([DATA, OBJECTS, arn('StartsWith', 'arn:aws:s3:::my-')]),
      BOTH,
    ],
    [
      'advanced, one of several buckets',
      advanced([DATA, OBJECTS, arn('StartsWith', 'arn:aws:s3:::a/', `arn:aws:s3:::${BUCKET}/`)]),
      BOTH,
    ],
    [
      'advanced, another bucket',
      advanced([DATA, OBJECTS, arn('StartsWith', 'arn:aws:s3:::other/')]),
      NONE,
    ],
    [
      'advanced, one folder of the bucket',
      advanced([DATA, OBJECTS, arn('StartsWith', `arn:aws:s3:::${BUCKET}/logs/`)]),
      NONE,
    ],
    [
      'advanced, a folder of the bucket excluded',
      advanced([DATA, OBJECTS, arn('NotStartsWith', `arn:aws:s3:::${BUCKET}/tmp/`)]),
      NONE,
    ],
    [
      'advanced, the bucket excluded',
      advanced([DATA, OBJECTS, arn('NotStartsWith', `arn:aws:s3:::${BUCKET}/`)]),
      NONE,
    ],
    [
      'advanced, another bucket excluded',
      advanced([DATA, OBJECTS, arn('NotStartsWith', 'arn:aws:s3:::other/')]),
      BOTH,
    ],
    [
      'advanced, exact objects',
      advanced([DATA, OBJECTS, arn('Equals', `arn:aws:s3:::${BUCKET}/a.txt`)]),
      NONE,
    ],
    ['advanced, by suffix', advanced([DATA, OBJECTS, arn('EndsWith', '.csv')]), NONE],
    [
      'advanced, some operations only (eventName)',
      advanced([DATA, OBJECTS, { Field: 'eventName', Equals: ['PutObject'] }]),
      NONE,
    ],
    [
      'advanced, S3 as the event source',
      advanced([DATA, OBJECTS, { Field: 'eventSource', Equals: ['s3.amazonaws.com'] }]),
      BOTH,
    ],
    [
      'advanced, management events',
      advanced([{ Field: 'eventCategory', Equals: ['Management'] }]),
      NONE,
    ],
    ['advanced, data events of no resource type', advanced([DATA]), NONE],
    [
      'advanced, DynamoDB data events',
      advanced([DATA, { Field: 'resources.type', Equals: ['AWS::DynamoDB::Table'] }]),
      NONE,
    ],
    [
      'advanced, S3 objects and Lambda functions in one condition',
      advanced([
        DATA,
        { Field: 'resources.type', Equals: ['AWS::Lambda::Function', 'AWS::S3::Object'] },
      ]),
      BOTH,
    ],
  ])('%s', (_name, selectors, coverage) => {
    expect(selectorsCoverage(selectors, SCOPE)).toEqual(coverage);
  });

  it('tells a trail that logs every bucket (Security Hub’s ask) from one that logs this one', () => {
    const all = { partition: 'aws' };
    expect(selectorsCoverage(basic(s3Basic(['arn:aws:s3'])), all)).toEqual(BOTH);
    expect(selectorsCoverage(basic(s3Basic([`arn:aws:s3:::${BUCKET}/`])), all)).toEqual(NONE);
    expect(selectorsCoverage(advanced([DATA, OBJECTS]), all)).toEqual(BOTH);
    expect(
      selectorsCoverage(advanced([DATA, OBJECTS, arn('NotStartsWith', 'arn:aws:s3:::x/')]), all),
    ).toEqual(NONE);
  });
});

describe('the bucket’s selector, appended', () => {
  const existing: AdvancedSelector = {
    Name: 'mine',
    FieldSelectors: [DATA, OBJECTS, arn('StartsWith', 'arn:aws:s3:::x/')],
  };

  it('goes after every advanced selector, which stay as they are; again replaces its own', () => {
    const added = withBucketSelector({ AdvancedEventSelectors: [existing] }, BUCKET, 'aws');
    expect(added).toEqual({
      selectors: { AdvancedEventSelectors: [existing, bucketAdvancedSelector(BUCKET, 'aws')] },
    });
    const stale = { Name: `s3-harden: ${BUCKET}`, FieldSelectors: [DATA] };
    expect(
      withBucketSelector({ AdvancedEventSelectors: [stale, existing] }, BUCKET, 'aws'),
    ).toEqual({
      selectors: { AdvancedEventSelectors: [bucketAdvancedSelector(BUCKET, 'aws'), existing] },
    });
    // Its own selector logs the bucket, read and write.
    expect(
      selectorsCoverage({ AdvancedEventSelectors: [bucketAdvancedSelector(BUCKET, 'aws')] }, SCOPE),
    ).toEqual(BOTH);
  });

  it('goes after every basic selector, with no management events', () => {
    const mine = s3Basic(['arn:aws:s3:::x/'], 'All');
    expect(withBucketSelector({ EventSelectors: [mine] }, BUCKET, 'aws-us-gov')).toEqual({
      selectors: {
        EventSelectors: [
          mine,
          {
            ReadWriteType: 'All',
            IncludeManagementEvents: false,
            DataResources: [
              { Type: 'AWS::S3::Object', Values: [`arn:aws-us-gov:s3:::${BUCKET}/`] },
            ],
            ExcludeManagementEventSources: [],
          },
        ],
      },
    });
    expect(
      selectorsCoverage({ EventSelectors: [bucketBasicSelector(BUCKET, 'aws')] }, SCOPE),
    ).toEqual(BOTH);
  });

  it('says so when CloudTrail’s limits leave no room', () => {
    const five = Array.from({ length: 5 }, () => s3Basic(['arn:aws:s3:::x/']));
    expect(withBucketSelector({ EventSelectors: five }, BUCKET, 'aws')).toEqual({
      problem: expect.stringMatching(/^it has 5 basic event selectors, the most CloudTrail allows/),
    });
    const wide = {
      FieldSelectors: [
        DATA,
        OBJECTS,
        arn('StartsWith', ...Array.from({ length: 496 }, (_, i) => `arn:aws:s3:::b${i}/`)),
      ],
    };
    expect(withBucketSelector({ AdvancedEventSelectors: [wide] }, BUCKET, 'aws')).toEqual({
      problem: expect.stringMatching(/more than 500 condition values/),
    });
  });
});

describe('the trail selectors resource', () => {
  const own = (selectors: Selectors) => ({ TrailName: OWN_TRAIL, ...selectors });

  it('null is written as a new trail’s selector, and read as null for s3-harden’s trail only', () => {
    expect(
      writeCall('trail.selectors', { accountId: ACCOUNT_ID, region: REGION, bucket: BUCKET }, null),
    ).toEqual({
      service: 'cloudtrail',
      operation: 'PutEventSelectors',
      input: { TrailName: OWN_TRAIL, AdvancedEventSelectors: [MANAGEMENT_SELECTOR] },
    });
    expect(satisfies('trail.selectors', null, null)).toBe(true);
    expect(satisfies('trail.selectors', null, own({ EventSelectors: [] }))).toBe(true);
    expect(
      satisfies(
        'trail.selectors',
        null,
        own({
          EventSelectors: [
            {
              ReadWriteType: 'All',
              IncludeManagementEvents: true,
              DataResources: [],
              ExcludeManagementEventSources: [],
            },
          ],
        }),
      ),
    ).toBe(true);
    expect(
      satisfies('trail.selectors', null, own({ AdvancedEventSelectors: [MANAGEMENT_SELECTOR] })),
    ).toBe(true);
    expect(satisfies('trail.selectors', null, { TrailName: 'theirs', EventSelectors: [] })).toBe(
      false,
    );
    expect(
      satisfies(
        'trail.selectors',
        null,
        own({ AdvancedEventSelectors: [bucketAdvancedSelector(BUCKET, 'aws')] }),
      ),
    ).toBe(false);
    expect(isCreationDefault({ EventSelectors: [s3Basic(['arn:aws:s3'])] })).toBe(false);
  });

  it('compares as CloudTrail reads selectors back: defaults filled in, empty lists dropped', () => {
    const put = { TrailName: 't', EventSelectors: [s3Basic(['arn:aws:s3'])] };
    const read = {
      TrailName: 't',
      EventSelectors: [
        {
          ReadWriteType: 'All',
          IncludeManagementEvents: true,
          ExcludeManagementEventSources: [],
          ...s3Basic(['arn:aws:s3']),
        },
      ],
    };
    expect(satisfies('trail.selectors', put, read)).toBe(true);
    expect(satisfies('trail.selectors', put, { ...read, TrailName: 'u' })).toBe(false);
    const advancedPut = { TrailName: 't', AdvancedEventSelectors: [{ FieldSelectors: [DATA] }] };
    const advancedRead = {
      TrailName: 't',
      AdvancedEventSelectors: [{ Name: '', FieldSelectors: [{ ...DATA, NotEquals: [] }] }],
    };
    expect(satisfies('trail.selectors', advancedPut, advancedRead)).toBe(true);
    expect(satisfies('trail.selectors', advancedPut, { TrailName: 't', EventSelectors: [] })).toBe(
      false,
    );
  });
});

describe('which trail takes the selector', () => {
  const target = { accountId: ACCOUNT_ID, region: REGION };
  const trail = {
    Name: 'main',
    TrailARN: `arn:aws:cloudtrail:${REGION}:${ACCOUNT_ID}:trail/main`,
    HomeRegion: REGION,
    IsMultiRegionTrail: true,
    IsOrganizationTrail: false,
    IsLogging: true,
  };
  it.each<[string, Partial<typeof trail>, boolean]>([
    ['a logging multi-Region trail homed here', {}, true],
    ['a single-Region trail', { IsMultiRegionTrail: false }, false],
    ['a trail homed in another region', { HomeRegion: 'eu-west-1' }, false],
    ['a stopped trail', { IsLogging: false }, false],
    ['an organization trail', { IsOrganizationTrail: true }, false],
    [
      'another account’s trail',
      { TrailARN: `arn:aws:cloudtrail:${REGION}:210987654321:trail/main` },
      false,
    ],
    [
      's3-harden’s own trail, even stopped',
      {
        Name: OWN_TRAIL,
        TrailARN: `arn:aws:cloudtrail:${REGION}:${ACCOUNT_ID}:trail/${OWN_TRAIL}`,
        IsLogging: false,
      },
      true,
    ],
  ])('%s: %s', (_name, overrides, expected) => {
    expect(isCandidate({ ...trail, ...overrides }, target)).toBe(expected);
  });

  it('the trail bucket’s name fits S3’s 63 characters in every region', () => {
    expect(
      trailBucketName({ accountId: ACCOUNT_ID, region: 'ap-southeast-7' }).length,
    ).toBeLessThanOrEqual(63);
    expect(trailBucketName({ accountId: ACCOUNT_ID, region: 'us-gov-west-1' })).toBe(
      `s3-harden-trail-${ACCOUNT_ID}-us-gov-west-1`,
    );
  });
});

/** A posture whose every CloudTrail read is as given (trails: a listing of one logging trail per entry). */
function ctPosture(
  trails: readonly {
    name: string;
    selectors: Selectors;
    logging?: boolean;
    multiRegion?: boolean;
    bucket?: string;
  }[],
  extra: Partial<PostureValues> = {},
): Posture {
  const listed: TrailSummary[] = trails.map((trail) => ({
    Name: trail.name,
    TrailARN: `arn:aws:cloudtrail:${REGION}:${ACCOUNT_ID}:trail/${trail.name}`,
    HomeRegion: REGION,
    IsMultiRegionTrail: trail.multiRegion ?? true,
    IsOrganizationTrail: false,
    IsLogging: trail.logging ?? true,
    selectors: trail.selectors,
    ...(trail.bucket ? { S3BucketName: trail.bucket } : {}),
  }));
  const chosen = listed.find((trail) =>
    isCandidate(trail, { accountId: ACCOUNT_ID, region: REGION }),
  );
  return postureOf({
    'bucket.exists': { Region: REGION },
    'account.trails': listed,
    'trail.selectors': chosen
      ? { TrailName: chosen.Name, ...(chosen.selectors as Selectors) }
      : null,
    'account.ownTrail': null,
    'account.ownTrailLogging': null,
    'account.trailBucket': null,
    'account.trailBucketPublicAccessBlock': null,
    'account.trailBucketOwnership': null,
    'account.trailBucketEncryption': null,
    'account.trailBucketVersioning': null,
    'account.trailBucketPolicy': null,
    'account.trailBucketLifecycle': null,
    ...extra,
  });
}

const planOf = (posture: Posture, preset: 'baseline' | 'strict' | 'custom' = 'baseline') =>
  buildPlan(posture, preset, ['cloudtrail'], { cloudtrail: step.defaults(posture, preset) });
const verdict = (posture: Posture) =>
  evaluateControls(posture).find((result) => result.id === 'data-events');

describe('the CloudTrail step', () => {
  it('defaults: every preset logs data events; only strict and worm create a trail', () => {
    const posture = ctPosture([]);
    expect(step.defaults(posture, 'baseline')).toEqual({ enabled: true, createTrail: false });
    expect(step.defaults(posture, 'custom')).toEqual({ enabled: true, createTrail: false });
    expect(step.defaults(posture, 'strict')).toEqual({ enabled: true, createTrail: true });
    expect(step.defaults(posture, 'worm')).toEqual({ enabled: true, createTrail: true });
    expect(step.validate({ enabled: 'yes' as never, createTrail: false })).toEqual([
      'Log data events must be on or off',
    ]);
  });

  it('a bucket already logged: no change, and the verdict names the trail', () => {
    const posture = ctPosture([{ name: 'main', selectors: advanced([DATA, OBJECTS]) }]);
    expect(planOf(posture, 'strict').changes).toEqual([]);
    expect(verdict(posture)).toEqual({
      id: 'data-events',
      status: 'pass',
      detail: 'trail main logs reads and writes (a multi-Region trail logs every bucket)',
    });
  });

  it('reads on one trail and writes on another are logged too', () => {
    const posture = ctPosture([
      { name: 'reads', selectors: basic(s3Basic(['arn:aws:s3'], 'ReadOnly')), multiRegion: false },
      { name: 'writes', selectors: basic(s3Basic([`arn:aws:s3:::${BUCKET}/`], 'WriteOnly')) },
    ]);
    expect(planOf(posture).changes).toEqual([]);
    expect(verdict(posture)?.detail).toBe(
      'trail reads logs reads, trail writes writes; Security Hub S3.22/S3.23 look for a multi-Region trail that logs every bucket',
    );
  });

  it('writes only: fails naming S3.23, and the selector goes into the logging trail', () => {
    const posture = ctPosture([
      {
        name: 'main',
        selectors: advanced([DATA, OBJECTS, { Field: 'readOnly', Equals: ['false'] }]),
      },
    ]);
    expect(verdict(posture)).toMatchObject({
      status: 'fail',
      detail: 'reads are not logged (S3.23); writes are, by trail main',
    });
    const plan = planOf(posture);
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]?.after).toEqual({
      TrailName: 'main',
      AdvancedEventSelectors: [
        { FieldSelectors: [DATA, OBJECTS, { Field: 'readOnly', Equals: ['false'] }] },
        bucketAdvancedSelector(BUCKET, 'aws'),
      ],
    });
    expect(plan.changes[0]?.warnings[0]).toBe(COST_NOTE);
    // Its undo restores exactly what was there; a plan file holds it.
    expect(plan.changes[0]?.undo?.input).toEqual({
      TrailName: 'main',
      AdvancedEventSelectors: [
        { FieldSelectors: [DATA, OBJECTS, { Field: 'readOnly', Equals: ['false'] }] },
      ],
    });
    expect(parsePlan(serializePlan(plan, 'test')).changes).toEqual(plan.changes);
  });

  it('a stopped trail and a single-Region one take no selector: baseline says why and what it costs', () => {
    const posture = ctPosture([
      { name: 'stopped', selectors: basic({}), logging: false },
      { name: 'local', selectors: basic({}), multiRegion: false },
    ]);
    const plan = planOf(posture);
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([
      {
        step: 'CloudTrail data events',
        reason: `not logged: no multi-Region trail in ${REGION} to take the selector, and creating ${OWN_TRAIL} was not chosen; ${COST_NOTE}; strict and worm create it, or choose "Create or start s3-harden's trail"`,
      },
    ]);
    expect(verdict(posture)?.detail).toBe(
      "no logging trail of this region logs this bucket's object reads or writes",
    );
  });

  it('strict with no trail: the bucket, its hardening and policy, the trail, its selector, then logging', () => {
    const plan = planOf(ctPosture([]), 'strict');
    expect(plan.changes.map((change) => [change.id, change.dependsOn])).toEqual([
      ['account.trailBucket', []],
      ['account.trailBucketPublicAccessBlock', ['account.trailBucket']],
      ['account.trailBucketOwnership', ['account.trailBucket']],
      ['account.trailBucketEncryption', ['account.trailBucket']],
      ['account.trailBucketVersioning', ['account.trailBucket']],
      ['account.trailBucketLifecycle', ['account.trailBucket']],
      ['account.trailBucketPolicy', ['account.trailBucket']],
      [
        'account.ownTrail',
        [
          'account.trailBucket',
          'account.trailBucketPublicAccessBlock',
          'account.trailBucketOwnership',
          'account.trailBucketEncryption',
          'account.trailBucketVersioning',
          'account.trailBucketLifecycle',
          'account.trailBucketPolicy',
        ],
      ],
      ['trail.selectors', ['account.ownTrail']],
      ['account.ownTrailLogging', ['account.ownTrail', 'trail.selectors']],
    ]);
    const policy = plan.changes.find((change) => change.id === 'account.trailBucketPolicy');
    const statements = (policy?.after as { Statement: Record<string, unknown>[] } | undefined)
      ?.Statement;
    const trailArn = `arn:aws:cloudtrail:${REGION}:${ACCOUNT_ID}:trail/${OWN_TRAIL}`;
    expect(statements?.[1]).toEqual({
      Sid: 'S3HardenCloudTrailWrite',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: ['s3:PutObject'],
      Resource: `arn:aws:s3:::${trailBucketName({ accountId: ACCOUNT_ID, region: REGION })}/AWSLogs/${ACCOUNT_ID}/*`,
      Condition: {
        StringEquals: {
          's3:x-amz-acl': 'bucket-owner-full-control',
          'aws:SourceArn': trailArn,
          'aws:SourceAccount': ACCOUNT_ID,
        },
      },
    });
    // As the plan leaves it, the control passes.
    const before = ctPosture([]);
    const values = Object.fromEntries(
      plan.changes.map((change) => [change.resource, change.after]),
    );
    expect(verdict({ ...before, values: { ...before.values, ...values } })?.status).toBe('pass');
    expect(parsePlan(serializePlan(plan, 'test')).changes).toEqual(plan.changes);
  });

  it('on s3-harden’s trail a fleet’s account section creates, the selector starts from its new-trail state', () => {
    const posture = ctPosture([], {
      'account.ownTrail': {
        S3BucketName: trailBucketName({ accountId: ACCOUNT_ID, region: REGION }),
        IsMultiRegionTrail: true,
        LogFileValidationEnabled: true,
      },
      'account.ownTrailLogging': { IsLogging: true },
    });
    const plan = planOf(posture);
    expect(plan.changes.map((change) => [change.id, change.before])).toEqual([
      ['trail.selectors', null],
    ]);
    expect(plan.changes[0]?.after).toEqual({
      TrailName: OWN_TRAIL,
      AdvancedEventSelectors: [bucketAdvancedSelector(BUCKET, 'aws')],
    });
  });

  it('s3-harden’s stopped trail is started again only when asked', () => {
    const posture = ctPosture(
      [{ name: OWN_TRAIL, selectors: { AdvancedEventSelectors: [] }, logging: false }],
      {
        'account.ownTrail': {
          S3BucketName: 'b',
          IsMultiRegionTrail: true,
          LogFileValidationEnabled: true,
        },
        'account.ownTrailLogging': { IsLogging: false },
      },
    );
    expect(planOf(posture).changes).toEqual([]);
    expect(planOf(posture).skipped[0]?.reason).toMatch(/s3-harden-data-events is stopped/);
    expect(planOf(posture, 'strict').changes.map((change) => change.id)).toEqual([
      'trail.selectors',
      'account.ownTrailLogging',
    ]);
    // Holding the bucket's selector already, it is only started.
    const held = ctPosture(
      [
        {
          name: OWN_TRAIL,
          selectors: { AdvancedEventSelectors: [bucketAdvancedSelector(BUCKET, 'aws')] },
          logging: false,
        },
      ],
      {
        'account.ownTrail': {
          S3BucketName: 'b',
          IsMultiRegionTrail: true,
          LogFileValidationEnabled: true,
        },
        'account.ownTrailLogging': { IsLogging: false },
      },
    );
    expect(planOf(held, 'strict').changes.map((change) => [change.id, change.dependsOn])).toEqual([
      ['account.ownTrailLogging', []],
    ]);
  });

  it('the log bucket the plan sends the access logs to gets its selector too', () => {
    const base = ctPosture([{ name: 'main', selectors: advanced([MANAGEMENT_FIELDS]) }]);
    const logs = `${BUCKET}-logs`;
    const values: Record<string, unknown> = {
      ...base.values,
      'bucket.logging': null,
      'bucket.policy': null,
      'bucket.acl': [],
    };
    for (const resource of [
      'logTarget.exists',
      'logTarget.policy',
      'logTarget.encryption',
      'logTarget.objectLock',
      'logTarget.requestPayment',
      'logTarget.publicAccessBlock',
      'logTarget.ownershipControls',
      'logTarget.acl',
      'logTarget.versioning',
      'logTarget.lifecycle',
    ])
      values[resource] = null;
    const posture = { ...base, logBucket: logs, values: values as Partial<PostureValues> };
    const steps = ['logging', 'cloudtrail'] as const;
    const answers = defaultAnswers(posture, 'baseline', [...steps]);
    const plan = buildPlan(posture, 'baseline', [...steps], answers);
    const change = plan.changes.find((entry) => entry.id === 'trail.selectors');
    expect(change?.title).toBe(`CloudTrail data events: ${BUCKET}, ${logs} on trail main`);
    expect(change?.after).toEqual({
      TrailName: 'main',
      AdvancedEventSelectors: [
        { FieldSelectors: [MANAGEMENT_FIELDS] },
        bucketAdvancedSelector(BUCKET, 'aws'),
        bucketAdvancedSelector(logs, 'aws'),
      ],
    });
    expect(change?.warnings).toContain(
      'the log bucket too, so that reading or deleting the access logs is recorded: hardening one bucket leaves no weaker one beside it',
    );
  });

  it('the trail’s own bucket is never logged into its trail (a loop)', () => {
    const posture = {
      ...ctPosture([
        {
          name: 'main',
          selectors: advanced([DATA, OBJECTS, arn('StartsWith', 'arn:aws:s3:::x/')]),
          bucket: BUCKET,
        },
      ]),
    };
    expect(planOf(posture, 'strict').changes).toEqual([]);
    expect(planOf(posture, 'strict').skipped[0]?.reason).toMatch(
      /receives trail main's logs: .* a loop$/,
    );
    expect(verdict(posture)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/a loop$/),
    });
  });

  it('a trail that cannot take another selector is named, with why', () => {
    const five = Array.from({ length: 5 }, () => s3Basic(['arn:aws:s3:::x/']));
    const plan = planOf(ctPosture([{ name: 'full', selectors: { EventSelectors: five } }]));
    expect(plan.changes).toEqual([]);
    expect(plan.skipped[0]?.reason).toMatch(
      /^not logged: trail full cannot take the selector of my-bucket: it has 5 basic event selectors/,
    );
  });

  it('steps aside when CloudTrail cannot be read here; the control says unknown', () => {
    const reason = 'CloudTrail is not available at this endpoint (http://127.0.0.1:1, HTTP 404).';
    const posture = postureOf(
      { 'bucket.exists': { Region: REGION } },
      { 'account.trails': reason, 'trail.selectors': reason },
    );
    expect(unavailableReason('cloudtrail', posture)).toBe(`the trails cannot be read: ${reason}`);
    expect(verdict(posture)).toEqual({ id: 'data-events', status: 'unknown', detail: reason });
  });

  it('a trail whose selectors could not be read makes the control unknown, not failed', () => {
    const posture = ctPosture([]);
    const values = {
      ...posture.values,
      'account.trails': [
        {
          Name: 'org',
          TrailARN: `arn:aws:cloudtrail:${REGION}:210987654321:trail/org`,
          HomeRegion: REGION,
          IsMultiRegionTrail: true,
          IsOrganizationTrail: true,
          IsLogging: true,
          selectors: null,
          problem: 'cannot read its event selectors: Access denied: cloudtrail:GetEventSelectors.',
        },
      ],
    };
    expect(verdict({ ...posture, values })).toEqual({
      id: 'data-events',
      status: 'unknown',
      detail:
        'trail org could not be judged: cannot read its event selectors: Access denied: cloudtrail:GetEventSelectors.',
    });
  });

  it('shadow trails count: one homed in another region, an organization trail; neither takes the selector', () => {
    const homedElsewhere: TrailSummary = {
      Name: 'main',
      TrailARN: `arn:aws:cloudtrail:us-east-2:${ACCOUNT_ID}:trail/main`,
      HomeRegion: 'us-east-2',
      IsMultiRegionTrail: true,
      IsOrganizationTrail: false,
      IsLogging: true,
      selectors: advanced([DATA, OBJECTS]),
    };
    const posture = ctPosture([]);
    const shadowed = {
      ...posture,
      values: { ...posture.values, 'account.trails': [homedElsewhere] },
    };
    expect(verdict(shadowed)).toEqual({
      id: 'data-events',
      status: 'pass',
      detail: 'trail main logs reads and writes (a multi-Region trail logs every bucket)',
    });
    expect(planOf(shadowed, 'strict').changes).toEqual([]);
    // An organization trail that logs every bucket, beside the account's own
    // trail of the same name that takes the selector: the chosen trail's
    // selectors are laid over the account's own only.
    const local = ctPosture([
      { name: 'org', selectors: basic(s3Basic(['arn:aws:s3'], 'ReadOnly')) },
    ]);
    const organization: TrailSummary = {
      ...homedElsewhere,
      Name: 'org',
      TrailARN: `arn:aws:cloudtrail:${REGION}:210987654321:trail/org`,
      HomeRegion: REGION,
      IsOrganizationTrail: true,
      selectors: basic(s3Basic(['arn:aws:s3'], 'WriteOnly')),
    };
    const both = {
      ...local,
      values: {
        ...local.values,
        'account.trails': [...(local.values['account.trails'] ?? []), organization],
      },
    };
    expect(verdict(both)?.status).toBe('pass');
    expect(planOf(both).changes).toEqual([]);
  });

  it('s3-harden’s trail homed in another region is judged as listed there, not as this region’s own', () => {
    const posture = ctPosture([]);
    const values = {
      ...posture.values,
      'account.trails': [
        {
          Name: OWN_TRAIL,
          TrailARN: `arn:aws:cloudtrail:us-east-2:${ACCOUNT_ID}:trail/${OWN_TRAIL}`,
          HomeRegion: 'us-east-2',
          IsMultiRegionTrail: true,
          IsOrganizationTrail: false,
          IsLogging: true,
          selectors: advanced([DATA, OBJECTS, arn('StartsWith', `arn:aws:s3:::${BUCKET}/`)]),
        },
      ],
      // Read by name in this region: not found here.
      'account.ownTrail': null,
      'account.ownTrailLogging': null,
    };
    expect(verdict({ ...posture, values })).toMatchObject({ status: 'pass' });
  });

  it('--fail-on takes either Security Hub ID and either CIS number', () => {
    for (const id of ['S3.22', 's3.23', '4.8', '4.9', 'data-events']) {
      expect(parseFailOn(id)).toEqual({ level: 'fail', controls: ['data-events'] });
    }
    // An older benchmark's numbers, with its version.
    expect(parseFailOn('3.8', '5.0.0')).toEqual({ level: 'fail', controls: ['data-events'] });
  });
});
