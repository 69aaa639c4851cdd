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
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import type { Target } from '../../plan/model/types.js';
import type { PolicyDocument } from '../../plan/policy/document.js';
import {
  isAwsManagedAlias,
  type KmsAliasValue,
  type KmsKeySummary,
  type KmsKeyValue,
  type KmsRotationValue,
  type KmsTag,
  keyDescription,
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

export const kmsAws: AwsFamily = {
  commands: {
    kms: {
      ListAliases: ListAliasesCommand,
      DescribeKey: DescribeKeyCommand,
      GetKeyRotationStatus: GetKeyRotationStatusCommand,
      GetKeyPolicy: GetKeyPolicyCommand,
      ListResourceTags: ListResourceTagsCommand,
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
      query: async (target, send): Promise<KmsKeyValue | null> => {
        const key = await bucketKey(target, send);
        if (!key) return null;
        const tags = await keyTags(send, key.keyId);
        return {
          Description: key.description,
          KeySpec: 'SYMMETRIC_DEFAULT',
          KeyUsage: 'ENCRYPT_DECRYPT',
          ...(key.policy ? { Policy: key.policy } : {}),
          ...(tags.length > 0 ? { Tags: tags } : {}),
        };
      },
    },
    'kms.alias': {
      query: async (target, send): Promise<KmsAliasValue | null> => {
        const key = await bucketKey(target, send);
        const alias = key?.aliases[0];
        return key && alias ? { AliasName: alias, TargetKeyId: key.keyId } : null;
      },
    },
    'kms.rotation': {
      query: async (target, send): Promise<KmsRotationValue | null> => {
        const key = await bucketKey(target, send);
        return key?.rotation === true ? { KeyRotationEnabled: true } : null;
      },
    },
  },
};
