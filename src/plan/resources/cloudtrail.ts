/**
 * CloudTrail data events for S3 objects, as the resources the CloudTrail
 * step reads and writes:
 *
 * - `account.trails`   read-only, volatile: the trails that log this region
 *                      (its own, multi-Region trails homed elsewhere, and
 *                      organization trails), each with whether it is
 *                      logging and its event selectors — what tells
 *                      whether a bucket's data events are logged already.
 * - `trail.selectors`  the event selectors of the one trail a bucket's
 *                      selector goes into (chosenTrail), with its name;
 *                      null = no such trail. One resource for every bucket
 *                      of the account and region (`shared`): each bucket's
 *                      plan appends its own selector.
 * - `account.ownTrail`, `account.ownTrailLogging`: s3-harden's own trail
 *                      (OWN_TRAIL), created only when no trail can take the
 *                      selector and the answers say so, and whether it logs.
 * - `account.trailBucket…`: the bucket that trail delivers to
 *                      (trailBucketName), hardened like a log target: bucket
 *                      Block Public Access, ACLs off, SSE-S3 with SSE-C
 *                      blocked, versioning, and a policy that lets
 *                      cloudtrail.amazonaws.com write (scoped to the trail
 *                      and the account) besides the HTTPS-only Deny.
 *
 * Undo restores a trail's previous selectors exactly, in the form it had
 * (basic or advanced: PutEventSelectors with one replaces the other). A
 * trail has no "no selectors" state to return to: `trail.selectors` null is
 * written (the undo of the selector put on a trail this plan created) as
 * the selector a new trail has — management events, read and write — and
 * read as null for that trail, as versioning never enabled is restored as
 * Suspended. A plan deletes only its own trail, and the trail's bucket only
 * while it is empty (DeleteBucket refuses otherwise: the rollback keeps it).
 */
import * as z from 'zod';
import type { PublicAccessBlock, Target } from '../model/call.js';
import type { PolicyDocument } from '../policy/document.js';
import { type BucketExists, bucketFamily } from './bucket.js';
import {
  type AdvancedSelector,
  type BasicSelector,
  FIELD_OPERATORS,
  isAdvanced,
  isCreationDefault,
  MANAGEMENT_SELECTOR,
  MAX_ADVANCED_VALUES,
  MAX_BASIC_SELECTORS,
  MAX_DATA_RESOURCES,
  type Selectors,
  sameSelectors,
} from './cloudtrail-selectors.js';
import { type EncryptionConfiguration, encryptionFamily } from './encryption.js';
import { type LifecycleConfiguration, lifecycleFamily } from './lifecycle.js';
import { type OwnershipControls, objectOwnershipFamily } from './object-ownership.js';
import { bucketPolicyFamily } from './policy.js';
import { publicAccessBlockFamily } from './public-access-block.js';
import type { ResourceFamily, ResourceSpec } from './spec.js';
import { UnwritableValueError } from './unwritable.js';
import { type VersioningConfiguration, versioningFamily } from './versioning.js';

export * from './cloudtrail-selectors.js';

/** s3-harden's own trail: multi-Region, homed in the session's region. */
export const OWN_TRAIL = 's3-harden-data-events';
export const TRAIL_BUCKET_PREFIX = 's3-harden-trail-';
/**
 * The ids of the changes that create the trail bucket and the own trail (a
 * change is named by its resource): a read with the run's identity finds
 * their outputs under these.
 */
export const TRAIL_BUCKET_CHANGE = 'account.trailBucket';
export const OWN_TRAIL_CHANGE = 'account.ownTrail';

/** The bucket s3-harden's trail delivers to: one per account and region (at most 46 characters). */
export function trailBucketName(target: Pick<Target, 'accountId' | 'region'>): string {
  return `${TRAIL_BUCKET_PREFIX}${target.accountId}-${target.region}`;
}

/** The resources on s3-harden's trail bucket (the IAM policy scopes their calls to it). */
export function isTrailBucketResource(resource: string): boolean {
  return resource.startsWith('account.trailBucket');
}

