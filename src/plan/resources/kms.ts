/**
 * KMS keys for default encryption: the account's keys (read-only, for the
 * wizard's key list) and the customer-managed key s3-harden may create for a
 * bucket, as three resources whose writes are exactly the calls made:
 *
 * - `kms.key`      CreateKey; undo ScheduleKeyDeletion (7 days, the minimum)
 * - `kms.alias`    CreateAlias; undo DeleteAlias
 * - `kms.rotation` EnableKeyRotation; undo DisableKeyRotation
 *
 * The key's ID is only known once CreateKey has run, so every call that names
 * it carries an OutputRef to the `kms.key` change's output. The key s3-harden
 * created for a bucket is recognised by its description, which names the
 * bucket (see keyDescription); an absent value means "no such key", and a key
 * pending deletion no longer counts. It is created with its key policy (who
 * may use it: ../policy/key-policy.ts) and tagged with the bucket (KEY_TAG), so an
 * IAM policy can scope every later call to the keys s3-harden made.
 *
 * Why one file of ~440 lines: three resources that name one key through
 * OutputRefs, with their schemas and the key listing; split, the rules for
 * naming a key not yet created would be in two places.
 */
import * as z from 'zod';
import type { OutputRef } from '../model/call.js';
import { describeRef, outputRef } from '../model/output-refs.js';
import { formatPolicy, type PolicyDocument, policyJson } from '../policy/document.js';
import { type CliContext, shellQuote } from '../render/cli-equivalent.js';
import { policyDocumentSchema } from './policy.js';
import type { ResourceFamily } from './spec.js';
import { UnwritableValueError } from './unwritable.js';

/** One KMS key of the account, as the wizard lists it. */
export interface KmsKeySummary {
  readonly keyId: string;
  readonly arn: string;
  /** Alias names pointing at the key, sorted. */
  readonly aliases: readonly string[];
  /** KeyState: Enabled, Disabled, PendingDeletion… */
  readonly state: string;
  /** Automatic yearly rotation; null when unknown or not applicable. */
  readonly rotation: boolean | null;
  /** KeyManager: CUSTOMER or AWS. */
  readonly manager: string;
  /** A customer-managed key's policy; absent when it could not be read (or for AWS managed keys). */
  readonly policy?: PolicyDocument;
}

export interface KmsTag {
  readonly TagKey: string;
  readonly TagValue: string;
}

/** The key s3-harden creates: a symmetric encryption key for one bucket. */
export interface KmsKeyValue {
  readonly Description: string;
  readonly KeySpec: 'SYMMETRIC_DEFAULT';
  readonly KeyUsage: 'ENCRYPT_DECRYPT';
  /** Its key policy; absent: the default one (keys made by earlier versions). */
  readonly Policy?: PolicyDocument;
  /** Its tags; absent: none (keys made by earlier versions). */
  readonly Tags?: readonly KmsTag[];
}

/** The tag on every key s3-harden creates, valued with the bucket's name. */
export const KEY_TAG = 's3-harden:bucket';
/** The tags that make a created key findable by identity: the plan's id and the change that made it. */
export const PLAN_TAG = 's3-harden:plan';
export const CHANGE_TAG = 's3-harden:change';

/** The tags of the key a plan creates, sorted by key as a read returns them. */
export function createdKeyTags(bucket: string, planId: string | undefined): KmsTag[] {
  return [
    { TagKey: KEY_TAG, TagValue: bucket },
    ...(planId
      ? [
          { TagKey: CHANGE_TAG, TagValue: KEY_CHANGE },
          { TagKey: PLAN_TAG, TagValue: planId },
        ]
      : []),
  ];
}

export interface KmsAliasValue {
  readonly AliasName: string;
  /** The key's ID; an OutputRef to the created key in a plan. */
  readonly TargetKeyId: string | OutputRef;
}

export interface KmsRotationValue {
  readonly KeyRotationEnabled: true;
}

