/**
 * Server access logging, and everything log delivery needs of the bucket
 * that receives the logs. A wrong target fails silently — logs never arrive —
 * so the planner checks the target and fixes what it can: creates it, grants
 * logging.s3.amazonaws.com in its policy, scoped with aws:SourceAccount and
 * aws:SourceArn, and hardens it like any bucket (./log-target.ts: Block
 * Public Access, ACLs off, SSE-S3 — SSE-KMS targets are not supported —,
 * versioning). Object Lock or Requester Pays on the target cannot be fixed
 * here: the operator chooses another target.
 */

import { controlLabels } from '../plan/audit/controls.js';
import { bucketNameProblem } from '../plan/model/bucket-name.js';
import { deepEqual } from '../plan/model/diff.js';
import type { Change, Posture, Preset } from '../plan/model/types.js';
import {
  composePolicy,
  isObject,
  type PolicyDocument,
  statementsOf,
  type ToolStatement,
} from '../plan/policy/document.js';
import { deliveryDenials, logDeliveryEvidence } from '../plan/policy/log-delivery.js';
import { NO_INTENT, partitionOf, statementsFor } from '../plan/policy/statements.js';
import { satisfies } from '../plan/resources/index.js';
import type { LoggingEnabled, PartitionDateSource } from '../plan/resources/logging.js';
import type { Field } from './form.js';
import { hardenLogTarget, loggingChange } from './log-target.js';
import {
  DEFAULT_LOG_RETENTION_DAYS,
  defaultLogBucket,
  type LogFormat,
  type LoggingAnswers,
  MAX_RETENTION_DAYS,
  retentionOf,
} from './logging-answers.js';
import type { Step } from './types.js';

export {
  DEFAULT_LOG_RETENTION_DAYS,
  defaultLogBucket,
  type LogFormat,
  type LoggingAnswers,
  retentionOf,
  sharedLogPrefix,
  withSharedLogBucket,
} from './logging-answers.js';

export class LoggingError extends Error {
  override name = 'LoggingError';
}

const FORMATS: readonly { value: LogFormat; label: string; help: string }[] = [
  {
    value: 'partitioned-delivery',
    label: 'partitioned by delivery date',
    help: 'Keys: prefix/account/region/bucket/yyyy/mm/dd/… by when logs arrived; easy to query with Athena.',
  },
  {
    value: 'partitioned-event',
    label: 'partitioned by event date',
    help: 'Keys: prefix/account/region/bucket/yyyy/mm/dd/… by when requests happened.',
  },
  {
    value: 'simple',
    label: 'simple (flat)',
    help: 'Keys: prefix + date-time + id, all in one folder.',
  },
];

function formatOf(value: LoggingEnabled | null | undefined): LogFormat {
  const format = value?.TargetObjectKeyFormat;
  if (!format) return 'simple';
  if ('SimplePrefix' in format) return 'simple';
  return format.PartitionedPrefix.PartitionDateSource === 'EventTime'
    ? 'partitioned-event'
    : 'partitioned-delivery';
}

/** Why the bucket is a log bucket (it receives server access logs), or null. */
function receivesLogs(posture: Posture): string | null {
  if (posture.values['bucket.logging']) return null;
  return logDeliveryEvidence(posture.values['bucket.policy'], posture.values['bucket.acl']);
}

function keepAnswers(posture: Posture): LoggingAnswers {
  const current = posture.values['bucket.logging'];
  return {
    enabled: Boolean(current),
    target: current?.TargetBucket ?? defaultLogBucket(posture),
    prefix: current?.TargetPrefix ?? 's3-access-logs/',
    format: current ? formatOf(current) : 'partitioned-delivery',
    retentionDays: DEFAULT_LOG_RETENTION_DAYS,
  };
}

function loggingConfiguration(answers: LoggingAnswers): LoggingEnabled {
  const source: PartitionDateSource =
    answers.format === 'partitioned-event' ? 'EventTime' : 'DeliveryTime';
  return {
    TargetBucket: answers.target,
    TargetPrefix: answers.prefix,
    TargetObjectKeyFormat:
      answers.format === 'simple'
        ? { SimplePrefix: {} }
        : { PartitionedPrefix: { PartitionDateSource: source } },
  };
}

/** One statement per source bucket, so several buckets can log into one target. */
export function logDeliverySid(sourceBucket: string): string {
  return `S3HardenAccessLogsFrom${sourceBucket.replace(/[^A-Za-z0-9]/g, '')}`;
}

export function logDeliveryStatement(posture: Posture, answers: LoggingAnswers): ToolStatement {
  const partition = partitionOf(posture.region);
  return {
    Sid: logDeliverySid(posture.bucket),
    Effect: 'Allow',
    Principal: { Service: 'logging.s3.amazonaws.com' },
    Action: ['s3:PutObject'],
    // One ARN, as AWS's own examples write it (and as the emulator expects).
    Resource: `arn:${partition}:s3:::${answers.target}/${answers.prefix}*`,
    Condition: {
      ArnLike: { 'aws:SourceArn': `arn:${partition}:s3:::${posture.bucket}` },
      StringEquals: { 'aws:SourceAccount': posture.accountId },
    },
  };
}

