/**
 * The encryption step's answers: the choices, where the KMS key comes from,
 * how the configuration reads now, the answers that keep it, the preset
 * defaults (SSE-S3 on a log target: S3 cannot deliver access logs under a
 * KMS default) and validation. The plan is in ./encryption-plan.ts, the form
 * and the step in ./encryption.ts.
 */
import type { ControlId } from '../plan/audit/control-types.js';
import type { Posture, Preset } from '../plan/model/types.js';
import { logDeliveryEvidence } from '../plan/policy/log-delivery.js';
import {
  type EncryptionConfiguration,
  type EncryptionRule,
  type SseAlgorithm,
  sseAlgorithm,
} from '../plan/resources/encryption.js';
import {
  aliasNameProblem,
  defaultAliasName,
  isAwsManagedAlias,
  type KmsKeySummary,
  kmsKeyIdKind,
  PENDING_WINDOW_DAYS,
} from '../plan/resources/kms.js';

export const ENCRYPTION_CHOICES = ['SSE-S3', 'SSE-KMS', 'DSSE-KMS', 'keep'] as const;
export type EncryptionChoice = (typeof ENCRYPTION_CHOICES)[number];

/** `key` values besides a listed key's ARN. */
export const CREATE_KEY = 'create';
export const TYPE_KEY = 'type';

export interface EncryptionAnswers {
  readonly algorithm: EncryptionChoice;
  /**
   * KMS only. 'create' a new customer-managed key (aliasName); 'type' an
   * existing key (keyId); or the ARN of a key picked from the account's list.
   */
  readonly key: string;
  /** With key 'type': a key ARN, alias ARN, alias/name or key ID. */
  readonly keyId: string;
  /** With key 'create': the new key's alias. */
  readonly aliasName: string;
  /** SSE-KMS only: an S3 Bucket Key (never sent for DSSE-KMS). */
  readonly bucketKey: boolean;
  /**
   * Block uploads with customer-provided keys (BlockedEncryptionTypes SSE-C),
   * as S3 does on new buckets since April 2026. Off leaves the bucket as it
   * is: an existing block is never lifted by the tool.
   */
  readonly blockSseC?: boolean;
}

/** A key cannot be created as asked (one exists, or the alias is taken): one line. */
export class KeyConflictError extends Error {
  override name = 'KeyConflictError';
}

export type KeySource =
  | { readonly source: 'create'; readonly aliasName: string }
  | { readonly source: 'existing'; readonly keyId: string };

export const RESOURCE = 'bucket.encryption';
export const STEP = 'encryption';

export const ALGORITHM: Record<Exclude<EncryptionChoice, 'keep'>, SseAlgorithm> = {
  'SSE-S3': 'AES256',
  'SSE-KMS': 'aws:kms',
  'DSSE-KMS': 'aws:kms:dsse',
};

export const SSE_C_NOTE = 'SSE-C keys stay with the client: lost or withheld, the data is gone.';

/** Why the SSE-C block is proposed, on its change. */
export const SSE_C_BLOCK_WARNING =
  'blocks SSE-C: uploads that bring their own key (x-amz-server-side-encryption-customer-*) are refused with 403, as on every bucket S3 creates since April 2026; objects already written with SSE-C stay readable with their keys';

export const SSE_C_BLOCK = { EncryptionType: ['SSE-C'] } as const;
export const DSSE_NOTE = 'DSSE-KMS takes no S3 Bucket Key: every object request calls KMS.';
export const KEY_DELETION_WARNING = `undo schedules this key for deletion: it is unusable at once and deleted after ${PENDING_WINDOW_DAYS} days (the minimum), and objects written with it in the meantime become unreadable; only CancelKeyDeletion within those days brings it back`;

export function isKms(choice: EncryptionChoice): choice is 'SSE-KMS' | 'DSSE-KMS' {
  return choice === 'SSE-KMS' || choice === 'DSSE-KMS';
}

/** Where the KMS key of these answers comes from. */
export function keySource(answers: EncryptionAnswers): KeySource {
  if (answers.key === CREATE_KEY) return { source: 'create', aliasName: answers.aliasName.trim() };
  return {
    source: 'existing',
    keyId: answers.key === TYPE_KEY ? answers.keyId.trim() : answers.key,
  };
}

export function firstRule(
  value: EncryptionConfiguration | null | undefined,
): EncryptionRule | undefined {
  return value?.Rules.find((rule) => rule.ApplyServerSideEncryptionByDefault) ?? value?.Rules[0];
}

export function configuredKey(
  value: EncryptionConfiguration | null | undefined,
): string | undefined {
  const id = firstRule(value)?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID;
  return typeof id === 'string' ? id : undefined;
}

