/**
 * The AWS half of the KMS family. Every KMS resource is read from one scan of
 * the account (./kms-keys.ts: every aliased key described, its rotation and
 * policy — who the key lets decrypt, ../../plan/policy/key-policy.ts — read
 * for a customer-managed one). Reads started together (one observe) share one
 * scan. The key s3-harden created for the bucket also has its tags read
 * (ListResourceTags); a key this run created is read by its ID, one round
 * trip.
 */

import {
  CreateAliasCommand,
  type CreateAliasCommandInput,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import type { RunIdentity } from '../../plan/model/call.js';
import type { ResourceKey, Target } from '../../plan/model/types.js';
import {
  CHANGE_TAG,
  KEY_CHANGE,
  type KmsAliasValue,
  type KmsKeySummary,
  type KmsKeyValue,
  type KmsRotationValue,
  type KmsTag,
  keyDescription,
  PLAN_TAG,
} from '../../plan/resources/kms.js';
import { AwsError } from '../errors.js';
import type { AwsFamily, ReadSend } from './family.js';
import {
  CONCURRENCY,
  type KeyMetadata,
  keyById,
  keyReadsAhead,
  keyTags,
  PENDING,
  type ScannedKey,
  scan,
} from './kms-keys.js';
import { mapLimit } from './map-limit.js';

/**
 * CreateAlias returns nothing; this command returns the alias name it created
 * (`{ AliasName }`), so the undo (DeleteAlias) can refer to it by OutputRef
 * and the journal keeps it for a later rollback.
 */
export class CreateAliasEchoCommand extends CreateAliasCommand {
  constructor(input: CreateAliasCommandInput) {
    super(input);
    this.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        return {
          ...result,
          output: { ...result.output, AliasName: input.AliasName } as typeof result.output,
        };
      },
      { step: 'initialize', name: 's3HardenEchoAliasName' },
    );
  }
}

/** The key s3-harden created for this bucket (not pending deletion), if any. */
async function bucketKey(target: Target, send: ReadSend): Promise<ScannedKey | undefined> {
  const description = keyDescription(target.bucket);
  return (await scan(send)).find(
    (key) =>
      key.manager === 'CUSTOMER' && key.description === description && !PENDING.has(key.state),
  );
}