/** A trail's ARN (a multi-Region trail's is its home region's). */
export function trailArn(partition: string, region: string, accountId: string, name: string) {
  return `arn:${partition}:cloudtrail:${region}:${accountId}:trail/${name}`;
}

/** One trail of this region, as `account.trails` lists it. */
export interface TrailSummary {
  readonly Name: string;
  readonly TrailARN: string;
  readonly HomeRegion: string;
  readonly IsMultiRegionTrail: boolean;
  readonly IsOrganizationTrail: boolean;
  readonly S3BucketName?: string;
  /** null: its status could not be read. */
  readonly IsLogging: boolean | null;
  /** null: its selectors could not be read (see `problem`). */
  readonly selectors: Selectors | null;
  /** Why its status or selectors could not be read. */
  readonly problem?: string;
}

/** The chosen trail's event selectors, and which trail they are. */
export type TrailSelectors = { readonly TrailName: string } & Selectors;

export interface OwnTrail {
  readonly S3BucketName: string;
  readonly IsMultiRegionTrail: boolean;
  readonly LogFileValidationEnabled: boolean;
}

export interface TrailLogging {
  readonly IsLogging: boolean;
}

export interface CloudTrailValues {
  'account.trails': readonly TrailSummary[] | null;
  'trail.selectors': TrailSelectors | null;
  'account.ownTrail': OwnTrail | null;
  'account.ownTrailLogging': TrailLogging | null;
  'account.trailBucket': BucketExists | null;
  'account.trailBucketPublicAccessBlock': PublicAccessBlock | null;
  'account.trailBucketOwnership': OwnershipControls | null;
  'account.trailBucketEncryption': EncryptionConfiguration | null;
  'account.trailBucketVersioning': VersioningConfiguration | null;
  'account.trailBucketPolicy': PolicyDocument | null;
  'account.trailBucketLifecycle': LifecycleConfiguration | null;
}

/** The trail ARN's account: an organization trail's is the management account's. */
export function trailAccount(arn: string): string | undefined {
  return /^arn:[^:]+:cloudtrail:[^:]*:(\d{12}):trail\//.exec(arn)?.[1];
}

/**
 * Whether a bucket's selector may go into this trail: one of the account's
 * own multi-Region trails homed here (never an organization trail), logging
 * — or s3-harden's own trail, whatever its state.
 */
export function isCandidate(
  trail: Pick<
    TrailSummary,
    'Name' | 'TrailARN' | 'HomeRegion' | 'IsMultiRegionTrail' | 'IsOrganizationTrail'
  > & { readonly IsLogging: boolean | null },
  target: Pick<Target, 'accountId' | 'region'>,
): boolean {
  if (trail.HomeRegion !== target.region || !trail.IsMultiRegionTrail) return false;
  if (trail.IsOrganizationTrail || trailAccount(trail.TrailARN) !== target.accountId) return false;
  return trail.Name === OWN_TRAIL || trail.IsLogging === true;
}

/** Name order, so the reader and the plan pick the same trail. */
export function byName<T extends { readonly Name: string }>(trails: readonly T[]): T[] {
  return [...trails].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

const trailName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/, 'not a trail name');
const ownTrailName = z.literal(OWN_TRAIL);
const text = (max: number) => z.string().max(max);
const valueList = z.array(text(2048)).max(MAX_ADVANCED_VALUES);

const dataResourceSchema = z.looseObject({
  Type: text(128).optional(),
  Values: z.array(text(2048)).max(MAX_DATA_RESOURCES).optional(),
});
const basicSelectorSchema: z.ZodType<BasicSelector> = z.looseObject({
  ReadWriteType: z.enum(['ReadOnly', 'WriteOnly', 'All']).optional(),
  IncludeManagementEvents: z.boolean().optional(),
  DataResources: z.array(dataResourceSchema).max(MAX_DATA_RESOURCES).optional(),
  ExcludeManagementEventSources: z.array(text(256)).max(100).optional(),
});
const fieldSelectorSchema = z.looseObject({
  Field: text(1000),
  ...Object.fromEntries(FIELD_OPERATORS.map((operator) => [operator, valueList.optional()])),
});
const advancedSelectorSchema = z.looseObject({
  Name: text(1000).optional(),
  FieldSelectors: z.array(fieldSelectorSchema).max(MAX_ADVANCED_VALUES),
}) as unknown as z.ZodType<AdvancedSelector>;
const basicList = z.array(basicSelectorSchema).max(MAX_BASIC_SELECTORS);
const advancedList = z.array(advancedSelectorSchema).max(MAX_ADVANCED_VALUES);

