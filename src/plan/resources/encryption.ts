/**
 * Default encryption (S3 GetBucketEncryption / PutBucketEncryption /
 * DeleteBucketEncryption). The value is the bucket's
 * ServerSideEncryptionConfiguration, normalised: BucketKeyEnabled appears only
 * when true (S3 reports false for "not set"), and BlockedEncryptionTypes (the
 * SSE-C block S3 sets on new buckets) is kept exactly as read, so a rewrite
 * carries it over.
 *
 * AWS has applied SSE-S3 to every bucket since January 2023 and reads back
 * AES256 for a bucket nobody configured; null ("not configured") is what an
 * emulator without that default returns, and what DeleteBucketEncryption
 * restores there (on AWS a delete returns the bucket to SSE-S3).
 */
import * as z from 'zod';
import type { OutputRef } from '../model/call.js';
import { deepEqual } from '../model/deep-equal.js';
import { describeRef } from '../model/output-refs.js';
import { createdKeyRefSchema, kmsKeyIdSchema } from './kms.js';
import type { ResourceFamily } from './spec.js';

export const SSE_ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'] as const;
export type SseAlgorithm = (typeof SSE_ALGORITHMS)[number];

export interface EncryptionByDefault {
  readonly SSEAlgorithm: SseAlgorithm;
  /** KMS algorithms only: the key (absent = the AWS managed aws/s3 key); an OutputRef to a created key in a plan. */
  readonly KMSMasterKeyID?: string | OutputRef;
}

export interface BlockedEncryptionTypes {
  /** e.g. ["SSE-C"]; S3 also knows "NONE". */
  readonly EncryptionType: readonly string[];
}

export interface EncryptionRule {
  readonly ApplyServerSideEncryptionByDefault?: EncryptionByDefault;
  readonly BucketKeyEnabled?: boolean;
  readonly BlockedEncryptionTypes?: BlockedEncryptionTypes;
}

export interface EncryptionConfiguration {
  readonly Rules: readonly EncryptionRule[];
}

export interface EncryptionValues {
  'bucket.encryption': EncryptionConfiguration | null;
}

const bucketName = z.string().min(3).max(63);

const byDefaultSchema = z
  .strictObject({
    SSEAlgorithm: z.enum(SSE_ALGORITHMS),
    KMSMasterKeyID: z
      .union([kmsKeyIdSchema, createdKeyRefSchema], {
        error: 'must be a KMS key ARN, alias or key ID, or the key this plan creates',
      })
      .optional(),
  })
  .refine(
    (value) => value.KMSMasterKeyID === undefined || value.SSEAlgorithm !== 'AES256',
    'KMSMasterKeyID goes only with aws:kms or aws:kms:dsse',
  );

export const encryptionRuleSchema = z.strictObject({
  ApplyServerSideEncryptionByDefault: byDefaultSchema.optional(),
  BucketKeyEnabled: z.boolean().optional(),
  BlockedEncryptionTypes: z
    .strictObject({
      EncryptionType: z.array(z.string().regex(/^[A-Z0-9-]{1,32}$/)).max(10),
    })
    .optional(),
});

export const encryptionConfigurationSchema = z.strictObject({
  Rules: z.array(encryptionRuleSchema).min(1).max(10),
});

/** The algorithm of the first rule that sets one; undefined when none does (or absent). */
export function sseAlgorithm(
  value: EncryptionConfiguration | null | undefined,
): SseAlgorithm | undefined {
  return value?.Rules.find((rule) => rule.ApplyServerSideEncryptionByDefault)
    ?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
}

/** The configuration as S3 reads it back: BucketKeyEnabled false and absent are the same. */
export function normaliseEncryption(
  value: EncryptionConfiguration | null,
): EncryptionConfiguration | null {
  if (value === null) return null;
  return {
    Rules: value.Rules.map((rule) => {
      const { BucketKeyEnabled, ...rest } = rule;
      return BucketKeyEnabled ? { ...rest, BucketKeyEnabled: true } : rest;
    }),
  };
}

