/**
 * The changes of the CloudTrail data events step (./cloudtrail.ts): the
 * bucket's selector on a trail, s3-harden's own trail started, and — when
 * the step creates that trail — its bucket, hardened like a log target:
 * Block Public Access, ACLs off, SSE-S3 with SSE-C blocked, versioning,
 * a lifecycle rule for what versioning piles up (TRAIL_BUCKET_RULE: the
 * trail's logs themselves are evidence and never expire), and a policy that lets CloudTrail check the ACL and deliver, scoped to
 * the trail (aws:SourceArn) and the account (aws:SourceAccount), beside the
 * bucket-policy step's own HTTPS-only Deny (CloudTrail delivers over TLS).
 * Every change carries the cost note, and its undo restores `before`.
 */
import type { Change, Posture, PublicAccessBlock, ResourceKey } from '../plan/model/types.js';
import { composePolicy, type PolicyDocument, type ToolStatement } from '../plan/policy/document.js';
import { NO_INTENT, partitionOf, statementsFor } from '../plan/policy/statements.js';
import {
  isAdvanced,
  OWN_TRAIL,
  OWN_TRAIL_CHANGE,
  type Selectors,
  TRAIL_BUCKET_CHANGE,
  type TrailSelectors,
  trailArn,
  trailBucketName,
  withBucketSelectors,
} from '../plan/resources/cloudtrail.js';
import type { EncryptionConfiguration } from '../plan/resources/encryption.js';
import { writeCall } from '../plan/resources/index.js';
import type { LifecycleConfiguration } from '../plan/resources/lifecycle.js';
import { mergeRule, NONCURRENT_RULE_ID, noncurrentRule } from './lifecycle-rules.js';

const STEP = 'cloudtrail';
export const TITLE = 'CloudTrail data events';
export const SELECTORS = 'trail.selectors';
export const OWN = OWN_TRAIL_CHANGE;
export const OWN_LOGGING = 'account.ownTrailLogging';
export const BUCKET = TRAIL_BUCKET_CHANGE;

/** On every change the step proposes. */
export const COST_NOTE = 'data events are charged per 100,000 events (see AWS CloudTrail pricing)';

/** What creating the trail's bucket needs read (a bucket kept by an earlier rollback). */
export const BUCKET_READS: readonly ResourceKey[] = [
  BUCKET,
  'account.trailBucketPublicAccessBlock',
  'account.trailBucketOwnership',
  'account.trailBucketEncryption',
  'account.trailBucketVersioning',
  'account.trailBucketPolicy',
  'account.trailBucketLifecycle',
];

export function selectorsOf(value: TrailSelectors): Selectors {
  const { TrailName: _name, ...selectors } = value;
  return selectors as Selectors;
}

const ALL_ON: PublicAccessBlock = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/** SSE-S3 (CloudTrail delivers with it by default) and no SSE-C uploads. */
export const TRAIL_BUCKET_ENCRYPTION: EncryptionConfiguration = {
  Rules: [
    {
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
      BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
    },
  ],
};

/**
 * The trail bucket's lifecycle rule: overwritten or deleted log files (old
 * versions) go after 90 days, the newest 3 kept, and uploads never completed
 * after 7 — the lifecycle step's defaults. Current log files stay.
 */
export const TRAIL_BUCKET_RULE = noncurrentRule({
  noncurrentDays: 90,
  keepNewest: 3,
  abortDays: 7,
  transition: 'none',
});

export const SID = {
  aclCheck: 'S3HardenCloudTrailAclCheck',
  write: 'S3HardenCloudTrailWrite',
} as const;

function cloudTrailChange(
  posture: Posture,
  fields: Pick<Change, 'id' | 'title' | 'resource' | 'before' | 'after' | 'dependsOn'> & {
    readonly warnings?: readonly string[];
  },
): Change {
  return {
    ...fields,
    step: STEP,
    action: fields.before === null ? 'create' : fields.after === null ? 'delete' : 'update',
    call: writeCall(fields.resource, posture, fields.after),
    undo: writeCall(fields.resource, posture, fields.before),
    warnings: [COST_NOTE, ...(fields.warnings ?? [])],
  };
}

/** "b" or "b and its log bucket b-logs". */
export function bucketsText(posture: Posture, buckets: readonly string[]): string {
  return buckets
    .map((name) => (name === posture.bucket ? name : `its log bucket ${name}`))
    .join(' and ');
}

/** The selectors of `after` on its trail: one per bucket of `buckets`, appended. */
export function selectorChange(
  posture: Posture,
  before: TrailSelectors | null,
  after: TrailSelectors,
  buckets: readonly string[],
  dependsOn: string[],
) {
  const form = isAdvanced(selectorsOf(after)) ? 'advanced' : 'basic';
  const which = bucketsText(posture, buckets);
  const selectors = buckets.length === 1 ? `one ${form} event selector` : `${form} event selectors`;
  return cloudTrailChange(posture, {
    id: SELECTORS,
    title: `${TITLE}: ${buckets.join(', ')} on trail ${after.TrailName}`,
    resource: SELECTORS,
    before,
    after,
    dependsOn,
    warnings: [
      before
        ? `adds ${selectors} for the objects of ${which} to trail ${after.TrailName}, every other selector kept as it is; undo restores its previous selectors exactly`
        : `trail ${after.TrailName} logs the data events of the objects of ${which}, and no management events`,
      ...(buckets.some((name) => name !== posture.bucket)
        ? [
            'the log bucket too, so that reading or deleting the access logs is recorded: hardening one bucket leaves no weaker one beside it',
          ]
        : []),
    ],
  });
}

