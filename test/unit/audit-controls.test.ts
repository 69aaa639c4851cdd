/**
 * The audit's controls, judged from postures built as plain data: every
 * control passes, fails and is unknown (with the reason as read), and the
 * catalogue keeps its shape (IDs, columns that fit the table, reads).
 */
import { describe, expect, it } from 'vitest';
import { parseCisVersion } from '../../src/plan/audit/cis.js';
import {
  ACCOUNT_CONTROLS,
  type AuditPosture,
  auditReads,
  CONTROLS,
  type ControlId,
  controlsForCis,
  evaluateControls,
} from '../../src/plan/audit/controls.js';
import { jobCoverage } from '../../src/plan/audit/macie-coverage.js';
import { httpsOnly } from '../../src/plan/audit/tls.js';
import type { PostureValues, ResourceKey } from '../../src/plan/model/types.js';
import type { AccessFinding } from '../../src/plan/resources/access-analyzer.js';
import type { JobBucketCriterion, MacieJobSummary } from '../../src/plan/resources/macie.js';
import { ACCOUNT_ID, BUCKET, OFF, ON, pab } from './support.js';

const ANALYZER_ARN = `arn:aws:access-analyzer:us-east-1:${ACCOUNT_ID}:analyzer/corp`;
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;

function audit(
  values: Partial<PostureValues>,
  unreadable: Partial<Record<ResourceKey, string>> = {},
): AuditPosture {
  return { values, unreadable, bucket: BUCKET, accountId: ACCOUNT_ID, region: 'us-east-1' };
}

function result(id: ControlId, posture: AuditPosture) {
  const found = evaluateControls(posture).find((item) => item.id === id);
  if (!found) throw new Error(`no result for ${id}`);
  return { status: found.status, detail: found.detail };
}

