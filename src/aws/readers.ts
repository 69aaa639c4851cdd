/**
 * How each sub-resource is read and normalised into the plain value the plan
 * model compares: missing flags become false, "not configured" becomes null.
 */
import type { ApiCall, PublicAccessBlock, ResourceKey, Target } from '../plan/types.js';

export interface Reader {
  readonly call: (target: Target) => ApiCall;
  readonly extract: (output: Record<string, unknown>) => unknown;
}

function publicAccessBlock(output: Record<string, unknown>): PublicAccessBlock | null {
  const raw = output.PublicAccessBlockConfiguration as Partial<PublicAccessBlock> | undefined;
  if (!raw) return null;
  return {
    BlockPublicAcls: raw.BlockPublicAcls === true,
    IgnorePublicAcls: raw.IgnorePublicAcls === true,
    BlockPublicPolicy: raw.BlockPublicPolicy === true,
    RestrictPublicBuckets: raw.RestrictPublicBuckets === true,
  };
}

export const READERS: Record<ResourceKey, Reader> = {
  'bucket.publicAccessBlock': {
    call: ({ bucket }) => ({
      service: 's3',
      operation: 'GetPublicAccessBlock',
      input: { Bucket: bucket },
    }),
    extract: publicAccessBlock,
  },
  'account.publicAccessBlock': {
    call: ({ accountId }) => ({
      service: 's3control',
      operation: 'GetPublicAccessBlock',
      input: { AccountId: accountId },
    }),
    extract: publicAccessBlock,
  },
};
