/**
 * The access point s3-harden manages for a bucket (S3 Control), and its
 * access point policy. One access point per bucket, with a name derived from
 * the bucket (accessPointName), so a plan can name it before it exists and a
 * plan file can never point these calls at another access point.
 *
 * - `bucket.accessPoint`        CreateAccessPoint (all four Block Public Access
 *                               flags on); absent: DeleteAccessPoint. Its VPC
 *                               configuration is fixed at creation: no call
 *                               changes it, so a value with another VpcId is
 *                               only reachable by deleting first.
 * - `bucket.accessPointPolicy`  Put/DeleteAccessPointPolicy: the whole document,
 *                               reviewed whole like the bucket policy.
 */
import * as z from 'zod';
import type { PublicAccessBlock } from '../model/call.js';
import { formatPolicy, type PolicyDocument, policyJson } from '../policy/document.js';
import { policiesMatch, policyDocumentSchema, policyText } from './policy.js';
import type { ResourceFamily } from './spec.js';
import { UnwritableValueError } from './unwritable.js';

/** The access point as s3-harden compares it. No VpcId: network origin Internet. */
export interface AccessPointValue {
  readonly Name: string;
  readonly VpcId?: string;
}

export interface AccessPointValues {
  /** The access point named accessPointName(bucket); null = none. */
  'bucket.accessPoint': AccessPointValue | null;
  /** Its policy document; null = no policy, or no access point. */
  'bucket.accessPointPolicy': PolicyDocument | null;
}

export const ACCESS_POINT_PREFIX = 's3h-';
export const MAX_ACCESS_POINT_NAME = 50;
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3'];

/** FNV-1a, 32 bits, as 8 hex digits: a short, stable fingerprint of a bucket name. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The name of the access point s3-harden manages for `bucket`: `s3h-<bucket>`.
 * Access point names allow no dots and at most 50 characters, so a bucket
 * name with dots, or too long to fit, becomes `s3h-<bucket, dots as hyphens,
 * cut>-<8 hex digits of a hash of the full name>`: two buckets of one account
 * never share a name (`a.b` and `a-b`, or two long names with the same start).
 */
export function accessPointName(bucket: string): string {
  const plain = `${ACCESS_POINT_PREFIX}${bucket}`;
  if (!bucket.includes('.') && plain.length <= MAX_ACCESS_POINT_NAME) return plain;
  const suffix = `-${fingerprint(bucket)}`;
  const head = `${ACCESS_POINT_PREFIX}${bucket.replace(/\./g, '-')}`
    .slice(0, MAX_ACCESS_POINT_NAME - suffix.length)
    .replace(/-+$/, '');
  return `${head}${suffix}`;
}

/** Why `name` is not a valid access point name, or null when it is. */
export function accessPointNameProblem(name: string): string | null {
  if (name.length < 3 || name.length > MAX_ACCESS_POINT_NAME) {
    return `an access point name is 3 to ${MAX_ACCESS_POINT_NAME} characters long (this one has ${name.length})`;
  }
  const bad = name.match(/[^a-z0-9-]/);
  if (bad) {
    return `an access point name may contain only lowercase letters, digits and hyphens (found ${JSON.stringify(bad[0])})`;
  }
  if (name.startsWith('-')) return 'an access point name must start with a letter or digit';
  if (name.endsWith('-')) return 'an access point name must not end with a hyphen';
  const suffix = RESERVED_SUFFIXES.find((reserved) => name.endsWith(reserved));
  if (suffix) return `an access point name must not end with the reserved suffix "${suffix}"`;
  return null;
}

const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** Why `id` is not a VPC ID, or null when it is. */
export function vpcIdProblem(id: string): string | null {
  if (VPC_ID.test(id)) return null;
  if (VPC_ID.test(id.toLowerCase())) return `${id}: VPC IDs are lowercase (${id.toLowerCase()})`;
  if (/^vpce-/i.test(id)) {
    return `${id} is a VPC endpoint ID; an access point takes the VPC's own ID (vpc-…)`;
  }
  return `${id} is not a VPC ID (vpc- followed by 8 or 17 hex digits, e.g. vpc-0123456789abcdef0)`;
}

/** The ARN of an access point, for its policy's resources. */
export function accessPointArn(
  partition: string,
  region: string,
  accountId: string,
  name: string,
): string {
  return `arn:${partition}:s3:${region}:${accountId}:accesspoint/${name}`;
}

/** Every access point s3-harden creates blocks all public access (Security Hub S3.19). */
export const ACCESS_POINT_PUBLIC_ACCESS_BLOCK: PublicAccessBlock = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

const refined = <T extends z.ZodString>(schema: T, problem: (text: string) => string | null) =>
  schema.superRefine((text, context) => {
    const message = problem(text);
    if (message) context.addIssue({ code: 'custom', message });
  });

