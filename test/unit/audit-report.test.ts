/**
 * The audit report: its JSON schema, the summary, buckets outside the run's
 * region, --fail-on, and the human view (a table that fits 80 columns, the
 * legend, details said once when every bucket shares them, NO_COLOR).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatAudit } from '../../src/commands/audit.js';
import {
  type AuditPosture,
  CONTROLS,
  evaluateAccountControls,
  evaluateControls,
} from '../../src/plan/audit/controls.js';
import { failOnReason, parseFailOn } from '../../src/plan/audit/fail-on.js';
import { iamPolicyForAudit } from '../../src/plan/audit/iam.js';
import { wrapText } from '../../src/plan/audit/lines.js';
import { lineText, renderAudit, truncate } from '../../src/plan/audit/render.js';
import { buildReport } from '../../src/plan/audit/report.js';
import {
  type AccountAudit,
  AUDIT_SCHEMA,
  AUDIT_VERSION,
  auditReportSchema,
  type BucketAudit,
} from '../../src/plan/audit/schema.js';
import type { PostureValues, ResourceKey } from '../../src/plan/model/types.js';
import { ACCOUNT_ID, OFF, ON, pab } from './support.js';

const NOT_HERE = 'Macie is not available at this endpoint';
const TRAILS_NOT_HERE = 'CloudTrail is not available at this endpoint';
const NO_TRAILS = { 'account.trails': TRAILS_NOT_HERE, 'trail.selectors': TRAILS_NOT_HERE };

/** Everything holds but MFA delete, Object Lock, logging; Macie and the analyzer unknown. */
function hardened(bucket: string): BucketAudit {
  const arn = `arn:aws:s3:::${bucket}`;
  const values: Partial<PostureValues> = {
    'account.publicAccessBlock': OFF,
    'bucket.publicAccessBlock': ON,
    'bucket.ownershipControls': { ObjectOwnership: 'BucketOwnerEnforced' },
    'bucket.encryption': {
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' },
          BucketKeyEnabled: true,
          BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
        },
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
    'bucket.lifecycle': { Rules: [{ ID: 'old-versions', Status: 'Enabled' }] },
    'bucket.objectLock': null,
    'bucket.replication': null,
    'bucket.logging': null,
  };
  const unreadable: Partial<Record<ResourceKey, string>> = {
    ...NO_TRAILS,
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
    'bucket.lifecycle': null,
    'bucket.objectLock': null,
    'bucket.replication': null,
    'bucket.logging': null,
  };
  const unreadable = {
    ...NO_TRAILS,
    // Each bucket is read in its own region: Macie's answer there is that region's.
    'account.macie': region === 'us-east-1' ? NOT_HERE : `Macie is not enabled in ${region}`,
    'account.macieJobs': region === 'us-east-1' ? NOT_HERE : `Macie is not enabled in ${region}`,
    'account.analyzer': 'IAM Access Analyzer is not available at this endpoint',
    'bucket.findings': 'IAM Access Analyzer is not available at this endpoint',
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
  errorKind: 'not-found',
};

const DENIED: BucketAudit = {
  bucket: 'shut',
  region: null,
  results: [],
  error: 'Access denied: s3:ListBucket on bucket shut.',
  errorKind: 'denied',
};

function report(buckets: BucketAudit[], account?: AccountAudit) {
  return buildReport({
    tool: 's3-harden 0.0.0',
    accountId: ACCOUNT_ID,
    region: 'us-east-1',
    buckets,
    ...(account ? { account } : {}),
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
    expect(built.summary).toMatchObject({ buckets: 3, errors: 1, pass: 10, fail: 16, unknown: 6 });
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
    expect(broken({ buckets: [{ ...GONE, errorKind: 'typo' }] })).toBe(false);
    expect(broken({ account: { results: [], extra: 1 } })).toBe(false);
  });
});

