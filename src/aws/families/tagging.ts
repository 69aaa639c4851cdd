import { GetBucketTaggingCommand } from '@aws-sdk/client-s3';
import type { AwsFamily, ReadSend } from './family.js';

/**
 * A bucket's tags, read only for the exceptions they may hold
 * (`s3-harden:exception:<CONTROL>`); no plan writes them, so they are not a
 * resource of the plan model. No tag set is an empty record.
 */
export const taggingAws: AwsFamily = {
  commands: { s3: { GetBucketTagging: GetBucketTaggingCommand } },
  readers: {},
};

export async function readBucketTags(
  send: ReadSend,
  bucket: string,
): Promise<Record<string, string>> {
  let output: Record<string, unknown>;
  try {
    output = await send({
      service: 's3',
      operation: 'GetBucketTagging',
      input: { Bucket: bucket },
    });
  } catch (error) {
    if ((error as { absent?: boolean }).absent) return {};
    throw error;
  }
  const tags: Record<string, string> = {};
  for (const tag of (output.TagSet as { Key?: string; Value?: string }[] | undefined) ?? []) {
    if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  }
  return tags;
}
