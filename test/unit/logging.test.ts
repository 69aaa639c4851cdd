import { describe, expect, it } from 'vitest';
import { parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import type { Posture } from '../../src/plan/model/types.js';
import { buildPlan, defaultAnswers } from '../../src/steps/index.js';
import { LOG_TARGET_ENCRYPTION } from '../../src/steps/log-target.js';
import {
  defaultLogBucket,
  type LoggingAnswers,
  logDeliverySid,
  loggingStep,
} from '../../src/steps/logging.js';
import { ALL_ON } from '../../src/steps/public-access-block.js';

const BASE: Posture = {
  accountId: '123456789012',
  region: 'eu-west-1',
  bucket: 'app-data',
  logBucket: 'app-data-logs',
  principalArn: 'arn:aws:iam::123456789012:user/operator',
  observedAt: '2026-11-27T12:00:00.000Z',
  values: {
    'bucket.logging': null,
    'logTarget.exists': { Region: 'eu-west-1' },
    'logTarget.policy': null,
    'logTarget.encryption': LOG_TARGET_ENCRYPTION,
    'logTarget.objectLock': null,
    'logTarget.requestPayment': 'BucketOwner',
    // Hardened already, so each test here is about one thing (the log-target tests below).
    'logTarget.publicAccessBlock': ALL_ON,
    'logTarget.ownershipControls': { ObjectOwnership: 'BucketOwnerEnforced' },
    'logTarget.acl': [],
    'logTarget.versioning': { Status: 'Enabled' },
  },
  unreadable: {},
};
const on = (overrides: Partial<LoggingAnswers> = {}): LoggingAnswers => ({
  ...loggingStep.defaults(BASE, 'baseline'),
  ...overrides,
});
const at = (values: Partial<Posture['values']>, extra: Partial<Posture> = {}): Posture => ({
  ...BASE,
  ...extra,
  values: { ...BASE.values, ...values },
});

describe('server access logging step', () => {
  it('proposes "<bucket>-logs", or the current target', () => {
    expect(defaultLogBucket(BASE)).toBe('app-data-logs');
    expect(
      defaultLogBucket(at({ 'bucket.logging': { TargetBucket: 'central', TargetPrefix: 'x/' } })),
    ).toBe('central');
    expect(defaultLogBucket({ ...BASE, bucket: `${'a'.repeat(62)}.` })).toHaveLength(63);
    expect(on()).toEqual({
      enabled: true,
      target: 'app-data-logs',
      prefix: 's3-access-logs/',
      format: 'partitioned-delivery',
      retentionDays: '365',
    });
  });

  it('grants log delivery with the source account and ARN, and turns logging on after it', () => {
    const plan = buildPlan(BASE, 'baseline', ['logging'], { logging: on() });
    expect(plan.changes.map((change) => change.id)).toEqual(['logTarget.policy', 'bucket.logging']);
    const policy = plan.changes[0]?.after as { Statement: unknown[] };
    expect(policy.Statement).toEqual([
      {
        Sid: logDeliverySid('app-data'),
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: ['s3:PutObject'],
        Resource: 'arn:aws:s3:::app-data-logs/s3-access-logs/*',
        Condition: {
          ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::app-data' },
          StringEquals: { 'aws:SourceAccount': '123456789012' },
        },
      },
      // HTTPS only on the log bucket too, exactly as the bucket-policy step writes it.
      {
        Sid: 'S3HardenDenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: ['s3:*'],
        Resource: ['arn:aws:s3:::app-data-logs', 'arn:aws:s3:::app-data-logs/*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
    expect(plan.changes[1]?.dependsOn).toEqual(['logTarget.policy']);
    expect(plan.changes[1]?.after).toEqual({
      TargetBucket: 'app-data-logs',
      TargetPrefix: 's3-access-logs/',
      TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource: 'DeliveryTime' } },
    });
    // The plan names the log bucket, and a saved plan round-trips through validation.
    expect(plan.target.logBucket).toBe('app-data-logs');
    expect(parsePlan(serializePlan(plan, 'test')).changes).toHaveLength(2);
  });

  it('turning logging off is a change with a warning; keeping it off is none', () => {
    const current = { TargetBucket: 'app-data-logs', TargetPrefix: 'x/' };
    const plan = buildPlan(at({ 'bucket.logging': current }), 'baseline', ['logging'], {
      logging: on({ enabled: false }),
    });
    expect(plan.changes).toMatchObject([{ id: 'bucket.logging', action: 'delete', after: null }]);
    expect(plan.changes[0]?.warnings[0]).toMatch(/^turns server access logging off/);
    expect(
      buildPlan(BASE, 'baseline', ['logging'], { logging: on({ enabled: false }) }).changes,
    ).toEqual([]);
  });

  it.each([
    [
      { 'logTarget.exists': { Region: 'us-east-1' } },
      {},
      'app-data-logs is in us-east-1; the target must be in eu-west-1, like the bucket.',
    ],
    [
      { 'logTarget.requestPayment': 'Requester' as const },
      {},
      'app-data-logs has Requester Pays on, and log delivery fails; choose another target.',
    ],
    [
      {},
      {
        unreadable: { 'logTarget.exists': 'Access denied: s3:ListBucket on bucket app-data-logs.' },
      },
      'cannot use app-data-logs (Access denied: s3:ListBucket on bucket app-data-logs.); the target must be a bucket of this account.',
    ],
  ])('refuses a target log delivery cannot use (%#)', (values, extra, message) => {
    expect(() => loggingStep.plan(at(values, extra as Partial<Posture>), on())).toThrow(
      `Server access logging: ${message}`,
    );
  });

  it('validates the answers with clear messages', () => {
    expect(loggingStep.validate(on({ target: 'Bad_Bucket' }))[0]).toMatch(
      /^Target bucket: a bucket name may contain only/,
    );
    expect(loggingStep.validate(on({ prefix: '/logs/' }))).toEqual([
      'Prefix: must not start with "/".',
    ]);
    expect(loggingStep.validate(on({ enabled: false, target: '' }))).toEqual([]);
  });

  it('asks for the target to be read when the answer names another bucket', () => {
    expect(loggingStep.relatedBucket?.(on({ target: 'elsewhere' }))).toBe('elsewhere');
    expect(() => loggingStep.plan(BASE, on({ target: 'elsewhere' }))).toThrow(
      'has not been read yet',
    );
  });

  describe('the log target, hardened like any bucket', () => {
    const TARGET_KEYS = [
      'logTarget.publicAccessBlock',
      'logTarget.ownershipControls',
      'logTarget.encryption',
      'logTarget.versioning',
      'logTarget.lifecycle',
    ];

    it('a target the plan creates gets Block Public Access, ACLs off, SSE-S3 and versioning, after the grant', () => {
      const created = at({
        'logTarget.exists': null,
        'logTarget.policy': null,
        'logTarget.encryption': null,
        'logTarget.publicAccessBlock': null,
        'logTarget.ownershipControls': null,
        'logTarget.acl': null,
        'logTarget.versioning': null,
        'logTarget.lifecycle': null,
        'logTarget.requestPayment': null,
      });
      const plan = buildPlan(created, 'baseline', ['logging'], { logging: on() });
      expect(plan.changes.map((change) => change.id)).toEqual([
        'logTarget.exists',
        'logTarget.policy',
        ...TARGET_KEYS,
        'bucket.logging',
      ]);
      for (const id of TARGET_KEYS) {
        expect(plan.changes.find((c) => c.id === id)?.dependsOn).toEqual([
          'logTarget.exists',
          'logTarget.policy',
        ]);
      }
      expect(plan.changes.find((c) => c.id === 'logTarget.publicAccessBlock')?.after).toEqual(
        ALL_ON,
      );
      expect(plan.changes.find((c) => c.id === 'logTarget.encryption')?.after).toEqual(
        LOG_TARGET_ENCRYPTION,
      );
      // Every change targets the log bucket, never the source bucket.
      for (const change of plan.changes.filter((c) => c.id.startsWith('logTarget.'))) {
        expect(change.call.input.Bucket).toBe('app-data-logs');
      }
      expect(parsePlan(serializePlan(plan, 'test')).changes).toEqual(plan.changes);
    });

    it('an existing target gets what it lacks, each with its undo; a flag already on stays on', () => {
      const existing = at({
        'logTarget.publicAccessBlock': { ...ALL_ON, RestrictPublicBuckets: false },
        'logTarget.versioning': { Status: 'Suspended' },
      });
      const plan = buildPlan(existing, 'baseline', ['logging'], { logging: on() });
      expect(plan.changes.map((change) => change.id)).toEqual([
        'logTarget.policy',
        'logTarget.publicAccessBlock',
        'logTarget.versioning',
        'bucket.logging',
      ]);
      const blocks = plan.changes[1];
      expect(blocks?.after).toEqual(ALL_ON);
      expect(blocks?.undo?.input).toMatchObject({
        Bucket: 'app-data-logs',
        PublicAccessBlockConfiguration: { ...ALL_ON, RestrictPublicBuckets: false },
      });
    });

    it('ACL grants on an existing target keep its ACLs on, and the plan says why', () => {
      const granted = at({
        'logTarget.ownershipControls': { ObjectOwnership: 'ObjectWriter' },
        'logTarget.acl': [{ Grantee: 'LogDelivery', Permission: 'WRITE' }],
      });
      const plan = buildPlan(granted, 'baseline', ['logging'], { logging: on() });
      expect(plan.changes.map((change) => change.id)).not.toContain('logTarget.ownershipControls');
      expect(plan.changes.at(-1)?.warnings.join('\n')).toMatch(
        /ACLs stay on for app-data-logs because its ACL grants .*LogDelivery.*\. Remove those grants/,
      );
    });

    it("an HTTPS-only Deny already on the target (the bucket-policy step's) is kept, not repeated", () => {
      const first = buildPlan(BASE, 'baseline', ['logging'], { logging: on() });
      const policy = first.changes[0]?.after as { Statement: { Sid?: string }[] };
      const again = buildPlan(
        at({ 'logTarget.policy': policy as never }),
        'baseline',
        ['logging'],
        {
          logging: on(),
        },
      );
      expect(again.changes.map((change) => change.id)).toEqual(['bucket.logging']);
      expect(
        policy.Statement.filter((s) => s.Sid === 'S3HardenDenyInsecureTransport'),
      ).toHaveLength(1);
    });

    it('a target value not read proposes nothing for it', () => {
      const { 'logTarget.versioning': _unread, ...values } = BASE.values;
      const plan = buildPlan({ ...BASE, values }, 'baseline', ['logging'], { logging: on() });
      expect(plan.changes.map((change) => change.id)).not.toContain('logTarget.versioning');
    });
  });

  it('a log bucket is not logged itself by default, and the plan says why', () => {
    const grant = loggingStep.plan(BASE, on())[0]?.after as never;
    const logBucket = at(
      { 'bucket.logging': null, 'bucket.policy': grant, 'bucket.acl': [] },
      { bucket: 'app-data-logs', logBucket: undefined },
    );
    const answers = loggingStep.defaults(logBucket, 'baseline');
    expect(answers.enabled).toBe(false);
    const plan = buildPlan(logBucket, 'baseline', ['logging'], { logging: answers });
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([
      {
        step: 'Server access logging',
        reason: expect.stringMatching(
          /^left off: this is a log bucket \(its policy allows logging\.s3\.amazonaws\.com.*\); logging it too would only need another log bucket/,
        ),
      },
    ]);
    // A log bucket that already logs elsewhere keeps doing so.
    const logging = { TargetBucket: 'central', TargetPrefix: 'x/' };
    expect(
      loggingStep.defaults(at({ 'bucket.policy': grant, 'bucket.logging': logging }), 'baseline')
        .enabled,
    ).toBe(true);
  });
});

describe('--log-bucket naming the bucket being planned', () => {
  const shared = (values: Partial<Posture['values']>) => {
    // The observe reads the bucket's current log target as its log bucket.
    const target = values['bucket.logging']?.TargetBucket;
    const posture = at(values, { bucket: 'central-logs', logBucket: target });
    const answers = defaultAnswers(posture, 'strict', ['logging'], { logBucket: 'central-logs' });
    return buildPlan(posture, 'strict', ['logging'], answers);
  };

  it('leaves its logging off, and the plan says why', () => {
    const plan = shared({ 'bucket.logging': null, 'bucket.policy': null, 'bucket.acl': [] });
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([
      {
        step: 'Server access logging',
        reason:
          'left off: this is a log bucket (--log-bucket names it for the other buckets’ logs); logging it too would only need another log bucket for it, and so on',
      },
    ]);
  });

  it('keeps the logging it already has elsewhere (a flag never turns logging off)', () => {
    const logging = { TargetBucket: 'org-logs', TargetPrefix: 'central/' };
    const values = { 'bucket.logging': logging, 'bucket.policy': null, 'bucket.acl': [] };
    const plan = shared(values);
    expect(plan.changes.map((change) => change.id)).not.toContain('bucket.logging');
    // What the plan would be without the flag.
    const posture = at(values, { bucket: 'central-logs', logBucket: 'org-logs' });
    const answers = defaultAnswers(posture, 'strict', ['logging']);
    expect(plan.changes).toEqual(buildPlan(posture, 'strict', ['logging'], answers).changes);
    expect(plan.skipped).toEqual([]);
  });
});

describe('log retention on the target', () => {
  const FOREIGN = {
    Rules: [{ ID: 'keep-audit', Status: 'Enabled' as const, Filter: { Prefix: 'audit/' } }],
  };
  const changeOf = (posture: Posture, answers: LoggingAnswers = on()) =>
    buildPlan(posture, 'baseline', ['logging'], { logging: answers }).changes.find(
      (change) => change.id === 'logTarget.lifecycle',
    );

  it('an existing target gets a rule on the log prefix, its other rules kept, undo exact', () => {
    const change = changeOf(at({ 'logTarget.lifecycle': FOREIGN }));
    expect(change?.after).toEqual({
      Rules: [
        FOREIGN.Rules[0],
        {
          ID: 's3-harden-log-retention:s3-access-logs/',
          Status: 'Enabled',
          Filter: { Prefix: 's3-access-logs/' },
          Expiration: { Days: 365 },
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
      ],
    });
    expect(change?.undo?.input).toMatchObject({ LifecycleConfiguration: FOREIGN });
    expect(change?.warnings[0]).toBe(
      'logs under s3-access-logs/ older than 365 days are deleted for good',
    );
  });

  it('the operator picks the period; empty keeps the logs for ever', () => {
    const posture = at({ 'logTarget.lifecycle': null });
    expect(changeOf(posture, on({ retentionDays: '90' }))?.after).toMatchObject({
      Rules: [{ Expiration: { Days: 90 } }],
    });
    expect(changeOf(posture, on({ retentionDays: '' }))).toBeUndefined();
    expect(loggingStep.validate(on({ retentionDays: 'a year' }))[0]).toMatch(
      /whole number of days/,
    );
  });

  it('never a rule on the root of an existing bucket, nor on one with MFA delete', () => {
    const root = buildPlan(at({ 'logTarget.lifecycle': null }), 'baseline', ['logging'], {
      logging: on({ prefix: '' }),
    });
    expect(root.changes.map((change) => change.id)).not.toContain('logTarget.lifecycle');
    expect(root.changes.at(-1)?.warnings.join('\n')).toContain('would expire everything');
    const mfa = buildPlan(
      at({
        'logTarget.lifecycle': null,
        'logTarget.versioning': { Status: 'Enabled', MFADelete: 'Enabled' },
      }),
      'baseline',
      ['logging'],
      { logging: on() },
    );
    expect(mfa.changes.map((change) => change.id)).not.toContain('logTarget.lifecycle');
  });
});
