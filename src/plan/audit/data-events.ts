/**
 * Whether a bucket's object-level data events are logged by CloudTrail: the
 * audit's data events control (Security Hub S3.22 for writes, S3.23 for
 * reads; CIS 3.8 and 3.9) and the CloudTrail step both judge it here, from
 * the same values — this region's trails, with the chosen trail's selectors
 * and s3-harden's own trail as read, or as a plan leaves them.
 *
 * A trail counts only while it is logging. Security Hub's controls ask more
 * than this bucket's events: a multi-Region trail that logs every bucket's.
 * `allBuckets` says whether one does, so the detail can say which holds.
 */
import type { PostureValues } from '../model/types.js';
import { partitionOf } from '../policy/statements.js';
import {
  type Coverage,
  NO_COVERAGE,
  OWN_TRAIL,
  type Selectors,
  selectorsCoverage,
  trailBucketName,
} from '../resources/cloudtrail.js';

/** One trail as the judgement sees it. */
export interface TrailView {
  readonly name: string;
  readonly multiRegion: boolean;
  /** null: its status could not be read. */
  readonly logging: boolean | null;
  /** null: its selectors could not be read. */
  readonly selectors: Selectors | null;
  readonly problem?: string;
}

type TrailValues = Pick<
  Partial<PostureValues>,
  'account.trails' | 'trail.selectors' | 'account.ownTrail' | 'account.ownTrailLogging'
>;

function selectorsPart(value: NonNullable<PostureValues['trail.selectors']>): Selectors {
  const { TrailName: _name, ...selectors } = value;
  return selectors as Selectors;
}

/**
 * The trails with what else was read (or planned) laid over the listing: the
 * chosen trail's selectors, s3-harden's own trail and whether it logs. Only
 * the account's own trails homed in `region` can be the chosen one or
 * s3-harden's (read by name, here): a shadow trail — homed elsewhere, or an
 * organization trail, which may carry the same name — counts as listed.
 */
export function effectiveTrails(values: TrailValues, region?: string): TrailView[] {
  const chosen = values['trail.selectors'];
  const own = values['account.ownTrail'];
  const ownLogging = values['account.ownTrailLogging'];
  const trails: TrailView[] = [];
  for (const trail of values['account.trails'] ?? []) {
    const homedHere =
      !trail.IsOrganizationTrail && (region === undefined || trail.HomeRegion === region);
    const isOwn = homedHere && trail.Name === OWN_TRAIL;
    if (isOwn && own === null) continue;
    const isChosen = homedHere && chosen?.TrailName === trail.Name;
    trails.push({
      name: trail.Name,
      multiRegion: trail.IsMultiRegionTrail,
      logging:
        isOwn && ownLogging !== undefined ? (ownLogging?.IsLogging ?? false) : trail.IsLogging,
      selectors: chosen && isChosen ? selectorsPart(chosen) : trail.selectors,
      ...(trail.problem ? { problem: trail.problem } : {}),
    });
  }
  // s3-harden's trail as a plan creates it (absent from the listing read before).
  const listedOwn = (values['account.trails'] ?? []).some(
    (trail) =>
      trail.Name === OWN_TRAIL &&
      !trail.IsOrganizationTrail &&
      (region === undefined || trail.HomeRegion === region),
  );
  if (own && !listedOwn) {
    trails.push({
      name: OWN_TRAIL,
      multiRegion: own.IsMultiRegionTrail,
      logging: ownLogging?.IsLogging ?? false,
      selectors:
        chosen && chosen.TrailName === OWN_TRAIL ? selectorsPart(chosen) : { EventSelectors: [] },
    });
  }
  return trails;
}

export interface DataEvents {
  /** What the logging trails log of this bucket, together. */
  readonly coverage: Coverage;
  /** A logging trail that logs this bucket's reads, and one that logs its writes. */
  readonly readBy?: string;
  readonly writeBy?: string;
  /** A logging multi-Region trail logs every bucket's reads and writes (Security Hub's ask). */
  readonly allBuckets: boolean;
  /** Trails that could not be judged, with why. */
  readonly unknown: readonly { readonly name: string; readonly why: string }[];
}

export function dataEvents(
  values: TrailValues,
  bucket: string,
  region: string | undefined,
): DataEvents {
  const partition = partitionOf(region ?? 'us-east-1');
  let coverage = NO_COVERAGE;
  let readBy: string | undefined;
  let writeBy: string | undefined;
  let allBuckets = false;
  const unknown: { name: string; why: string }[] = [];
  for (const trail of effectiveTrails(values, region)) {
    if (trail.logging === false) continue;
    if (trail.logging === null || trail.selectors === null) {
      unknown.push({ name: trail.name, why: trail.problem ?? 'not read' });
      continue;
    }
    const own = selectorsCoverage(trail.selectors, { partition, bucket });
    if (own.read && !readBy) readBy = trail.name;
    if (own.write && !writeBy) writeBy = trail.name;
    coverage = { read: coverage.read || own.read, write: coverage.write || own.write };
    const every = selectorsCoverage(trail.selectors, { partition });
    if (trail.multiRegion && every.read && every.write) allBuckets = true;
  }
  return {
    coverage,
    ...(readBy ? { readBy } : {}),
    ...(writeBy ? { writeBy } : {}),
    allBuckets,
    unknown,
  };
}

/**
 * The trail whose logs the bucket receives (s3-harden's own trail bucket
 * counts even before its trail exists), or undefined. Its data events are
 * left unlogged: logging them into it would log every delivery, a loop.
 */
export function deliveringTrail(
  values: TrailValues,
  target: { readonly bucket: string; readonly accountId: string; readonly region?: string },
): string | undefined {
  const listed = (values['account.trails'] ?? []).find(
    (trail) => trail.S3BucketName === target.bucket,
  );
  if (listed) return listed.Name;
  const own = trailBucketName({
    accountId: target.accountId,
    region: target.region ?? 'us-east-1',
  });
  return target.bucket === own ? OWN_TRAIL : undefined;
}

/** Whether the bucket's reads and writes are both logged. */
export function isLogged(events: DataEvents): boolean {
  return events.coverage.read && events.coverage.write;
}

/** "trail main", or "trail a (reads) and trail b (writes)". */
export function loggedBy(events: DataEvents): string {
  if (events.readBy && events.readBy === events.writeBy) return `trail ${events.readBy}`;
  const parts = [
    ...(events.readBy ? [`trail ${events.readBy} (reads)`] : []),
    ...(events.writeBy ? [`trail ${events.writeBy} (writes)`] : []),
  ];
  return parts.join(' and ');
}
