/**
 * The encryption step's plan: the key changes when a key is created (key,
 * alias, rotation, with the key policy and tag that find it again), the
 * default-encryption change with its SSE-C block, and their warnings.
 */
import { deepEqual } from '../plan/model/diff.js';
import type { Change, OutputRef, Posture, PostureValues } from '../plan/model/types.js';
import type { PolicyDocument } from '../plan/policy/document.js';
import { createdKeyPolicy, keyGrantees, keyUseWarnings } from '../plan/policy/key-policy.js';
import { replicationKeyWarnings, sseKmsRuleWarnings } from '../plan/policy/replication.js';
import {
  type EncryptionConfiguration,
  type EncryptionRule,
  normaliseEncryption,
  type SseAlgorithm,
  sseAlgorithm,
} from '../plan/resources/encryption.js';
import { writeCall } from '../plan/resources/index.js';
import {
  CREATED_KEY_ARN,
  CREATED_KEY_ID,
  createdKeyTags,
  type KmsAliasValue,
  type KmsKeyValue,
  type KmsRotationValue,
  keyDescription,
  kmsKeyIdKind,
  kmsKeyRegion,
} from '../plan/resources/kms.js';
import { enabledRules } from '../plan/resources/replication.js';
import {
  ALGORITHM,
  blockFor,
  type EncryptionAnswers,
  type EncryptionChoice,
  findKey,
  KEY_DELETION_WARNING,
  KeyConflictError,
  keySource,
  kmsKeys,
  logDeliveryStops,
  logTarget,
  logTargetNote,
  RESOURCE,
  SSE_C_BLOCK_WARNING,
  STEP,
  sseCBlocked,
} from './encryption-answers.js';
import { encryptionNote, type NewEncryption } from './existing-objects.js';

/** Why a new key cannot be created with these answers, or null. */
export function createProblem(posture: Posture, aliasName: string): string | null {
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
export function keyPolicyFor(
  posture: Posture,
  planned: Partial<PostureValues>,
): { policy: PolicyDocument; warnings: string[] } {
  // Replication reads every object it replicates through S3, with its role.
  const replicating = enabledRules(posture.values['bucket.replication']).length > 0;
  const role = replicating ? posture.values['bucket.replication']?.Role : undefined;
  const { grantees, notes } = keyGrantees(
    posture,
    (planned['bucket.policy'] ?? null) as PolicyDocument | null,
    Boolean(planned['account.macie']),
    role,
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
      ...(role
        ? [
            `the bucket replicates: its key policy lets the replication role ${role} kms:Decrypt through S3, so S3 can still read the new objects it replicates`,
          ]
        : []),
      ...notes,
    ],
  };
}

export function keyChanges(
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
    Tags: createdKeyTags(posture.bucket, posture.planId),
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

export function encryptionWarnings(
  posture: Posture,
  before: EncryptionConfiguration | null,
  answers: EncryptionAnswers,
  keyId: string | OutputRef | undefined,
  planned: Partial<PostureValues>,
): string[] {
  const warnings: string[] = [];
  const was = sseAlgorithm(before);
  const algorithm = ALGORITHM[answers.algorithm as Exclude<EncryptionChoice, 'keep'>];
  const existing = encryptionNote(
    posture,
    newEncryption(posture, before, answers, algorithm, keyId),
  );
  if (existing) warnings.push(existing);
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
  if (algorithm !== 'AES256') {
    // S3 replicates KMS-encrypted objects only when the rule selects them,
    // and only if the role can decrypt them.
    warnings.push(...sseKmsRuleWarnings(posture));
    if (typeof keyId !== 'object') {
      const listed = keyId ? findKey(kmsKeys(posture), keyId) : undefined;
      warnings.push(
        ...replicationKeyWarnings(
          posture,
          keyId,
          listed,
          posture.values['account.kmsKeys'] !== undefined,
        ),
      );
    }
  }
  return warnings;
}

/** The new default encryption as the job re-encrypting existing objects needs it. */
function newEncryption(
  posture: Posture,
  before: EncryptionConfiguration | null,
  answers: EncryptionAnswers,
  algorithm: SseAlgorithm,
  keyId: string | OutputRef | undefined,
): NewEncryption {
  if (algorithm === 'AES256') return { algorithm };
  const source = keySource(answers);
  const previous = before?.Rules.find((rule) => rule.ApplyServerSideEncryptionByDefault)
    ?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID;
  const previousKeyArn =
    typeof previous === 'string' && /:key\//.test(previous) ? previous : undefined;
  const common = {
    algorithm,
    bucketKey: algorithm === 'aws:kms' && answers.bucketKey,
    ...(previousKeyArn ? { previousKeyArn } : {}),
  };
  // The key this plan creates: found by its alias once it exists.
  if (typeof keyId === 'object') {
    return { ...common, lookup: source.source === 'create' ? source.aliasName : 'alias/aws/s3' };
  }
  if (keyId === undefined) return { ...common, lookup: 'alias/aws/s3' };
  const listed = findKey(kmsKeys(posture), keyId);
  if (listed?.arn) return { ...common, keyArn: listed.arn };
  return /^arn:[\w-]+:kms:[\w-]+:\d{12}:key\//.test(keyId)
    ? { ...common, keyArn: keyId }
    : { ...common, lookup: keyId };
}

/** The SSE-C block alone, on the configuration as it is: for "keep" and an unchanged SSE-S3. */
export function blockOnly(
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

export function plan(
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
