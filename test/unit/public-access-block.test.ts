import { describe, expect, it } from 'vitest';
import type { ApiCall, PublicAccessBlock } from '../../src/plan/model/types.js';
import { buildPlan, unavailableReason } from '../../src/steps/index.js';
import {
  ALL_ON,
  accountPublicAccessBlockStep,
  bucketPublicAccessBlockStep,
} from '../../src/steps/public-access-block.js';
import { ACCOUNT_ID, BUCKET, OFF, ON, pab, posture } from './support.js';

const ACCOUNT_WARNING = `affects every bucket in account ${ACCOUNT_ID}, not only ${BUCKET}`;

interface StepCase {
  readonly name: string;
  readonly step: typeof bucketPublicAccessBlockStep;
  readonly resource: 'bucket.publicAccessBlock' | 'account.publicAccessBlock';
  readonly put: (configuration: PublicAccessBlock) => ApiCall;
  readonly remove: ApiCall;
  readonly extraWarnings: readonly string[];
}

const STEPS: readonly StepCase[] = [
  {
    name: 'bucket',
    step: bucketPublicAccessBlockStep,
    resource: 'bucket.publicAccessBlock',
    put: (configuration) => ({
      service: 's3',
      operation: 'PutPublicAccessBlock',
      input: { Bucket: BUCKET, PublicAccessBlockConfiguration: configuration },
    }),
    remove: { service: 's3', operation: 'DeletePublicAccessBlock', input: { Bucket: BUCKET } },
    extraWarnings: [],
  },
  {
    name: 'account',
    step: accountPublicAccessBlockStep,
    resource: 'account.publicAccessBlock',
    put: (configuration) => ({
      service: 's3control',
      operation: 'PutPublicAccessBlock',
      input: { AccountId: ACCOUNT_ID, PublicAccessBlockConfiguration: configuration },
    }),
    remove: {
      service: 's3control',
      operation: 'DeletePublicAccessBlock',
      input: { AccountId: ACCOUNT_ID },
    },
    extraWarnings: [ACCOUNT_WARNING],
  },
];

describe.each(STEPS)('$name Block Public Access step', (c) => {
  const at = (value: PublicAccessBlock | null | undefined) =>
    posture(value === undefined ? {} : { [c.resource]: value });

  it('defaults to all four flags on', () => {
    expect(c.step.defaults(at(null), 'baseline')).toEqual(ALL_ON);
  });

  it('absent configuration → create, undone by Delete', () => {
    const changes = c.step.plan(at(null), ON);
    expect(changes).toEqual([
      {
        id: c.resource,
        step: c.step.id,
        title: c.step.title,
        resource: c.resource,
        action: 'create',
        call: c.put(ON),
        before: null,
        after: ON,
        undo: c.remove,
        dependsOn: [],
        warnings: c.extraWarnings,
      },
    ]);
  });

  it('partial configuration → update, undone by Put of the exact before-state', () => {
    const before = pab({ BlockPublicPolicy: false, RestrictPublicBuckets: false });
    const [change] = c.step.plan(at(before), ON);
    expect(change).toMatchObject({
      action: 'update',
      call: c.put(ON),
      before,
      after: ON,
      undo: c.put(before),
      warnings: c.extraWarnings,
    });
  });

  it.each<[string, PublicAccessBlock | null | undefined, PublicAccessBlock]>([
    ['already all on', ON, ON],
    ['desired all off, configuration absent (S3 treats absent as all off)', null, OFF],
    ['desired all off, configuration all off', OFF, OFF],
    ['resource not read (undefined)', undefined, ON],
  ])('no change when %s', (_label, before, desired) => {
    expect(c.step.plan(at(before), desired)).toEqual([]);
  });

  it.each<[string, PublicAccessBlock | null, PublicAccessBlock, string[]]>([
    [
      'turning one flag off',
      ON,
      pab({ BlockPublicPolicy: false }),
      ['turns BlockPublicPolicy off, which weakens protection'],
    ],
    [
      'turning two flags off',
      ON,
      pab({ BlockPublicAcls: false, RestrictPublicBuckets: false }),
      [
        'turns BlockPublicAcls off, which weakens protection',
        'turns RestrictPublicBuckets off, which weakens protection',
      ],
    ],
    [
      'turning one on and another off',
      pab({ IgnorePublicAcls: false }),
      pab({ BlockPublicAcls: false }),
      ['turns BlockPublicAcls off, which weakens protection'],
    ],
    ['turning flags on only', OFF, ON, []],
    ['creating from absent', null, pab({ BlockPublicAcls: false }), []],
  ])('warns when protection weakens: %s', (_label, before, desired, weakening) => {
    const [change] = c.step.plan(at(before), desired);
    expect(change?.warnings).toEqual([...c.extraWarnings, ...weakening]);
  });

  it('the planned after-state is a copy, not the answers object', () => {
    const answers = { ...ON };
    const [change] = c.step.plan(at(null), answers);
    answers.BlockPublicAcls = false;
    expect(change?.after).toEqual(ON);
  });

  it.each<[string, unknown, string[]]>([
    ['all booleans', ON, []],
    [
      'a flag given as the string "true"',
      { ...ON, BlockPublicAcls: 'true' },
      ['BlockPublicAcls must be true or false'],
    ],
    [
      'two flags missing',
      { BlockPublicAcls: true, IgnorePublicAcls: true },
      ['BlockPublicPolicy must be true or false', 'RestrictPublicBuckets must be true or false'],
    ],
  ])('validate: %s', (_label, answers, problems) => {
    expect(c.step.validate(answers as PublicAccessBlock)).toEqual(problems);
  });
});