export function blockedTypes(value: EncryptionConfiguration | null | undefined) {
  return value?.Rules.find((rule) => rule.BlockedEncryptionTypes)?.BlockedEncryptionTypes;
}

export function sseCBlocked(value: EncryptionConfiguration | null | undefined): boolean {
  return blockedTypes(value)?.EncryptionType.includes('SSE-C') === true;
}

/**
 * The block a new configuration carries: SSE-C when asked (with whatever else
 * was blocked), else exactly the one there is — never dropped.
 */
export function blockFor(
  before: EncryptionConfiguration | null,
  answers: EncryptionAnswers,
): EncryptionRule['BlockedEncryptionTypes'] | undefined {
  const blocked = blockedTypes(before);
  if (!answers.blockSseC || sseCBlocked(before)) return blocked;
  const others = (blocked?.EncryptionType ?? []).filter((type) => type !== 'NONE');
  return { EncryptionType: [...others, ...SSE_C_BLOCK.EncryptionType] };
}

export function kmsKeys(posture: Posture): readonly KmsKeySummary[] {
  return posture.values['account.kmsKeys'] ?? [];
}

/** The listed key a key ID, key ARN, alias name or alias ARN names. */
export function findKey(keys: readonly KmsKeySummary[], id: string): KmsKeySummary | undefined {
  return keys.find(
    (key) =>
      key.arn === id ||
      key.keyId === id ||
      key.aliases.some((alias) => alias === id || id.endsWith(`:${alias}`)),
  );
}

/** The keys the wizard offers: usable (Enabled) ones. */
export function offeredKeys(posture: Posture): KmsKeySummary[] {
  return kmsKeys(posture).filter((key) => key.state === 'Enabled');
}

/** "alias/app · Enabled · rotation on", as the key list shows a key. */
export function keyLabel(key: KmsKeySummary): string {
  const [first, ...others] = key.aliases;
  const name = `${first ?? key.keyId}${others.length > 0 ? ` (+${others.length})` : ''}`;
  if (key.manager === 'AWS') return `${name} · AWS managed`;
  const rotation =
    key.rotation === null ? 'rotation n/a' : `rotation ${key.rotation ? 'on' : 'off'}`;
  return `${name} · ${key.state} · ${rotation}`;
}

/** Whether a configured key is customer managed; an unknown key counts as one (never replaced). */
export function customerManaged(posture: Posture, id: string): boolean {
  if (isAwsManagedAlias(id)) return false;
  const listed = findKey(kmsKeys(posture), id);
  return listed ? listed.manager === 'CUSTOMER' : true;
}

/** The key s3-harden created for this bucket earlier, as listed. */
export function ownKey(posture: Posture): KmsKeySummary | undefined {
  const alias = posture.values['kms.alias'];
  if (!posture.values['kms.key'] || !alias || typeof alias.TargetKeyId !== 'string')
    return undefined;
  return findKey(offeredKeys(posture), alias.TargetKeyId);
}

/** How the posture's encryption reads, for "now". */
export function describeEncryption(
  posture: Posture,
  value: EncryptionConfiguration | null | undefined,
): string {
  if (value === undefined) return 'unknown';
  const algorithm = sseAlgorithm(value);
  if (value === null || algorithm === undefined) return 'not set';
  if (algorithm === 'AES256') return 'SSE-S3';
  const id = configuredKey(value);
  const listed = id ? findKey(kmsKeys(posture), id) : undefined;
  const key = id ? (listed?.aliases[0] ?? id) : 'aws/s3';
  const bucketKey = firstRule(value)?.BucketKeyEnabled ? ', Bucket Key' : '';
  return `${algorithm === 'aws:kms' ? 'SSE-KMS' : 'DSSE-KMS'} (${key}${bucketKey})`;
}

export function keyAnswer(
  posture: Posture,
  id: string | undefined,
): Pick<EncryptionAnswers, 'key' | 'keyId'> {
  if (id) {
    // The configured identifier is kept exactly (an alias stays an alias): a
    // listed key is preselected only when the bucket names it by its ARN.
    const listed = offeredKeys(posture).find((key) => key.arn === id);
    return listed ? { key: listed.arn, keyId: '' } : { key: TYPE_KEY, keyId: id };
  }
  const own = ownKey(posture);
  return own ? { key: own.arn, keyId: '' } : { key: CREATE_KEY, keyId: '' };
}

export function keepAnswers(posture: Posture): EncryptionAnswers {
  const before = posture.values[RESOURCE];
  return {
    algorithm: 'keep',
    ...keyAnswer(posture, configuredKey(before)),
    aliasName: defaultAliasName(posture.bucket),
    bucketKey: firstRule(before)?.BucketKeyEnabled === true,
    blockSseC: sseCBlocked(before),
  };
}

