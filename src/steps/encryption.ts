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
 *
 * A bucket that replicates keeps replicating: a created key's policy lets
 * the replication role decrypt, an existing key's policy is checked for it
 * (with the exact fix), and rules that do not select SSE-KMS objects are
 * named. Default encryption applies to new objects only: the change says how
 * many objects keep their encryption, with the S3 Batch Operations job that
 * re-encrypts them (./existing-objects.ts).
 */

import { controlLabels } from '../plan/audit/controls.js';
import type { Posture } from '../plan/model/types.js';
import { sseAlgorithm } from '../plan/resources/encryption.js';
import { defaultAliasName } from '../plan/resources/kms.js';
import {
  blockedTypes,
  CREATE_KEY,
  configuredKey,
  DSSE_NOTE,
  defaults,
  describeEncryption,
  type EncryptionAnswers,
  findKey,
  firstRule,
  isKms,
  keepAnswers,
  keyLabel,
  kmsKeys,
  logDeliveryStops,
  logTarget,
  logTargetNote,
  offeredKeys,
  RESOURCE,
  SSE_C_NOTE,
  sseCBlocked,
  TYPE_KEY,
  validate,
} from './encryption-answers.js';
import { createProblem, plan } from './encryption-plan.js';
import type { ChoiceOption, Field } from './form.js';
import type { Step } from './types.js';

export {
  DSSE_NOTE,
  type EncryptionAnswers,
  KEY_DELETION_WARNING,
  KeyConflictError,
  keyLabel,
  SSE_C_BLOCK_WARNING,
  SSE_C_NOTE,
} from './encryption-answers.js';

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
  // The replication role must keep decrypting (a created key's policy grants
  // it); the objects already there keep their encryption (the note counts them).
  optionalReads: [
    'account.kmsKeys',
    'kms.key',
    'kms.alias',
    'kms.rotation',
    'bucket.replication',
    'bucket.objectCount',
  ],
  defaults,
  validate,
  plan,
  fields,
  keep: keepAnswers,
};