/**
 * The target's policy with this source's delivery grant added or updated:
 * the step owns only that Sid, so every other statement — foreign, the
 * bucket-policy step's, other sources' grants — stays as it is.
 */
function targetPolicy(
  existing: PolicyDocument | null,
  statement: ToolStatement,
  https: ToolStatement,
): PolicyDocument | null {
  // HTTPS only, as the bucket-policy step writes it (the same Sid, so that
  // step, run on the log bucket itself, finds it its own): log delivery
  // writes over TLS, so the Deny never stops it.
  const owned =
    existing !== null && statementsOf(existing).some((s) => isObject(s) && s.Sid === https.Sid);
  return composePolicy(
    existing,
    owned ? [statement] : [statement, https],
    (sid) => sid === statement.Sid || (!owned && sid === https.Sid),
  );
}

/** The log target's HTTPS-only Deny (FSBP S3.5), exactly the bucket-policy step's. */
function httpsOnly(posture: Posture, target: string): ToolStatement {
  const [deny] = statementsFor(
    { bucket: target, region: posture.region, accountId: posture.accountId },
    { ...NO_INTENT, denyInsecureTransport: true },
  );
  return deny as ToolStatement;
}

function planLogging(posture: Posture, answers: LoggingAnswers): Change[] {
  const current = posture.values['bucket.logging'];
  if (current === undefined) return [];
  if (!answers.enabled) {
    if (current === null) return [];
    return [
      loggingChange(posture, {
        id: 'bucket.logging',
        title: 'Server access logging',
        resource: 'bucket.logging',
        before: current,
        after: null,
        dependsOn: [],
        warnings: [
          'turns server access logging off: requests to this bucket are no longer recorded',
        ],
      }),
    ];
  }
  const target = answers.target;
  if (target === posture.bucket) {
    throw new LoggingError(
      'Server access logging: a bucket cannot log into itself; choose another target bucket.',
    );
  }
  if (posture.logBucket !== target) {
    throw new LoggingError(
      `Server access logging: the target bucket ${target} has not been read yet.`,
    );
  }
  const unreadable = posture.unreadable['logTarget.exists'];
  if (unreadable) {
    throw new LoggingError(
      `Server access logging: cannot use ${target} (${unreadable}); the target must be a bucket of this account.`,
    );
  }
  const exists = posture.values['logTarget.exists'];
  if (exists && exists.Region !== posture.region) {
    throw new LoggingError(
      `Server access logging: ${target} is in ${exists.Region}; the target must be in ${posture.region}, like the bucket.`,
    );
  }
  if (posture.values['logTarget.objectLock']?.ObjectLockEnabled === 'Enabled') {
    throw new LoggingError(
      `Server access logging: ${target} has Object Lock, and log delivery cannot write to it; choose another target.`,
    );
  }
  if (posture.values['logTarget.requestPayment'] === 'Requester') {
    throw new LoggingError(
      `Server access logging: ${target} has Requester Pays on, and log delivery fails; choose another target.`,
    );
  }

  const changes: Change[] = [];
  if (exists === null) {
    changes.push(
      loggingChange(posture, {
        id: 'logTarget.exists',
        title: `Create log bucket ${target}`,
        resource: 'logTarget.exists',
        before: null,
        after: { Region: posture.region },
        dependsOn: [],
        warnings: [
          `undo deletes ${target} only while it is empty: if logs arrive before a rollback, it stays (remove it with aws s3 rb s3://${target} --force)`,
        ],
      }),
    );
  }
  const policyBefore = exists === null ? null : (posture.values['logTarget.policy'] ?? null);
  const policyAfter = targetPolicy(
    policyBefore,
    logDeliveryStatement(posture, answers),
    httpsOnly(posture, target),
  );
  // The grant is not enough when a Deny of the target's stops delivery anyway.
  const denials = deliveryDenials(policyAfter, {
    partition: partitionOf(posture.region),
    accountId: posture.accountId,
    sourceBucket: posture.bucket,
    targetBucket: target,
    prefix: answers.prefix,
  });
  const denied = denials.find((finding) => finding.certainty === 'denies');
  if (denied) {
    throw new LoggingError(
      `Server access logging: the policy of ${target} ${denied.denied.replace(/^denies/, 'denies log delivery:')} (${denied.sid ? `Sid ${denied.sid}` : `statement ${denied.index + 1}`}${denied.because.length > 0 ? `: ${denied.because.join('; ')}` : ''}); narrow or remove it (an earlier s3-harden's statement: plan ${target} itself first), or choose another target.`,
    );
  }
  const deliveryWarnings = denials.map(
    (finding) =>
      `${finding.sid ? `Sid ${finding.sid}` : `statement ${finding.index + 1}`} of ${target} ${finding.denied.replace('may deny', 'may deny log delivery')}: ${finding.because.join('; ')}`,
  );
  if (!deepEqual(policyBefore, policyAfter)) {
    changes.push(
      loggingChange(posture, {
        id: 'logTarget.policy',
        title: `Log bucket ${target}: allow log delivery`,
        resource: 'logTarget.policy',
        before: policyBefore,
        after: policyAfter,
        dependsOn: exists === null ? ['logTarget.exists'] : [],
        warnings: deliveryWarnings,
      }),
    );
  }
  // The target hardened like any bucket, once it exists and grants delivery.
  const hardening = hardenLogTarget(
    posture,
    target,
    exists === null,
    changes.map((entry) => entry.id),
    { prefix: answers.prefix, days: retentionOf(answers) },
  );
  changes.push(...hardening.changes);
  const desired = loggingConfiguration(answers);
  if (!satisfies('bucket.logging', desired, current)) {
    changes.push(
      loggingChange(posture, {
        id: 'bucket.logging',
        title: 'Server access logging',
        resource: 'bucket.logging',
        before: current,
        after: desired,
        // S3 checks the target's permissions when logging is switched on.
        dependsOn: changes.map((entry) => entry.id),
        warnings: [
          ...(changes.some((entry) => entry.id === 'logTarget.policy') ? [] : deliveryWarnings),
          ...hardening.warnings,
        ],
      }),
    );
  }
  return changes;
}