const DENY_HTTP = {
  Sid: 'DenyHttp',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

function job(overrides: Partial<MacieJobSummary> = {}): MacieJobSummary {
  return {
    jobId: 'j1',
    name: 'pii scan',
    jobType: 'SCHEDULED',
    status: 'IDLE',
    bucketDefinitions: [{ accountId: ACCOUNT_ID, buckets: [BUCKET] }],
    bucketCriteria: null,
    ...overrides,
  };
}

function finding(overrides: Partial<AccessFinding> = {}): AccessFinding {
  return {
    id: 'f1',
    principal: { AWS: '111122223333' },
    actions: ['s3:GetObject'],
    conditions: {},
    isPublic: false,
    sources: ['POLICY'],
    accessPoints: [],
    ...overrides,
  };
}

const ANALYZER = {
  name: 'corp',
  arn: ANALYZER_ARN,
  type: 'ACCOUNT',
  status: 'ACTIVE',
} as const;

const MACIE_ON = { 'account.macie': { status: 'ENABLED' } } as const;

describe('the catalogue', () => {
  it('has the controls, each with a column that fits the table and its reads', () => {
    expect(CONTROLS.map((control) => control.id)).toEqual([
      'bpa-account',
      'bpa-bucket',
      'acls-disabled',
      'encryption',
      'sse-c-blocked',
      'encryption-kms',
      'tls',
      'versioning',
      'mfa-delete',
      'lifecycle',
      'object-lock',
      'replication',
      'logging',
      'data-events',
      'macie',
      'access-analyzer',
    ]);
    for (const control of CONTROLS) {
      expect(control.column.length, control.id).toBeLessThanOrEqual(8);
      expect(control.resources.length, control.id).toBeGreaterThan(0);
    }
    // 80 columns hold a bucket name of 16+ characters beside every column
    // (the account-wide controls are shown once above the table, not as columns).
    const account = new Set(ACCOUNT_CONTROLS.map((control) => control.id));
    const cells = CONTROLS.filter((control) => !account.has(control.id)).reduce(
      (sum, control) => sum + 1 + control.column.length,
      0,
    );
    expect(80 - cells).toBeGreaterThanOrEqual(16);
  });

  it('maps to the Security Hub IDs, and to the newest CIS version by default (v7.0.0)', () => {
    const ids = Object.fromEntries(CONTROLS.map((c) => [c.id, [c.fsbp ?? null, c.cis ?? null]]));
    expect(ids).toEqual({
      'bpa-account': ['S3.1', '3.1.4'],
      'bpa-bucket': ['S3.8', '3.1.4'],
      'acls-disabled': ['S3.12', null],
      encryption: [null, null],
      'sse-c-blocked': [null, null],
      'encryption-kms': ['S3.17', null],
      tls: ['S3.5', '3.1.1'],
      versioning: ['S3.14', null],
      'mfa-delete': ['S3.20', '3.1.2'],
      lifecycle: ['S3.13', null],
      'object-lock': ['S3.15', null],
      replication: [null, null],
      logging: ['S3.9', null],
      'data-events': ['S3.22/S3.23', '4.8/4.9'],
      macie: ['Macie.1', '3.1.3'],
      'access-analyzer': ['IAM.28', '2.18'],
    });
  });

  // The benchmarks' numbers as mapped in Prowler's compliance files
  // (prowler/compliance/aws/cis_{3.0,5.0,6.0,7.0}_aws.json) and, for v3.0.0
  // and v5.0.0, Security Hub's "Security Hub CSPM controls for Amazon S3"
  // page (https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html).
  it.each([
    ['3.0.0', ['2.1.4', '2.1.1', '2.1.2', '2.1.3', '3.8/3.9', '1.20']],
    ['5.0.0', ['2.1.4', '2.1.1', '2.1.2', '2.1.3', '3.8/3.9', '1.19']],
    ['6.0.0', ['3.1.4', '3.1.1', '3.1.2', '3.1.3', '4.8/4.9', '2.19']],
    ['7.0.0', ['3.1.4', '3.1.1', '3.1.2', '3.1.3', '4.8/4.9', '2.18']],
  ] as const)('numbers CIS v%s as the benchmark does', (version, numbers) => {
    const cis = (id: string) => controlsForCis(version).find((c) => c.id === id)?.cis;
    expect(
      ['bpa-bucket', 'tls', 'mfa-delete', 'macie', 'data-events', 'access-analyzer'].map(cis),
    ).toEqual(numbers);
    expect(cis('bpa-account')).toBe(numbers[0]);
  });

  it('reads --cis-version as 7, 7.0, v7.0.0; refuses versions it does not know', () => {
    expect(['7', '7.0', 'v7.0.0', '5'].map(parseCisVersion)).toEqual([
      '7.0.0',
      '7.0.0',
      '7.0.0',
      '5.0.0',
    ]);
    expect(['4.0', '1.4.0', 'seven', ''].map(parseCisVersion)).toEqual([null, null, null, null]);
  });

  it('auditReads is the union of the controls’ reads, each once', () => {
    expect(auditReads()).toEqual([
      'account.publicAccessBlock',
      'bucket.publicAccessBlock',
      'bucket.ownershipControls',
      'bucket.encryption',
      'bucket.policy',
      'bucket.versioning',
      'bucket.lifecycle',
      'bucket.objectLock',
      'bucket.replication',
      'bucket.replicationTargets',
      'bucket.logging',
      'account.trails',
      'trail.selectors',
      'bucket.exists',
      'account.macie',
      'account.macieJobs',
      'account.macieAdministrator',
      'bucket.macieJob',
      'account.analyzer',
      'bucket.findings',
    ]);
  });

  it('an empty posture makes every control unknown, saying what was not read', () => {
    const results = evaluateControls(audit({}));
    expect(results.map((r) => r.status)).toEqual(CONTROLS.map(() => 'unknown'));
    expect(results[0]?.detail).toBe('Block Public Access (account) was not read');
  });
});

describe.each([
  ['bpa-account', 'account.publicAccessBlock', 'account-level'],
  ['bpa-bucket', 'bucket.publicAccessBlock', 'bucket-level'],
] as const)('%s', (id, resource, level) => {
  it('passes with all four settings on', () => {
    expect(result(id, audit({ [resource]: ON }))).toEqual({
      status: 'pass',
      detail: 'all four settings on',
    });
  });
  it('fails with one off, naming it, and with none configured', () => {
    expect(result(id, audit({ [resource]: pab({ RestrictPublicBuckets: false }) }))).toEqual({
      status: 'fail',
      detail: 'off: RestrictPublicBuckets',
    });
    expect(result(id, audit({ [resource]: OFF })).detail).toBe(
      'off: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets',
    );
    expect(result(id, audit({ [resource]: null }))).toEqual({
      status: 'fail',
      detail: `no ${level} Block Public Access configuration`,
    });
  });
  it('is unknown when the read was denied, with the reason', () => {
    const reason = 'Access denied: s3:GetBucketPublicAccessBlock on bucket my-bucket.';
    expect(result(id, audit({}, { [resource]: reason }))).toEqual({
      status: 'unknown',
      detail: reason,
    });
  });
});

describe('acls-disabled', () => {
  it('passes with BucketOwnerEnforced only', () => {
    const read = (value: PostureValues['bucket.ownershipControls']) =>
      result('acls-disabled', audit({ 'bucket.ownershipControls': value }));
    expect(read({ ObjectOwnership: 'BucketOwnerEnforced' }).status).toBe('pass');
    expect(read({ ObjectOwnership: 'BucketOwnerPreferred' })).toEqual({
      status: 'fail',
      detail: 'BucketOwnerPreferred: ACLs still grant access',
    });
    expect(read(null)).toEqual({
      status: 'fail',
      detail: 'no Object Ownership setting: ACLs are enabled (ObjectWriter)',
    });
  });
  it('is unknown when denied', () => {
    expect(
      result('acls-disabled', audit({}, { 'bucket.ownershipControls': 'Access denied: x.' })),
    ).toEqual({ status: 'unknown', detail: 'Access denied: x.' });
  });
});

describe('encryption and encryption-kms', () => {
  const withRule = (rule: object): Partial<PostureValues> => ({
    'bucket.encryption': { Rules: [rule] } as PostureValues['bucket.encryption'],
  });

  it('SSE-S3 passes encryption, fails the KMS control', () => {
    const posture = audit(
      withRule({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }),
    );
    expect(result('encryption', posture)).toEqual({ status: 'pass', detail: 'SSE-S3' });
    expect(result('encryption-kms', posture)).toEqual({
      status: 'fail',
      detail: 'SSE-S3: not encrypted with a KMS key',
    });
  });

  it('SSE-KMS passes both and names the key and the bucket key', () => {
    const posture = audit(
      withRule({
        ApplyServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        },
        BucketKeyEnabled: true,
      }),
    );
    const detail = 'SSE-KMS, key 1234abcd-12ab-34cd-56ef-1234567890ab, bucket key on';
    expect(result('encryption', posture)).toEqual({ status: 'pass', detail });
    expect(result('encryption-kms', posture)).toEqual({ status: 'pass', detail });
  });

  it('names the AWS managed key, an alias, a key the plan creates; DSSE-KMS has no bucket key', () => {
    const detail = (byDefault: object, extra: object = {}) =>
      result(
        'encryption-kms',
        audit(withRule({ ApplyServerSideEncryptionByDefault: byDefault, ...extra })),
      ).detail;
    expect(detail({ SSEAlgorithm: 'aws:kms' })).toBe(
      'SSE-KMS, the AWS managed key aws/s3, bucket key off',
    );
    expect(
      detail({
        SSEAlgorithm: 'aws:kms',
        KMSMasterKeyID: `arn:aws:kms:us-east-1:${ACCOUNT_ID}:alias/data`,
      }),
    ).toBe('SSE-KMS, alias/data, bucket key off');
    expect(
      detail({
        SSEAlgorithm: 'aws:kms',
        KMSMasterKeyID: { fromOutput: { change: 'kms.key', path: 'KeyMetadata.Arn' } },
      }),
    ).toBe('SSE-KMS, the key this plan creates, bucket key off');
    expect(detail({ SSEAlgorithm: 'aws:kms:dsse', KMSMasterKeyID: 'alias/x' })).toBe(
      'DSSE-KMS, alias/x',
    );
  });

  it('no default encryption fails both; a rule without a default algorithm counts as none', () => {
    for (const posture of [
      audit({ 'bucket.encryption': null }),
      audit(withRule({ BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } })),
    ]) {
      expect(result('encryption', posture)).toEqual({
        status: 'fail',
        detail: 'no default encryption',
      });
      expect(result('encryption-kms', posture).status).toBe('fail');
    }
  });

  it('both are unknown when the read was denied', () => {
    const posture = audit(
      {},
      { 'bucket.encryption': 'Access denied: s3:GetEncryptionConfiguration.' },
    );
    expect(result('encryption', posture).status).toBe('unknown');
    expect(result('encryption-kms', posture).detail).toBe(
      'Access denied: s3:GetEncryptionConfiguration.',
    );
  });
});

