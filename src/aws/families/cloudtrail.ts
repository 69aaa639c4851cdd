/**
 * The AWS half of the CloudTrail family. The CloudTrail SDK is not imported
 * here: its commands are deferred (see DeferredCommand in ../clients.ts), so
 * the module loads only when a CloudTrail resource is read or written.
 *
 * - account.trails: DescribeTrails of every trail that logs this region —
 *   its own, and the shadow trails: multi-Region trails homed in another
 *   region and organization trails seen from a member account (without
 *   them a member account's buckets would read as unlogged) — then for each
 *   GetTrailStatus and GetEventSelectors, by ARN (a shadow trail answers
 *   only to its ARN); a trail whose status or selectors cannot be read is
 *   listed with the reason instead.
 * - trail.selectors: the same listing's candidates (isCandidate) in name
 *   order, each one's status read until the first that may take a bucket's
 *   selector, then GetEventSelectors of that one only; null when none.
 * - account.ownTrail / account.ownTrailLogging: GetTrail / GetTrailStatus
 *   of s3-harden's own trail; TrailNotFoundException reads as null.
 * - account.trailBucket…: the bucket readers, pointed at s3-harden's trail
 *   bucket; a bucket that does not exist reads as null for every one.
 *
 * GetEventSelectors answers one form (the emulator answers both, the unused
 * one empty): advanced when AdvancedEventSelectors has any, else basic.
 */

import type { RunIdentity } from '../../plan/model/call.js';
import type { Target } from '../../plan/model/types.js';
import {
  byName,
  isCandidate,
  OWN_TRAIL,
  OWN_TRAIL_CHANGE,
  type Selectors,
  TRAIL_BUCKET_CHANGE,
  type TrailSelectors,
  type TrailSummary,
  trailBucketName,
} from '../../plan/resources/cloudtrail.js';
import { deferredCommand } from '../clients.js';
import { AwsError } from '../errors.js';
import { encryptionAws } from './encryption.js';
import type { AwsFamily, Reader, ReadSend } from './family.js';
import { lifecycleAws } from './lifecycle.js';
import { objectOwnershipAws } from './object-ownership.js';
import { bucketPolicyAws } from './policy.js';
import { publicAccessBlockAws } from './public-access-block.js';
import { versioningAws } from './versioning.js';

const TRAIL_NOT_FOUND = 'TrailNotFoundException';

function isTrailNotFound(error: unknown): boolean {
  return error instanceof AwsError && error.code === TRAIL_NOT_FOUND;
}

interface DescribedTrail {
  Name?: unknown;
  TrailARN?: unknown;
  HomeRegion?: unknown;
  IsMultiRegionTrail?: unknown;
  IsOrganizationTrail?: unknown;
  S3BucketName?: unknown;
}

type Listed = Omit<TrailSummary, 'IsLogging' | 'selectors' | 'problem'>;

/** The trails that log this region (shadow trails included), in name order. */
async function describeTrails(target: Target, send: ReadSend): Promise<Listed[]> {
  const output = await send({
    service: 'cloudtrail',
    operation: 'DescribeTrails',
    input: { includeShadowTrails: true },
  });
  const trails = ((output.trailList as DescribedTrail[] | undefined) ?? []).flatMap(
    (trail): Listed[] => {
      if (typeof trail.Name !== 'string' || typeof trail.TrailARN !== 'string') return [];
      return [
        {
          Name: trail.Name,
          TrailARN: trail.TrailARN,
          HomeRegion: typeof trail.HomeRegion === 'string' ? trail.HomeRegion : target.region,
          IsMultiRegionTrail: trail.IsMultiRegionTrail === true,
          IsOrganizationTrail: trail.IsOrganizationTrail === true,
          ...(typeof trail.S3BucketName === 'string' ? { S3BucketName: trail.S3BucketName } : {}),
        },
      ];
    },
  );
  return byName(trails);
}

async function isLogging(name: string, send: ReadSend): Promise<boolean> {
  const output = await send({
    service: 'cloudtrail',
    operation: 'GetTrailStatus',
    input: { Name: name },
  });
  return output.IsLogging === true;
}

/** The selectors in the one form the trail has (see the module comment). */
export function selectorsOf(output: Record<string, unknown>): Selectors {
  const advanced = output.AdvancedEventSelectors;
  if (Array.isArray(advanced) && advanced.length > 0) {
    return { AdvancedEventSelectors: structuredClone(advanced) };
  }
  const basic = output.EventSelectors;
  return { EventSelectors: Array.isArray(basic) ? structuredClone(basic) : [] };
}

