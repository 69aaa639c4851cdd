/**
 * The posture screen's model: each control as it stands, and what the
 * preset's plan does to it — judged on the posture the plan leaves.
 */
import { describe, expect, it } from 'vitest';
import { summarisePosture } from '../../src/plan/audit/posture-summary.js';
import type { Change, Plan, Posture } from '../../src/plan/model/types.js';
import { initialState, wizardReducer } from '../../src/screens/wizard-state.js';

const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

const posture: Posture = {
  accountId: '123456789012',
  region: 'us-east-1',
  bucket: 'data',
  observedAt: '2026-11-28T00:00:00Z',
  principalArn: 'arn:aws:iam::123456789012:user/ops',
  values: {
    'account.publicAccessBlock': ALL_ON,
    'bucket.publicAccessBlock': null,
    'bucket.versioning': null,
    'bucket.encryption': null,
  },
  unreadable: {},
};

function change(resource: Change['resource'], after: unknown): Change {
  return {
    id: resource,
    step: 'x',
    title: resource,
    resource,
    action: 'create',
    call: { service: 's3', operation: 'Put', input: {} },
    before: null,
    after,
    undo: null,
    dependsOn: [],
    warnings: [],
  };
}

function plan(changes: Change[]): Plan {
  return {
    target: posture,
    preset: 'baseline',
    createdAt: posture.observedAt,
    observed: {},
    changes,
    skipped: [],
  };
}

const row = (summary: ReturnType<typeof summarisePosture>, id: string) =>
  summary.rows.find((candidate) => candidate.id === id);

describe('the posture summary', () => {
  it('marks what holds, what the plan fixes, and what it leaves failing', () => {
    const summary = summarisePosture(
      posture,
      plan([
        change('bucket.publicAccessBlock', ALL_ON),
        change('bucket.encryption', {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        }),
      ]),
    );
    expect(row(summary, 'bpa-account')).toMatchObject({ status: 'pass', planned: 'none' });
    expect(row(summary, 'bpa-bucket')).toMatchObject({
      status: 'fail',
      planned: 'fixes',
      after: 'pass',
      ids: 'FSBP S3.8 · CIS 3.1.4',
    });
    expect(row(summary, 'encryption')).toMatchObject({ planned: 'fixes', after: 'pass' });
    // SSE-S3 settles default encryption, not the KMS control: changed, still failing.
    expect(row(summary, 'encryption-kms')).toMatchObject({
      status: 'fail',
      planned: 'changes',
      after: 'fail',
    });
    expect(row(summary, 'versioning')).toMatchObject({ status: 'fail', planned: 'none' });
    expect(summary.fixed).toBe(2);
    expect(summary.holding).toBe(1);
    expect(summary.stillFailing).toBe(summary.rows.length - 3);
  });

  it('without a plan nothing is planned and a control not read is unknown', () => {
    const summary = summarisePosture(posture, undefined);
    expect(summary.rows.every((entry) => entry.planned === 'none')).toBe(true);
    expect(row(summary, 'logging')?.status).toBe('unknown');
  });
});

describe('the wizard opens an existing bucket on its posture', () => {
  const start = initialState({ preset: 'baseline', steps: ['versioning'], bucket: 'data' });

  it('observed → posture → the first step; Esc from the step returns to the posture', () => {
    const observed = wizardReducer(start, { type: 'observed', posture });
    expect(observed.route).toEqual({ name: 'posture' });
    const stepped = wizardReducer(observed, { type: 'next' });
    expect(stepped.route).toEqual({ name: 'step', index: 0 });
    expect(wizardReducer(stepped, { type: 'back' }).route).toEqual({ name: 'posture' });
  });

  it('a bucket the wizard creates has no past: straight to the first step', () => {
    const creating = {
      ...start,
      create: { name: 'data', region: 'us-east-1', objectLock: false },
    } as unknown as typeof start;
    const observed = wizardReducer(creating, { type: 'observed', posture });
    expect(observed.route).toEqual({ name: 'step', index: 0 });
  });
});
