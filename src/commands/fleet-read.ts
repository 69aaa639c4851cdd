/**
 * Which buckets a fleet plan covers and how each is read: in its own region
 * (ListBuckets' BucketRegion, else HeadBucket), through one memoised view of
 * the session, so what the account has in a region (Macie, Access Analyzer,
 * its KMS keys) is read once per region, account Block Public Access once,
 * and each bucket's reads once. --regions keeps the buckets of those regions.
 */

import { mapLimit } from '../aws/families/map-limit.js';
import type { AwsSession } from '../aws/index.js';
import { MAX_FLEET_BUCKETS, oneLine, type SkippedBucket } from '../plan/fleet/fleet.js';
import type { Posture, Preset } from '../plan/model/types.js';
import type { ExceptedPlan } from '../steps/excepted-steps.js';
import type { DefaultChoices } from '../steps/index.js';
import type { StepId } from '../steps/types.js';
import { isFatal } from './bucket-regions.js';
import { CommandError } from './exit-codes.js';
import { type BucketSelection, describeSelection, selectBuckets } from './fleet-select.js';
import { choicesOf, observeForPlan, type PlanCommandOptions } from './plan.js';
import { exceptedStepsFor, type PlanExceptions } from './plan-exceptions.js';
import { createProgress } from './progress.js';

export type BucketReading =
  | { readonly posture: Posture; readonly excepted: ExceptedPlan }
  | { readonly skipped: SkippedBucket };

/** The buckets a selection stands for, with the regions ListBuckets gave. */
export async function bucketNames(
  session: AwsSession,
  selection: BucketSelection,
  /** One account of many: a glob matching none of its buckets is no error. */
  quiet = false,
): Promise<{ names: string[]; regions: Map<string, string> }> {
  const listed = selection.kind === 'list' ? [] : await session.listBucketsWithRegions();
  const names = selectBuckets(
    selection,
    listed.map((bucket) => bucket.name),
  );
  // --all on an empty account is nothing to do; a glob matching nothing is likely a mistake.
  if (names.length === 0 && selection.kind === 'match' && !quiet) {
    throw new CommandError(
      `no bucket matches ${selection.pattern} (of ${listed.length} in the account)`,
    );
  }
  if (names.length > MAX_FLEET_BUCKETS) {
    throw new CommandError(
      `${describeSelection(selection)} selects ${names.length} buckets; a fleet plan holds at most ${MAX_FLEET_BUCKETS}: narrow it with --match`,
    );
  }
  const regions = new Map<string, string>();
  for (const bucket of listed) if (bucket.region) regions.set(bucket.name, bucket.region);
  return { names, regions };
}

/** Reads one bucket in its region for planning; what stops it being planned becomes a skip reason. */
async function readBucket(
  session: AwsSession,
  bucket: string,
  knownRegion: string | undefined,
  preset: Preset,
  stepIds: readonly StepId[],
  choices: DefaultChoices,
  exceptions: PlanExceptions,
): Promise<BucketReading> {
  try {
    // HeadBucket in the region ListBuckets said (else the session's); memoised
    // for every region, so observe does not send it again.
    const { region } = await (knownRegion ? session.inRegion(knownRegion) : session).locateBucket(
      bucket,
    );
    const local = region === session.region ? session : session.inRegion(region);
    // Each bucket's own exceptions decide its steps (and so what is read for it).
    const excepted = await exceptedStepsFor(local, bucket, stepIds, exceptions);
    return {
      posture: await observeForPlan(local, bucket, preset, excepted.stepIds, undefined, choices),
      excepted,
    };
  } catch (error) {
    if (isFatal(error)) throw error;
    if (error instanceof Error && error.name !== 'Error') {
      return { skipped: { bucket, reason: oneLine(error.message) } };
    }
    throw error;
  }
}

export async function readFleet(
  session: AwsSession,
  names: readonly string[],
  regions: ReadonlyMap<string, string>,
  options: Pick<PlanCommandOptions, 'preset' | 'logBucket' | 'restrictVpce'> & {
    readonly concurrency: number;
  },
  stepIds: readonly StepId[],
  progressStream: NodeJS.WriteStream | { isTTY?: boolean; write(text: string): unknown },
  exceptions: PlanExceptions,
): Promise<BucketReading[]> {
  const progress = createProgress(names.length, 'buckets read', progressStream);
  try {
    return await mapLimit(names, options.concurrency, async (bucket) => {
      try {
        return await readBucket(
          session,
          bucket,
          regions.get(bucket),
          options.preset,
          stepIds,
          choicesOf(options),
          exceptions,
        );
      } finally {
        progress.tick();
      }
    });
  } finally {
    progress.done();
  }
}