async function readSelectors(name: string, send: ReadSend): Promise<Selectors> {
  return selectorsOf(
    await send({
      service: 'cloudtrail',
      operation: 'GetEventSelectors',
      input: { TrailName: name },
    }),
  );
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function listTrails(target: Target, send: ReadSend): Promise<TrailSummary[]> {
  const trails = await describeTrails(target, send);
  return Promise.all(
    trails.map(async (trail): Promise<TrailSummary> => {
      const problems: string[] = [];
      const [logging, selectors] = await Promise.all([
        isLogging(trail.TrailARN, send).catch((error) => {
          problems.push(`its status: ${reason(error)}`);
          return null;
        }),
        readSelectors(trail.TrailARN, send).catch((error) => {
          problems.push(`its event selectors: ${reason(error)}`);
          return null;
        }),
      ]);
      return {
        ...trail,
        IsLogging: logging,
        selectors,
        ...(problems.length > 0 ? { problem: `cannot read ${problems.join('; ')}` } : {}),
      };
    }),
  );
}

/** The selectors of the trail a bucket's selector goes into; null when there is none. */
async function chosenSelectors(
  target: Target,
  send: ReadSend,
  identity?: RunIdentity,
): Promise<TrailSelectors | null> {
  // The trail this run created (its read-back): its selectors asked beside
  // the listing, the very call the loop below makes for it, answered once.
  const created = identity?.outputs.get(OWN_TRAIL_CHANGE) as { TrailARN?: unknown } | undefined;
  if (typeof created?.TrailARN === 'string') readSelectors(created.TrailARN, send).catch(() => {});
  for (const trail of await describeTrails(target, send)) {
    // Not multi-Region, homed elsewhere, an organization trail: never one, whatever its status.
    if (!isCandidate({ ...trail, IsLogging: true }, target)) continue;
    const logging = trail.Name === OWN_TRAIL ? null : await isLogging(trail.TrailARN, send);
    if (!isCandidate({ ...trail, IsLogging: logging }, target)) continue;
    // Read as the listing reads it (by ARN): one call for both in a memoised run.
    return { TrailName: trail.Name, ...(await readSelectors(trail.TrailARN, send)) };
  }
  return null;
}

async function readOwnTrail(send: ReadSend) {
  try {
    const output = await send({
      service: 'cloudtrail',
      operation: 'GetTrail',
      input: { Name: OWN_TRAIL },
    });
    const trail = (output.Trail ?? {}) as Record<string, unknown>;
    return {
      S3BucketName: typeof trail.S3BucketName === 'string' ? trail.S3BucketName : '',
      IsMultiRegionTrail: trail.IsMultiRegionTrail === true,
      LogFileValidationEnabled: trail.LogFileValidationEnabled === true,
    };
  } catch (error) {
    if (isTrailNotFound(error)) return null;
    throw error;
  }
}

async function readOwnLogging(send: ReadSend) {
  try {
    return { IsLogging: await isLogging(OWN_TRAIL, send) };
  } catch (error) {
    if (isTrailNotFound(error)) return null;
    throw error;
  }
}

/** HeadBucket of s3-harden's trail bucket; null when it does not exist. */
async function headTrailBucket(
  target: Target,
  send: ReadSend,
): Promise<Record<string, unknown> | null> {
  try {
    return await send({
      service: 's3',
      operation: 'HeadBucket',
      input: { Bucket: trailBucketName(target) },
    });
  } catch (error) {
    if ((error as { absent?: boolean }).absent) return null;
    if (error instanceof AwsError && error.kind === 'no-such-bucket') return null;
    throw error;
  }
}

/**
 * A bucket reader, pointed at s3-harden's trail bucket. While the bucket
 * does not exist (most runs), each reads as null after one HeadBucket —
 * the same call for all of them, so a memoised run sends it once.
 */
function onTrailBucket(reader: Reader | undefined): Reader {
  if (!reader) throw new Error('missing bucket reader for the CloudTrail bucket');
  const retarget = (target: Target): Target => ({ ...target, bucket: trailBucketName(target) });
  const readIt = async (target: Target, send: ReadSend): Promise<unknown> =>
    'query' in reader
      ? reader.query(retarget(target), send)
      : reader.extract(await send(reader.call(retarget(target))));
  return {
    query: async (target, send, identity) => {
      // A bucket this run created (its read-back) is read beside the
      // HeadBucket, not after it: one round trip.
      const early = identity?.outputs.has(TRAIL_BUCKET_CHANGE) ? readIt(target, send) : undefined;
      early?.catch(() => {});
      if (!(await headTrailBucket(target, send))) return null;
      try {
        return await (early ?? readIt(target, send));
      } catch (error) {
        // Deleted between the two calls.
        if (error instanceof AwsError && error.kind === 'no-such-bucket') return null;
        throw error;
      }
    },
  };
}

export const cloudTrailAws: AwsFamily = {
  commands: {
    cloudtrail: {
      DescribeTrails: deferredCommand('DescribeTrails'),
      GetTrail: deferredCommand('GetTrail'),
      GetTrailStatus: deferredCommand('GetTrailStatus'),
      GetEventSelectors: deferredCommand('GetEventSelectors'),
      PutEventSelectors: deferredCommand('PutEventSelectors'),
      CreateTrail: deferredCommand('CreateTrail'),
      DeleteTrail: deferredCommand('DeleteTrail'),
      StartLogging: deferredCommand('StartLogging'),
      StopLogging: deferredCommand('StopLogging'),
    },
  },
  readers: {
    'account.trails': { query: listTrails },
    'trail.selectors': { query: chosenSelectors },
    'account.ownTrail': { query: (_target, send) => readOwnTrail(send) },
    'account.ownTrailLogging': { query: (_target, send) => readOwnLogging(send) },
    'account.trailBucket': {
      query: async (target, send) => {
        const head = await headTrailBucket(target, send);
        if (!head) return null;
        return { Region: typeof head.BucketRegion === 'string' ? head.BucketRegion : 'us-east-1' };
      },
    },
    'account.trailBucketPublicAccessBlock': onTrailBucket(
      publicAccessBlockAws.readers['bucket.publicAccessBlock'],
    ),
    'account.trailBucketOwnership': onTrailBucket(
      objectOwnershipAws.readers['bucket.ownershipControls'],
    ),
    'account.trailBucketEncryption': onTrailBucket(encryptionAws.readers['bucket.encryption']),
    'account.trailBucketVersioning': onTrailBucket(versioningAws.readers['bucket.versioning']),
    'account.trailBucketPolicy': onTrailBucket(bucketPolicyAws.readers['bucket.policy']),
    'account.trailBucketLifecycle': onTrailBucket(lifecycleAws.readers['bucket.lifecycle']),
  },
};
