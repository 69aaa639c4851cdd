/**
 * The AWS half of the KMS family. Every KMS resource is read from one scan of
 * the account: ListAliases (all pages), then DescribeKey and, for
 * customer-managed keys, GetKeyRotationStatus and GetKeyPolicy of each
 * aliased key, a few keys at a time (the key policy says who the key lets
 * decrypt; ../../plan/policy/key-policy.ts). Reads started together (one observe)
 * share one scan. The key s3-harden created for the bucket also has its tags
 * read (ListResourceTags).
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
import type { Target } from '../../plan/model/types.js';
import type { PolicyDocument } from '../../plan/policy/document.js';
import {
  CHANGE_TAG,
  isAwsManagedAlias,
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
import { mapLimit } from './map-limit.js';
import { policyFromOutput } from './policy.js';

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

/** How many keys are described at once. */
const CONCURRENCY = 8;
const PENDING = new Set(['PendingDeletion', 'PendingReplicaDeletion']);

interface ScannedKey extends KmsKeySummary {
  readonly description: string;
}

interface KeyMetadata {
  KeyId?: string;
  Arn?: string;
  Description?: string;
  KeyState?: string;
  KeyManager?: string;
  KeySpec?: string;
  CustomerMasterKeySpec?: string;
  KeyUsage?: string;
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string; name?: string } | undefined)?.code;
}

async function listAliases(send: ReadSend): Promise<Map<string, string[]>> {
  const byKey = new Map<string, string[]>();
  let marker: string | undefined;
  do {
    const page = await send({
      service: 'kms',
      operation: 'ListAliases',
      input: { Limit: 100, ...(marker ? { Marker: marker } : {}) },
    });
    for (const alias of (page.Aliases as { AliasName?: string; TargetKeyId?: string }[]) ?? []) {
      // alias/aws/* name AWS managed keys: of those only S3's own is of interest.
      // Aliases without a target are unused.
      if (!alias.AliasName || !alias.TargetKeyId) continue;
      if (isAwsManagedAlias(alias.AliasName) && alias.AliasName !== 'alias/aws/s3') continue;
      byKey.set(alias.TargetKeyId, [...(byKey.get(alias.TargetKeyId) ?? []), alias.AliasName]);
    }
    marker =
      page.Truncated === true && typeof page.NextMarker === 'string' ? page.NextMarker : undefined;
  } while (marker);
  return byKey;
}

async function describeKey(
  send: ReadSend,
  keyId: string,
  aliases: readonly string[],
): Promise<ScannedKey | null> {
  let metadata: KeyMetadata | undefined;
  try {
    const output = await send({
      service: 'kms',
      operation: 'DescribeKey',
      input: { KeyId: keyId },
    });
    metadata = output.KeyMetadata as KeyMetadata | undefined;
  } catch (error) {
    // An alias may outlive nothing: its key is gone.
    if (errorCode(error) === 'NotFoundException') return null;
    throw error;
  }
  if (!metadata) return null;
  // S3 default encryption takes symmetric encryption keys only (the CreateKey
  // defaults, which an emulator may leave out of the description).
  const spec = metadata.KeySpec ?? metadata.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
  const usage = metadata.KeyUsage ?? 'ENCRYPT_DECRYPT';
  if (spec !== 'SYMMETRIC_DEFAULT' || usage !== 'ENCRYPT_DECRYPT') return null;
  const manager = metadata.KeyManager ?? 'unknown';
  const state = metadata.KeyState ?? 'unknown';
  let rotation: boolean | null = null;
  if (manager === 'CUSTOMER' && !PENDING.has(state)) {
    try {
      const output = await send({
        service: 'kms',
        operation: 'GetKeyRotationStatus',
        input: { KeyId: keyId },
      });
      rotation = output.KeyRotationEnabled === true;
    } catch (error) {
      // A denial makes the whole list unreadable; other refusals (imported key
      // material, custom key stores) just mean rotation does not apply.
      if (error instanceof AwsError && error.kind === 'access-denied') throw error;
    }
  }
  const policy = manager === 'CUSTOMER' ? await keyPolicy(send, keyId) : undefined;
  return {
    keyId: metadata.KeyId ?? keyId,
    arn: metadata.Arn ?? '',
    aliases: [...aliases].sort(),
    state,
    rotation,
    manager,
    ...(policy ? { policy } : {}),
    description: metadata.Description ?? '',
  };
}

