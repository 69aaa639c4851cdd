/**
 * CloudTrail data events: every read and write of the bucket's objects
 * (GetObject, PutObject, DeleteObject…) recorded by a trail, with who made
 * it, when and from where — what server access logs give only best effort.
 *
 * Three outcomes, in this order:
 *
 * 1. A logging trail of this region already logs the bucket's object reads
 *    and writes (all buckets, or an ARN prefix covering this one; basic or
 *    advanced selectors): nothing to do, and the step says which trail.
 * 2. Else the account has a multi-Region trail homed here that is logging
 *    (the first by name, never an organization trail; chosenSelectors):
 *    the bucket's own selector is appended to that trail's selectors, in
 *    their form — advanced (named "s3-harden: <bucket>", eventCategory Data,
 *    resources.type AWS::S3::Object, resources.ARN StartsWith the bucket's
 *    objects) or basic (an S3 data resource for the bucket, no management
 *    events) — every existing selector kept as it is. Undo restores the
 *    previous selectors exactly.
 * 3. Else, when the answers say so (strict and worm do; baseline does not,
 *    and says why in the plan), s3-harden creates its own multi-Region trail
 *    (OWN_TRAIL) logging only the data events of the buckets it adds, with
 *    log file validation, into a bucket of its own hardened like a log
 *    target: Block Public Access, ACLs off, SSE-S3 with SSE-C blocked,
 *    versioning, HTTPS only, and a policy letting cloudtrail.amazonaws.com
 *    check the ACL and write, scoped to the trail (aws:SourceArn) and the
 *    account (aws:SourceAccount). The selector is set before logging
 *    starts, so the trail never logs management events. Undo stops and
 *    deletes the trail, and deletes the bucket only while it is empty.
 *
 * The bucket the plan sends the access logs to gets a selector of its own
 * beside the bucket's (unless a trail logs it already): reading or deleting
 * the logs is recorded too, and no weaker bucket is left beside this one.
 * A trail's own delivery bucket never gets one: it would log every delivery.
 *
 * Data events cost money, per event, every delivery including the first:
 * every change says so.
 *
 * An endpoint without CloudTrail (LocalStack's free edition, MinIO): the
 * reads are optional, so the step steps aside with the reason.
 */

import { controlLabels } from '../plan/audit/controls.js';
import { dataEvents, deliveringTrail, isLogged, loggedBy } from '../plan/audit/data-events.js';
import type { Change, Posture, PostureValues, Preset, ResourceKey } from '../plan/model/types.js';
import { partitionOf } from '../plan/policy/statements.js';
import {
  describeCoverage,
  isAdvanced,
  OWN_TRAIL,
  type Selectors,
  sameSelectors,
  type TrailSelectors,
  trailBucketName,
  withBucketSelectors,
} from '../plan/resources/cloudtrail.js';
import { resourceLabel } from '../plan/resources/index.js';
import {
  BUCKET,
  BUCKET_READS,
  bucketsText,
  COST_NOTE,
  createChanges,
  OWN,
  OWN_LOGGING,
  SELECTORS,
  selectorChange,
  selectorsOf,
  startChange,
  TITLE,
} from './cloudtrail-changes.js';
import type { Field } from './form.js';
import type { Step } from './types.js';

export {
  COST_NOTE,
  TRAIL_BUCKET_ENCRYPTION,
  TRAIL_BUCKET_RULE,
  trailBucketStatements,
} from './cloudtrail-changes.js';

export interface CloudTrailAnswers {
  /** Log the bucket's object-level data events (off: change nothing). */
  readonly enabled: boolean;
  /** When no trail can take the bucket's selector: create (or start) s3-harden's own trail. */
  readonly createTrail: boolean;
}

/** What the step must have read to plan. */
const READS: readonly ResourceKey[] = ['account.trails', SELECTORS, OWN, OWN_LOGGING];

function unreadable(posture: Posture): string | null {
  for (const resource of READS) {
    const reason = posture.unreadable[resource];
    if (reason) return reason;
    if (posture.values[resource] === undefined) return `${resourceLabel(resource)} was not read`;
  }
  return null;
}

/** Where the bucket stands, and what the step can do about it. */
type Situation =
  | { readonly kind: 'logged'; readonly by: string }
  /** A trail that may take the buckets' selectors; `after` its selectors with them. */
  | {
      readonly kind: 'add';
      readonly trail: TrailSelectors | null;
      readonly name: string;
      readonly buckets: readonly string[];
      readonly after: TrailSelectors | null;
      readonly problem?: string;
      /** s3-harden's own trail, not logging now. */
      readonly stopped: boolean;
    }
  /** No trail can take them: s3-harden's own would be created. */
  | { readonly kind: 'create'; readonly buckets: readonly string[]; readonly problem?: string }
  | { readonly kind: 'blocked'; readonly problem: string };

