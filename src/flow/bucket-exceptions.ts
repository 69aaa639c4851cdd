/**
 * A bucket's own exceptions and ownership signs, for the commands and the
 * wizard alike: its tags, read once, give its tag exceptions
 * (`s3-harden:exception:<CONTROL>`) and whether a stack or Terraform owns
 * it; with the exceptions file's, they decide which steps are planned. A tag
 * that cannot be honoured, or tags that cannot be read, are a warning,
 * never the run's error; a bucket that does not exist (yet) has none to say.
 *
 * AWS only through the session (the flow layer's rule): its errors are told
 * apart by their `kind`.
 */
import type { AwsError } from '../aws/errors.js';
import type { AwsSession } from '../aws/session.js';
import type { CisVersion } from '../plan/audit/cis.js';
import { type Exception, tagExceptions } from '../plan/exceptions/exceptions.js';
import { ownershipSign } from '../plan/exceptions/ownership.js';
import { type ExceptedPlan, exceptSteps } from '../steps/excepted-steps.js';
import type { StepId } from '../steps/types.js';

export interface BucketTags {
  readonly tags: Readonly<Record<string, string>>;
  readonly exceptions: Exception[];
}

const NONE: BucketTags = { tags: {}, exceptions: [] };

function kindOf(error: unknown): AwsError['kind'] | undefined {
  return typeof error === 'object' && error !== null && 'kind' in error
    ? (error as AwsError).kind
    : undefined;
}

export async function readBucketTagExceptions(
  session: Pick<AwsSession, 'bucketTags'>,
  bucket: string,
  warn: (line: string) => void,
  version?: CisVersion,
): Promise<BucketTags> {
  try {
    const tags = await session.bucketTags(bucket);
    const found = tagExceptions(bucket, tags, version);
    for (const problem of found.problems) warn(`${problem}: not honoured`);
    return { tags, exceptions: found.exceptions };
  } catch (error) {
    const kind = kindOf(error);
    // What no other read would fare better with is the run's error.
    if (kind === 'unreachable' || kind === 'credentials') throw error;
    if (kind !== 'no-such-bucket') {
      warn(
        `tags of ${bucket} unreadable, its tag exceptions not honoured: ${(error as Error).message.split('\n')[0]}`,
      );
    }
    return NONE;
  }
}

export interface ExceptionContext {
  /** The exceptions file's (or none); the bucket's tags add its own. */
  readonly exceptions: readonly Exception[];
  /** The day exceptions are judged on. */
  readonly now: Date;
  /** Whose CIS numbers the tags' control names are in (default the newest). */
  readonly cisVersion?: CisVersion;
}

/** The steps to plan for a bucket, what its exceptions held back, and what to say of it. */
export interface BucketExceptions extends ExceptedPlan {
  /** Tags not honoured or unreadable, and who owns the bucket ("… belongs to CloudFormation stack …"). */
  readonly warnings: readonly string[];
}

/**
 * The steps to plan for `bucket` once its exceptions hold back theirs.
 * `readTags: false` for a bucket the plan creates: it has no tags yet.
 */
export async function bucketExceptions(
  session: Pick<AwsSession, 'bucketTags'>,
  bucket: string,
  stepIds: readonly StepId[],
  context: ExceptionContext,
  readTags = true,
): Promise<BucketExceptions> {
  const warnings: string[] = [];
  let own: Exception[] = [];
  if (readTags) {
    const read = await readBucketTagExceptions(
      session,
      bucket,
      (line) => warnings.push(line),
      context.cisVersion,
    );
    own = read.exceptions;
    // The same read says whether a stack or Terraform owns the bucket.
    const owner = ownershipSign(bucket, read.tags);
    if (owner) warnings.push(owner);
  }
  const excepted = exceptSteps(stepIds, bucket, [...context.exceptions, ...own], context.now);
  return { ...excepted, warnings };
}
