/**
 * The audit report: its JSON schema, the summary, buckets outside the run's
 * region, --fail-on, and the human view (a table that fits 80 columns, the
 * legend, details said once when every bucket shares them, NO_COLOR).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatAudit } from '../../src/commands/audit.js';
import { type AuditPosture, CONTROLS, evaluateControls } from '../../src/plan/audit/controls.js';
import { failOnReason, parseFailOn } from '../../src/plan/audit/fail-on.js';
import { iamPolicyForAudit } from '../../src/plan/audit/iam.js';
import { lineText, renderAudit, truncate } from '../../src/plan/audit/render.js';
import { buildReport, outOfRegion } from '../../src/plan/audit/report.js';
import {
  AUDIT_SCHEMA,
  AUDIT_VERSION,
  auditReportSchema,
  type BucketAudit,
} from '../../src/plan/audit/schema.js';
import type { PostureValues, ResourceKey } from '../../src/plan/types.js';
import { ACCOUNT_ID, OFF, ON } from './support.js';

const NOT_HERE = 'Macie is not available at this endpoint';

/** Everything holds but MFA delete, Object Lock, logging; Macie and the analyzer unknown. */
function hardened(bucket: string): BucketAudit {
  const arn = `arn:aws:s3:::${bucket}`;
  const values: Partial<PostureValues> = {
    'account.publicAccessBlock': OFF,
    'bucket.publicAccessBlock': ON,
    'bucket.ownershipControls': { ObjectOwnership: 'BucketOwnerEnforced' },
    'bucket.encryption': {
      Rules: [
        { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true },
      ],
    },
    'bucket.policy': {
      Statement: [
        {
          Sid: 'Tls',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [arn, `${arn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    },
    'bucket.versioning': { Status: 'Enabled' },
    'bucket.objectLock': null,
    'bucket.logging': null,
  };
  const unreadable: Partial<Record<ResourceKey, string>> = {
    'account.macie': NOT_HERE,
    'account.macieJobs': NOT_HERE,
    'account.analyzer': 'IAM Access Analyzer is not available at this endpoint',
    'bucket.findings': 'IAM Access Analyzer is not available at this endpoint',
  };
  const posture: AuditPosture = { values, unreadable, bucket, accountId: ACCOUNT_ID };
  return { bucket, region: 'us-east-1', results: evaluateControls(posture) };
}

/** Nothing configured. */
function open(bucket: string, region = 'us-east-1'): BucketAudit {
  const values: Partial<PostureValues> = {
    'account.publicAccessBlock': OFF,
    'bucket.publicAccessBlock': null,
    'bucket.ownershipControls': null,
    'bucket.encryption': null,
    'bucket.policy': null,
    'bucket.versioning': null,
    'bucket.objectLock': null,
    'bucket.logging': null,
  };
  const unreadable = {
    'account.macie': NOT_HERE,
    'account.macieJobs': NOT_HERE,
    'account.analyzer': 'IAM Access Analyzer is not available at this endpoint',
    'bucket.findings': 'IAM Access Analyzer is not available at this endpoint',
    ...outOfRegion(region, 'us-east-1'),
  };
  return {
    bucket,
    region,
    results: evaluateControls({ values, unreadable, bucket, accountId: ACCOUNT_ID, region }),
  };
}

const GONE: BucketAudit = {
  bucket: 'gone',
  region: null,
  results: [],
  error: 'Bucket gone does not exist.',
};

function report(buckets: BucketAudit[]) {
  return buildReport({
    tool: 's3-harden 0.0.0',
    accountId: ACCOUNT_ID,
    region: 'us-east-1',
    buckets,
    calls: { 's3:HeadBucket': buckets.length, 'sts:GetCallerIdentity': 1 },
    durationMs: 12.4,
    generatedAt: new Date('2026-11-27T10:00:00Z'),
  });
}

const text = (lines: ReturnType<typeof renderAudit>) => lines.map(lineText);

describe('the JSON report', () => {
  it('validates against the versioned schema, with the catalogue, summary and stats', () => {
    const built = report([hardened('a'), open('b'), GONE]);
    expect(auditReportSchema.parse(built)).toEqual(built);
    expect(built).toMatchObject({
      schema: AUDIT_SCHEMA,
      version: AUDIT_VERSION,
      generatedAt: '2026-11-27T10:00:00.000Z',
      accountId: ACCOUNT_ID,
      region: 'us-east-1',
      stats: {
        apiCalls: 4,
        apiCallsPerBucket: 1.33,
        durationMs: 12,
        calls: { 's3:HeadBucket': 3, 'sts:GetCallerIdentity': 1 },
      },
    });
    expect(built.controls.map((control) => control.id)).toEqual(CONTROLS.map((c) => c.id));
    expect(built.summary).toMatchObject({ buckets: 3, errors: 1, pass: 6, fail: 14, unknown: 4 });
    expect(built.summary.byControl.tls).toEqual({ pass: 1, fail: 1, unknown: 0 });
    expect(built.summary.byControl.macie).toEqual({ pass: 0, fail: 0, unknown: 2 });
    // Nothing lost on the way through JSON.
    expect(auditReportSchema.parse(JSON.parse(JSON.stringify(built)))).toEqual(built);
  });

  it('refuses what is not a version-1 report', () => {
    const built = report([hardened('a')]);
    const broken = (patch: object) => auditReportSchema.safeParse({ ...built, ...patch }).success;
    expect(broken({ version: 2 })).toBe(false);
    expect(broken({ schema: 'other' })).toBe(false);
    expect(broken({ extra: true })).toBe(false);
    expect(
      broken({
        buckets: [{ ...built.buckets[0], results: [{ id: 'tls', status: 'maybe', detail: '' }] }],
      }),
    ).toBe(false);
    expect(broken({ buckets: [{ bucket: 'x', region: null, results: [], error: '' }] })).toBe(
      false,
    );
  });
});

describe('outOfRegion', () => {
  it('names the regional reads of a bucket in another region, and nothing at home', () => {
    expect(outOfRegion('us-east-1', 'us-east-1')).toEqual({});
    const reasons = outOfRegion('eu-west-1', 'us-east-1');
    expect(Object.keys(reasons).sort()).toEqual([
      'account.analyzer',
      'account.macie',
      'account.macieJobs',
      'bucket.findings',
      'bucket.macieJob',
    ]);
    expect(reasons['account.macie']).toBe(
      'Macie is regional: the bucket is in eu-west-1, this run in us-east-1 (audit it with --region eu-west-1)',
    );
    expect(reasons['bucket.findings']).toMatch(/^IAM Access Analyzer is regional/);
  });
});

describe('--fail-on', () => {
  it('parses levels and control selectors (Security Hub ID, control ID, CIS number)', () => {
    expect(parseFailOn('never')).toEqual({ level: 'never' });
    expect(parseFailOn('fail')).toEqual({ level: 'fail' });
    expect(parseFailOn('UNKNOWN')).toEqual({ level: 'unknown' });
    expect(parseFailOn('S3.5, s3.8')).toEqual({ level: 'fail', controls: ['tls', 'bpa-bucket'] });
    expect(parseFailOn('2.1.4,tls')).toEqual({
      level: 'fail',
      controls: ['bpa-account', 'bpa-bucket', 'tls'],
    });
    expect(parseFailOn('unknown,S3.5')).toEqual({ level: 'unknown', controls: ['tls'] });
  });

  it.each([
    ['', 'give a level (never, fail, unknown) or control IDs'],
    [
      'S3.99',
      '"S3.99" is not a level (never, fail, unknown) nor a control (e.g. S3.5, tls, 2.1.4)',
    ],
    ['never,S3.5', '"never" cannot go with control IDs'],
    ['fail,unknown', '"fail" and "unknown" contradict'],
  ])('refuses %j', (value, message) => {
    expect(() => parseFailOn(value)).toThrow(message);
  });

  it('trips on what its level and controls name', () => {
    const buckets = [hardened('a'), GONE];
    expect(failOnReason(parseFailOn('never'), buckets)).toBeNull();
    expect(failOnReason(parseFailOn('fail'), buckets)).toBe('4 control results failing');
    expect(failOnReason(parseFailOn('unknown'), buckets)).toBe(
      '4 control results failing, 2 unknown, 1 bucket not audited',
    );
    // The hardened bucket's TLS and bucket BPA hold; Object Lock (S3.15) does not.
    expect(failOnReason(parseFailOn('S3.5,S3.8'), [hardened('a')])).toBeNull();
    expect(failOnReason(parseFailOn('S3.15'), [hardened('a')])).toBe('1 control result failing');
    expect(failOnReason(parseFailOn('unknown,macie'), [hardened('a')])).toBe('1 unknown');
  });
});

describe('the table', () => {
  it('fits 80 columns, cutting long bucket names with …', () => {
    const long = 'a-very-long-bucket-name-that-would-never-fit-beside-twelve-columns';
    const lines = text(renderAudit(report([hardened(long), open('short'), GONE])));
    for (const line of lines.slice(0, lines.indexOf('Every bucket'))) {
      expect(line.length, line).toBeLessThanOrEqual(80);
    }
    const header = lines.find((line) => line.startsWith('BUCKET'));
    expect(header).toBe(
      'BUCKET                     BPA-A BPA-B ACL ENC KMS TLS VER MFA LOCK LOG MACIE AA',
    );
    expect(header).toHaveLength(80);
    expect(lines).toContain(
      'a-very-long-bucket-name-t…   ✗     ✓    ✓   ✓   ✓   ✓   ✓   ✗   ✗    ✗    ?   ?',
    );
    expect(lines).toContain(
      'short                        ✗     ✗    ✗   ✗   ✗   ✗   ✗   ✗   ✗    ✗    ?   ?',
    );
    expect(lines).toContain(
      'gone                       ! not audited: Bucket gone does not exist.',
    );
  });

  it('renders legend, shared details once, per-bucket details and the summary', () => {
    const lines = text(renderAudit(report([hardened('alpha'), open('beta', 'eu-west-1'), GONE])));
    expect(lines.slice(0, 7)).toEqual([
      'Account 123456789012 · region us-east-1',
      '',
      'BUCKET BPA-A BPA-B ACL ENC KMS TLS VER MFA LOCK LOG MACIE AA',
      'alpha    ✗     ✓    ✓   ✓   ✓   ✓   ✓   ✗   ✗    ✗    ?   ?',
      'beta     ✗     ✗    ✗   ✗   ✗   ✗   ✗   ✗   ✗    ✗    ?   ?',
      'gone   ! not audited: Bucket gone does not exist.',
      '',
    ]);
    expect(lines.slice(7)).toEqual([
      'Legend: ✓ pass  ✗ fail  ? unknown',
      '  BPA-A  Block Public Access (account)     S3.1 · CIS 2.1.4',
      '  BPA-B  Block Public Access (bucket)      S3.8 · CIS 2.1.4',
      '  ACL    ACLs disabled (Object Ownership)  S3.12',
      '  ENC    Default encryption                CIS v1.4.0 2.1.1',
      '  KMS    Default encryption with KMS       S3.17',
      '  TLS    HTTPS only (bucket policy)        S3.5 · CIS 2.1.1',
      '  VER    Versioning                        S3.14',
      '  MFA    MFA delete                        S3.20 · CIS 2.1.2',
      '  LOCK   Object Lock                       S3.15',
      '  LOG    Server access logging             S3.9',
      '  MACIE  Macie discovery job               Macie.1 · CIS 2.1.3',
      '  AA     IAM Access Analyzer findings      IAM.28 · CIS 1.20',
      '',
      'Every bucket',
      '  ✗ BPA-A  off: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets',
      '  ✗ LOCK   not enabled',
      '  ✗ LOG    server access logging is off',
      'alpha (us-east-1)',
      '  ✗ MFA    disabled: only the root user can enable it, with its MFA device',
      `  ? MACIE  ${NOT_HERE}`,
      '  ? AA     IAM Access Analyzer is not available at this endpoint',
      'beta (eu-west-1)',
      '  ✗ BPA-B  no bucket-level Block Public Access configuration',
      '  ✗ ACL    no Object Ownership setting: ACLs are enabled (ObjectWriter)',
      '  ✗ ENC    no default encryption',
      '  ✗ KMS    no default encryption',
      '  ✗ TLS    no bucket policy: plain HTTP is allowed',
      '  ✗ VER    never enabled',
      '  ✗ MFA    versioning was never enabled, and MFA delete needs it',
      '  ? MACIE  Macie is regional: the bucket is in eu-west-1, this run in us-east-1 (audit it with --region eu-west-1)',
      '  ? AA     IAM Access Analyzer is regional: the bucket is in eu-west-1, this run in us-east-1 (audit it with --region eu-west-1)',
      'gone',
      '  ! not audited: Bucket gone does not exist.',
      '',
      '3 buckets: 14 controls failing, 4 unknown, 6 passing; 1 bucket not audited.',
    ]);
  });

  it('lists one bucket control by control instead', () => {
    const lines = text(renderAudit(report([hardened('alpha')])));
    expect(lines.slice(0, 5)).toEqual([
      'alpha (us-east-1) · account 123456789012',
      '  ✗ Block Public Access (account)     S3.1 · CIS 2.1.4',
      '      off: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets',
      '  ✓ Block Public Access (bucket)      S3.8 · CIS 2.1.4',
      '      all four settings on',
    ]);
    expect(lines).toContain('  ✓ HTTPS only (bucket policy)        S3.5 · CIS 2.1.1');
    expect(lines).toContain('      Sid Tls denies plain HTTP on the bucket and its objects');
    expect(lines.at(-1)).toBe('1 bucket: 4 controls failing, 2 unknown, 6 passing.');
    for (const line of lines.filter((l) => !l.startsWith('      '))) {
      expect(line.length, line).toBeLessThanOrEqual(80);
    }
  });

  it('says so when there is no bucket', () => {
    expect(text(renderAudit(report([])))).toEqual([
      'No buckets to audit.',
      '0 buckets: 0 controls failing, 0 unknown, 0 passing.',
    ]);
  });

  it('colours only the symbols and headings, and nothing with colour off (NO_COLOR)', () => {
    const lines = renderAudit(report([hardened('alpha'), open('beta')]));
    const plain = formatAudit(lines, false);
    expect(plain).not.toContain('\u001b[');
    expect(plain).toBe(text(lines).join('\n'));
    const coloured = formatAudit(lines, true);
    expect(coloured).toContain('\u001b[32m✓\u001b[0m');
    expect(coloured).toContain('\u001b[31m✗\u001b[0m');
    expect(coloured).toContain('\u001b[33m?\u001b[0m');
    // Stripped of colour, the same text.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes
    expect(coloured.replace(/\u001b\[[\d;]*m/g, '')).toBe(plain);
  });

  it('truncate keeps short names and marks the cut', () => {
    expect(truncate('abc', 5)).toBe('abc');
    expect(truncate('abcdef', 5)).toBe('abcd…');
    expect(truncate('abcdef', 0)).toBe('');
  });
});

describe('the README', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

  it('carries the audit’s IAM policy as generated', () => {
    const block =
      /<!-- iam-policy-audit -->\n```json\n([\s\S]*?)```\n<!-- \/iam-policy-audit -->/.exec(readme);
    expect(block, 'README.md has no audit policy block').not.toBeNull();
    const { policy, notes } = iamPolicyForAudit({ accountId: ACCOUNT_ID, region: 'us-east-1' });
    expect(notes).toEqual([]);
    expect(JSON.parse(block?.[1] ?? '')).toEqual(policy);
  });

  it('documents every column with its IDs', () => {
    for (const control of CONTROLS) {
      const row = readme.split('\n').find((line) => line.startsWith(`| ${control.column} |`));
      expect(row, control.column).toBeDefined();
      if (control.fsbp) expect(row).toContain(`| ${control.fsbp} |`);
      if (control.cis) expect(row).toContain(`| ${control.cis} |`);
    }
  });
});