/**
 * The buckets whose data events the step adds: this one, unless logged
 * already, and the bucket its access logs go to (`logBucket`), unless logged
 * already or a trail's own delivery bucket — so that reading or deleting the
 * logs is recorded too.
 */
function unlogged(posture: Posture, logBucket: string | undefined): string[] {
  const { values, bucket, region } = posture;
  const needs = (name: string) =>
    !isLogged(dataEvents(values, name, region)) &&
    !deliveringTrail(values, { ...posture, bucket: name });
  return [
    ...(isLogged(dataEvents(values, bucket, region)) ? [] : [bucket]),
    ...(logBucket && logBucket !== bucket && needs(logBucket) ? [logBucket] : []),
  ];
}

/** The bucket the access logs go to, as the plan leaves logging (or as it is); none when off. */
function logBucketOf(planned: Partial<PostureValues>): string | undefined {
  return planned['bucket.logging']?.TargetBucket;
}

function situation(posture: Posture, logBucket?: string): Situation {
  const { values, bucket, region } = posture;
  const events = dataEvents(values, bucket, region);
  const delivering = deliveringTrail(values, posture);
  if (delivering && !isLogged(events)) {
    return {
      kind: 'blocked',
      problem: `${bucket} receives trail ${delivering}'s logs: logging its data events into it would log every delivery, a loop`,
    };
  }
  const buckets = delivering ? [] : unlogged(posture, logBucket);
  if (buckets.length === 0) return { kind: 'logged', by: loggedBy(events) };
  const partition = partitionOf(region);
  const chosen = values[SELECTORS] ?? null;
  const own = values[OWN] ?? null;
  const ownStopped = values[OWN_LOGGING]?.IsLogging !== true;
  if (chosen || own) {
    // The chosen trail, or s3-harden's own as a plan before this one leaves
    // it (a fleet's account section creates it): its selectors a new trail's.
    const name = chosen?.TrailName ?? OWN_TRAIL;
    if (!chosen && own && !own.IsMultiRegionTrail) {
      return {
        kind: 'blocked',
        problem: `trail ${OWN_TRAIL} exists but is not multi-Region; make it multi-Region (aws cloudtrail update-trail --name ${OWN_TRAIL} --is-multi-region-trail) or delete it`,
      };
    }
    const current: Selectors = chosen ? selectorsOf(chosen) : { AdvancedEventSelectors: [] };
    const added = withBucketSelectors(current, buckets, partition);
    const stopped = name === OWN_TRAIL && ownStopped;
    if ('problem' in added) {
      const problem = added.problem;
      return { kind: 'add', trail: chosen, name, buckets, after: null, problem, stopped };
    }
    return {
      kind: 'add',
      trail: chosen,
      name,
      buckets,
      after: { TrailName: name, ...added.selectors },
      stopped,
    };
  }
  const trailBucket = trailBucketName(posture);
  const denied = BUCKET_READS.map((resource) => posture.unreadable[resource]).find(Boolean);
  if (denied) {
    return {
      kind: 'create',
      buckets,
      problem: `its bucket ${trailBucket} cannot be read (${denied}); if another account owns that name, create a trail yourself`,
    };
  }
  const exists = values[BUCKET];
  if (exists === undefined)
    return { kind: 'create', buckets, problem: `its bucket ${trailBucket} was not read` };
  if (exists && exists.Region !== region) {
    return {
      kind: 'create',
      buckets,
      problem: `its bucket ${trailBucket} is in ${exists.Region}, not ${region}`,
    };
  }
  return { kind: 'create', buckets };
}

function plan(
  posture: Posture,
  answers: CloudTrailAnswers,
  planned: Partial<PostureValues> = posture.values,
): Change[] {
  if (!answers.enabled || unreadable(posture)) return [];
  const where = situation(posture, logBucketOf(planned));
  if (where.kind === 'logged' || where.kind === 'blocked') return [];
  if (where.kind === 'add') {
    if (!where.after || (where.stopped && !answers.createTrail)) return [];
    // s3-harden's stopped trail may hold the bucket's selector already: only start it.
    const held =
      where.trail !== null && sameSelectors(selectorsOf(where.trail), selectorsOf(where.after));
    const changes = held
      ? []
      : [selectorChange(posture, where.trail, where.after, where.buckets, [])];
    if (where.stopped) changes.push(startChange(posture, held ? [] : [SELECTORS]));
    return changes;
  }
  if (!answers.createTrail || where.problem) return [];
  return createChanges(posture, where.buckets);
}