export const selectorsSchema: z.ZodType<Selectors> = z.union([
  z.strictObject({ EventSelectors: basicList }),
  z.strictObject({ AdvancedEventSelectors: advancedList }),
]);

export const trailSelectorsSchema: z.ZodType<TrailSelectors> = z.union([
  z.strictObject({ TrailName: trailName, EventSelectors: basicList }),
  z.strictObject({ TrailName: trailName, AdvancedEventSelectors: advancedList }),
]);

export const trailSummarySchema = z.strictObject({
  Name: text(128),
  TrailARN: text(2048),
  HomeRegion: text(64),
  IsMultiRegionTrail: z.boolean(),
  IsOrganizationTrail: z.boolean(),
  S3BucketName: text(63).optional(),
  IsLogging: z.boolean().nullable(),
  selectors: selectorsSchema.nullable(),
  problem: text(2000).optional(),
});

export const ownTrailSchema = z.strictObject({
  S3BucketName: text(63),
  IsMultiRegionTrail: z.boolean(),
  LogFileValidationEnabled: z.boolean(),
});

const trailBucket = z
  .string()
  .regex(/^s3-harden-trail-\d{12}-[a-z]{2}(-[a-z]+)+-\d+$/, "not s3-harden's trail bucket");

/** PutEventSelectors with the selectors of `value`, in its form. */
function putSelectors(value: TrailSelectors) {
  const { TrailName, ...selectors } = value;
  return {
    service: 'cloudtrail' as const,
    operation: 'PutEventSelectors',
    input: isAdvanced(selectors)
      ? { TrailName, AdvancedEventSelectors: selectors.AdvancedEventSelectors }
      : { TrailName, EventSelectors: selectors.EventSelectors },
  };
}

/** A bucket resource's spec, pointed at s3-harden's trail bucket. */
function onTrailBucket<V>(spec: ResourceSpec<V>, label: string): ResourceSpec<V> {
  return {
    ...spec,
    label,
    // HeadBucket first: while the bucket does not exist, nothing else is read.
    reads: [...new Set(['s3:HeadBucket' as const, ...spec.reads])],
    scope: 'account',
    // Only ever written while the plan creates the bucket: nobody else has had it.
    createdByRun: true,
    write: (target, value) => spec.write({ ...target, bucket: trailBucketName(target) }, value),
  };
}

const trailOperation = (operation: string, kind: 'read' | 'write', input?: z.ZodType) => ({
  service: 'cloudtrail' as const,
  operation,
  iamAction: `cloudtrail:${operation}`,
  kind,
  scope: 'none' as const,
  ...(input ? { input } : {}),
});