export const loggingStep: Step<LoggingAnswers> = {
  id: 'logging',
  title: 'Server access logging',
  summary: 'Records every request to the bucket in log files in another bucket, for audits.',
  scope: 'bucket',
  controls: controlLabels('logging'),
  reads: ['bucket.logging'],
  // What tells a log bucket: its delivery grant (policy) or the LogDelivery ACL grant.
  optionalReads: ['bucket.policy', 'bucket.acl'],
  // Every preset turns logging on (the guide's checklist), but not on a log
  // bucket: its own logs would need yet another bucket, and so on.
  defaults: (posture: Posture, _preset: Preset): LoggingAnswers => ({
    ...keepAnswers(posture),
    enabled: Boolean(posture.values['bucket.logging']) || receivesLogs(posture) === null,
  }),
  leftAsIs(posture: Posture, answers: LoggingAnswers): string | null {
    if (answers.enabled || posture.values['bucket.logging']) return null;
    const evidence =
      receivesLogs(posture) ??
      (answers.target === posture.bucket
        ? '--log-bucket names it for the other buckets’ logs'
        : null);
    return evidence
      ? `left off: this is a log bucket (${evidence}); logging it too would only need another log bucket for it, and so on`
      : null;
  },
  keep: keepAnswers,
  validate(answers: LoggingAnswers): string[] {
    if (!answers.enabled) return [];
    const problems: string[] = [];
    const name = bucketNameProblem(answers.target);
    if (name) problems.push(`Target bucket: ${name}.`);
    if (answers.prefix.startsWith('/')) problems.push('Prefix: must not start with "/".');
    if (answers.prefix.length > 512)
      problems.push(`Prefix: at most 512 characters (this one has ${answers.prefix.length}).`);
    if (!FORMATS.some((format) => format.value === answers.format))
      problems.push('Log key format: choose one of the options.');
    const retention = (answers.retentionDays ?? '').trim();
    if (retention !== '' && retentionOf(answers) === null)
      problems.push(
        `Keep logs for: a whole number of days from 1 to ${MAX_RETENTION_DAYS}, or empty to keep them for ever.`,
      );
    return problems;
  },
  fields(posture: Posture, answers: LoggingAnswers): Field[] {
    const current = posture.values['bucket.logging'];
    const now = current ? `to ${current.TargetBucket}/${current.TargetPrefix}` : 'off';
    const fields: Field[] = [
      {
        kind: 'toggle',
        key: 'enabled',
        label: 'Server access logging',
        help: 'Log files arrive within hours; best effort.',
        now: current ? 'on' : 'off',
      },
    ];
    if (!answers.enabled) return fields;
    fields.push(
      {
        kind: 'text',
        key: 'target',
        label: 'Target bucket',
        help: 'Same account and region; created if it does not exist. Checked and fixed for log delivery.',
        now,
      },
      {
        kind: 'text',
        key: 'prefix',
        label: 'Prefix',
        help: 'Where in the target the logs go, e.g. s3-access-logs/.',
      },
      {
        kind: 'choice',
        key: 'format',
        label: 'Log key format',
        help: 'How log object keys are laid out.',
        options: FORMATS,
      },
      {
        kind: 'text',
        key: 'retentionDays',
        label: 'Keep logs for (days)',
        help: 'A lifecycle rule on the prefix expires older logs; empty keeps them for ever.',
        placeholder: DEFAULT_LOG_RETENTION_DAYS,
      },
    );
    if (posture.logBucket === answers.target && posture.values['logTarget.exists'] === null) {
      fields.push({
        kind: 'note',
        tone: 'info',
        text: `${answers.target} does not exist yet: the plan creates it.`,
      });
    }
    return fields;
  },
  plan: planLogging,
  /** The bucket whose configuration this step needs read before it can plan. */
  relatedBucket: (answers: LoggingAnswers) => (answers.enabled ? answers.target : undefined),
};