export function startChange(posture: Posture, dependsOn: string[]): Change {
  return cloudTrailChange(posture, {
    id: OWN_LOGGING,
    title: `CloudTrail trail ${OWN_TRAIL}: start logging`,
    resource: OWN_LOGGING,
    before: posture.values[OWN_LOGGING] ?? null,
    after: { IsLogging: true },
    dependsOn,
    warnings: ['undo stops the trail'],
  });
}

/** The trail bucket's policy: CloudTrail's ACL check and writes, scoped to the trail, and HTTPS only. */
export function trailBucketStatements(posture: Posture): ToolStatement[] {
  const partition = partitionOf(posture.region);
  const bucket = trailBucketName(posture);
  const scoped = {
    'aws:SourceArn': trailArn(partition, posture.region, posture.accountId, OWN_TRAIL),
    'aws:SourceAccount': posture.accountId,
  };
  const [https] = statementsFor(
    { bucket, region: posture.region, accountId: posture.accountId },
    { ...NO_INTENT, denyInsecureTransport: true },
  );
  return [
    {
      Sid: SID.aclCheck,
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: ['s3:GetBucketAcl'],
      Resource: `arn:${partition}:s3:::${bucket}`,
      Condition: { StringEquals: scoped },
    },
    {
      Sid: SID.write,
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: ['s3:PutObject'],
      Resource: `arn:${partition}:s3:::${bucket}/AWSLogs/${posture.accountId}/*`,
      Condition: {
        StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...scoped },
      },
    },
    https as ToolStatement,
  ];
}

/** The trail's bucket, created or completed, then the trail, its selector, and logging started. */
export function createChanges(posture: Posture, buckets: readonly string[]): Change[] {
  const { values } = posture;
  const bucket = trailBucketName(posture);
  const created = values[BUCKET] === null;
  const value = <K extends ResourceKey>(key: K) => (created ? null : (posture.values[key] ?? null));
  const changes: Change[] = [];
  if (created) {
    changes.push(
      cloudTrailChange(posture, {
        id: BUCKET,
        title: `Create CloudTrail bucket ${bucket}`,
        resource: BUCKET,
        before: null,
        after: { Region: posture.region },
        dependsOn: [],
        warnings: [
          `undo deletes ${bucket} only while it is empty: once CloudTrail has delivered logs it stays (remove it with aws s3 rb s3://${bucket} --force)`,
        ],
      }),
    );
  }
  const first = created ? [BUCKET] : [];
  const harden = (
    resource: ResourceKey,
    title: string,
    after: unknown,
    same: (before: unknown) => boolean,
  ) => {
    const before = value(resource);
    if (same(before)) return;
    changes.push(
      cloudTrailChange(posture, {
        id: resource,
        title: `CloudTrail bucket ${bucket}: ${title}`,
        resource,
        before,
        after,
        dependsOn: first,
      }),
    );
  };
  const json = (a: unknown) => (b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  harden('account.trailBucketPublicAccessBlock', 'Block Public Access', ALL_ON, json(ALL_ON));
  harden(
    'account.trailBucketOwnership',
    'ACLs off (bucket owner enforced)',
    { ObjectOwnership: 'BucketOwnerEnforced' },
    json({ ObjectOwnership: 'BucketOwnerEnforced' }),
  );
  harden(
    'account.trailBucketEncryption',
    'SSE-S3 default encryption, SSE-C blocked',
    TRAIL_BUCKET_ENCRYPTION,
    json(TRAIL_BUCKET_ENCRYPTION),
  );
  const versioning = value('account.trailBucketVersioning') as { Status?: string } | null;
  harden(
    'account.trailBucketVersioning',
    'versioning',
    { ...(versioning ?? {}), Status: 'Enabled' },
    () => versioning?.Status === 'Enabled',
  );
  const lifecycleBefore = value('account.trailBucketLifecycle') as LifecycleConfiguration | null;
  const lifecycleAfter = mergeRule(lifecycleBefore, NONCURRENT_RULE_ID, TRAIL_BUCKET_RULE);
  harden(
    'account.trailBucketLifecycle',
    'expire old versions and abandoned uploads',
    lifecycleAfter,
    json(lifecycleAfter),
  );
  const policyBefore = value('account.trailBucketPolicy') as PolicyDocument | null;
  const statements = trailBucketStatements(posture);
  const sids = new Set(statements.map((statement) => statement.Sid));
  const policyAfter = composePolicy(policyBefore, statements, (sid) => sids.has(sid));
  harden(
    'account.trailBucketPolicy',
    'allow CloudTrail delivery, HTTPS only',
    policyAfter,
    json(policyAfter),
  );
  // CloudTrail checks the bucket policy when the trail is created.
  const bucketChanges = changes.map((change) => change.id);
  changes.push(
    cloudTrailChange(posture, {
      id: OWN,
      title: `Create CloudTrail trail ${OWN_TRAIL} (multi-Region)`,
      resource: OWN,
      before: null,
      after: { S3BucketName: bucket, IsMultiRegionTrail: true, LogFileValidationEnabled: true },
      dependsOn: bucketChanges,
      warnings: [
        `account-wide: a multi-Region trail of account ${posture.accountId} homed in ${posture.region}, with log file validation, delivering to ${bucket}; it logs only the data events of the buckets s3-harden adds to it`,
        'undo deletes the trail (it is stopped first)',
      ],
    }),
  );
  const partition = partitionOf(posture.region);
  const added = withBucketSelectors({ AdvancedEventSelectors: [] }, buckets, partition);
  if ('problem' in added) throw new Error(added.problem);
  changes.push(
    selectorChange(
      posture,
      values[SELECTORS] ?? null,
      { TrailName: OWN_TRAIL, ...added.selectors },
      buckets,
      [OWN],
    ),
  );
  changes.push(startChange(posture, [OWN, SELECTORS]));
  return changes;
}