export const cloudTrailFamily: ResourceFamily<CloudTrailValues> = {
  resources: {
    'account.trails': {
      readOnly: true,
      volatile: true,
      label: 'CloudTrail trails (this region)',
      reads: [
        'cloudtrail:DescribeTrails',
        'cloudtrail:GetTrailStatus',
        'cloudtrail:GetEventSelectors',
      ],
      scope: 'account',
      schema: z.array(trailSummarySchema).max(100).nullable(),
      write: () => {
        throw new UnwritableValueError(
          'CloudTrail trails (this region) is read-only: a plan never changes it',
        );
      },
    },
    'trail.selectors': {
      label: 'CloudTrail event selectors',
      reads: [
        'cloudtrail:DescribeTrails',
        'cloudtrail:GetTrailStatus',
        'cloudtrail:GetEventSelectors',
      ],
      scope: 'account',
      shared: true,
      schema: trailSelectorsSchema.nullable(),
      // Reviewed as one document: the selectors kept, and the one added, line by line.
      document: (value) => (value === null ? null : JSON.stringify(value, null, 2)),
      write: (_target, value) =>
        value === null
          ? putSelectors({ TrailName: OWN_TRAIL, AdvancedEventSelectors: [MANAGEMENT_SELECTOR] })
          : putSelectors(value),
      satisfies: (expected, live) => {
        if (expected === null) {
          return live === null || (live.TrailName === OWN_TRAIL && isCreationDefault(live));
        }
        return (
          live !== null && live.TrailName === expected.TrailName && sameSelectors(expected, live)
        );
      },
    },
    'account.ownTrail': {
      label: `CloudTrail trail ${OWN_TRAIL}`,
      reads: ['cloudtrail:GetTrail'],
      scope: 'account',
      schema: ownTrailSchema.nullable(),
      write: (_target, value) =>
        value === null
          ? { service: 'cloudtrail', operation: 'DeleteTrail', input: { Name: OWN_TRAIL } }
          : {
              service: 'cloudtrail',
              operation: 'CreateTrail',
              input: {
                Name: OWN_TRAIL,
                S3BucketName: value.S3BucketName,
                IsMultiRegionTrail: true,
                EnableLogFileValidation: true,
              },
            },
    },
    'account.ownTrailLogging': {
      label: `CloudTrail trail ${OWN_TRAIL} logging`,
      reads: ['cloudtrail:GetTrailStatus'],
      scope: 'account',
      schema: z.strictObject({ IsLogging: z.boolean() }).nullable(),
      write: (_target, value) => ({
        service: 'cloudtrail',
        operation: value?.IsLogging ? 'StartLogging' : 'StopLogging',
        input: { Name: OWN_TRAIL },
      }),
      // No trail logs nothing: a stopped trail is the closest restore of none.
      satisfies: (expected, live) => (expected?.IsLogging ?? false) === (live?.IsLogging ?? false),
    },
    'account.trailBucket': onTrailBucket(
      bucketFamily.resources['bucket.exists'],
      'CloudTrail bucket',
    ),
    'account.trailBucketPublicAccessBlock': onTrailBucket(
      publicAccessBlockFamily.resources['bucket.publicAccessBlock'],
      'CloudTrail bucket Block Public Access',
    ),
    'account.trailBucketOwnership': onTrailBucket(
      objectOwnershipFamily.resources['bucket.ownershipControls'],
      'CloudTrail bucket Object Ownership',
    ),
    'account.trailBucketEncryption': onTrailBucket(
      encryptionFamily.resources['bucket.encryption'],
      'CloudTrail bucket default encryption',
    ),
    'account.trailBucketVersioning': onTrailBucket(
      versioningFamily.resources['bucket.versioning'],
      'CloudTrail bucket versioning',
    ),
    'account.trailBucketPolicy': onTrailBucket(
      bucketPolicyFamily.resources['bucket.policy'],
      'CloudTrail bucket policy',
    ),
    'account.trailBucketLifecycle': onTrailBucket(
      lifecycleFamily.resources['bucket.lifecycle'],
      'CloudTrail bucket lifecycle',
    ),
  },
  operations: [
    trailOperation('DescribeTrails', 'read'),
    trailOperation('GetTrail', 'read'),
    trailOperation('GetTrailStatus', 'read'),
    trailOperation('GetEventSelectors', 'read'),
    trailOperation(
      'PutEventSelectors',
      'write',
      z.union([
        z.strictObject({ TrailName: trailName, EventSelectors: basicList.min(1) }),
        z.strictObject({ TrailName: trailName, AdvancedEventSelectors: advancedList.min(1) }),
      ]),
    ),
    // Only s3-harden's own trail is ever created, started, stopped or deleted.
    trailOperation(
      'CreateTrail',
      'write',
      z.strictObject({
        Name: ownTrailName,
        S3BucketName: trailBucket,
        IsMultiRegionTrail: z.literal(true),
        EnableLogFileValidation: z.literal(true),
      }),
    ),
    trailOperation('DeleteTrail', 'write', z.strictObject({ Name: ownTrailName })),
    trailOperation('StartLogging', 'write', z.strictObject({ Name: ownTrailName })),
    trailOperation('StopLogging', 'write', z.strictObject({ Name: ownTrailName })),
  ],
};