export interface KmsValues {
  /**
   * Read-only: the account's symmetric encryption keys that have an alias:
   * customer-managed ones, and of the AWS managed keys only aws/s3. Never
   * absent; unreadable when listing or describing them is denied.
   */
  'account.kmsKeys': readonly KmsKeySummary[];
  /** The customer-managed key s3-harden created for this bucket; null = none. */
  'kms.key': KmsKeyValue | null;
  /** That key's alias; null = no key, or a key without alias. */
  'kms.alias': KmsAliasValue | null;
  /** That key's rotation; null = no key, or rotation off. */
  'kms.rotation': KmsRotationValue | null;
}

/** The description that marks the key s3-harden created for `bucket`. */
export function keyDescription(bucket: string): string {
  return `s3-harden: default encryption for ${bucket}`;
}

/** The alias proposed for a new key: alias/s3-harden-<bucket>, dots made dashes. */
export function defaultAliasName(bucket: string): string {
  return `alias/s3-harden-${bucket.replace(/\./g, '-')}`;
}

/** The one window s3-harden schedules a deletion with: the minimum KMS allows. */
export const PENDING_WINDOW_DAYS = 7;

/** The change ids (= resource keys) the OutputRefs name. */
export const KEY_CHANGE = 'kms.key';
export const ALIAS_CHANGE = 'kms.alias';
/** The created key's ID and ARN, from CreateKey's output. */
export const CREATED_KEY_ID = outputRef(KEY_CHANGE, 'KeyMetadata.KeyId');
export const CREATED_KEY_ARN = outputRef(KEY_CHANGE, 'KeyMetadata.Arn');
/**
 * The alias a CreateAlias made. AWS returns nothing for CreateAlias; the AWS
 * half of this family echoes the alias name into the output, so an undo (and
 * a journal replay) can delete exactly the alias that was created.
 */
export const CREATED_ALIAS_NAME = outputRef(ALIAS_CHANGE, 'AliasName');

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const KEY_ID = `(?:${UUID}|mrk-[0-9a-fA-F]{32})`;
const ARN_PREFIX = 'arn:aws(?:-cn|-us-gov|-iso|-iso-b)?:kms:[a-z]{2}(?:-[a-z]+)+-\\d:\\d{12}';
const ALIAS_BODY = '[A-Za-z0-9/_-]+';
const KEY_ARN = new RegExp(`^${ARN_PREFIX}:key/${KEY_ID}$`);
const ALIAS_ARN = new RegExp(`^${ARN_PREFIX}:alias/${ALIAS_BODY}$`);
const ALIAS_NAME = new RegExp(`^alias/${ALIAS_BODY}$`);
const BARE_KEY_ID = new RegExp(`^${KEY_ID}$`);

export type KmsKeyIdKind = 'key-arn' | 'alias-arn' | 'alias' | 'key-id';

/** What kind of KMS key identifier `text` is, or null when it is none. */
export function kmsKeyIdKind(text: string): KmsKeyIdKind | null {
  if (text.length > 2048) return null;
  if (KEY_ARN.test(text)) return 'key-arn';
  if (ALIAS_ARN.test(text)) return 'alias-arn';
  if (ALIAS_NAME.test(text)) return 'alias';
  if (BARE_KEY_ID.test(text)) return 'key-id';
  return null;
}

/** The region named in a key or alias ARN; undefined for bare IDs and alias names. */
export function kmsKeyRegion(text: string): string | undefined {
  return /^arn:[^:]+:kms:([^:]+):/.exec(text)?.[1];
}

/** Why `name` is not a valid name for a new alias, or null when it is. */
export function aliasNameProblem(name: string): string | null {
  if (!name.startsWith('alias/')) return 'the alias name must start with alias/';
  if (name.startsWith('alias/aws/')) return 'alias/aws/ is reserved for AWS managed keys';
  if (name.length > 256) return 'the alias name is at most 256 characters';
  if (name === 'alias/') return 'the alias needs a name after alias/';
  if (!ALIAS_NAME.test(name)) {
    return 'the alias name may contain only letters, digits, /, _ and - after alias/';
  }
  return null;
}

