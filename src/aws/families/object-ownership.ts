import {
  DeleteBucketOwnershipControlsCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  PutBucketOwnershipControlsCommand,
} from '@aws-sdk/client-s3';
import {
  type AclGrant,
  OBJECT_OWNERSHIP,
  type ObjectOwnership,
  type OwnershipControls,
} from '../../plan/resources/object-ownership.js';
import type { AwsFamily } from './family.js';

const GROUP_PREFIXES = [
  'http://acs.amazonaws.com/groups/global/',
  'http://acs.amazonaws.com/groups/s3/',
];

export function ownershipControls(output: Record<string, unknown>): OwnershipControls | null {
  const controls = output.OwnershipControls as
    | { Rules?: { ObjectOwnership?: string }[] }
    | undefined;
  const value = controls?.Rules?.[0]?.ObjectOwnership;
  return OBJECT_OWNERSHIP.includes(value as ObjectOwnership)
    ? { ObjectOwnership: value as ObjectOwnership }
    : null;
}

interface RawGrant {
  Grantee?: { Type?: string; ID?: string; URI?: string; EmailAddress?: string };
  Permission?: string;
}

function grantee(raw: NonNullable<RawGrant['Grantee']>): string {
  if (raw.URI) {
    const prefix = GROUP_PREFIXES.find((candidate) => raw.URI?.startsWith(candidate));
    return prefix ? raw.URI.slice(prefix.length) : `uri:${raw.URI}`;
  }
  if (raw.ID) return `id:${raw.ID}`;
  if (raw.EmailAddress) return `email:${raw.EmailAddress}`;
  return `unknown:${raw.Type ?? 'grantee'}`;
}

/** The grants to anyone other than the bucket owner: those that stop working without ACLs. */
export function foreignGrants(output: Record<string, unknown>): AclGrant[] {
  const owner = (output.Owner as { ID?: string } | undefined)?.ID;
  const grants = (output.Grants as RawGrant[] | undefined) ?? [];
  const seen = new Set<string>();
  const result: AclGrant[] = [];
  for (const grant of grants) {
    const raw = grant.Grantee;
    if (!raw) continue;
    if (raw.ID && owner && raw.ID === owner && !raw.URI) continue;
    const entry = { Grantee: grantee(raw), Permission: grant.Permission ?? 'UNKNOWN' };
    const key = `${entry.Grantee} ${entry.Permission}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(entry);
  }
  return result;
}

export const objectOwnershipAws: AwsFamily = {
  commands: {
    s3: {
      GetBucketOwnershipControls: GetBucketOwnershipControlsCommand,
      PutBucketOwnershipControls: PutBucketOwnershipControlsCommand,
      DeleteBucketOwnershipControls: DeleteBucketOwnershipControlsCommand,
      GetBucketAcl: GetBucketAclCommand,
    },
  },
  readers: {
    'bucket.ownershipControls': {
      call: ({ bucket }) => ({
        service: 's3',
        operation: 'GetBucketOwnershipControls',
        input: { Bucket: bucket },
      }),
      extract: ownershipControls,
    },
    'bucket.acl': {
      call: ({ bucket }) => ({
        service: 's3',
        operation: 'GetBucketAcl',
        input: { Bucket: bucket },
      }),
      extract: foreignGrants,
    },
  },
};
