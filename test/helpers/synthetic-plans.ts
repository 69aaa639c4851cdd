/**
 * Real plans from buildPlan over synthetic postures (no emulator): a wide-open
 * bucket planned with each preset, and a few single-step plans.
 */
import type { Plan, Posture, PostureValues, ResourceKey } from '../../src/plan/model/types.js';
import {
  buildPlan,
  defaultAnswers,
  readsFor,
  relatedBucketFor,
  stepsForPreset,
} from '../../src/steps/index.js';
import type { StepId } from '../../src/steps/types.js';

export const SYNTHETIC_ACCOUNT = '123456789012';
export const SYNTHETIC_BUCKET = 'open-bucket';
export const SYNTHETIC_LOG_BUCKET = 'open-bucket-logs';

/** A bucket with nothing configured: every resource absent. */
export function openPosture(stepIds: readonly StepId[]): Posture {
  const values: Record<string, unknown> = {};
  for (const resource of readsFor(stepIds) as ResourceKey[]) values[resource] = null;
  values['bucket.exists'] = { Region: 'us-east-1' };
  const reads = new Set<string>(readsFor(stepIds));
  // Only what the steps read: a value they never read is no part of what the plan came from.
  if (reads.has('account.kmsKeys')) values['account.kmsKeys'] = [];
  if (reads.has('account.vpcEndpoints'))
    values['account.vpcEndpoints'] = {
      region: 'us-east-1',
      endpoints: [
        {
          id: 'vpce-0123456789abcdef0',
          vpcId: 'vpc-0123456789abcdef0',
          type: 'Gateway',
          state: 'available',
        },
      ],
    };
  if (reads.has('bucket.acl')) values['bucket.acl'] = [];
  return {
    accountId: SYNTHETIC_ACCOUNT,
    region: 'us-east-1',
    bucket: SYNTHETIC_BUCKET,
    principalArn: `arn:aws:iam::${SYNTHETIC_ACCOUNT}:user/operator`,
    observedAt: '2026-11-27T12:00:00.000Z',
    values: values as Partial<PostureValues>,
    unreadable: {},
  };
}

/** The plan `preset` makes for an open bucket (log target: absent, so created). */
export function syntheticPlan(
  preset: 'baseline' | 'strict' | 'worm',
  only?: readonly StepId[],
): Plan {
  const stepIds = stepsForPreset(preset).filter((id) => !only || only.includes(id));
  let posture = openPosture(stepIds);
  let answers = defaultAnswers(posture, preset, stepIds);
  const logBucket = relatedBucketFor(stepIds, answers);
  if (logBucket) {
    const values: Record<string, unknown> = { ...posture.values };
    for (const resource of [
      'logTarget.exists',
      'logTarget.policy',
      'logTarget.encryption',
      'logTarget.objectLock',
      'logTarget.requestPayment',
    ])
      values[resource] = null;
    posture = { ...posture, logBucket, values: values as Partial<PostureValues> };
    answers = defaultAnswers(posture, preset, stepIds);
  }
  const objectLock = answers['object-lock'];
  if (objectLock) answers['object-lock'] = { ...objectLock, confirm: SYNTHETIC_BUCKET };
  return buildPlan(posture, preset, stepIds, answers, new Date('2026-11-27T12:00:00.000Z'));
}

/**
 * A provenance for a hand-built plan, so its file loads: it derives no plan
 * (no steps), so `apply` refuses such a file; tests of the loader's checks
 * use it.
 */
export function handBuiltProvenance(
  target: Plan['target'],
  observed: Partial<PostureValues>,
): NonNullable<Plan['provenance']> {
  return {
    preset: 'baseline',
    steps: [],
    answers: {},
    posture: {
      ...target,
      observedAt: '2026-11-27T12:00:00.000Z',
      principalArn: `arn:aws:iam::${target.accountId}:user/operator`,
      values: observed,
      unreadable: {},
    },
  };
}
