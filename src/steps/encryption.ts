/**
 * Default encryption: SSE-S3, SSE-KMS or DSSE-KMS for new objects, with a KMS
 * key picked from the account, typed, or created for the bucket (a
 * customer-managed symmetric key with an alias and yearly rotation).
 *
 * S3 has applied SSE-S3 to every new object since January 2023, so the
 * baseline keeps what is there (never downgrading KMS) and the strict presets
 * move to a customer-managed key with an S3 Bucket Key. An SSE-C block
 * (BlockedEncryptionTypes) already on the bucket is carried into every new
 * configuration. SSE-C itself is a per-request choice of each client, not a
 * bucket default.
 *
 * A bucket that receives server access logs (its policy allows
 * logging.s3.amazonaws.com, or its ACL grants the LogDelivery group) keeps
 * or gets SSE-S3 under every preset, with a note saying why: S3 cannot
 * deliver access logs into a bucket whose default encryption is SSE-KMS or
 * DSSE-KMS, so a KMS default there silently stops every source bucket's logs.
 * Choosing KMS there anyway warns that log delivery stops.
 */

import { controlLabels } from '../plan/audit/controls.js';
import { deepEqual } from '../plan/model/diff.js';
import type { Change, OutputRef, Posture, PostureValues, Preset } from '../plan/model/types.js';
import type { PolicyDocument } from '../plan/policy/document.js';
import { createdKeyPolicy, keyGrantees, keyUseWarnings } from '../plan/policy/key-policy.js';
import { logDeliveryEvidence } from '../plan/policy/log-delivery.js';
import {
  type EncryptionConfiguration,
  type EncryptionRule,
  normaliseEncryption,
  type SseAlgorithm,
  sseAlgorithm,
} from '../plan/resources/encryption.js';
import { writeCall } from '../plan/resources/index.js';
import {
  aliasNameProblem,
  CREATED_KEY_ARN,
  CREATED_KEY_ID,
  defaultAliasName,
  isAwsManagedAlias,
  KEY_TAG,
  type KmsAliasValue,
  type KmsKeySummary,
  type KmsKeyValue,
  type KmsRotationValue,
  keyDescription,
  kmsKeyIdKind,
  kmsKeyRegion,
  PENDING_WINDOW_DAYS,
} from '../plan/resources/kms.js';
import type { ChoiceOption, Field } from './form.js';
import type { Step } from './types.js';

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

const RESOURCE = 'bucket.encryption';
const STEP = 'encryption';

const ALGORITHM: Record<Exclude<EncryptionChoice, 'keep'>, SseAlgorithm> = {
  'SSE-S3': 'AES256',
  'SSE-KMS': 'aws:kms',
  'DSSE-KMS': 'aws:kms:dsse',
};

export const SSE_C_NOTE = 'SSE-C keys stay with the client: lost or withheld, the data is gone.';

/** Why the SSE-C block is proposed, on its change. */
export const SSE_C_BLOCK_WARNING =
  'blocks SSE-C: uploads that bring their own key (x-amz-server-side-encryption-customer-*) are refused with 403, as on every bucket S3 creates since April 2026; objects already written with SSE-C stay readable with their keys';

const SSE_C_BLOCK = { EncryptionType: ['SSE-C'] } as const;
export const DSSE_NOTE = 'DSSE-KMS takes no S3 Bucket Key: every object request calls KMS.';
export const KEY_DELETION_WARNING = `undo schedules this key for deletion: it is unusable at once and deleted after ${PENDING_WINDOW_DAYS} days (the minimum), and objects written with it in the meantime become unreadable; only CancelKeyDeletion within those days brings it back`;

