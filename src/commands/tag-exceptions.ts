/**
 * A bucket's tags, read once for what they hold: its tag exceptions
 * (`s3-harden:exception:<CONTROL>`) and, for `plan`, whether a stack or
 * Terraform owns it. Shared by `audit` and `plan`: a tag that cannot be
 * honoured, or tags that cannot be read, are a warning, never the run's
 * error; a bucket that does not exist (yet) has none to say.
 */
import { AwsError } from '../aws/errors.js';
import type { AwsSession } from '../aws/index.js';
import { type Exception, tagExceptions } from '../plan/exceptions/exceptions.js';

export interface BucketTags {
  readonly tags: Readonly<Record<string, string>>;
  readonly exceptions: Exception[];
}

const NONE: BucketTags = { tags: {}, exceptions: [] };

export async function readBucketTagExceptions(
  session: Pick<AwsSession, 'bucketTags'>,
  bucket: string,
  warn: (line: string) => void,
): Promise<BucketTags> {
  try {
    const tags = await session.bucketTags(bucket);
    const found = tagExceptions(bucket, tags);
    for (const problem of found.problems) warn(`${problem}: not honoured`);
    return { tags, exceptions: found.exceptions };
  } catch (error) {
    if (error instanceof AwsError && (error.kind === 'unreachable' || error.kind === 'credentials'))
      throw error;
    if (!(error instanceof AwsError && error.kind === 'no-such-bucket')) {
      warn(
        `tags of ${bucket} unreadable, its tag exceptions not honoured: ${(error as Error).message.split('\n')[0]}`,
      );
    }
    return NONE;
  }
}
