/**
 * The shape of every observed sub-resource, for validating plan files and
 * journals: a value read back from disk is trusted only after it matches.
 */
import type { z } from 'zod';
import { publicAccessBlockSchema } from './operations.js';
import type { ResourceKey } from './types.js';

export const RESOURCE_SCHEMAS: Record<ResourceKey, z.ZodType> = {
  'bucket.publicAccessBlock': publicAccessBlockSchema.nullable(),
  'account.publicAccessBlock': publicAccessBlockSchema.nullable(),
};

/** The human name of a resource, for diffs and messages. */
export const RESOURCE_LABELS: Record<ResourceKey, string> = {
  'bucket.publicAccessBlock': 'Block Public Access (bucket)',
  'account.publicAccessBlock': 'Block Public Access (account)',
};
