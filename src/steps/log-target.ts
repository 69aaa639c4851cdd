/**
 * The bucket that receives the access logs, hardened like any bucket, within
 * what log delivery allows (issue 14): bucket Block Public Access, ACLs off
 * (BucketOwnerEnforced: the logging step grants log delivery in the policy,
 * not through the LogDelivery ACL), SSE-S3 default encryption with SSE-C
 * blocked, versioning, and a lifecycle rule that expires the logs after the
 * retention the operator picks. For a target the plan creates all of it is in the
 * plan; for an existing one, what is missing, each with its undo. Never
 * what would stop delivery: Object Lock, a KMS key, a VPC or IP Deny.
 *
 * A value not read (undefined) proposes nothing: the target is left as it is.
 */
import { deepEqual } from '../plan/model/deep-equal.js';
import type { Change, Posture, PublicAccessBlock } from '../plan/model/types.js';
import type { EncryptionConfiguration } from '../plan/resources/encryption.js';
import { satisfies, writeCall } from '../plan/resources/index.js';
import { logRetentionRule, logRetentionRuleId, mergeRule } from './lifecycle-rules.js';
import { describeGrant } from './object-ownership.js';
import { ALL_ON } from './public-access-block.js';
import { VERSIONS_STAY } from './versioning.js';

type Fields = Pick<
  Change,
  'id' | 'title' | 'resource' | 'before' | 'after' | 'dependsOn' | 'warnings'
>;

/** A change of the logging step: its call writes `after`, its undo restores `before`. */
export function loggingChange(posture: Posture, fields: Fields): Change {
  return {
    ...fields,
    step: 'logging',
    action: fields.before === null ? 'create' : fields.after === null ? 'delete' : 'update',
    call: writeCall(fields.resource, posture, fields.after),
    undo: writeCall(fields.resource, posture, fields.before),
  };
}

/** SSE-S3, the one default encryption log delivery writes with, and no SSE-C uploads. */
export const LOG_TARGET_ENCRYPTION: EncryptionConfiguration = {
  Rules: [
    {
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
      BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
    },
  ],
};

/** How long the target keeps this source's logs, and where they are. */
export interface LogRetention {
  readonly prefix: string;
  /** null: kept for ever (no rule). */
  readonly days: number | null;
}

/**
 * The prefix the retention rule covers: a shared target's per-bucket prefix
 * (`s3-access-logs/<bucket>/`) is covered by one rule on its parent, so a
 * hundred sources make one rule, not a hundred (S3 allows 1,000).
 */
export function retentionPrefix(prefix: string, sourceBucket: string): string {
  const own = `${sourceBucket}/`;
  return prefix.endsWith(`/${own}`) ? prefix.slice(0, -own.length) : prefix;
}

/**
 * What the target still lacks, as changes after `first` (the ids that must
 * run before: the bucket's creation, the delivery grant). `created`: the plan
 * creates the target, so every value is absent now.
 */