/** The ID of the key this run created, once CreateKey has answered. */
function createdKeyId(identity: RunIdentity | undefined): string | undefined {
  const output = identity?.outputs.get(KEY_CHANGE) as
    | { KeyMetadata?: { KeyId?: unknown } }
    | undefined;
  const id = output?.KeyMetadata?.KeyId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * The key a plan created, found by the tags it was created with (the plan's
 * id and the change): every key of the account is listed and its tags read,
 * a few at a time. Only when the answer to CreateKey was lost (a crash, a
 * reset): a key found this way is the one this run made, whatever its alias.
 *
 * A plan file applied again after a rollback creates a key with the same
 * tags while the earlier one waits out its deletion: keys pending deletion
 * are as good as gone and never chosen, and of several live ones the newest
 * is this run's.
 */
async function keyByPlanTag(send: ReadSend, planId: string): Promise<string | undefined> {
  const ids: string[] = [];
  let marker: string | undefined;
  do {
    const page = await send({
      service: 'kms',
      operation: 'ListKeys',
      input: { Limit: 1000, ...(marker ? { Marker: marker } : {}) },
    });
    for (const key of (page.Keys as { KeyId?: string }[]) ?? []) if (key.KeyId) ids.push(key.KeyId);
    marker =
      page.Truncated === true && typeof page.NextMarker === 'string' ? page.NextMarker : undefined;
  } while (marker);
  const matches = await mapLimit(ids, CONCURRENCY, async (keyId) => {
    let tags: KmsTag[];
    try {
      tags = await keyTags(send, keyId);
    } catch (error) {
      // AWS managed keys refuse ListResourceTags; they are not ours anyway.
      if (error instanceof AwsError && error.kind !== 'access-denied') throw error;
      return null;
    }
    const tag = (key: string) => tags.find((found) => found.TagKey === key)?.TagValue;
    if (tag(PLAN_TAG) !== planId || tag(CHANGE_TAG) !== KEY_CHANGE) return null;
    const output = await send({
      service: 'kms',
      operation: 'DescribeKey',
      input: { KeyId: keyId },
    });
    const metadata = output.KeyMetadata as (KeyMetadata & { CreationDate?: unknown }) | undefined;
    if (PENDING.has(metadata?.KeyState ?? '')) return null;
    const created = metadata?.CreationDate;
    return { keyId, created: created instanceof Date ? created.getTime() : Number(created ?? 0) };
  });
  const live = matches.filter((match) => match !== null);
  return live.sort((a, b) => b.created - a.created)[0]?.keyId;
}

/**
 * The key of this run, with its identity: by the ID CreateKey returned, else
 * (reading `kms.key` itself) by its plan tag. Undefined: no identity to read
 * by — read as observe does. Null: this run's key does not exist, or is
 * pending deletion (as good as gone).
 */
async function runKey(
  send: ReadSend,
  identity: RunIdentity | undefined,
  byTag: boolean,
): Promise<ScannedKey | null | undefined> {
  let keyId = createdKeyId(identity);
  if (!keyId && byTag && identity?.planId) {
    keyId = await keyByPlanTag(send, identity.planId);
    if (!keyId) return null;
  }
  if (!keyId) return undefined;
  const key = await keyById(send, keyId);
  return key && !PENDING.has(key.state) ? key : null;
}

/** The key's value as the plan model compares it (`tags`: its tags, already asked for). */
async function keyValue(
  send: ReadSend,
  key: ScannedKey,
  asked: Promise<KmsTag[]> = keyTags(send, key.keyId),
): Promise<KmsKeyValue> {
  const tags = await asked;
  return {
    Description: key.description,
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyUsage: 'ENCRYPT_DECRYPT',
    ...(key.policy ? { Policy: key.policy } : {}),
    ...(tags.length > 0 ? { Tags: tags } : {}),
  };
}

/** The resources read from the account's key scan. */
const SCANNED: readonly ResourceKey[] = ['account.kmsKeys', 'kms.key', 'kms.alias', 'kms.rotation'];

export const kmsAws: AwsFamily = {
  readsAhead: (previous, reading) => {
    const keys = previous['account.kmsKeys'];
    return Array.isArray(keys) && reading.some((resource) => SCANNED.includes(resource))
      ? keyReadsAhead(keys as KmsKeySummary[])
      : [];
  },
  commands: {
    kms: {
      ListAliases: ListAliasesCommand,
      DescribeKey: DescribeKeyCommand,
      GetKeyRotationStatus: GetKeyRotationStatusCommand,
      GetKeyPolicy: GetKeyPolicyCommand,
      ListResourceTags: ListResourceTagsCommand,
      ListKeys: ListKeysCommand,
      CreateKey: CreateKeyCommand,
      ScheduleKeyDeletion: ScheduleKeyDeletionCommand,
      CreateAlias: CreateAliasEchoCommand,
      DeleteAlias: DeleteAliasCommand,
      EnableKeyRotation: EnableKeyRotationCommand,
      DisableKeyRotation: DisableKeyRotationCommand,
    },
  },
  readers: {
    'account.kmsKeys': {
      query: async (_target, send): Promise<KmsKeySummary[]> =>
        (await scan(send)).map(({ description: _description, ...summary }) => summary),
    },
    'kms.key': {
      query: async (target, send, identity): Promise<KmsKeyValue | null> => {
        // The key CreateKey answered with: its tags asked beside the rest of it.
        const created = createdKeyId(identity);
        const tags = created ? keyTags(send, created) : undefined;
        tags?.catch(() => {});
        const own = await runKey(send, identity, true);
        if (own !== undefined)
          return own && keyValue(send, own, own.keyId === created ? tags : undefined);
        const key = await bucketKey(target, send);
        return key ? keyValue(send, key) : null;
      },
      recover: async (_target, send, identity) => {
        if (!identity.planId) return null;
        const keyId = await keyByPlanTag(send, identity.planId);
        const key = keyId ? await keyById(send, keyId) : null;
        return key ? { KeyMetadata: { KeyId: key.keyId, Arn: key.arn } } : null;
      },
    },
    'kms.alias': {
      query: async (target, send, identity): Promise<KmsAliasValue | null> => {
        const own = await runKey(send, identity, false);
        const key = own === undefined ? await bucketKey(target, send) : own;
        const alias = key?.aliases[0];
        return key && alias ? { AliasName: alias, TargetKeyId: key.keyId } : null;
      },
    },
    'kms.rotation': {
      query: async (target, send, identity): Promise<KmsRotationValue | null> => {
        const own = await runKey(send, identity, false);
        const key = own === undefined ? await bucketKey(target, send) : own;
        return key?.rotation === true ? { KeyRotationEnabled: true } : null;
      },
    },
  },
};