/** True for aliases of AWS managed keys (alias/aws/s3 and the like), name or ARN. */
export function isAwsManagedAlias(text: string): boolean {
  return /(^|:)alias\/aws\//.test(text);
}

/** A key ID, key ARN, alias name or alias ARN. */
export const kmsKeyIdSchema = z
  .string()
  .refine((text) => kmsKeyIdKind(text) !== null, 'not a KMS key ARN, alias or key ID');

const aliasNameSchema = z.string().superRefine((name, context) => {
  const problem = aliasNameProblem(name);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

/** Exactly the created key: a plan never names another key in these calls. */
const createdKeyId = z.strictObject({
  fromOutput: z.strictObject({
    change: z.literal(KEY_CHANGE),
    path: z.literal('KeyMetadata.KeyId'),
  }),
});
/** The created key's ARN or ID, where a value (the bucket's default key) may name it. */
export const createdKeyRefSchema = z.strictObject({
  fromOutput: z.strictObject({
    change: z.literal(KEY_CHANGE),
    path: z.enum(['KeyMetadata.Arn', 'KeyMetadata.KeyId']),
  }),
});
const createdAliasName = z.strictObject({
  fromOutput: z.strictObject({ change: z.literal(ALIAS_CHANGE), path: z.literal('AliasName') }),
});

/** KMS's limit on a key policy, in bytes. */
export const MAX_KEY_POLICY_BYTES = 32_768;

const keyPolicySchema = policyDocumentSchema.refine(
  (document) => new TextEncoder().encode(policyJson(document)).length <= MAX_KEY_POLICY_BYTES,
  `a key policy is at most ${MAX_KEY_POLICY_BYTES} bytes`,
);

export const kmsKeySummarySchema = z.strictObject({
  keyId: z.string().min(1).max(2048),
  arn: z.string().min(1).max(2048),
  aliases: z.array(z.string().max(256)).max(1000),
  state: z.string().max(64),
  rotation: z.boolean().nullable(),
  manager: z.string().max(64),
  policy: keyPolicySchema.optional(),
});

const tagsSchema = z
  .array(
    z.strictObject({
      TagKey: z
        .string()
        .min(1)
        .max(128)
        .regex(/^[\w .:/=+@-]+$/),
      TagValue: z
        .string()
        .max(256)
        .regex(/^[\w .:/=+@-]*$/),
    }),
  )
  .max(50);

export const kmsKeyValueSchema = z.strictObject({
  Description: z
    .string()
    .max(8192)
    .regex(/^\P{Cc}*$/u, 'must not contain control characters'),
  KeySpec: z.literal('SYMMETRIC_DEFAULT'),
  KeyUsage: z.literal('ENCRYPT_DECRYPT'),
  Policy: keyPolicySchema.optional(),
  Tags: tagsSchema.optional(),
});

/** CreateKey's input: the value, with the policy as the JSON text KMS takes. */
const createKeyInputSchema = z.strictObject({
  Description: kmsKeyValueSchema.shape.Description,
  KeySpec: kmsKeyValueSchema.shape.KeySpec,
  KeyUsage: kmsKeyValueSchema.shape.KeyUsage,
  Policy: z
    .string()
    .max(MAX_KEY_POLICY_BYTES)
    .refine((text) => {
      try {
        return keyPolicySchema.safeParse(JSON.parse(text)).success;
      } catch {
        return false;
      }
    }, 'not a key policy document')
    .optional(),
  Tags: tagsSchema.optional(),
});

export const kmsAliasValueSchema = z.strictObject({
  AliasName: aliasNameSchema,
  TargetKeyId: z.union([z.string().min(1).max(2048), createdKeyId]),
});

export const kmsRotationValueSchema = z.strictObject({ KeyRotationEnabled: z.literal(true) });

/**
 * The `aws` command that prints the ARN of the key a plan created, found by
 * its plan tag (KMS takes the ARN wherever it takes a key ID).
 */
export function taggedKeyLookup(planId: string, cli: CliContext): string {
  return [
    'aws resourcegroupstaggingapi get-resources --resource-type-filters kms:key',
    `--tag-filters ${shellQuote(`Key=${PLAN_TAG},Values=${planId}`)}`,
    `--query 'ResourceTagMappingList[0].ResourceARN' --output text`,
    ...(cli.profile ? [`--profile ${shellQuote(cli.profile)}`] : []),
    ...(cli.region ? [`--region ${shellQuote(cli.region)}`] : []),
    ...(cli.endpoint ? [`--endpoint-url ${shellQuote(cli.endpoint)}`] : []),
  ].join(' ');
}

function isRef(value: unknown): value is OutputRef {
  return typeof value === 'object' && value !== null && 'fromOutput' in value;
}

export const kmsFamily: ResourceFamily<KmsValues> = {
  resources: {
    'account.kmsKeys': {
      readOnly: true,
      volatile: true,
      label: 'KMS keys (account)',
      reads: ['kms:ListAliases', 'kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:GetKeyPolicy'],
      scope: 'account',
      schema: z.array(kmsKeySummarySchema).max(10_000),
      write: () => {
        throw new UnwritableValueError('KMS keys (account) is read-only: a plan never changes it');
      },
    },
    'kms.key': {
      label: 'KMS key',
      createdByRun: true,
      // ListKeys: finding the key a lost CreateKey answer made, by its plan tag.
      reads: [
        'kms:ListAliases',
        'kms:DescribeKey',
        'kms:GetKeyRotationStatus',
        'kms:GetKeyPolicy',
        'kms:ListResourceTags',
        'kms:ListKeys',
      ],
      scope: 'account',
      schema: kmsKeyValueSchema.nullable(),
      write: (_target, value) =>
        value === null
          ? {
              service: 'kms',
              operation: 'ScheduleKeyDeletion',
              input: { KeyId: CREATED_KEY_ID, PendingWindowInDays: PENDING_WINDOW_DAYS },
            }
          : {
              service: 'kms',
              operation: 'CreateKey',
              input: {
                Description: value.Description,
                KeySpec: value.KeySpec,
                KeyUsage: value.KeyUsage,
                ...(value.Policy ? { Policy: policyJson(value.Policy) } : {}),
                ...(value.Tags ? { Tags: value.Tags } : {}),
              },
            },
      // A lost CreateKey answer: the key is the one tagged with the plan's id.
      lookup: (path, _after, planId, cli) =>
        planId && (path === 'KeyMetadata.KeyId' || path === 'KeyMetadata.Arn')
          ? { command: taggedKeyLookup(planId, cli) }
          : null,
      // The key policy is reviewed whole, like a bucket policy.
      document: (value) =>
        value &&
        [
          `Description: ${value.Description}`,
          `KeySpec: ${value.KeySpec}`,
          `KeyUsage: ${value.KeyUsage}`,
          ...(value.Tags ?? []).map((tag) => `Tag ${tag.TagKey}: ${tag.TagValue}`),
          ...(value.Policy ? ['Policy:', formatPolicy(value.Policy)] : []),
        ].join('\n'),
    },
    'kms.alias': {
      label: 'KMS key alias',
      readByOutputs: true,
      reads: ['kms:ListAliases', 'kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:GetKeyPolicy'],
      scope: 'account',
      schema: kmsAliasValueSchema.nullable(),
      write: (_target, value) =>
        value === null
          ? { service: 'kms', operation: 'DeleteAlias', input: { AliasName: CREATED_ALIAS_NAME } }
          : {
              service: 'kms',
              operation: 'CreateAlias',
              input: { AliasName: value.AliasName, TargetKeyId: value.TargetKeyId },
            },
      // The alias made is the alias planned.
      lookup: (path, after) => (path === 'AliasName' && after ? { value: after.AliasName } : null),
      document: (value) =>
        value &&
        `AliasName: ${value.AliasName}\nTargetKeyId: ${
          isRef(value.TargetKeyId) ? describeRef(value.TargetKeyId) : value.TargetKeyId
        }`,
      // The created key's ID is known only once it exists: any ID matches the reference.
      satisfies: (expected, live) =>
        expected === null || live === null
          ? expected === live
          : expected.AliasName === live.AliasName &&
            (isRef(expected.TargetKeyId) || expected.TargetKeyId === live.TargetKeyId),
    },
    'kms.rotation': {
      label: 'KMS key rotation',
      readByOutputs: true,
      reads: ['kms:ListAliases', 'kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:GetKeyPolicy'],
      scope: 'account',
      schema: kmsRotationValueSchema.nullable(),
      write: (_target, value) => ({
        service: 'kms',
        operation: value === null ? 'DisableKeyRotation' : 'EnableKeyRotation',
        input: { KeyId: CREATED_KEY_ID },
      }),
    },
  },
  operations: [
    {
      service: 'kms',
      operation: 'ListAliases',
      iamAction: 'kms:ListAliases',
      kind: 'read',
      scope: 'none',
    },
    {
      service: 'kms',
      operation: 'DescribeKey',
      iamAction: 'kms:DescribeKey',
      kind: 'read',
      scope: 'none',
    },
    {
      service: 'kms',
      operation: 'GetKeyRotationStatus',
      iamAction: 'kms:GetKeyRotationStatus',
      kind: 'read',
      scope: 'none',
    },
    {
      service: 'kms',
      operation: 'GetKeyPolicy',
      iamAction: 'kms:GetKeyPolicy',
      kind: 'read',
      scope: 'none',
    },
    {
      service: 'kms',
      operation: 'ListKeys',
      iamAction: 'kms:ListKeys',
      kind: 'read',
      scope: 'none',
    },
    {
      service: 'kms',
      operation: 'ListResourceTags',
      iamAction: 'kms:ListResourceTags',
      kind: 'read',
      scope: 'none',
    },
    {
      service: 'kms',
      operation: 'CreateKey',
      iamAction: 'kms:CreateKey',
      kind: 'write',
      scope: 'none',
      input: createKeyInputSchema,
    },
    {
      service: 'kms',
      operation: 'ScheduleKeyDeletion',
      iamAction: 'kms:ScheduleKeyDeletion',
      kind: 'write',
      scope: 'none',
      // Only the key this plan created, and only with the minimum window.
      input: z.strictObject({
        KeyId: createdKeyId,
        PendingWindowInDays: z.literal(PENDING_WINDOW_DAYS),
      }),
    },
    {
      service: 'kms',
      operation: 'CreateAlias',
      iamAction: 'kms:CreateAlias',
      kind: 'write',
      scope: 'none',
      input: z.strictObject({ AliasName: aliasNameSchema, TargetKeyId: createdKeyId }),
    },
    {
      service: 'kms',
      operation: 'DeleteAlias',
      iamAction: 'kms:DeleteAlias',
      kind: 'write',
      scope: 'none',
      input: z.strictObject({ AliasName: createdAliasName }),
    },
    {
      service: 'kms',
      operation: 'EnableKeyRotation',
      iamAction: 'kms:EnableKeyRotation',
      kind: 'write',
      scope: 'none',
      input: z.strictObject({ KeyId: createdKeyId }),
    },
    {
      service: 'kms',
      operation: 'DisableKeyRotation',
      iamAction: 'kms:DisableKeyRotation',
      kind: 'write',
      scope: 'none',
      input: z.strictObject({ KeyId: createdKeyId }),
    },
  ],
};