export function hardenLogTarget(
  posture: Posture,
  target: string,
  created: boolean,
  first: readonly string[],
  retention: LogRetention = { prefix: '', days: null },
): { readonly changes: Change[]; readonly warnings: string[] } {
  const value = <K extends keyof Posture['values']>(key: K) =>
    created ? null : posture.values[key];
  const changes: Change[] = [];
  const warnings: string[] = [];
  const blocks = value('logTarget.publicAccessBlock');
  if (blocks !== undefined) {
    // Only flags turned on: a flag that is on stays on.
    const after: PublicAccessBlock = { ...ALL_ON };
    if (!deepEqual(blocks, after)) {
      changes.push(
        loggingChange(posture, {
          id: 'logTarget.publicAccessBlock',
          title: `Log bucket ${target}: Block Public Access`,
          resource: 'logTarget.publicAccessBlock',
          before: blocks,
          after,
          dependsOn: [...first],
          warnings: [],
        }),
      );
    }
  }
  const ownership = value('logTarget.ownershipControls');
  const grants = created ? [] : posture.values['logTarget.acl'];
  if (ownership !== undefined && ownership?.ObjectOwnership !== 'BucketOwnerEnforced') {
    if (grants && grants.length === 0) {
      changes.push(
        loggingChange(posture, {
          id: 'logTarget.ownershipControls',
          title: `Log bucket ${target}: ACLs off (bucket owner enforced)`,
          resource: 'logTarget.ownershipControls',
          before: ownership,
          after: { ObjectOwnership: 'BucketOwnerEnforced' },
          // The policy grant is in place before the ACLs stop counting.
          dependsOn: [...first],
          warnings: [],
        }),
      );
    } else if (grants) {
      const listed = grants.slice(0, 2).map(describeGrant).join(', ');
      warnings.push(
        `ACLs stay on for ${target} because its ACL grants ${listed}${grants.length > 2 ? ` and ${grants.length - 2} more` : ''}. Remove those grants (log delivery is granted in the policy instead), then plan again`,
      );
    }
  }
  const encryption = value('logTarget.encryption');
  if (encryption !== undefined && !deepEqual(encryption, LOG_TARGET_ENCRYPTION)) {
    const algorithm = encryption?.Rules[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
    changes.push(
      loggingChange(posture, {
        id: 'logTarget.encryption',
        title: `Log bucket ${target}: SSE-S3 default encryption`,
        resource: 'logTarget.encryption',
        before: encryption,
        after: LOG_TARGET_ENCRYPTION,
        dependsOn: [...first],
        warnings:
          algorithm && algorithm !== 'AES256'
            ? [
                `log delivery does not support ${algorithm} default encryption on the target: ${target} changes to SSE-S3`,
              ]
            : [],
      }),
    );
  }
  const versioning = value('logTarget.versioning');
  if (versioning !== undefined && versioning?.Status !== 'Enabled') {
    changes.push(
      loggingChange(posture, {
        id: 'logTarget.versioning',
        title: `Log bucket ${target}: versioning`,
        resource: 'logTarget.versioning',
        before: versioning,
        after: { ...(versioning ?? {}), Status: 'Enabled' },
        dependsOn: [...first],
        warnings: [`undo suspends versioning: ${VERSIONS_STAY}`],
      }),
    );
  }
  const lifecycle = value('logTarget.lifecycle');
  if (lifecycle !== undefined && retention.days !== null) {
    const prefix = retentionPrefix(retention.prefix, posture.bucket);
    const mfaDelete = !created && posture.values['logTarget.versioning']?.MFADelete === 'Enabled';
    if (mfaDelete) {
      warnings.push(
        `no log retention rule on ${target}: MFA delete is on there, and S3 does not support lifecycle configuration on MFA delete buckets`,
      );
    } else if (prefix === '' && !created) {
      warnings.push(
        `no log retention rule on ${target}: the logs go to its root, and a rule there would expire everything in the bucket; give the logs a prefix`,
      );
    } else {
      const after = mergeRule(
        lifecycle,
        logRetentionRuleId(prefix),
        logRetentionRule(prefix, retention.days),
      );
      if (!satisfies('logTarget.lifecycle', after, lifecycle)) {
        changes.push(
          loggingChange(posture, {
            id: 'logTarget.lifecycle',
            title: `Log bucket ${target}: keep logs ${retention.days} days`,
            resource: 'logTarget.lifecycle',
            before: lifecycle,
            after,
            dependsOn: [...first],
            warnings: [
              `logs under ${prefix === '' ? 'the whole bucket' : prefix} older than ${retention.days} days are deleted for good`,
              ...(lifecycle && lifecycle.Rules.length > 0
                ? [`keeps the bucket's other lifecycle rules exactly as they are`]
                : []),
            ],
          }),
        );
      }
    }
  }
  return { changes, warnings };
}
