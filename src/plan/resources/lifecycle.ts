/**
 * The bucket's lifecycle configuration (PutBucketLifecycleConfiguration /
 * DeleteBucketLifecycle): every rule, as read. s3-harden owns only the rules
 * whose IDs it gives them (../../steps/lifecycle-rules.ts); every other rule
 * goes back exactly as S3 returned it, so the value keeps each rule whole —
 * fields this version does not know included — and the bucket-wide
 * TransitionDefaultMinimumObjectSize too (a put without it would reset it).
 *
 * Dates (Expiration.Date, Transitions[].Date) are ISO strings here, as a plan
 * file holds them; the AWS layer turns them back into dates when it sends.
 */
import * as z from 'zod';
import { deepEqual } from '../model/deep-equal.js';
import type { ResourceFamily } from './spec.js';

export interface LifecycleRule {
  /** S3 gives a rule without one a generated ID, so a reading always has it. */
  readonly ID?: string;
  readonly Status: 'Enabled' | 'Disabled';
  readonly [field: string]: unknown;
}

export interface LifecycleConfiguration {
  readonly Rules: readonly LifecycleRule[];
  /** 'all_storage_classes_128K' (S3's default) or 'varies_by_storage_class'. */
  readonly TransitionDefaultMinimumObjectSize?: string;
}

export interface LifecycleValues {
  /** null = no lifecycle configuration. */
  'bucket.lifecycle': LifecycleConfiguration | null;
}

const bucketName = z.string().min(3).max(63);

/** At most 1,000 rules per configuration (S3's limit). */
export const MAX_LIFECYCLE_RULES = 1000;

/** A rule kept whole: foreign fields pass through untouched. */
const ruleSchema = z.looseObject({
  ID: z.string().min(1).max(255).optional(),
  Status: z.enum(['Enabled', 'Disabled']),
});

export const lifecycleConfigurationSchema = z.strictObject({
  Rules: z.array(ruleSchema).min(1).max(MAX_LIFECYCLE_RULES),
  TransitionDefaultMinimumObjectSize: z
    .enum(['all_storage_classes_128K', 'varies_by_storage_class'])
    .optional(),
});

/** An empty filter, `{Prefix: ""}` and no filter all mean "every object"; S3 returns any of them. */
function normaliseRule(rule: LifecycleRule): Record<string, unknown> {
  const { Filter, Prefix, ...rest } = rule as Record<string, unknown>;
  const filter = Filter as Record<string, unknown> | undefined;
  const everything =
    (filter === undefined ||
      Object.keys(filter).length === 0 ||
      deepEqual(filter, { Prefix: '' })) &&
    (Prefix === undefined || Prefix === '');
  return everything ? rest : { ...rest, Filter, Prefix };
}

function normalise(value: LifecycleConfiguration | null) {
  if (value === null) return null;
  return {
    Rules: value.Rules.map(normaliseRule),
    TransitionDefaultMinimumObjectSize:
      value.TransitionDefaultMinimumObjectSize ?? 'all_storage_classes_128K',
  };
}

/** One rule per line group, the review's document view. */
function lifecycleDocument(value: LifecycleConfiguration): string {
  return JSON.stringify(value, null, 2);
}

export const lifecycleFamily: ResourceFamily<LifecycleValues> = {
  resources: {
    'bucket.lifecycle': {
      label: 'Lifecycle configuration',
      reads: ['s3:GetBucketLifecycleConfiguration'],
      scope: 'bucket',
      schema: lifecycleConfigurationSchema.nullable(),
      write: ({ bucket }, value) =>
        value === null
          ? { service: 's3', operation: 'DeleteBucketLifecycle', input: { Bucket: bucket } }
          : {
              service: 's3',
              operation: 'PutBucketLifecycleConfiguration',
              input: {
                Bucket: bucket,
                LifecycleConfiguration: { Rules: value.Rules },
                ...(value.TransitionDefaultMinimumObjectSize
                  ? { TransitionDefaultMinimumObjectSize: value.TransitionDefaultMinimumObjectSize }
                  : {}),
              },
            },
      satisfies: (expected, live) => deepEqual(normalise(expected), normalise(live)),
      document: (value) => value && lifecycleDocument(value),
    },
  },
  operations: [
    {
      service: 's3',
      operation: 'GetBucketLifecycleConfiguration',
      iamAction: 's3:GetLifecycleConfiguration',
      kind: 'read',
      scope: 'bucket',
    },
    {
      service: 's3',
      operation: 'PutBucketLifecycleConfiguration',
      iamAction: 's3:PutLifecycleConfiguration',
      kind: 'write',
      scope: 'bucket',
      input: z.strictObject({
        Bucket: bucketName,
        LifecycleConfiguration: z.strictObject({ Rules: lifecycleConfigurationSchema.shape.Rules }),
        TransitionDefaultMinimumObjectSize:
          lifecycleConfigurationSchema.shape.TransitionDefaultMinimumObjectSize,
      }),
    },
    {
      service: 's3',
      operation: 'DeleteBucketLifecycle',
      // S3 authorises the delete with the put permission.
      iamAction: 's3:PutLifecycleConfiguration',
      kind: 'write',
      scope: 'bucket',
      input: z.strictObject({ Bucket: bucketName }),
    },
  ],
};