describe('tls', () => {
  const tls = (statements: unknown[] | null) =>
    result(
      'tls',
      audit({
        'bucket.policy': statements ? { Version: '2012-10-17', Statement: statements } : null,
      }),
    );

  it('passes with a Deny of s3:* over plain HTTP on the bucket and its objects', () => {
    expect(tls([DENY_HTTP])).toEqual({
      status: 'pass',
      detail: 'Sid DenyHttp denies plain HTTP on the bucket and its objects',
    });
  });

  it('passes with s3-harden’s own statement, exempting the operator', () => {
    const statement = {
      ...DENY_HTTP,
      Sid: 'S3HardenDenyInsecureTransport',
      Action: ['s3:*'],
      Condition: {
        Bool: { 'aws:SecureTransport': 'false' },
        ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT_ID}:role/admin` },
      },
    };
    expect(tls([statement]).status).toBe('pass');
  });

  it('passes when two statements cover the bucket and the objects between them', () => {
    const onBucket = { ...DENY_HTTP, Sid: 'A', Resource: BUCKET_ARN };
    const onObjects = { ...DENY_HTTP, Sid: 'B', Resource: `${BUCKET_ARN}/*` };
    expect(tls([onBucket, onObjects]).detail).toBe(
      'Sid A, Sid B denies plain HTTP on the bucket and its objects',
    );
  });

  it('fails without a policy, without the bucket ARN, without the objects', () => {
    expect(tls(null)).toEqual({
      status: 'fail',
      detail: 'no bucket policy: plain HTTP is allowed',
    });
    expect(tls([{ ...DENY_HTTP, Resource: `${BUCKET_ARN}/*` }])).toEqual({
      status: 'fail',
      detail: `plain HTTP is denied on objects only, not on ${BUCKET_ARN} itself`,
    });
    expect(tls([{ ...DENY_HTTP, Resource: BUCKET_ARN }]).detail).toBe(
      `plain HTTP is denied on the bucket, not on ${BUCKET_ARN}/*`,
    );
  });

  it.each([
    ['an Allow', { ...DENY_HTTP, Effect: 'Allow' }],
    ['a Deny of some actions only', { ...DENY_HTTP, Action: ['s3:GetObject', 's3:PutObject'] }],
    [
      'a Deny for one principal only',
      { ...DENY_HTTP, Principal: { AWS: 'arn:aws:iam::111122223333:root' } },
    ],
    [
      'the TLS-version Deny',
      { ...DENY_HTTP, Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } } },
    ],
    [
      'a VPC-endpoint Deny (it denies HTTPS too)',
      { ...DENY_HTTP, Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } },
    ],
    [
      'a Deny that also needs an IP it cannot know',
      {
        ...DENY_HTTP,
        Condition: {
          Bool: { 'aws:SecureTransport': 'false' },
          NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' },
        },
      },
    ],
    [
      "another bucket's ARN",
      { ...DENY_HTTP, Resource: ['arn:aws:s3:::other', 'arn:aws:s3:::other/*'] },
    ],
  ])('does not count %s', (_label, statement) => {
    expect(tls([statement])).toEqual({
      status: 'fail',
      detail: 'no Deny of s3:* when aws:SecureTransport is false',
    });
  });

  it('uses the partition of the bucket’s region', () => {
    const policy = {
      Statement: [{ ...DENY_HTTP, Resource: ['arn:aws-cn:s3:::b', 'arn:aws-cn:s3:::b/*'] }],
    };
    expect(httpsOnly(policy, 'b', 'cn-north-1').holds).toBe(true);
    expect(httpsOnly(policy, 'b', 'us-east-1').holds).toBe(false);
  });

  it('is unknown when the policy cannot be read', () => {
    expect(
      result(
        'tls',
        audit({}, { 'bucket.policy': 'Access denied: s3:GetBucketPolicy on bucket my-bucket.' }),
      ),
    ).toEqual({
      status: 'unknown',
      detail: 'Access denied: s3:GetBucketPolicy on bucket my-bucket.',
    });
  });
});

describe('versioning and mfa-delete', () => {
  const read = (value: PostureValues['bucket.versioning']) => audit({ 'bucket.versioning': value });

  it('Enabled passes versioning; MFA delete passes only when enabled', () => {
    expect(result('versioning', read({ Status: 'Enabled' }))).toEqual({
      status: 'pass',
      detail: 'Enabled',
    });
    expect(result('mfa-delete', read({ Status: 'Enabled', MFADelete: 'Enabled' }))).toEqual({
      status: 'pass',
      detail: 'enabled',
    });
    expect(result('mfa-delete', read({ Status: 'Enabled', MFADelete: 'Disabled' }))).toEqual({
      status: 'fail',
      detail: 'disabled: only the root user can enable it, with its MFA device',
    });
  });

  it('Suspended and never enabled fail', () => {
    expect(result('versioning', read({ Status: 'Suspended' }))).toEqual({
      status: 'fail',
      detail: 'Suspended',
    });
    expect(result('versioning', read(null))).toEqual({ status: 'fail', detail: 'never enabled' });
    expect(result('mfa-delete', read(null))).toEqual({
      status: 'fail',
      detail: 'versioning was never enabled, and MFA delete needs it',
    });
  });

  it('both are unknown when denied', () => {
    const posture = audit({}, { 'bucket.versioning': 'Access denied: s3:GetBucketVersioning.' });
    expect(result('versioning', posture).status).toBe('unknown');
    expect(result('mfa-delete', posture).status).toBe('unknown');
  });
});

describe('object-lock', () => {
  it('passes when enabled, with the default retention', () => {
    expect(
      result('object-lock', audit({ 'bucket.objectLock': { ObjectLockEnabled: 'Enabled' } })),
    ).toEqual({ status: 'pass', detail: 'enabled, no default retention' });
    expect(
      result(
        'object-lock',
        audit({
          'bucket.objectLock': {
            ObjectLockEnabled: 'Enabled',
            Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 1 } },
          },
        }),
      ).detail,
    ).toBe('enabled, default retention COMPLIANCE 1 year');
  });
  it('fails when off; unknown when denied', () => {
    expect(result('object-lock', audit({ 'bucket.objectLock': null }))).toEqual({
      status: 'fail',
      detail: 'not enabled',
    });
    expect(result('object-lock', audit({}, { 'bucket.objectLock': 'denied' })).status).toBe(
      'unknown',
    );
  });
});

describe('logging', () => {
  it('passes with a target, fails without, unknown when denied', () => {
    expect(
      result(
        'logging',
        audit({ 'bucket.logging': { TargetBucket: 'logs', TargetPrefix: 'my-bucket/' } }),
      ),
    ).toEqual({ status: 'pass', detail: 'to s3://logs/my-bucket/' });
    expect(result('logging', audit({ 'bucket.logging': null }))).toEqual({
      status: 'fail',
      detail: 'server access logging is off',
    });
    expect(result('logging', audit({}, { 'bucket.logging': 'denied' }))).toEqual({
      status: 'unknown',
      detail: 'denied',
    });
  });
});

describe('macie', () => {
  it('passes when any job names the bucket, whoever made it; a scheduled one is named first', () => {
    const jobs = [
      job({ jobId: 'a', name: 'once', jobType: 'ONE_TIME', status: 'COMPLETE' }),
      job({ jobId: 'b', name: 'nightly' }),
    ];
    expect(result('macie', audit({ ...MACIE_ON, 'account.macieJobs': jobs }))).toEqual({
      status: 'pass',
      detail: 'scheduled job "nightly" (IDLE)',
    });
  });

  it('passes with the bucket’s own s3-harden job, read or planned', () => {
    const own = {
      name: 's3-harden my-bucket 2026-11-27',
      description: '',
      jobType: 'ONE_TIME',
      samplingPercentage: 100,
      managedDataIdentifierSelector: 'RECOMMENDED',
      clientToken: 's3-harden-x',
    } as const;
    expect(
      result('macie', audit({ ...MACIE_ON, 'account.macieJobs': [], 'bucket.macieJob': own })),
    ).toEqual({ status: 'pass', detail: 'one-time job "s3-harden my-bucket 2026-11-27"' });
  });

  it('fails when Macie is off or paused, or no job covers the bucket', () => {
    expect(result('macie', audit({ 'account.macie': null }))).toEqual({
      status: 'fail',
      detail: 'Macie is not enabled in this account and region',
    });
    expect(result('macie', audit({ 'account.macie': { status: 'PAUSED' } })).detail).toBe(
      'Macie is paused: no job runs',
    );
    const elsewhere = job({ bucketDefinitions: [{ accountId: ACCOUNT_ID, buckets: ['other'] }] });
    expect(result('macie', audit({ ...MACIE_ON, 'account.macieJobs': [elsewhere] }))).toEqual({
      status: 'fail',
      detail: 'no classification job covers this bucket',
    });
  });

  it('is unknown when Macie is not available, or a job picks buckets by tags', () => {
    const reason = 'Macie is not available at this endpoint (http://127.0.0.1:5000).';
    expect(result('macie', audit({}, { 'account.macie': reason }))).toEqual({
      status: 'unknown',
      detail: reason,
    });
    const byTag = job({
      name: 'tagged',
      bucketCriteria: {
        includes: [{ key: 'TAG', comparator: 'EQ', values: ['pii=yes'] }],
        excludes: [],
      },
    });
    expect(result('macie', audit({ ...MACIE_ON, 'account.macieJobs': [byTag] }))).toEqual({
      status: 'unknown',
      detail:
        'scheduled job "tagged" (IDLE) picks buckets by tags or permissions: cannot tell whether it covers this one',
    });
    expect(
      result(
        'macie',
        audit(MACIE_ON, { 'account.macieJobs': 'Access denied: macie2:ListClassificationJobs.' }),
      ).status,
    ).toBe('unknown');
  });

  it('in a member account, is unknown when no job of its own covers the bucket: the administrator’s are not listed', () => {
    const elsewhere = job({ bucketDefinitions: [{ accountId: ACCOUNT_ID, buckets: ['other'] }] });
    const member = {
      ...MACIE_ON,
      'account.macieJobs': [elsewhere],
      'account.macieAdministrator': { accountId: '210987654321', relationshipStatus: 'Enabled' },
    };
    expect(result('macie', audit(member))).toEqual({
      status: 'unknown',
      detail:
        "no job of this account covers it; Macie administrator 210987654321's jobs are not visible from here",
    });
    // Its own job still passes; a relationship no longer enabled, or an
    // administrator that could not be read, leaves the verdict as it was.
    const own = job({ bucketDefinitions: [{ accountId: ACCOUNT_ID, buckets: [BUCKET] }] });
    expect(result('macie', audit({ ...member, 'account.macieJobs': [own] })).status).toBe('pass');
    const removed = { accountId: '210987654321', relationshipStatus: 'Removed' };
    expect(
      result('macie', audit({ ...member, 'account.macieAdministrator': removed })).status,
    ).toBe('fail');
    expect(
      result(
        'macie',
        audit(
          { ...MACIE_ON, 'account.macieJobs': [elsewhere] },
          { 'account.macieAdministrator': 'Access denied: macie2:GetAdministratorAccount.' },
        ),
      ).status,
    ).toBe('fail');
  });
});

describe('jobCoverage (criteria jobs)', () => {
  const criteria = (
    includes: readonly JobBucketCriterion[],
    excludes: readonly JobBucketCriterion[] = [],
  ) => job({ bucketDefinitions: [], bucketCriteria: { includes, excludes } });

  it.each([
    ['every bucket (no condition)', criteria([]), 'covers'],
    [
      'the account',
      criteria([{ key: 'ACCOUNT_ID', comparator: 'EQ', values: [ACCOUNT_ID] }]),
      'covers',
    ],
    [
      'another account',
      criteria([{ key: 'ACCOUNT_ID', comparator: 'EQ', values: ['111122223333'] }]),
      'does not cover',
    ],
    [
      'a name prefix',
      criteria([{ key: 'S3_BUCKET_NAME', comparator: 'STARTS_WITH', values: ['my-'] }]),
      'covers',
    ],
    [
      'a name it contains',
      criteria([{ key: 'S3_BUCKET_NAME', comparator: 'CONTAINS', values: ['buck'] }]),
      'covers',
    ],
    [
      'another name',
      criteria([{ key: 'S3_BUCKET_NAME', comparator: 'NE', values: [BUCKET] }]),
      'does not cover',
    ],
    [
      'all buckets but this one',
      criteria([], [{ key: 'S3_BUCKET_NAME', comparator: 'EQ', values: [BUCKET] }]),
      'does not cover',
    ],
    [
      'all buckets but tagged ones',
      criteria([], [{ key: 'TAG', comparator: 'EQ', values: ['skip=yes'] }]),
      'may cover',
    ],
    [
      'public buckets only',
      criteria([{ key: 'S3_BUCKET_EFFECTIVE_PERMISSION', comparator: 'EQ', values: ['PUBLIC'] }]),
      'may cover',
    ],
    [
      'tags, but another account',
      criteria([
        { key: 'TAG', comparator: 'EQ', values: ['a=b'] },
        { key: 'ACCOUNT_ID', comparator: 'EQ', values: ['111122223333'] },
      ]),
      'does not cover',
    ],
  ])('%s → %s', (_label, summary, expected) => {
    expect(jobCoverage(summary, ACCOUNT_ID, BUCKET)).toBe(expected);
  });
});

describe('access-analyzer', () => {
  const findings = (items: AccessFinding[], truncated = false) => ({
    region: 'us-east-1',
    analyzerArn: ANALYZER_ARN,
    findings: items,
    truncated,
  });

  it('passes with an active analyzer and no active findings', () => {
    expect(
      result(
        'access-analyzer',
        audit({ 'account.analyzer': ANALYZER, 'bucket.findings': findings([]) }),
      ),
    ).toEqual({ status: 'pass', detail: 'analyzer corp: no active findings' });
  });

  it('fails with active findings, counting the public ones', () => {
    const posture = audit({
      'account.analyzer': ANALYZER,
      'bucket.findings': findings([
        finding({
          isPublic: true,
          principal: { AWS: '*' },
          actions: ['s3:GetObject', 's3:ListBucket'],
        }),
        finding({ id: 'f2' }),
      ]),
    });
    expect(result('access-analyzer', posture)).toEqual({
      status: 'fail',
      detail: '2 active findings (1 public), e.g. *: s3:GetObject, s3:ListBucket',
    });
    const many = audit({
      'account.analyzer': ANALYZER,
      'bucket.findings': findings([finding()], true),
    });
    expect(result('access-analyzer', many).detail).toBe(
      '1+ active finding, e.g. 111122223333: s3:GetObject',
    );
  });

  it('fails without an analyzer, or with a failed one', () => {
    expect(result('access-analyzer', audit({ 'account.analyzer': null }))).toEqual({
      status: 'fail',
      detail: 'no external-access analyzer in this region',
    });
    expect(
      result(
        'access-analyzer',
        audit({
          'account.analyzer': {
            ...ANALYZER,
            status: 'FAILED',
            statusReason: 'SERVICE_LINKED_ROLE_CREATION_FAILED',
          },
        }),
      ).detail,
    ).toBe('analyzer corp is FAILED (SERVICE_LINKED_ROLE_CREATION_FAILED)');
  });

  it('is unknown when not available, while being created, or when findings were not read', () => {
    const reason = 'IAM Access Analyzer is not available at this endpoint';
    expect(
      result(
        'access-analyzer',
        audit({}, { 'account.analyzer': reason, 'bucket.findings': reason }),
      ),
    ).toEqual({ status: 'unknown', detail: reason });
    expect(
      result('access-analyzer', audit({ 'account.analyzer': { ...ANALYZER, status: 'CREATING' } }))
        .detail,
    ).toBe('analyzer corp is being created: no findings yet');
    expect(
      result(
        'access-analyzer',
        audit(
          { 'account.analyzer': ANALYZER },
          { 'bucket.findings': 'Access denied: access-analyzer:ListFindings.' },
        ),
      ),
    ).toEqual({ status: 'unknown', detail: 'Access denied: access-analyzer:ListFindings.' });
    expect(
      result(
        'access-analyzer',
        audit({
          'account.analyzer': ANALYZER,
          'bucket.findings': { ...findings([]), analyzerArn: null },
        }),
      ).detail,
    ).toBe('the findings of analyzer corp were not read');
  });
});

describe('SSE-C blocked', () => {
  const sse = (blocked?: string[]) => ({
    'bucket.encryption': {
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const },
          ...(blocked ? { BlockedEncryptionTypes: { EncryptionType: blocked } } : {}),
        },
      ],
    },
  });
  it('passes only when the encryption rule blocks SSE-C', () => {
    expect(result('sse-c-blocked', audit(sse(['SSE-C'])))).toEqual({
      status: 'pass',
      detail: 'uploads with customer-provided keys are refused',
    });
    expect(result('sse-c-blocked', audit(sse())).status).toBe('fail');
    expect(result('sse-c-blocked', audit({ 'bucket.encryption': null })).status).toBe('fail');
    expect(
      result('sse-c-blocked', audit({}, { 'bucket.encryption': 'Access denied' })).status,
    ).toBe('unknown');
  });
});