function leftAsIs(posture: Posture, answers: CloudTrailAnswers): string | null {
  if (!answers.enabled || unreadable(posture)) return null;
  const where = situation(posture, logBucketOf(posture.values));
  switch (where.kind) {
    case 'logged':
      return null;
    case 'blocked':
      return `not logged: ${where.problem}`;
    case 'add':
      if (where.problem)
        return `not logged: trail ${where.name} cannot take the selector of ${bucketsText(posture, where.buckets)}: ${where.problem}`;
      if (where.stopped && !answers.createTrail) {
        return `not logged: s3-harden's trail ${OWN_TRAIL} is stopped, and starting it was not chosen (${COST_NOTE}); choose "Create or start s3-harden's trail" in the wizard, or answer createTrail`;
      }
      return null;
    case 'create':
      if (where.problem) return `not logged: s3-harden's trail cannot be created: ${where.problem}`;
      if (!answers.createTrail) {
        return `not logged: no multi-Region trail in ${posture.region} to take the selector, and creating ${OWN_TRAIL} was not chosen; ${COST_NOTE}; strict and worm create it, or choose "Create or start s3-harden's trail"`;
      }
      return null;
  }
}

function fields(posture: Posture, answers: CloudTrailAnswers): Field[] {
  if (unreadable(posture)) return [];
  const { values, bucket, region } = posture;
  const events = dataEvents(values, bucket, region);
  const where = situation(posture, logBucketOf(posture.values));
  const result: Field[] = [];
  if (where.kind === 'logged') {
    result.push({
      kind: 'note',
      tone: 'info',
      text: `${bucket}'s object reads and writes are logged by ${where.by}: nothing to do.${events.allBuckets ? '' : ' Security Hub S3.22/S3.23 look for a multi-Region trail that logs every bucket.'}`,
    });
    return result;
  }
  const partial = events.coverage.read || events.coverage.write;
  result.push({
    kind: 'toggle',
    key: 'enabled',
    label: 'Log data events',
    help: 'Object reads and writes (GetObject, PutObject, DeleteObject…) recorded by CloudTrail.',
    now: partial ? `${describeCoverage(events.coverage)}, by ${loggedBy(events)}` : 'not logged',
  });
  if (!answers.enabled) return result;
  if (where.kind === 'blocked') {
    result.push({ kind: 'note', tone: 'warning', text: `Not possible: ${where.problem}.` });
    return result;
  }
  if (where.kind === 'add' && where.problem) {
    result.push({
      kind: 'note',
      tone: 'warning',
      text: `Trail ${where.name} cannot take the selector of ${bucketsText(posture, where.buckets)}: ${where.problem}.`,
    });
    return result;
  }
  if (where.kind === 'add') {
    const form = where.trail && !isAdvanced(selectorsOf(where.trail)) ? 'basic' : 'advanced';
    result.push({
      kind: 'note',
      tone: 'info',
      text: `Adds ${where.buckets.length === 1 ? `a ${form} event selector` : `${form} event selectors`} for ${where.buckets.map((name) => `arn:${partitionOf(region)}:s3:::${name}/`).join(' and ')} to trail ${where.name}, every other selector kept as it is; undo restores them exactly.`,
    });
  }
  if (where.kind === 'create' && where.problem) {
    result.push({
      kind: 'note',
      tone: 'warning',
      text: `s3-harden's trail cannot be created: ${where.problem}.`,
    });
    return result;
  }
  if (where.kind === 'create' || where.stopped) {
    result.push({
      kind: 'toggle',
      key: 'createTrail',
      label: "Create or start s3-harden's trail",
      help:
        where.kind === 'create'
          ? `No multi-Region trail here can take it: create ${OWN_TRAIL} with its own hardened bucket ${trailBucketName(posture)}; undo deletes both (the bucket only while empty).`
          : `${OWN_TRAIL} is stopped: start it again; undo stops it.`,
      now: where.kind === 'create' ? 'no trail' : 'stopped',
    });
  }
  result.push({
    kind: 'note',
    tone: 'warning',
    text: `Costs: ${COST_NOTE}, every delivery including the first.`,
  });
  return result;
}

function defaults(_posture: Posture, preset: Preset): CloudTrailAnswers {
  // The guide's checklist: every preset logs data events where a trail can
  // take them; only strict and worm create a trail (and its bucket) for it.
  return { enabled: true, createTrail: preset === 'strict' || preset === 'worm' };
}

export const cloudTrailStep: Step<CloudTrailAnswers> = {
  id: 'cloudtrail',
  title: TITLE,
  summary: 'Records every read and write of the objects in CloudTrail: who, when, from where.',
  scope: 'bucket',
  controls: controlLabels('data-events'),
  reads: READS,
  // Optional too: an endpoint without CloudTrail skips this step with the reason.
  optionalReads: [...READS, ...BUCKET_READS],
  defaults,
  validate(answers) {
    const problems: string[] = [];
    if (typeof answers.enabled !== 'boolean') problems.push('Log data events must be on or off');
    if (typeof answers.createTrail !== 'boolean')
      problems.push("Create or start s3-harden's trail must be on or off");
    return problems;
  },
  unavailable(posture) {
    const reason = unreadable(posture);
    return reason ? `the trails cannot be read: ${reason}` : null;
  },
  keep: () => ({ enabled: false, createTrail: false }),
  leftAsIs,
  plan,
  fields,
};
