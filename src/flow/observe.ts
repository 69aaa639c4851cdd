/**
 * Reading what a plan needs, for the commands and the wizard alike: a
 * bucket before it is planned (its steps' resources, the access-log target
 * the answers name, and for the wizard's posture screen the audit's reads),
 * and a plan's resources again right before it is applied.
 *
 * The flow layer talks to AWS through the session only (no SDK here, no
 * React): ../aws provides it, the commands and the screens drive it.
 */
import type { AwsSession } from '../aws/session.js';
import { derivedFrom } from '../plan/apply/drift.js';
import { auditReads } from '../plan/audit/controls.js';
import type { Plan, Posture, Preset, ResourceKey } from '../plan/model/types.js';
import {
  type DefaultChoices,
  defaultAnswers,
  optionalReadsFor,
  readsFor,
  relatedBucketFor,
} from '../steps/index.js';
import { assumedValues, type NewBucketAnswers } from '../steps/new-bucket.js';
import type { StepId } from '../steps/types.js';

export interface ObserveRequest {
  readonly bucket: string;
  readonly preset: Preset;
  readonly steps: readonly StepId[];
  /** The bucket does not exist yet: the plan creates it. */
  readonly create?: NewBucketAnswers;
  /**
   * Also read what the audit's controls need (the wizard's posture screen),
   * failing soft: a control whose read fails reads "unknown".
   */
  readonly withAudit?: boolean;
  /** What the command line chose that changes the defaults (a shared log bucket). */
  readonly choices?: DefaultChoices;
}

/** The resources and options one observe of the request reads with. */
export function observePlan(request: Omit<ObserveRequest, 'bucket'>): {
  readonly reads: readonly ResourceKey[];
  readonly optional: readonly ResourceKey[];
} {
  const forSteps = readsFor(request.steps);
  if (request.create) {
    return { reads: ['bucket.exists', ...forSteps], optional: optionalReadsFor(request.steps) };
  }
  const auditOnly = request.withAudit
    ? auditReads().filter((read) => !forSteps.includes(read))
    : [];
  return {
    reads: [...new Set([...forSteps, ...auditOnly])],
    optional: [...optionalReadsFor(request.steps), ...auditOnly],
  };
}

/**
 * The bucket as the plan needs it: one observe of its resources (the
 * account's too), then the access-log target the preset's answers name.
 */
export async function observeBucket(
  session: Pick<AwsSession, 'observe' | 'observeLogTarget'>,
  request: ObserveRequest,
): Promise<Posture> {
  const { reads, optional } = observePlan(request);
  const { create } = request;
  const posture = await session.observe(request.bucket, reads, {
    optional,
    ...(create ? { newBucket: { region: create.region, assumed: assumedValues(create) } } : {}),
  });
  // The access-log target is another bucket: read what log delivery needs of it.
  const logBucket = relatedBucketFor(
    request.steps,
    defaultAnswers(posture, request.preset, request.steps, request.choices),
  );
  return logBucket && logBucket !== request.bucket
    ? session.observeLogTarget(posture, logBucket)
    : posture;
}

/** Reads now every resource the plan observed (and `extra` ones), for the drift check. */
export async function observeLive(
  session: Pick<AwsSession, 'observe' | 'observeLogTarget'>,
  plan: Plan,
  extra: readonly ResourceKey[] = [],
): Promise<Posture> {
  const { target } = plan;
  // A plan that creates its bucket was made against a bucket that does not
  // exist yet: it stays valid only while that is still so.
  const creates = 'bucket.exists' in plan.observed && plan.observed['bucket.exists'] === null;
  // What the plan writes, and what its changes were derived from (../plan/apply/drift.ts).
  const seen = { ...derivedFrom(plan), ...plan.observed };
  const keys = [...new Set([...(Object.keys(seen) as ResourceKey[]), ...extra])];
  const own = keys.filter((resource) => !resource.startsWith('logTarget.'));
  // What the plan was made from, listings included: what a read will ask
  // after its listing (the keys it describes) goes out beside it.
  const provenance = plan.provenance;
  const previous = {
    ...(provenance && 'posture' in provenance ? provenance.posture.values : {}),
    ...seen,
  };
  const readOwn = async () => {
    const live = await session.observe(target.bucket, own, {
      previous,
      ...(creates ? { newBucket: { region: target.region, assumed: seen } } : {}),
    });
    // The bucket exists after all (an earlier run of this plan created it):
    // what it holds now is read, so the plan shows as already applied, or stale.
    return creates && live.values['bucket.exists'] !== null && !live.unreadable['bucket.exists']
      ? session.observe(target.bucket, own)
      : live;
  };
  if (!target.logBucket) return readOwn();
  // The plan names its log target: read beside the bucket, not after it.
  const empty: Posture = {
    ...target,
    principalArn: '',
    observedAt: '',
    values: {},
    unreadable: {},
  };
  const [live, logTarget] = await Promise.all([
    readOwn(),
    session.observeLogTarget(empty, target.logBucket, {
      expectExists: Boolean(seen['logTarget.exists']),
    }),
  ]);
  return {
    ...live,
    logBucket: target.logBucket,
    values: { ...live.values, ...logTarget.values },
    unreadable: { ...live.unreadable, ...logTarget.unreadable },
  };
}