describe('account step', () => {
  it('carries the "affects every bucket" warning on every change it makes', () => {
    for (const before of [null, OFF, pab({ IgnorePublicAcls: false })]) {
      const [change] = accountPublicAccessBlockStep.plan(
        posture({ 'account.publicAccessBlock': before }),
        ON,
      );
      expect(change?.warnings[0]).toBe(ACCOUNT_WARNING);
    }
  });

  it('the bucket step never carries it', () => {
    const [change] = bucketPublicAccessBlockStep.plan(
      posture({ 'bucket.publicAccessBlock': null }),
      ON,
    );
    expect(change?.warnings.join(' ')).not.toMatch(/every bucket/);
  });
});

describe('unavailableReason', () => {
  it.each<[string, ReturnType<typeof posture>, string | null]>([
    ['read and present', posture({ 'bucket.publicAccessBlock': ON }), null],
    ['read and absent', posture({ 'bucket.publicAccessBlock': null }), null],
    [
      'unreadable',
      posture({}, { 'bucket.publicAccessBlock': 'Access denied: s3:GetBucketPublicAccessBlock.' }),
      'cannot read Block Public Access (bucket): Access denied: s3:GetBucketPublicAccessBlock.',
    ],
    ['not read at all', posture({}), 'Block Public Access (bucket) was not read'],
  ])('bucket step, resource %s', (_label, p, reason) => {
    expect(unavailableReason('public-access-block', p)).toBe(reason);
  });
});

describe('buildPlan', () => {
  const both = ['public-access-block', 'account-public-access-block'] as const;
  const answers = { 'public-access-block': ON, 'account-public-access-block': ON };

  it('an unreadable resource puts its step in plan.skipped with the reason, others still plan', () => {
    const p = posture(
      { 'bucket.publicAccessBlock': null },
      { 'account.publicAccessBlock': 'Access denied: s3:GetAccountPublicAccessBlock.' },
    );
    const plan = buildPlan(p, 'baseline', both, answers, new Date('2025-01-01T00:00:00Z'));
    expect(plan.skipped).toEqual([
      {
        step: 'Block Public Access (account)',
        reason:
          'cannot read Block Public Access (account): Access denied: s3:GetAccountPublicAccessBlock.',
      },
    ]);
    expect(plan.changes.map((change) => change.id)).toEqual(['bucket.publicAccessBlock']);
    expect(plan.observed).toEqual({ 'bucket.publicAccessBlock': null });
    expect(plan.createdAt).toBe('2025-01-01T00:00:00.000Z');
    expect(plan.target).toEqual({ accountId: ACCOUNT_ID, region: 'us-east-1', bucket: BUCKET });
  });

  it('both readable and already hardened → no changes, nothing skipped', () => {
    const p = posture({ 'bucket.publicAccessBlock': ON, 'account.publicAccessBlock': ON });
    const plan = buildPlan(p, 'baseline', both, answers);
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([]);
  });

  it('a step without answers plans nothing and is not reported as skipped', () => {
    const p = posture({ 'bucket.publicAccessBlock': null, 'account.publicAccessBlock': null });
    const plan = buildPlan(p, 'baseline', both, { 'public-access-block': ON });
    expect(plan.changes.map((change) => change.id)).toEqual(['bucket.publicAccessBlock']);
    expect(plan.skipped).toEqual([]);
  });

  it('invalid answers are refused with the step title and the problem', () => {
    const p = posture({ 'bucket.publicAccessBlock': null });
    expect(() =>
      buildPlan(p, 'baseline', ['public-access-block'], {
        'public-access-block': { ...ON, BlockPublicAcls: 'yes' as unknown as boolean },
      }),
    ).toThrow('Block Public Access (bucket): BlockPublicAcls must be true or false');
  });
});
