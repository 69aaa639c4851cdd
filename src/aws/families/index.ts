/**
 * Every resource family's AWS half, gathered. Adding a family: write its
 * module beside this one and add it to FAMILIES.
 */
import { HeadBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { ApiCall, ResourceKey } from '../../plan/model/types.js';
import { deferredCommand } from '../clients.js';
import { policyValidationAws } from '../policy-validation.js';
import { accessAnalyzerAws } from './access-analyzer.js';
import { accessPointAws } from './access-point.js';
import { bucketAws } from './bucket.js';
import { cloudTrailAws } from './cloudtrail.js';
import { encryptionAws } from './encryption.js';
import type { AwsFamily, CommandClass, Reader } from './family.js';
import { kmsAws } from './kms.js';
import { lifecycleAws } from './lifecycle.js';
import { loggingAws } from './logging.js';
import { macieAws } from './macie.js';
import { objectCountAws } from './object-count.js';
import { objectLockAws } from './object-lock.js';
import { objectOwnershipAws } from './object-ownership.js';
import { bucketPolicyAws } from './policy.js';
import { publicAccessBlockAws } from './public-access-block.js';
import { replicationAws } from './replication.js';
import { taggingAws } from './tagging.js';
import { versioningAws } from './versioning.js';
import { vpcEndpointsAws } from './vpc-endpoints.js';

const CORE: AwsFamily = {
  commands: {
    s3: { ListBuckets: ListBucketsCommand, HeadBucket: HeadBucketCommand },
    sts: { GetCallerIdentity: GetCallerIdentityCommand, AssumeRole: AssumeRoleCommand },
    // Deferred: the Organizations SDK loads on the first call (audit --accounts all).
    organizations: { ListAccounts: deferredCommand('ListAccounts') },
  },
  readers: {},
};

const FAMILIES: readonly AwsFamily[] = [
  CORE,
  bucketAws,
  publicAccessBlockAws,
  objectOwnershipAws,
  versioningAws,
  lifecycleAws,
  objectLockAws,
  bucketPolicyAws,
  encryptionAws,
  kmsAws,
  loggingAws,
  accessPointAws,
  accessAnalyzerAws,
  vpcEndpointsAws,
  macieAws,
  replicationAws,
  cloudTrailAws,
  objectCountAws,
  taggingAws,
  policyValidationAws,
];

export const COMMANDS: Record<string, Record<string, CommandClass>> = {};
for (const family of FAMILIES) {
  for (const [service, table] of Object.entries(family.commands)) {
    COMMANDS[service] = { ...COMMANDS[service], ...table };
  }
}

export const READERS = Object.assign({}, ...FAMILIES.map((family) => family.readers)) as Record<
  ResourceKey,
  Reader
>;

/** Every family's reads ahead for `reading`, from an earlier reading's values (AwsFamily.readsAhead). */
export function readsAhead(
  previous: Readonly<Record<string, unknown>>,
  reading: readonly ResourceKey[],
): ApiCall[] {
  return FAMILIES.flatMap((family) => [...(family.readsAhead?.(previous, reading) ?? [])]);
}