describe('--fail-on', () => {
  it('parses levels and control selectors (Security Hub ID, control ID, CIS number)', () => {
    expect(parseFailOn('never')).toEqual({ level: 'never' });
    expect(parseFailOn('fail')).toEqual({ level: 'fail' });
    expect(parseFailOn('UNKNOWN')).toEqual({ level: 'unknown' });
    expect(parseFailOn('S3.5, s3.8')).toEqual({ level: 'fail', controls: ['tls', 'bpa-bucket'] });
    expect(parseFailOn('3.1.4,tls')).toEqual({
      level: 'fail',
      controls: ['bpa-account', 'bpa-bucket', 'tls'],
    });
    // CIS numbers are the version's: v5.0.0's 2.1.4 is v7.0.0's 3.1.4.
    expect(parseFailOn('2.1.4', '5.0.0')).toEqual({
      level: 'fail',
      controls: ['bpa-account', 'bpa-bucket'],
    });
    expect(() => parseFailOn('2.1.4')).toThrow('"2.1.4" is not a level');
    expect(parseFailOn('unknown,S3.5')).toEqual({ level: 'unknown', controls: ['tls'] });
  });

  it.each([
    ['', 'give a level (never, fail, unknown) or control IDs'],
    [
      'S3.99',
      '"S3.99" is not a level (never, fail, unknown) nor a control (e.g. S3.5, tls, 3.1.1)',
    ],
    ['never,S3.5', '"never" cannot go with control IDs'],
    ['fail,unknown', '"fail" and "unknown" contradict'],
  ])('refuses %j', (value, message) => {
    expect(() => parseFailOn(value)).toThrow(message);
  });

  it('trips on what its level and controls name, and names them (a few, then "and N more")', () => {
    const one = { buckets: [hardened('a')] };
    expect(failOnReason(parseFailOn('never'), one, 'named')).toBeNull();
    expect(failOnReason(parseFailOn('fail'), one, 'named')).toBe(
      '4 failing results on a: BPA-A (S3.1), MFA (S3.20), LOCK (S3.15) and 1 more control',
    );
    expect(failOnReason(parseFailOn('unknown'), one, 'named')).toBe(
      '4 failing results on a: BPA-A (S3.1), MFA (S3.20), LOCK (S3.15) and 1 more control; ' +
        '3 unknown results on a: CT (S3.22/S3.23), MAC (Macie.1) and AA (IAM.28)',
    );
    // The hardened bucket's TLS and bucket BPA hold; Object Lock (S3.15) does not.
    expect(failOnReason(parseFailOn('S3.5,S3.8'), one, 'named')).toBeNull();
    expect(failOnReason(parseFailOn('S3.15'), one, 'named')).toBe(
      '1 failing result on a: LOCK (S3.15)',
    );
    expect(failOnReason(parseFailOn('unknown,macie'), one, 'named')).toBe(
      '1 unknown result on a: MAC (Macie.1)',
    );
  });

  it('groups a control many buckets fail, and says "all N buckets" for an account-wide one', () => {
    const fleet = { buckets: [hardened('a'), open('b'), open('c'), open('d'), open('e')] };
    expect(failOnReason(parseFailOn('3.1.4'), fleet, 'listed')).toBe(
      '9 failing results: BPA-A (S3.1) on all 5 buckets; BPA (S3.8) on b, c, d and 1 more bucket',
    );
    expect(failOnReason(parseFailOn('fail'), { buckets: [open('b'), open('c')] }, 'listed')).toBe(
      '24 failing results: BPA-A (S3.1) on b and c; BPA (S3.8) on b and c; ' +
        'ACL (S3.12) on b and c; and 9 more controls',
    );
  });

  it('a bucket named on the command line that cannot be audited trips every level but never', () => {
    for (const bucket of [GONE, DENIED]) {
      for (const level of ['fail', 'unknown', 'S3.5', 'unknown,S3.5']) {
        expect(failOnReason(parseFailOn(level), { buckets: [bucket] }, 'named'), level).toBe(
          `bucket ${bucket.bucket} could not be audited (${bucket.error})`,
        );
      }
      expect(failOnReason(parseFailOn('never'), { buckets: [bucket] }, 'named')).toBeNull();
    }
    expect(
      failOnReason(parseFailOn('S3.5'), { buckets: [hardened('a'), GONE, DENIED] }, 'named'),
    ).toBe('2 buckets could not be audited: gone and shut');
  });

  it('with --all or --match: a denied bucket is unknown; one deleted during the run trips nothing', () => {
    const buckets = [hardened('a'), GONE, DENIED];
    expect(failOnReason(parseFailOn('S3.5'), { buckets }, 'listed')).toBeNull();
    expect(failOnReason(parseFailOn('unknown,S3.5'), { buckets }, 'listed')).toBe(
      `bucket shut could not be audited (${DENIED.error})`,
    );
    expect(failOnReason(parseFailOn('unknown'), { buckets: [GONE] }, 'listed')).toBeNull();
    expect(failOnReason(parseFailOn('fail'), { buckets: [DENIED] }, 'listed')).toBeNull();
  });

  it('counts the account-level results a run without buckets reports', () => {
    const account = {
      results: evaluateAccountControls({
        values: { 'account.publicAccessBlock': null },
        unreadable: {},
        accountId: ACCOUNT_ID,
      }),
    };
    expect(failOnReason(parseFailOn('3.1.4'), { buckets: [], account }, 'listed')).toBe(
      '1 failing result on the account: BPA-A (S3.1)',
    );
    expect(failOnReason(parseFailOn('S3.5'), { buckets: [], account }, 'listed')).toBeNull();
  });
});

