/**
 * The one guard on a call read from a file (a plan, a fleet section, a
 * journal's undo): a write of the catalogue, with input its schema accepts,
 * aimed at the target's own bucket (or log bucket, or s3-harden's CloudTrail
 * bucket of the account and region) and account — and, for a
 * change, exactly the call that writes the value the file says it writes.
 * The schemas of a call and of a target live here too, so the plan file and
 * the journal read them the same way.
 */
import * as z from 'zod';
import { trailBucketName } from '../resources/cloudtrail.js';
import { writeCall } from '../resources/index.js';
import { bucketNameProblem } from './bucket-name.js';
import { deepEqual } from './diff.js';
import { findOperation } from './operations.js';
import { type ApiCall, type ResourceKey, SERVICES, type Target } from './types.js';

export const validBucketName = z.string().superRefine((bucket, context) => {
  const problem = bucketNameProblem(bucket);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

export const accountIdSchema = z.string().regex(/^\d{12}$/);
export const regionSchema = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/);

/** Where a plan or journal applies. */
export const targetSchema = z.strictObject({
  accountId: accountIdSchema,
  region: regionSchema,
  bucket: validBucketName,
  logBucket: validBucketName.optional(),
});

/** An API call as a file holds it; what it may call is for callProblem to say. */
export const apiCallSchema = z.strictObject({
  service: z.enum(SERVICES),
  operation: z.string().min(1).max(100),
  input: z.record(z.string(), z.unknown()),
});

/** "a.b[2]" from a zod issue path. */
export function describePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    return out ? `${out}.${String(part)}` : String(part);
  }, '');
}

/** What is wrong with a call, said after the place it was found (`at` joins the two). */
export interface CallProblem {
  /** Appended to the caller's place: ".input.Bucket", or "" for the call itself. */
  readonly at: string;
  /** Starts with ": " or " " as it reads after the place. */
  readonly text: string;
}

/**
 * Why `call` is not one s3-harden may make for `target`, or null. `kind`
 * names the file in messages ("the plan is for …", "the journal is for …").
 */
export function callProblem(
  call: ApiCall,
  target: Target,
  kind: 'plan' | 'journal',
): CallProblem | null {
  const spec = findOperation(call.service, call.operation);
  if (spec?.kind !== 'write' || !spec.input) {
    return {
      at: '',
      text: `: ${call.service}:${call.operation} is not an operation s3-harden applies`,
    };
  }
  const parsed = spec.input.safeParse(call.input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = describePath(issue?.path ?? []);
    return {
      at: `.input${path ? `.${path}` : ''}`,
      text: `: ${issue?.message ?? 'invalid input'}`,
    };
  }
  // A plan writes its bucket and, for access logging, the bucket receiving the
  // logs; for CloudTrail data events, s3-harden's trail bucket, whose name the
  // account and region give.
  const buckets = [target.bucket, ...(target.logBucket ? [target.logBucket] : [])];
  const writable = [...buckets, trailBucketName(target)];
  if (spec.scope === 'bucket' && !writable.includes(call.input.Bucket as string)) {
    return {
      at: '',
      text: ` names bucket ${JSON.stringify(call.input.Bucket)}, but the ${kind} is for ${buckets.join(' and ')}`,
    };
  }
  if (spec.scope === 'account' && call.input.AccountId !== target.accountId) {
    return {
      at: '',
      text: ` names account ${JSON.stringify(call.input.AccountId)}, but the ${kind} is for ${target.accountId}`,
    };
  }
  return null;
}

/**
 * Whether `call` is exactly the call that makes `resource` read as `value`:
 * what the review shows (before → after) is then what apply and undo do. A
 * read-only resource has no such call: the catalogue's message is thrown.
 */
export function writes(
  call: ApiCall,
  resource: ResourceKey,
  target: Target,
  value: unknown,
): boolean {
  return deepEqual(call, writeCall(resource, target, value));
}