/** A key's policy; undefined when it cannot be read (the warnings then say so). */
async function keyPolicy(send: ReadSend, keyId: string): Promise<PolicyDocument | undefined> {
  try {
    const output = await send({
      service: 'kms',
      operation: 'GetKeyPolicy',
      input: { KeyId: keyId, PolicyName: 'default' },
    });
    return policyFromOutput(output, 'key policy') ?? undefined;
  } catch {
    return undefined;
  }
}

/** A key's tags, sorted by key. */
async function keyTags(send: ReadSend, keyId: string): Promise<KmsTag[]> {
  const tags: KmsTag[] = [];
  let marker: string | undefined;
  do {
    const page = await send({
      service: 'kms',
      operation: 'ListResourceTags',
      input: { KeyId: keyId, ...(marker ? { Marker: marker } : {}) },
    });
    for (const tag of (page.Tags as { TagKey?: string; TagValue?: string }[]) ?? []) {
      if (typeof tag.TagKey === 'string')
        tags.push({ TagKey: tag.TagKey, TagValue: tag.TagValue ?? '' });
    }
    marker =
      page.Truncated === true && typeof page.NextMarker === 'string' ? page.NextMarker : undefined;
  } while (marker);
  return tags.sort((a, b) => a.TagKey.localeCompare(b.TagKey));
}

async function scanKeys(send: ReadSend): Promise<ScannedKey[]> {
  const byKey = await listAliases(send);
  const keys = await mapLimit([...byKey], CONCURRENCY, ([keyId, aliases]) =>
    describeKey(send, keyId, aliases),
  );
  return keys
    .filter((key): key is ScannedKey => key !== null)
    .sort((a, b) => (a.aliases[0] ?? '').localeCompare(b.aliases[0] ?? ''));
}

const inflight = new WeakMap<ReadSend, Promise<ScannedKey[]>>();

/** One scan per session at a time: readers started together share it. */
function scan(send: ReadSend): Promise<ScannedKey[]> {
  const running = inflight.get(send);
  if (running) return running;
  const started = scanKeys(send).finally(() => inflight.delete(send));
  inflight.set(send, started);
  return started;
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

/** One key read by its ID, aliases included; null when it is gone. */
async function keyById(send: ReadSend, keyId: string): Promise<ScannedKey | null> {
  const aliases: string[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await send({
        service: 'kms',
        operation: 'ListAliases',
        input: { KeyId: keyId, Limit: 100, ...(marker ? { Marker: marker } : {}) },
      });
      for (const alias of (page.Aliases as { AliasName?: string }[]) ?? []) {
        if (alias.AliasName) aliases.push(alias.AliasName);
      }
      marker =
        page.Truncated === true && typeof page.NextMarker === 'string'
          ? page.NextMarker
          : undefined;
    } while (marker);
  } catch (error) {
    if (errorCode(error) === 'NotFoundException') return null;
    throw error;
  }
  return describeKey(send, keyId, aliases);
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

/** The key's value as the plan model compares it. */
async function keyValue(send: ReadSend, key: ScannedKey): Promise<KmsKeyValue> {
  const tags = await keyTags(send, key.keyId);
  return {
    Description: key.description,
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyUsage: 'ENCRYPT_DECRYPT',
    ...(key.policy ? { Policy: key.policy } : {}),
    ...(tags.length > 0 ? { Tags: tags } : {}),
  };
}

export const kmsAws: AwsFamily = {
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
        const own = await runKey(send, identity, true);
        if (own !== undefined) return own && keyValue(send, own);
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
