/**
 * Every sub-resource s3-harden reads and writes: the shape of its value, its
 * human name, and the one call that sets it to a given value (null = remove).
 * Steps build their calls here, and a plan file is accepted only if each
 * change's call and undo are exactly the calls for its `after` and `before` —
 * so what the review shows is what apply does.
 */
import type { z } from 'zod';
import { publicAccessBlockSchema } from './operations.js';
import type { ApiCall, PublicAccessBlock, ResourceKey, Target } from './types.js';

export const RESOURCE_SCHEMAS: Record<ResourceKey, z.ZodType> = {
  'bucket.publicAccessBlock': publicAccessBlockSchema.nullable(),
  'account.publicAccessBlock': publicAccessBlockSchema.nullable(),
};

/** The human name of a resource, for diffs and messages. */
export const RESOURCE_LABELS: Record<ResourceKey, string> = {
  'bucket.publicAccessBlock': 'Block Public Access (bucket)',
  'account.publicAccessBlock': 'Block Public Access (account)',
};

type Writer = (target: Pick<Target, 'accountId' | 'bucket'>, value: unknown) => ApiCall;

export const RESOURCE_WRITERS: Record<ResourceKey, Writer> = {
  'bucket.publicAccessBlock': ({ bucket }, value) =>
    value === null
      ? { service: 's3', operation: 'DeletePublicAccessBlock', input: { Bucket: bucket } }
      : {
          service: 's3',
          operation: 'PutPublicAccessBlock',
          input: { Bucket: bucket, PublicAccessBlockConfiguration: value as PublicAccessBlock },
        },
  'account.publicAccessBlock': ({ accountId }, value) =>
    value === null
      ? {
          service: 's3control',
          operation: 'DeletePublicAccessBlock',
          input: { AccountId: accountId },
        }
      : {
          service: 's3control',
          operation: 'PutPublicAccessBlock',
          input: {
            AccountId: accountId,
            PublicAccessBlockConfiguration: value as PublicAccessBlock,
          },
        },
};

/** The call that makes `resource` read back as `value`. */
export function writeCall(
  resource: ResourceKey,
  target: Pick<Target, 'accountId' | 'bucket'>,
  value: unknown,
): ApiCall {
  return RESOURCE_WRITERS[resource](target, value);
}