function isKms(choice: EncryptionChoice): choice is 'SSE-KMS' | 'DSSE-KMS' {
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

function firstRule(value: EncryptionConfiguration | null | undefined): EncryptionRule | undefined {
  return value?.Rules.find((rule) => rule.ApplyServerSideEncryptionByDefault) ?? value?.Rules[0];
}

function configuredKey(value: EncryptionConfiguration | null | undefined): string | undefined {
  const id = firstRule(value)?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID;
  return typeof id === 'string' ? id : undefined;
}

function blockedTypes(value: EncryptionConfiguration | null | undefined) {
  return value?.Rules.find((rule) => rule.BlockedEncryptionTypes)?.BlockedEncryptionTypes;
}

function sseCBlocked(value: EncryptionConfiguration | null | undefined): boolean {
  return blockedTypes(value)?.EncryptionType.includes('SSE-C') === true;
}

/**
 * The block a new configuration carries: SSE-C when asked (with whatever else
 * was blocked), else exactly the one there is — never dropped.
 */
function blockFor(
  before: EncryptionConfiguration | null,
  answers: EncryptionAnswers,
): EncryptionRule['BlockedEncryptionTypes'] | undefined {
  const blocked = blockedTypes(before);
  if (!answers.blockSseC || sseCBlocked(before)) return blocked;
  const others = (blocked?.EncryptionType ?? []).filter((type) => type !== 'NONE');
  return { EncryptionType: [...others, ...SSE_C_BLOCK.EncryptionType] };
}

function kmsKeys(posture: Posture): readonly KmsKeySummary[] {
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
function offeredKeys(posture: Posture): KmsKeySummary[] {
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
function customerManaged(posture: Posture, id: string): boolean {
  if (isAwsManagedAlias(id)) return false;
  const listed = findKey(kmsKeys(posture), id);
  return listed ? listed.manager === 'CUSTOMER' : true;
}

/** The key s3-harden created for this bucket earlier, as listed. */
function ownKey(posture: Posture): KmsKeySummary | undefined {
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

function keyAnswer(
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

function keepAnswers(posture: Posture): EncryptionAnswers {
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
 * What shows that this bucket receives server access logs (see
 * ../plan/policy/log-delivery.ts), or null: its policy and ACL are read for it.
 */
function logTarget(posture: Posture): string | null {
  return logDeliveryEvidence(posture.values['bucket.policy'], posture.values['bucket.acl']);
}

/** Why SSE-S3 is the default on a log target: the note beside the choice, and on its change. */
function logTargetNote(posture: Posture, evidence: string): string {
  return `SSE-S3, not KMS: ${posture.bucket} receives server access logs (${evidence}), and S3 delivers them only into SSE-S3 buckets`;
}

/** What a KMS default does to a log target: the warning on such a change, and in the form. */
function logDeliveryStops(posture: Posture, evidence: string): string {
  return `log delivery stops: ${posture.bucket} receives server access logs (${evidence}), and S3 cannot deliver them into a bucket whose default encryption is SSE-KMS or DSSE-KMS`;
}

function defaults(posture: Posture, preset: Preset): EncryptionAnswers {
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

function validate(answers: EncryptionAnswers): string[] {
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

/** Why a new key cannot be created with these answers, or null. */
function createProblem(posture: Posture, aliasName: string): string | null {
  if (posture.values['kms.key']) {
    const alias = posture.values['kms.alias']?.AliasName;
    return `s3-harden already created a key for ${posture.bucket}${alias ? ` (${alias})` : ''}: pick it instead of creating another`;
  }
  if (kmsKeys(posture).some((key) => key.aliases.includes(aliasName))) {
    return `${aliasName} already names a KMS key in this account: choose another alias`;
  }
  return null;
}

/**
 * The created key's policy and what it says: who the bucket policy the plan
 * leaves lets read or write (and Macie, when it is on) may use the key
 * through S3; the account's administrators keep it.
 */
function keyPolicyFor(
  posture: Posture,
  planned: Partial<PostureValues>,
): { policy: PolicyDocument; warnings: string[] } {
  const { grantees, notes } = keyGrantees(
    posture,
    (planned['bucket.policy'] ?? null) as PolicyDocument | null,
    Boolean(planned['account.macie']),
  );
  const granted = grantees.map(
    (grantee) => `${grantee.principal} (${grantee.access === 'write' ? 'write' : 'read'})`,
  );
  return {
    policy: createdKeyPolicy(posture, grantees),
    warnings: [
      granted.length > 0
        ? `its key policy keeps the account's IAM policies in charge and lets use it through S3: ${granted.join(', ')}`
        : "its key policy keeps the account's IAM policies in charge; the bucket policy grants no one else",
      ...notes,
    ],
  };
}

function keyChanges(
  posture: Posture,
  aliasName: string,
  planned: Partial<PostureValues>,
): Change[] {
  const problem = createProblem(posture, aliasName);
  if (problem) throw new KeyConflictError(`Default encryption: ${problem}`);
  const { policy, warnings } = keyPolicyFor(posture, planned);
  const key: KmsKeyValue = {
    Description: keyDescription(posture.bucket),
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyUsage: 'ENCRYPT_DECRYPT',
    Policy: policy,
    Tags: [{ TagKey: KEY_TAG, TagValue: posture.bucket }],
  };
  const alias: KmsAliasValue = { AliasName: aliasName, TargetKeyId: CREATED_KEY_ID };
  const rotation: KmsRotationValue = { KeyRotationEnabled: true };
  return [
    {
      id: 'kms.key',
      step: STEP,
      title: 'KMS key (new, customer managed)',
      resource: 'kms.key',
      action: 'create',
      call: writeCall('kms.key', posture, key),
      before: posture.values['kms.key'] ?? null,
      after: key,
      undo: writeCall('kms.key', posture, null),
      dependsOn: [],
      warnings: [...warnings, KEY_DELETION_WARNING],
    },
    {
      id: 'kms.alias',
      step: STEP,
      title: 'KMS key alias',
      resource: 'kms.alias',
      action: 'create',
      call: writeCall('kms.alias', posture, alias),
      before: posture.values['kms.alias'] ?? null,
      after: alias,
      undo: writeCall('kms.alias', posture, null),
      dependsOn: ['kms.key'],
      warnings: [],
    },
    {
      id: 'kms.rotation',
      step: STEP,
      title: 'KMS key rotation',
      resource: 'kms.rotation',
      action: 'create',
      call: writeCall('kms.rotation', posture, rotation),
      before: posture.values['kms.rotation'] ?? null,
      after: rotation,
      undo: writeCall('kms.rotation', posture, null),
      dependsOn: ['kms.key'],
      warnings: [],
    },
  ];
}

function encryptionWarnings(
  posture: Posture,
  before: EncryptionConfiguration | null,
  answers: EncryptionAnswers,
  keyId: string | OutputRef | undefined,
  planned: Partial<PostureValues>,
): string[] {
  const warnings = [
    'applies to objects written from now on; existing objects keep their encryption',
  ];
  const was = sseAlgorithm(before);
  const algorithm = ALGORITHM[answers.algorithm as Exclude<EncryptionChoice, 'keep'>];
  const evidence = logTarget(posture);
  // KMS on a log target is the operator's explicit choice (the default there
  // is SSE-S3), so it is a warning on the change, first in the review, not a
  // blocking validation: the grant may be stale (a source that logs
  // elsewhere now: the bucket-policy step keeps such grants on purpose), and
  // a block would leave no way to choose KMS short of editing the policy by
  // hand. What the operator confirms says plainly that logs stop.
  if (evidence && algorithm !== 'AES256') warnings.unshift(logDeliveryStops(posture, evidence));
  if (evidence && algorithm === 'AES256') warnings.push(logTargetNote(posture, evidence));
  if ((was === 'aws:kms' || was === 'aws:kms:dsse') && algorithm === 'AES256') {
    warnings.push('moves from KMS to SSE-S3: new objects are no longer guarded by a key policy');
  }
  if (was === 'aws:kms:dsse' && algorithm === 'aws:kms') {
    warnings.push('moves from dual-layer (DSSE-KMS) to single-layer SSE-KMS');
  }
  // A created key's policy grants them (its own warning says whom); another key's may not.
  if (algorithm !== 'AES256' && typeof keyId !== 'object') {
    warnings.push(
      'writers need kms:GenerateDataKey and readers kms:Decrypt on the key (key policy or IAM)',
    );
  }
  if (algorithm === 'aws:kms' && !answers.bucketKey) {
    warnings.push('without an S3 Bucket Key every object request calls KMS (cost, quotas)');
  }
  if (typeof keyId === 'string') {
    const kind = kmsKeyIdKind(keyId);
    if (kind === 'alias' || kind === 'key-id') {
      warnings.push(
        `${keyId} is resolved in the account of whoever uploads; a key ARN pins the bucket's own key`,
      );
    }
    const region = kmsKeyRegion(keyId);
    if (region && region !== posture.region) {
      warnings.push(
        `the key is in ${region} but the bucket in ${posture.region}: S3 needs a key in the bucket's region`,
      );
    }
    const listed = findKey(kmsKeys(posture), keyId);
    if (listed && listed.state !== 'Enabled') {
      warnings.push(`the key is ${listed.state}: S3 cannot encrypt with it until it is Enabled`);
    }
  }
  warnings.push(...keyUseWarnings(posture, planned));
  return warnings;
}

/** The SSE-C block alone, on the configuration as it is: for "keep" and an unchanged SSE-S3. */
function blockOnly(
  posture: Posture,
  before: EncryptionConfiguration,
  answers: EncryptionAnswers,
): Change[] {
  const block = blockFor(before, answers);
  if (!block || sseCBlocked(before)) return [];
  const index = Math.max(
    0,
    before.Rules.findIndex((rule) => rule.ApplyServerSideEncryptionByDefault),
  );
  const after: EncryptionConfiguration = {
    Rules: before.Rules.map((rule, at) =>
      at === index ? { ...rule, BlockedEncryptionTypes: block } : rule,
    ),
  };
  return [
    {
      id: RESOURCE,
      step: STEP,
      title: 'Default encryption',
      resource: RESOURCE,
      action: 'update',
      call: writeCall(RESOURCE, posture, after),
      before,
      after,
      undo: writeCall(RESOURCE, posture, before),
      dependsOn: [],
      warnings: [SSE_C_BLOCK_WARNING],
    },
  ];
}

function plan(
  posture: Posture,
  answers: EncryptionAnswers,
  planned: Partial<PostureValues> = posture.values,
): Change[] {
  const observed = posture.values[RESOURCE];
  if (observed === undefined) return [];
  const before = observed;
  if (answers.algorithm === 'keep') return before ? blockOnly(posture, before, answers) : [];
  const algorithm = ALGORITHM[answers.algorithm];
  // SSE-S3 already set stays exactly as it is, but for the SSE-C block.
  if (algorithm === 'AES256' && before && sseAlgorithm(before) === 'AES256') {
    return blockOnly(posture, before, answers);
  }
  const blocked = blockFor(before, answers);
  const changes: Change[] = [];
  let keyId: string | OutputRef | undefined;
  if (algorithm !== 'AES256') {
    const source = keySource(answers);
    if (source.source === 'create') {
      changes.push(...keyChanges(posture, source.aliasName, planned));
      keyId = CREATED_KEY_ARN;
    } else {
      keyId = source.keyId;
    }
  }
  const rule: EncryptionRule = {
    ApplyServerSideEncryptionByDefault: {
      SSEAlgorithm: algorithm,
      ...(keyId ? { KMSMasterKeyID: keyId } : {}),
    },
    // Bucket Keys do not apply to DSSE-KMS: never sent there.
    ...(algorithm === 'aws:kms' && answers.bucketKey ? { BucketKeyEnabled: true } : {}),
    // Never dropped: an SSE-C block stays in force.
    ...(blocked ? { BlockedEncryptionTypes: blocked } : {}),
  };
  const after: EncryptionConfiguration = { Rules: [rule] };
  if (changes.length === 0 && deepEqual(normaliseEncryption(before), after)) return [];
  const warnings = encryptionWarnings(posture, before, answers, keyId, planned);
  if (!sseCBlocked(before) && answers.blockSseC) warnings.push(SSE_C_BLOCK_WARNING);
  changes.push({
    id: RESOURCE,
    step: STEP,
    title: 'Default encryption',
    resource: RESOURCE,
    action: before === null ? 'create' : 'update',
    call: writeCall(RESOURCE, posture, after),
    before,
    after,
    undo: writeCall(RESOURCE, posture, before),
    dependsOn: changes.map((change) => change.id),
    warnings,
  });
  return changes;
}

const ALGORITHM_OPTIONS: readonly ChoiceOption[] = [
  { value: 'keep', label: 'keep current', help: 'Leaves default encryption exactly as it is.' },
  {
    value: 'SSE-S3',
    label: 'SSE-S3',
    help: "S3-managed keys (AES256), no KMS cost; S3's default since January 2023.",
  },
  {
    value: 'SSE-KMS',
    label: 'SSE-KMS',
    help: 'A KMS key: its policy decides who decrypts; CloudTrail logs every use.',
  },
  {
    value: 'DSSE-KMS',
    label: 'DSSE-KMS',
    help: 'Two layers of encryption with a KMS key, for compliance that needs it.',
  },
];

/** A review warning (lower case, no full stop) as a note in the form. */
function asSentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** On a log target: why SSE-S3 is the default, or what the chosen or current KMS does to delivery. */
function logTargetNotes(posture: Posture, answers: EncryptionAnswers): Field[] {
  const evidence = logTarget(posture);
  if (!evidence) return [];
  if (isKms(answers.algorithm)) {
    return [
      { kind: 'note', tone: 'warning', text: asSentence(logDeliveryStops(posture, evidence)) },
    ];
  }
  const current = sseAlgorithm(posture.values[RESOURCE]);
  if (answers.algorithm === 'keep' && (current === 'aws:kms' || current === 'aws:kms:dsse')) {
    return [
      {
        kind: 'note',
        tone: 'warning',
        text: `Log delivery into ${posture.bucket} fails now: it receives server access logs (${evidence}) but has KMS default encryption. Choose SSE-S3 to restore it.`,
      },
    ];
  }
  return [{ kind: 'note', tone: 'info', text: asSentence(logTargetNote(posture, evidence)) }];
}

function fields(posture: Posture, answers: EncryptionAnswers): Field[] {
  const before = posture.values[RESOURCE];
  const now = describeEncryption(posture, before);
  const result: Field[] = [
    {
      kind: 'choice',
      key: 'algorithm',
      label: 'Default encryption',
      help: 'How S3 encrypts new objects that do not ask for anything else.',
      options: ALGORITHM_OPTIONS,
      now,
    },
  ];
  result.push(...logTargetNotes(posture, answers));
  if (isKms(answers.algorithm)) {
    const configured = configuredKey(before);
    const listed = configured ? findKey(kmsKeys(posture), configured) : undefined;
    result.push({
      kind: 'choice',
      key: 'key',
      label: 'KMS key',
      help: 'The key S3 encrypts new objects with.',
      options: [
        ...offeredKeys(posture).map((key) => ({
          value: key.arn,
          label: keyLabel(key),
          help: `Key ID ${key.keyId}`,
        })),
        {
          value: CREATE_KEY,
          label: 'create a new key',
          help: 'A new customer-managed symmetric key with an alias and yearly rotation.',
        },
        {
          value: TYPE_KEY,
          label: 'type a key ARN',
          help: 'Any key: its ARN, alias/<name>, the alias ARN or the key ID.',
        },
      ],
      ...(sseAlgorithm(before)?.startsWith('aws:kms')
        ? { now: configured ? (listed?.aliases[0] ?? configured) : 'aws/s3 (AWS managed)' }
        : {}),
    });
    const unreadable = posture.unreadable['account.kmsKeys'];
    if (unreadable) {
      result.push({
        kind: 'note',
        tone: 'warning',
        text: `KMS keys not listed (${unreadable}); type a key or create one.`,
      });
    }
    if (answers.key === TYPE_KEY) {
      result.push({
        kind: 'text',
        key: 'keyId',
        label: 'Key',
        help: 'A key ARN, alias/<name>, an alias ARN or a key ID.',
        placeholder: 'arn:aws:kms:…',
      });
    } else if (answers.key === CREATE_KEY) {
      result.push({
        kind: 'text',
        key: 'aliasName',
        label: 'Alias',
        help: "The new key's alias: alias/ then letters, digits, /, _ or -.",
        placeholder: defaultAliasName(posture.bucket),
      });
      const problem = createProblem(posture, answers.aliasName.trim());
      if (problem) result.push({ kind: 'note', tone: 'warning', text: `${problem}.` });
    }
    if (answers.algorithm === 'SSE-KMS') {
      const rule = firstRule(before);
      result.push({
        kind: 'toggle',
        key: 'bucketKey',
        label: 'S3 Bucket Key',
        help: 'Uses a bucket-level data key: far fewer KMS requests, lower cost.',
        now:
          sseAlgorithm(before) === 'aws:kms' ? (rule?.BucketKeyEnabled ? 'on' : 'off') : 'not set',
      });
    } else {
      result.push({ kind: 'note', tone: 'info', text: DSSE_NOTE });
    }
  }
  result.push({
    kind: 'toggle',
    key: 'blockSseC',
    label: 'Block SSE-C uploads',
    help: 'Refuses customer-provided keys, as new buckets do; off: as it is.',
    now: before === undefined ? 'unknown' : sseCBlocked(before) ? 'on' : 'off',
  });
  const blocked = blockedTypes(before);
  const others = blocked?.EncryptionType.filter((type) => type !== 'SSE-C') ?? [];
  if (others.length > 0) {
    result.push({
      kind: 'note',
      tone: 'info',
      text: `Also blocked here: ${others.join(', ')}; kept as it is.`,
    });
  }
  result.push({ kind: 'note', tone: 'info', text: SSE_C_NOTE });
  return result;
}

export const encryptionStep: Step<EncryptionAnswers> = {
  id: 'encryption',
  title: 'Default encryption',
  summary: 'Encrypts new objects at rest; SSE-KMS adds key policies and an audit trail.',
  scope: 'bucket',
  // KMS.4 (key rotation) is not an audit column: the key is not the bucket's.
  controls: [...controlLabels('encryption-kms', 'encryption'), 'Security Hub KMS.4'],
  // The policy and ACL tell whether the bucket receives server access logs
  // (logTarget): required, because without them a KMS default could stop
  // log delivery unseen; when either is unreadable the step is skipped and says why.
  reads: [RESOURCE, 'bucket.policy', 'bucket.acl'],
  optionalReads: ['account.kmsKeys', 'kms.key', 'kms.alias', 'kms.rotation'],
  defaults,
  validate,
  plan,
  fields,
  keep: keepAnswers,
};
