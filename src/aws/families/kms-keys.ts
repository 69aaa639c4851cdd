/**
 * Reading KMS keys: the account's scan (ListAliases, all pages, then each
 * aliased key described a few keys at a time: DescribeKey and, for
 * customer-managed keys, GetKeyRotationStatus and GetKeyPolicy together),
 * one key by its ID, and a key's tags. ./kms.ts builds the family's readers
 * from these.
 */
import type { ApiCall } from '../../plan/model/types.js';
import type { PolicyDocument } from '../../plan/policy/document.js';
import { isAwsManagedAlias, type KmsKeySummary, type KmsTag } from '../../plan/resources/kms.js';
import { AwsError } from '../errors.js';
import type { ReadSend } from './family.js';
import { mapLimit } from './map-limit.js';
import { policyFromOutput } from './policy.js';

/** How many keys are described at once. */
export const CONCURRENCY = 8;
export const PENDING = new Set(['PendingDeletion', 'PendingReplicaDeletion']);

export interface ScannedKey extends KmsKeySummary {
  readonly description: string;
}

export interface KeyMetadata {
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

// The calls a key is described with, built in one place: the reads ahead
// (keyReadsAhead) must be the very calls the scan makes, to be answered once.
const describeCall = (keyId: string): ApiCall => ({
  service: 'kms',
  operation: 'DescribeKey',
  input: { KeyId: keyId },
});
const rotationCall = (keyId: string): ApiCall => ({
  service: 'kms',
  operation: 'GetKeyRotationStatus',
  input: { KeyId: keyId },
});
const policyCall = (keyId: string): ApiCall => ({
  service: 'kms',
  operation: 'GetKeyPolicy',
  input: { KeyId: keyId, PolicyName: 'default' },
});

/** At most this many keys are described ahead of the listing (three calls each, all at once). */
const AHEAD_KEYS = 16;

/**
 * The calls the scan will make after ListAliases, judged from the keys an
 * earlier reading listed: sent beside the listing, the scan finds them
 * answered and takes one round trip instead of two, when the keys are the
 * ones seen before. A key that appeared since is described after the
 * listing, as always; one that went is asked about for nothing.
 */
export function keyReadsAhead(previous: readonly KmsKeySummary[]): ApiCall[] {
  return previous
    .slice(0, AHEAD_KEYS)
    .flatMap((key) => [
      describeCall(key.keyId),
      ...(key.manager === 'CUSTOMER' && !PENDING.has(key.state) ? [rotationCall(key.keyId)] : []),
      ...(key.manager === 'CUSTOMER' ? [policyCall(key.keyId)] : []),
    ]);
}

/** A key's rotation and policy, asked before its description has said it is customer managed. */
interface EarlyReads {
  readonly rotation: Promise<boolean | null>;
  readonly policy: Promise<PolicyDocument | undefined>;
}

async function describeKey(
  send: ReadSend,
  keyId: string,
  aliases: readonly string[],
  early?: EarlyReads,
): Promise<ScannedKey | null> {
  let metadata: KeyMetadata | undefined;
  try {
    const output = await send(describeCall(keyId));
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
  // Both only for a customer managed key, and independent: asked together.
  const [rotation, policy] = await Promise.all([
    manager === 'CUSTOMER' && !PENDING.has(state)
      ? (early?.rotation ?? rotationOf(send, keyId))
      : null,
    manager === 'CUSTOMER' ? (early?.policy ?? keyPolicy(send, keyId)) : undefined,
  ]);
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

/** Whether a key rotates; null when rotation does not apply to it. */
async function rotationOf(send: ReadSend, keyId: string): Promise<boolean | null> {
  try {
    const output = await send(rotationCall(keyId));
    return output.KeyRotationEnabled === true;
  } catch (error) {
    // A denial makes the whole list unreadable; other refusals (imported key
    // material, custom key stores) just mean rotation does not apply.
    if (error instanceof AwsError && error.kind === 'access-denied') throw error;
    return null;
  }
}

/** A key's policy; undefined when it cannot be read (the warnings then say so). */
async function keyPolicy(send: ReadSend, keyId: string): Promise<PolicyDocument | undefined> {
  try {
    const output = await send(policyCall(keyId));
    return policyFromOutput(output, 'key policy') ?? undefined;
  } catch {
    return undefined;
  }
}

/** A key's tags, sorted by key. */
export async function keyTags(send: ReadSend, keyId: string): Promise<KmsTag[]> {
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
export function scan(send: ReadSend): Promise<ScannedKey[]> {
  const running = inflight.get(send);
  if (running) return running;
  const started = scanKeys(send).finally(() => inflight.delete(send));
  inflight.set(send, started);
  return started;
}

/**
 * One key read by its ID, aliases included; null when it is gone. The key
 * is this run's (created by it, or found by its tag), so customer managed:
 * its rotation and policy are asked beside its description and aliases, one
 * round trip rather than four.
 */
export async function keyById(send: ReadSend, keyId: string): Promise<ScannedKey | null> {
  const early: EarlyReads = { rotation: rotationOf(send, keyId), policy: keyPolicy(send, keyId) };
  // Not awaited when the description says otherwise (gone, pending deletion).
  early.rotation.catch(() => {});
  const [aliases, key] = await Promise.all([
    aliasesOf(send, keyId),
    describeKey(send, keyId, [], early),
  ]);
  return aliases && key ? { ...key, aliases: aliases.sort() } : null;
}

/** The aliases of one key; null when the key is gone. */
async function aliasesOf(send: ReadSend, keyId: string): Promise<string[] | null> {
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
  return aliases;
}