describe('the table', () => {
  it('fits 80 columns, cutting long bucket names in the middle with …, their ends kept', () => {
    const long = 'a-very-long-bucket-name-that-would-never-fit-beside-twelve-columns';
    const lines = text(renderAudit(report([hardened(long), open('short'), GONE])));
    // The table, and the detail lines too: they wrap.
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    const header = lines.find((line) => line.startsWith('BUCKET'));
    expect(header).toBe(
      'BUCKET             BPA ACL ENC SSEC KMS TLS VER MFA LIFE LOCK REPL LOG CT MAC AA',
    );
    expect(header).toHaveLength(80);
    expect(lines).toContain(
      'a-very-lo…-columns  ✓   ✓   ✓   ✓    ✓   ✓   ✓   ✗   ✓    ✗    ✓    ✗  ?   ?  ?',
    );
    expect(lines).toContain(
      'short               ✗   ✗   ✗   ✗    ✗   ✗   ✗   ✗   ✗    ✗    ✓    ✗  ?   ?  ?',
    );
    expect(lines).toContain('gone               ! not audited: Bucket gone does not exist.');
    // The account-wide control once, above the table, not a column of every row.
    expect(lines.slice(2, 6)).toEqual([
      'Account-wide, for every bucket below:',
      '  ✗ Block Public Access (account)  S3.1 · CIS 3.1.4',
      '      off: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy,',
      '        RestrictPublicBuckets',
    ]);
  });

  it('at 60 columns: each name whole on its own line, then what it fails and what is unknown', () => {
    const names = ['demo-open-20261205-1', 'demo-open-20261205-1-logs', 'demo-open-20261205-2'];
    const lines = text(
      renderAudit(
        report([
          open(names[0] as string),
          hardened(names[1] as string),
          open(names[2] as string),
          GONE,
        ]),
        60,
      ),
    );
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(60);
    for (const name of names) expect(lines).toContain(name);
    const at = lines.indexOf(names[1] as string);
    expect(lines.slice(at, at + 3)).toEqual([names[1], '  ✗ MFA LOCK LOG', '  ? CT MAC AA']);
    const first = lines.indexOf(names[0] as string);
    expect(lines[first + 1]).toBe('  ✗ BPA ACL ENC SSEC KMS TLS VER MFA LIFE LOCK LOG');
    expect(lines).toContain('  ! not audited: Bucket gone does not exist.');
    // The legend too: the IDs go under the title where the line would run past.
    const legend = lines.slice(lines.findIndex((line) => line.startsWith('Legend')));
    expect(legend).toContain('  CT    CloudTrail data events · S3.22/S3.23 · CIS 4.8/4.9');
    expect(legend).toContain('  BPA   Block Public Access (bucket) · S3.8 · CIS 3.1.4');
  });

  it('renders legend, shared details once, per-bucket details and the summary', () => {
    const lines = text(renderAudit(report([hardened('alpha'), open('beta', 'eu-west-1'), GONE])));
    expect(lines.slice(0, 12)).toEqual([
      'Account 123456789012 · region us-east-1',
      '',
      'Account-wide, for every bucket below:',
      '  ✗ Block Public Access (account)  S3.1 · CIS 3.1.4',
      '      off: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy,',
      '        RestrictPublicBuckets',
      '',
      'BUCKET BPA ACL ENC SSEC KMS TLS VER MFA LIFE LOCK REPL LOG CT MAC AA',
      'alpha   ✓   ✓   ✓   ✓    ✓   ✓   ✓   ✗   ✓    ✗    ✓    ✗  ?   ?  ?',
      'beta    ✗   ✗   ✗   ✗    ✗   ✗   ✗   ✗   ✗    ✗    ✓    ✗  ?   ?  ?',
      'gone   ! not audited: Bucket gone does not exist.',
      '',
    ]);
    expect(lines.slice(12)).toEqual([
      'Legend: ✓ pass  ✗ fail  ? unknown',
      '  BPA   Block Public Access (bucket)      S3.8 · CIS 3.1.4',
      '  ACL   ACLs disabled (Object Ownership)  S3.12',
      '  ENC   Default encryption',
      '  SSEC  SSE-C uploads blocked',
      '  KMS   Default encryption with KMS       S3.17',
      '  TLS   HTTPS only (bucket policy)        S3.5 · CIS 3.1.1',
      '  VER   Versioning                        S3.14',
      '  MFA   MFA delete                        S3.20 · CIS 3.1.2',
      '  LIFE  Lifecycle configuration           S3.13',
      '  LOCK  Object Lock                       S3.15',
      '  REPL  Replication health',
      '  LOG   Server access logging             S3.9',
      '  CT    CloudTrail data events            S3.22/S3.23 · CIS 4.8/4.9',
      '  MAC   Macie discovery job               Macie.1 · CIS 3.1.3',
      '  AA    IAM Access Analyzer findings      IAM.28 · CIS 2.18',
      'CIS IDs: Foundations Benchmark v7.0.0 (--cis-version 6.0.0, 5.0.0, 3.0.0)',
      '',
      'Every bucket',
      '  ✗ LOCK  not enabled',
      '  ✗ LOG   server access logging is off',
      `  ? CT    ${TRAILS_NOT_HERE}`,
      '  ? AA    IAM Access Analyzer is not available at this endpoint',
      'alpha (us-east-1)',
      '  ✗ MFA   disabled: only the root user can enable it, with its MFA device',
      `  ? MAC   ${NOT_HERE}`,
      'beta (eu-west-1)',
      '  ✗ BPA   no bucket-level Block Public Access configuration',
      '  ✗ ACL   no Object Ownership setting: ACLs are enabled (ObjectWriter)',
      '  ✗ ENC   no default encryption',
      '  ✗ SSEC  uploads with customer-provided keys (SSE-C) are accepted',
      '  ✗ KMS   no default encryption',
      '  ✗ TLS   no bucket policy: plain HTTP is allowed',
      '  ✗ VER   never enabled',
      '  ✗ MFA   versioning was never enabled, and MFA delete needs it',
      '  ✗ LIFE  no lifecycle configuration',
      '  ? MAC   Macie is not enabled in eu-west-1',
      'gone',
      '  ! not audited: Bucket gone does not exist.',
      '',
      '3 buckets: 16 failing results, 6 unknown, 10 passing; 1 bucket not audited.',
    ]);
  });

  it('folds what the buckets of one region share, and lists the one outside apart', () => {
    const lines = text(
      renderAudit(report([open('a'), open('b'), open('c'), open('d', 'eu-west-1')])),
    );
    const details = lines.slice(lines.indexOf('Every bucket'));
    expect(details.slice(details.indexOf('  ✗ LOG   server access logging is off'))).toEqual([
      '  ✗ LOG   server access logging is off',
      `  ? CT    ${TRAILS_NOT_HERE}`,
      '  ? AA    IAM Access Analyzer is not available at this endpoint',
      'Every bucket in us-east-1 (3 buckets)',
      `  ? MAC   ${NOT_HERE}`,
      'd (eu-west-1)',
      '  ? MAC   Macie is not enabled in eu-west-1',
      '',
      '4 buckets: 48 failing results, 12 unknown, 4 passing.',
    ]);
    // Said once, not once per bucket.
    expect(lines.filter((line) => line.includes(NOT_HERE))).toHaveLength(1);

    // Two buckets in each region: each region's shared reasons once, no bucket section.
    const two = text(
      renderAudit(report([open('a'), open('b'), open('c', 'eu-west-1'), open('d', 'eu-west-1')])),
    );
    expect(two.filter((line) => line.startsWith('Every bucket'))).toEqual([
      'Every bucket',
      'Every bucket in us-east-1 (2 buckets)',
      'Every bucket in eu-west-1 (2 buckets)',
    ]);
    expect(two.filter((line) => line.includes('Macie is not enabled in eu-west-1'))).toHaveLength(
      1,
    );
    expect(two).not.toContain('a (us-east-1)');
  });

  it('wraps detail lines to the width given, with a hanging indent', () => {
    const buckets = [hardened('alpha'), open('beta', 'eu-west-1')];
    const wide = text(renderAudit(report(buckets), 120));
    expect(wide).toContain(
      '      off: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets',
    );
    for (const line of wide) expect(line.length, line).toBeLessThanOrEqual(120);
    const narrow = text(renderAudit(report(buckets), 50));
    const details = narrow.slice(narrow.indexOf('Every bucket'));
    for (const line of details) expect(line.length, line).toBeLessThanOrEqual(50);
    expect(details.slice(3, 5)).toEqual([
      '  ? CT    CloudTrail is not available at this',
      '          endpoint',
    ]);
    expect(narrow.at(-2)).toBe('2 buckets: 16 failing results, 6 unknown, 10');
    expect(narrow.at(-1)).toBe('  passing.');
    expect(text(renderAudit(report([GONE]), 30)).slice(0, 3)).toEqual([
      'gone · account 123456789012',
      '  ! not audited: Bucket gone',
      '    does not exist.',
    ]);
  });

  it('wrapText breaks at spaces, cuts a word longer than a line, keeps an empty one', () => {
    // Never less than 10 characters a line, however narrow the terminal.
    expect(wrapText('one two three four', 3)).toEqual(['one two', 'three four']);
    expect(wrapText('one two three four five six seven eight', 20, 24)).toEqual([
      'one two three four',
      'five six seven eight',
    ]);
    const arn = `arn:aws:s3:::${'x'.repeat(40)}`;
    expect(wrapText(`on ${arn}`, 20)).toEqual([
      'on',
      arn.slice(0, 20),
      arn.slice(20, 40),
      arn.slice(40),
    ]);
    expect(wrapText('', 20)).toEqual(['']);
  });

  it('lists one bucket control by control instead', () => {
    const lines = text(renderAudit(report([hardened('alpha')])));
    expect(lines.slice(0, 6)).toEqual([
      'alpha (us-east-1) · account 123456789012',
      '  ✗ Block Public Access (account)     S3.1 · CIS 3.1.4',
      // Wrapped at 80 columns, the rest hanging under it.
      '      off: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy,',
      '        RestrictPublicBuckets',
      '  ✓ Block Public Access (bucket)      S3.8 · CIS 3.1.4',
      '      all four settings on',
    ]);
    expect(lines).toContain('  ✓ HTTPS only (bucket policy)        S3.5 · CIS 3.1.1');
    expect(lines).toContain('      Sid Tls denies plain HTTP on the bucket and its objects');
    expect(lines.at(-1)).toBe('1 bucket: 4 failing results, 3 unknown, 9 passing.');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('says so when there is no bucket, and still reports the account-level controls', () => {
    const account = {
      results: evaluateAccountControls({
        values: { 'account.publicAccessBlock': pab({ BlockPublicPolicy: false }) },
        unreadable: {},
        accountId: ACCOUNT_ID,
      }),
    };
    const empty = report([], account);
    expect(auditReportSchema.parse(empty)).toEqual(empty);
    expect(empty.account).toEqual({
      results: [{ id: 'bpa-account', status: 'fail', detail: 'off: BlockPublicPolicy' }],
    });
    expect(empty.summary).toMatchObject({ buckets: 0, fail: 1, unknown: 0, pass: 0 });
    expect(empty.summary.byControl['bpa-account']).toEqual({ pass: 0, fail: 1, unknown: 0 });
    expect(text(renderAudit(empty))).toEqual([
      'No buckets to audit.',
      '',
      'Account 123456789012 (account-level controls)',
      '  ✗ Block Public Access (account)  S3.1 · CIS 3.1.4',
      '      off: BlockPublicPolicy',
      '',
      '0 buckets: 1 failing result, 0 unknown, 0 passing.',
    ]);
    // Without the account's read (a report from before it was added): the line alone.
    expect(text(renderAudit(report([])))).toEqual([
      'No buckets to audit.',
      '',
      '0 buckets: 0 failing results, 0 unknown, 0 passing.',
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