function isRef(value: unknown): value is OutputRef {
  return typeof value === 'object' && value !== null && 'fromOutput' in value;
}

/** Structural equality where an OutputRef (a key created by the plan) matches any string. */
function matches(expected: unknown, live: unknown): boolean {
  if (isRef(expected)) return typeof live === 'string';
  if (Array.isArray(expected)) {
    return (
      Array.isArray(live) &&
      expected.length === live.length &&
      expected.every((item, index) => matches(item, live[index]))
    );
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof live !== 'object' || live === null || Array.isArray(live)) return false;
    const keys = new Set([...Object.keys(expected), ...Object.keys(live)]);
    return [...keys].every((key) =>
      matches((expected as Record<string, unknown>)[key], (live as Record<string, unknown>)[key]),
    );
  }
  return deepEqual(expected, live);
}

/**
 * The configuration as review lines, one per field ("SSEAlgorithm: aws:kms"),
 * so the line diff shows each field that changes rather than the whole Rules
 * array as one JSON value.
 */
export function encryptionDocument(value: EncryptionConfiguration): string {
  const lines: string[] = [];
  value.Rules.forEach((rule, index) => {
    const prefix = value.Rules.length > 1 ? `Rule ${index + 1} ` : '';
    const byDefault = rule.ApplyServerSideEncryptionByDefault;
    if (byDefault) {
      lines.push(`${prefix}SSEAlgorithm: ${byDefault.SSEAlgorithm}`);
      const key = byDefault.KMSMasterKeyID;
      if (key !== undefined) {
        lines.push(`${prefix}KMSMasterKeyID: ${isRef(key) ? describeRef(key) : key}`);
      }
    }
    if (rule.BucketKeyEnabled !== undefined) {
      lines.push(`${prefix}BucketKeyEnabled: ${rule.BucketKeyEnabled}`);
    }
    if (rule.BlockedEncryptionTypes) {
      const types = rule.BlockedEncryptionTypes.EncryptionType;
      lines.push(
        `${prefix}BlockedEncryptionTypes: ${types.length > 0 ? types.join(', ') : '(empty)'}`,
      );
    }
  });
  return lines.join('\n');
}

export const encryptionFamily: ResourceFamily<EncryptionValues> = {
  resources: {
    'bucket.encryption': {
      label: 'Default encryption',
      reads: ['s3:GetBucketEncryption'],
      scope: 'bucket',
      schema: encryptionConfigurationSchema.nullable(),
      write: ({ bucket }, value) =>
        value === null
          ? { service: 's3', operation: 'DeleteBucketEncryption', input: { Bucket: bucket } }
          : {
              service: 's3',
              operation: 'PutBucketEncryption',
              input: { Bucket: bucket, ServerSideEncryptionConfiguration: value },
            },
      satisfies: (expected, live) =>
        matches(normaliseEncryption(expected), normaliseEncryption(live)),
      document: (value) => value && encryptionDocument(value),
    },
  },
  operations: [
    {
      service: 's3',
      operation: 'GetBucketEncryption',
      iamAction: 's3:GetEncryptionConfiguration',
      kind: 'read',
      scope: 'bucket',
    },
    {
      service: 's3',
      operation: 'PutBucketEncryption',
      iamAction: 's3:PutEncryptionConfiguration',
      kind: 'write',
      scope: 'bucket',
      input: z.strictObject({
        Bucket: bucketName,
        ServerSideEncryptionConfiguration: encryptionConfigurationSchema,
      }),
    },
    {
      service: 's3',
      operation: 'DeleteBucketEncryption',
      // S3 authorises the delete with the put permission.
      iamAction: 's3:PutEncryptionConfiguration',
      kind: 'write',
      scope: 'bucket',
      input: z.strictObject({ Bucket: bucketName }),
    },
  ],
};
