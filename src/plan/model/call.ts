/**
 * What an API call is, below everything that makes or runs one: the target
 * it is aimed at, the services, the call itself, an output placeholder, and
 * the catalogue entry that describes an operation. The resource families
 * build on these; ./types.ts (posture, change, plan) builds on the families.
 */
import type * as z from 'zod';

/** The four Block Public Access flags, identical at bucket and account level. */
export interface PublicAccessBlock {
  readonly BlockPublicAcls: boolean;
  readonly IgnorePublicAcls: boolean;
  readonly BlockPublicPolicy: boolean;
  readonly RestrictPublicBuckets: boolean;
}

/** Where a plan applies: one bucket in one account and region. */
export interface Target {
  readonly accountId: string;
  readonly region: string;
  readonly bucket: string;
  /**
   * The bucket that receives this bucket's server access logs, when the plan
   * reads or fixes it (its policy, its encryption): the only other bucket a
   * plan may touch.
   */
  readonly logBucket?: string;
}

/** Every AWS service s3-harden calls; a file naming another is refused. */
export const SERVICES = [
  's3',
  's3control',
  'sts',
  'kms',
  'ec2',
  'macie2',
  'accessanalyzer',
  'cloudtrail',
  'organizations',
] as const;
export type Service = (typeof SERVICES)[number];

/**
 * A placeholder inside an ApiCall's input for a value only known once an
 * earlier change has run (a created KMS key's ARN, say): the executor
 * replaces it with `path` (dotted) of that change's call output.
 */
export interface OutputRef {
  readonly fromOutput: { readonly change: string; readonly path: string };
}

/** One serialisable AWS API call: what `execute` runs and what a plan file stores. */
export interface ApiCall {
  readonly service: Service;
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

/** `service:Operation`, as the catalogue keys operations. */
export type OperationKey = `${Service}:${string}`;

export interface OperationSpec {
  readonly service: Service;
  readonly operation: string;
  /** The IAM action the call needs. */
  readonly iamAction: string;
  /** Writes may appear in plan files; reads may not. */
  readonly kind: 'read' | 'write';
  /** Which input field names the target: the bucket or the account. */
  readonly scope: 'bucket' | 'account' | 'none';
  /** Shape of `input` (writes only; reads are built by the tool itself). */
  readonly input?: z.ZodType;
}

/**
 * What one run of a plan knows about the resources it creates: the plan's id
 * (the tag on each) and the outputs of the calls made so far (a created key's
 * ID). Reading a created resource with it finds that very resource — by ID,
 * else by tag — never one that merely has the expected name or alias.
 */
export interface RunIdentity {
  readonly planId?: string;
  readonly outputs: ReadonlyMap<string, unknown>;
}
