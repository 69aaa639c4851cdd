/**
 * Every resource family s3-harden knows, gathered. Adding a family: write its
 * module beside this one and add it to FAMILIES; its values join
 * PostureValues (../model/types.ts) from there.
 */

import type { ApiCall, OperationSpec, Target } from '../model/call.js';
import { deepEqual } from '../model/deep-equal.js';
import type { CliContext } from '../render/cli-equivalent.js';
import { accessAnalyzerFamily } from './access-analyzer.js';
import { accessPointFamily } from './access-point.js';
import { bucketFamily } from './bucket.js';
import { cloudTrailFamily } from './cloudtrail.js';
import { encryptionFamily } from './encryption.js';
import { kmsFamily } from './kms.js';
import { lifecycleFamily } from './lifecycle.js';
import { loggingFamily } from './logging.js';
import { macieFamily } from './macie.js';
import { objectCountFamily } from './object-count.js';
import { objectLockFamily } from './object-lock.js';
import { objectOwnershipFamily } from './object-ownership.js';
import { bucketPolicyFamily } from './policy.js';
import { publicAccessBlockFamily } from './public-access-block.js';
import { replicationFamily } from './replication.js';
import type { OutputLookup, ResourceFamily, ResourceSpec, ResourceTable } from './spec.js';
import { versioningFamily } from './versioning.js';
import { vpcEndpointsFamily } from './vpc-endpoints.js';

const FAMILIES = [
  loggingFamily,
  bucketFamily,
  publicAccessBlockFamily,
  objectOwnershipFamily,
  versioningFamily,
  lifecycleFamily,
  objectLockFamily,
  bucketPolicyFamily,
  encryptionFamily,
  kmsFamily,
  accessPointFamily,
  accessAnalyzerFamily,
  vpcEndpointsFamily,
  macieFamily,
  replicationFamily,
  cloudTrailFamily,
  objectCountFamily,
] as const;

type ValuesOf<F> = F extends ResourceFamily<infer V> ? V : never;
type Intersection<U> = (U extends unknown ? (value: U) => void : never) extends (
  value: infer I,
) => void
  ? I
  : never;

/** Every family's values, together: what PostureValues (../model/types.ts) is. */
export type FamilyValues = Intersection<ValuesOf<(typeof FAMILIES)[number]>>;

/** A resource's key: ResourceKey of ../model/types.ts, named here so this file stays below it. */
type ResourceKey = keyof FamilyValues;

export const RESOURCES = Object.assign(
  {},
  ...FAMILIES.map((family) => family.resources),
) as ResourceTable<FamilyValues>;

export const RESOURCE_KEYS = Object.keys(RESOURCES) as ResourceKey[];

export const FAMILY_OPERATIONS: readonly OperationSpec[] = FAMILIES.flatMap(
  (family) => family.operations,
);

function spec(resource: ResourceKey): ResourceSpec<unknown> {
  return RESOURCES[resource] as ResourceSpec<unknown>;
}

export function resourceLabel(resource: ResourceKey): string {
  return spec(resource).label;
}

/** Whether a plan may ever write `resource` (not a listing, findings, or the ACL grants). */
export function isWritable(resource: ResourceKey): boolean {
  return spec(resource).readOnly !== true;
}

export function resourceSchema(resource: ResourceKey) {
  return spec(resource).schema;
}

/** The call that makes `resource` read back as `value`. */
export function writeCall(
  resource: ResourceKey,
  target: Pick<Target, 'accountId' | 'bucket' | 'region' | 'logBucket'>,
  value: unknown,
): ApiCall {
  return spec(resource).write(target, value);
}

/** How to name a lost output of `resource`'s write (see ResourceSpec.lookup); null: no way. */
export function outputLookup(
  resource: ResourceKey,
  path: string,
  after: unknown,
  planId: string | undefined,
  cli: CliContext,
): OutputLookup | null {
  return spec(resource).lookup?.(path, after, planId, cli) ?? null;
}

/** Whether a live reading of `resource` satisfies `expected` (after apply, or after an undo). */
export function satisfies(resource: ResourceKey, expected: unknown, live: unknown): boolean {
  const check = spec(resource).satisfies;
  return check ? check(expected, live) : deepEqual(expected, live);
}