const accessPointNameSchema = refined(z.string(), accessPointNameProblem);
const vpcIdSchema = refined(z.string(), vpcIdProblem);
const accountId = z.string().regex(/^\d{12}$/, 'an account ID is 12 digits');
const bucketName = z.string().min(3).max(63);

export const accessPointValueSchema = z.strictObject({
  Name: accessPointNameSchema,
  VpcId: vpcIdSchema.optional(),
});

/** The managed access point's name, refusing a value that names another one. */
function managedName(bucket: string, value: { readonly Name: string } | null): string {
  const name = accessPointName(bucket);
  if (value && value.Name !== name) {
    throw new UnwritableValueError(
      `access point ${value.Name} is not the one s3-harden manages for ${bucket} (${name})`,
    );
  }
  return name;
}

export const accessPointFamily: ResourceFamily<AccessPointValues> = {
  resources: {
    'bucket.accessPoint': {
      label: 'Access point',
      reads: ['s3control:GetAccessPoint'],
      scope: 'bucket',
      schema: accessPointValueSchema.nullable(),
      write: ({ accountId, bucket }, value) => {
        const Name = managedName(bucket, value);
        return value === null
          ? {
              service: 's3control',
              operation: 'DeleteAccessPoint',
              input: { AccountId: accountId, Name },
            }
          : {
              service: 's3control',
              operation: 'CreateAccessPoint',
              input: {
                AccountId: accountId,
                Name,
                Bucket: bucket,
                ...(value.VpcId ? { VpcConfiguration: { VpcId: value.VpcId } } : {}),
                PublicAccessBlockConfiguration: { ...ACCESS_POINT_PUBLIC_ACCESS_BLOCK },
              },
            };
      },
    },
    'bucket.accessPointPolicy': {
      label: 'Access point policy',
      reads: ['s3control:GetAccessPointPolicy'],
      scope: 'bucket',
      schema: policyDocumentSchema.nullable(),
      write: ({ accountId, bucket }, value) => {
        const Name = accessPointName(bucket);
        return value === null
          ? {
              service: 's3control',
              operation: 'DeleteAccessPointPolicy',
              input: { AccountId: accountId, Name },
            }
          : {
              service: 's3control',
              operation: 'PutAccessPointPolicy',
              input: { AccountId: accountId, Name, Policy: policyJson(value) },
            };
      },
      // Like the bucket policy: sent as its text, the whole document before
      // and after, and a restore confirmed only when the previous document
      // reads back (numbers by exact value).
      satisfies: policiesMatch,
      document: (value) => (value === null ? null : formatPolicy(value)),
    },
  },
  operations: [
    {
      service: 's3control',
      operation: 'GetAccessPoint',
      iamAction: 's3:GetAccessPoint',
      kind: 'read',
      scope: 'account',
    },
    {
      service: 's3control',
      operation: 'CreateAccessPoint',
      iamAction: 's3:CreateAccessPoint',
      kind: 'write',
      // Checked for the plan's account here; the Name and Bucket must be the
      // plan's own too, which the plan file enforces by requiring the call to
      // be exactly write(plan target, after).
      scope: 'account',
      input: z.strictObject({
        AccountId: accountId,
        Name: accessPointNameSchema,
        Bucket: bucketName,
        VpcConfiguration: z.strictObject({ VpcId: vpcIdSchema }).optional(),
        // Never an access point with any public access allowed.
        PublicAccessBlockConfiguration: z.strictObject({
          BlockPublicAcls: z.literal(true),
          IgnorePublicAcls: z.literal(true),
          BlockPublicPolicy: z.literal(true),
          RestrictPublicBuckets: z.literal(true),
        }),
      }),
    },
    {
      service: 's3control',
      operation: 'DeleteAccessPoint',
      iamAction: 's3:DeleteAccessPoint',
      kind: 'write',
      scope: 'account',
      input: z.strictObject({ AccountId: accountId, Name: accessPointNameSchema }),
    },
    {
      service: 's3control',
      operation: 'GetAccessPointPolicy',
      iamAction: 's3:GetAccessPointPolicy',
      kind: 'read',
      scope: 'account',
    },
    {
      service: 's3control',
      operation: 'PutAccessPointPolicy',
      iamAction: 's3:PutAccessPointPolicy',
      kind: 'write',
      scope: 'account',
      input: z.strictObject({
        AccountId: accountId,
        Name: accessPointNameSchema,
        Policy: policyText,
      }),
    },
    {
      service: 's3control',
      operation: 'DeleteAccessPointPolicy',
      iamAction: 's3:DeleteAccessPointPolicy',
      kind: 'write',
      scope: 'account',
      input: z.strictObject({ AccountId: accountId, Name: accessPointNameSchema }),
    },
  ],
};