/**
 * `answers` with the controls an exception keeps left as the bucket has
 * them: `encryption-kms` the algorithm and key, `sse-c-blocked` the SSE-C block.
 */
export function keepingEncryption(
  posture: Posture,
  answers: EncryptionAnswers,
  kept: readonly ControlId[],
): EncryptionAnswers {
  const current = keepAnswers(posture);
  const { blockSseC: _asIs, ...asIs } = current;
  // No configuration is SSE-S3 already (S3 encrypts every new object so):
  // written as such, so the SSE-C block the preset asks for can still be set.
  const algorithm =
    posture.values[RESOURCE] === null ? { ...asIs, algorithm: 'SSE-S3' as const } : asIs;
  return {
    ...answers,
    ...(kept.includes('encryption-kms') ? algorithm : {}),
    ...(kept.includes('sse-c-blocked') ? { blockSseC: current.blockSseC } : {}),
  };
}

/**
 * What shows that this bucket receives server access logs (see
 * ../plan/policy/log-delivery.ts), or null: its policy and ACL are read for it.
 */
export function logTarget(posture: Posture): string | null {
  return logDeliveryEvidence(posture.values['bucket.policy'], posture.values['bucket.acl']);
}

/** Why SSE-S3 is the default on a log target: the note beside the choice, and on its change. */
export function logTargetNote(posture: Posture, evidence: string): string {
  return `SSE-S3, not KMS: ${posture.bucket} receives server access logs (${evidence}), and S3 delivers them only into SSE-S3 buckets`;
}

/** What a KMS default does to a log target: the warning on such a change, and in the form. */
export function logDeliveryStops(posture: Posture, evidence: string): string {
  return `log delivery stops: ${posture.bucket} receives server access logs (${evidence}), and S3 cannot deliver them into a bucket whose default encryption is SSE-KMS or DSSE-KMS`;
}

export function defaults(posture: Posture, preset: Preset): EncryptionAnswers {
  // Every preset blocks SSE-C, as S3 does for new buckets.
  const keep = { ...keepAnswers(posture), blockSseC: true };
  const before = posture.values[RESOURCE];
  if (before === undefined) return keep;
  const algorithm = sseAlgorithm(before);
  const kms = algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse';
  // A log target keeps or gets SSE-S3, whatever the preset. One already on KMS
  // (its logs are not arriving) is kept as it is, like the baseline never
  // downgrading KMS: the form says delivery fails and how to restore it, and
  // the logging step of a source bucket moves it to SSE-S3 when it plans.
  if (logTarget(posture)) return kms ? keep : { ...keep, algorithm: 'SSE-S3' };
  if (preset === 'baseline' || preset === 'custom') {
    // SSE-S3 where nothing better is set; KMS is never downgraded.
    return kms ? keep : { ...keep, algorithm: 'SSE-S3' };
  }
  // strict and worm: SSE-KMS with a customer-managed key and a Bucket Key.
  const id = configuredKey(before);
  if (kms && id && customerManaged(posture, id)) {
    return algorithm === 'aws:kms:dsse' ? keep : { ...keep, algorithm: 'SSE-KMS', bucketKey: true };
  }
  return {
    ...keep,
    ...keyAnswer(posture, undefined),
    algorithm: algorithm === 'aws:kms:dsse' ? 'DSSE-KMS' : 'SSE-KMS',
    bucketKey: true,
  };
}

export function validate(answers: EncryptionAnswers): string[] {
  const problems: string[] = [];
  if (!ENCRYPTION_CHOICES.includes(answers.algorithm)) {
    problems.push(
      `Encryption must be SSE-S3, SSE-KMS, DSSE-KMS or keep, not ${JSON.stringify(answers.algorithm)}`,
    );
    return problems;
  }
  if (typeof answers.bucketKey !== 'boolean') problems.push('Bucket Key must be on or off');
  if (answers.blockSseC !== undefined && typeof answers.blockSseC !== 'boolean') {
    problems.push('Block SSE-C must be on or off');
  }
  if (!isKms(answers.algorithm)) return problems;
  const source = keySource(answers);
  if (source.source === 'create') {
    const problem = aliasNameProblem(source.aliasName);
    if (problem) problems.push(`Alias of the new key: ${problem} (e.g. alias/s3-harden-my-bucket)`);
  } else if (!source.keyId) {
    problems.push(
      'Enter a KMS key: its ARN (arn:aws:kms:<region>:<account>:key/<id>), an alias (alias/<name>) or a key ID',
    );
  } else if (kmsKeyIdKind(source.keyId) === null) {
    problems.push(
      `${JSON.stringify(source.keyId)} is not a KMS key ARN, alias ARN, alias/<name> or key ID`,
    );
  }
  return problems;
}
