/**
 * `s3-harden audit` against the emulator: the built CLI over buckets in
 * mixed states (--all, --bucket, --json, --fail-on, errors), the calls it
 * makes counted per bucket, and, in process, Macie and IAM Access Analyzer
 * at the SDK boundary (the emulator has neither) and an audit followed by a
 * plan from the same memoised view, which sends no read twice.
 */

import {
  AccessAnalyzerClient,
  GetFindingV2Command,
  ListAnalyzersCommand,
  ListFindingsV2Command,
} from '@aws-sdk/client-accessanalyzer';
import {
  GetMacieSessionCommand,
  ListClassificationJobsCommand,
  Macie2Client,
} from '@aws-sdk/client-macie2';
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { auditReport } from '../../src/commands/audit.js';
import { auditBucket } from '../../src/commands/audit-buckets.js';
import { auditReads, CONTROLS } from '../../src/plan/audit/controls.js';
import { type AuditReport, auditReportSchema } from '../../src/plan/audit/schema.js';
import {
  buildPlan,
  defaultAnswers,
  optionalReadsFor,
  readsFor,
  relatedBucketFor,
  stepsForPreset,
} from '../../src/steps/index.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { ACCOUNT, createBucket, rawClients } from '../helpers/fixtures.js';

const ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/**
 * The S3 reads made once per listed bucket: ListBuckets says its region
 * (BucketRegion), so no HeadBucket finds it first.
 */
const PER_BUCKET = [
  's3:GetPublicAccessBlock',
  's3:GetBucketOwnershipControls',
  's3:GetBucketEncryption',
  's3:GetBucketPolicy',
  's3:GetBucketVersioning',
  's3:GetObjectLockConfiguration',
  's3:GetBucketLogging',
  's3:GetBucketLifecycleConfiguration',
  's3:GetBucketReplication',
  // For the exceptions its tags may hold (s3-harden:exception:<CONTROL>).
  's3:GetBucketTagging',
];

function tlsPolicy(bucket: string): string {
  const arn = `arn:aws:s3:::${bucket}`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'HttpsOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });
}

/** Block Public Access, ACLs off, SSE-KMS, HTTPS only, versioning, logging into `logs`. */
async function hardenedBucket(bucket: string, logs: string): Promise<void> {
  await createBucket(bucket, { publicAccessBlock: ON });
  const { s3 } = rawClients();
  await s3.send(
    new PutBucketOwnershipControlsCommand({
      Bucket: bucket,
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    }),
  );
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: 'alias/data',
            },
            BucketKeyEnabled: true,
            BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
          },
        ],
      },
    }),
  );
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: tlsPolicy(bucket) }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: 'old-versions',
            Status: 'Enabled',
            Filter: {},
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          },
        ],
      },
    }),
  );
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: logs,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Logs',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${logs}/*`,
          },
        ],
      }),
    }),
  );
  await s3.send(
    new PutBucketLoggingCommand({
      Bucket: bucket,
      BucketLoggingStatus: { LoggingEnabled: { TargetBucket: logs, TargetPrefix: `${bucket}/` } },
    }),
  );
  s3.destroy();
}

/** Object Lock from creation, GOVERNANCE 30 days by default. */
async function lockedBucket(bucket: string): Promise<void> {
  const { s3 } = rawClients();
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  await s3.send(
    new PutObjectLockConfigurationCommand({
      Bucket: bucket,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } },
      },
    }),
  );
  s3.destroy();
}

async function euBucket(bucket: string): Promise<void> {
  const { s3 } = rawClients();
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    }),
  );
  s3.destroy();
}

const endpoint = () => ['--endpoint-url', emulatorUrl()];

/** An SDK-shaped AccessDeniedException (how Macie also says it is not enabled). */
function accessDenied(message: string): Error {
  return Object.assign(new Error(message), {
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
  });
}

function parse(stdout: string): AuditReport {
  return auditReportSchema.parse(JSON.parse(stdout));
}

/** A bucket's results as "id:status" strings. */
function statuses(report: AuditReport, bucket: string): string[] {
  const row = report.buckets.find((b) => b.bucket === bucket);
  return (row?.results ?? []).map((result) => `${result.id}:${result.status}`);
}

describe('audit (the built CLI) against the emulator', () => {
  const open = uniqueBucket('audit-open');
  const hardened = uniqueBucket('audit-hard');
  const locked = uniqueBucket('audit-lock');
  const eu = uniqueBucket('audit-eu');

  beforeAll(async () => {
    await createBucket(open);
    await hardenedBucket(hardened, open);
    await lockedBucket(locked);
    await euBucket(eu);
  });

  it('--all --json: every bucket judged, each per-bucket read sent once per bucket, account-wide reads once', async () => {
    const { code, stdout, stderr } = await runCli(['audit', '--all', '--json', ...endpoint()]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = parse(stdout);
    const names = report.buckets.map((b) => b.bucket);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining([open, hardened, locked, eu]));

    expect(statuses(report, hardened)).toEqual([
      'bpa-account:fail',
      'bpa-bucket:pass',
      'acls-disabled:pass',
      'encryption:pass',
      'sse-c-blocked:pass',
      'encryption-kms:pass',
      'tls:pass',
      'versioning:pass',
      'mfa-delete:fail',
      'lifecycle:pass',
      'object-lock:fail',
      'replication:pass',
      'logging:pass',
      'data-events:fail',
      'macie:unknown',
      'access-analyzer:unknown',
    ]);
    const detail = (bucket: string, id: string) =>
      report.buckets.find((b) => b.bucket === bucket)?.results.find((r) => r.id === id)?.detail;
    expect(detail(hardened, 'encryption')).toBe('SSE-KMS, alias/data, bucket key on');
    expect(detail(hardened, 'tls')).toBe(
      'Sid HttpsOnly denies plain HTTP on the bucket and its objects',
    );
    expect(detail(hardened, 'logging')).toBe(`to s3://${open}/${hardened}/`);
    expect(detail(hardened, 'macie')).toMatch(/^Macie is not available at this endpoint/);
    expect(detail(hardened, 'access-analyzer')).toBe(
      'IAM Access Analyzer is not available at this endpoint',
    );
    // An open bucket passes nothing but replication health (it does not replicate).
    expect(statuses(report, open).filter((s) => s.endsWith(':pass'))).toEqual(['replication:pass']);
    expect(detail(locked, 'object-lock')).toBe('enabled, default retention GOVERNANCE 30 days');
    expect(report.buckets.find((b) => b.bucket === eu)?.region).toBe('eu-west-1');
    // Read in its own region: Macie's answer is eu-west-1's, not "regional, audit elsewhere".
    expect(detail(eu, 'macie')).toMatch(/^Macie is not available at this endpoint/);

    // Minimal calls: the per-bucket reads once per bucket, the regional ones (Macie,
    // Access Analyzer, CloudTrail) once per region of the buckets (us-east-1 and
    // eu-west-1), the account-wide ones once per run (Macie's two listings are
    // different requests: all jobs, and s3-harden's own), nothing else.
    const n = report.buckets.length;
    expect(report.stats.calls).toEqual({
      ...Object.fromEntries(PER_BUCKET.map((operation) => [operation, n])),
      'accessanalyzer:ListAnalyzers': 2,
      // Each region's trails (none here, so no status or selectors to read).
      'cloudtrail:DescribeTrails': 2,
      'macie2:GetMacieSession': 2,
      // Whether a Macie administrator's jobs, unlisted here, may cover the buckets.
      'macie2:GetAdministratorAccount': 2,
      'macie2:ListClassificationJobs': 4,
      's3:ListBuckets': 1,
      's3control:GetPublicAccessBlock': 1,
      'sts:GetCallerIdentity': 1,
    });
    expect(report.stats.apiCalls).toBe(PER_BUCKET.length * n + 15);
    expect(report.stats.apiCallsPerBucket).toBe(
      Math.round(((PER_BUCKET.length * n + 15) / n) * 100) / 100,
    );
    expect(report.summary.buckets).toBe(n);
    expect(report.summary.errors).toBe(0);
  });

  it('--all on a terminal-less run: a table that fits 80 columns, no colour, legend and summary', async () => {
    const { code, stdout } = await runCli(['audit', '--all', ...endpoint()]);
    expect(code).toBe(0);
    expect(stdout).not.toContain('\u001b[');
    const lines = stdout.trimEnd().split('\n');
    const header = lines.find((line) => line.startsWith('BUCKET'));
    expect(header).toMatch(/BPA ACL ENC SSEC KMS TLS VER MFA LIFE LOCK REPL LOG CT MAC AA$/);
    const start = lines.indexOf(header as string);
    const table = lines.slice(start, lines.indexOf('', start));
    // The header and one row per bucket, each at most 80 columns.
    expect(table.length).toBeGreaterThan(4);
    for (const line of table) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(lines).toContain('  TLS   HTTPS only (bucket policy)        S3.5 · CIS 3.1.1');
    expect(lines.at(-1)).toMatch(/^\d+ buckets: \d+ failing results, \d+ unknown, \d+ passing\.$/);
    // Detail lines wrap at 80 columns too (a pipe has no width: 80).
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    // Macie's reason is said once: the bucket in eu-west-1 was read there, and
    // has the same answer, not a "regional, audit it elsewhere" of its own.
    expect(lines.filter((line) => line.includes('Macie is not available'))).toHaveLength(1);
    expect(stdout).not.toContain('Macie is regional');
  });

  it('--bucket: one bucket as a list, control by control', async () => {
    const { code, stdout } = await runCli(['audit', '--bucket', hardened, ...endpoint()]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${hardened} (us-east-1) · account ${ACCOUNT}`);
    expect(lines).toContain('  ✓ Block Public Access (bucket)      S3.8 · CIS 3.1.4');
    expect(lines).toContain('  ✗ Object Lock                       S3.15');
    expect(lines).toContain('      not enabled');
    expect(lines.at(-1)).toBe('1 bucket: 4 failing results, 2 unknown, 10 passing.');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('--bucket repeated and comma-separated keeps the order; a vanished bucket is its row, the audit goes on', async () => {
    const gone = uniqueBucket('audit-gone');
    const { code, stdout } = await runCli([
      'audit',
      '--bucket',
      `${locked},${gone}`,
      '--bucket',
      open,
      '--json',
      ...endpoint(),
    ]);
    expect(code).toBe(0);
    const report = parse(stdout);
    expect(report.buckets.map((b) => b.bucket)).toEqual([locked, gone, open]);
    expect(report.buckets[1]).toEqual({
      bucket: gone,
      region: null,
      results: [],
      error: `Bucket ${gone} does not exist.`,
      errorKind: 'not-found',
    });
    expect(report.summary).toMatchObject({ buckets: 3, errors: 1 });
    // Nothing is read of a bucket that is not there.
    expect(report.stats.calls['s3:HeadBucket']).toBe(3);
    expect(report.stats.calls['s3:GetBucketPolicy']).toBe(2);
  });

  it('--fail-on: exit 2 when what it names is found, 0 when not, with one line on stderr', async () => {
    const failing = await runCli([
      'audit',
      '--bucket',
      hardened,
      '--fail-on',
      'fail',
      ...endpoint(),
    ]);
    expect(failing.code).toBe(2);
    expect(failing.stderr).toBe(
      `s3-harden: audit --fail-on: 4 failing results on ${hardened}: BPA-A (S3.1), MFA (S3.20), LOCK (S3.15) and 1 more control\n`,
    );
    expect(failing.stdout).toContain('1 bucket: 4 failing results');

    // Which controls and buckets tripped it: grouped, a few named.
    const cis = await runCli([
      'audit',
      '--bucket',
      `${hardened},${open},${locked}`,
      '--fail-on',
      '3.1.4',
      ...endpoint(),
    ]);
    expect(cis.code).toBe(2);
    expect(cis.stderr).toBe(
      `s3-harden: audit --fail-on: 5 failing results: BPA-A (S3.1) on ${hardened}, ${open} and ${locked}; BPA (S3.8) on ${open} and ${locked}\n`,
    );

    const only = await runCli([
      'audit',
      '--bucket',
      hardened,
      '--fail-on',
      'S3.5,S3.8,S3.17',
      ...endpoint(),
    ]);
    expect(only.code).toBe(0);
    expect(only.stderr).toBe('');

    const unknown = await runCli([
      'audit',
      '--bucket',
      hardened,
      '--fail-on',
      'unknown,S3.5,macie',
      '--json',
      ...endpoint(),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      `s3-harden: audit --fail-on: 1 unknown result on ${hardened}: MAC (Macie.1)\n`,
    );
    expect(parse(unknown.stdout).buckets).toHaveLength(1);

    const never = await runCli(['audit', '--bucket', open, ...endpoint()]);
    expect(never.code).toBe(0);
  });

  it.each([
    [
      ['--fail-on', 'S3.99', '--bucket', 'x-bucket'],
      's3-harden: --fail-on: "S3.99" is not a level (never, fail, unknown) nor a control (e.g. S3.5, tls, 3.1.1).\n',
    ],
    [
      ['--bucket', 'x-bucket', '--all'],
      's3-harden: choose the buckets one way: --bucket, --all were given together.\n',
    ],
    [
      ['--match', 'x-*', '--all'],
      's3-harden: choose the buckets one way: --all, --match were given together.\n',
    ],
    [[], 's3-harden: choose the buckets: --bucket NAME[,NAME...], --all or --match GLOB.\n'],
    [
      ['--match', 'Logs_*'],
      `s3-harden: option '--match <glob>' argument 'Logs_*' is invalid. "Logs_*" may hold only lowercase letters, digits, ".", "-", and the wildcards * and ?.\n`,
    ],
    [['--bucket', 'x-bucket,x-bucket'], 's3-harden: bucket x-bucket is listed twice.\n'],
    [
      ['--all', '--concurrency', '0'],
      `s3-harden: option '--concurrency <n>' argument '0' is invalid. It must be a whole number from 1 to 64.\n`,
    ],
    [
      ['--all', '--concurrency', '65'],
      `s3-harden: option '--concurrency <n>' argument '65' is invalid. It must be a whole number from 1 to 64.\n`,
    ],
    [['--bucket', 'Bad_Name'], undefined],
  ])('bad input %j: one line, exit 1, no AWS call', async (args, message) => {
    const { code, stdout, stderr } = await runCli(['audit', ...args, ...endpoint()]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
    if (message) expect(stderr).toBe(message);
  });

  it('a named bucket that cannot be audited (a typo) trips every --fail-on but never', async () => {
    const typo = uniqueBucket('audit-typo');
    const tripped = `s3-harden: audit --fail-on: bucket ${typo} could not be audited (Bucket ${typo} does not exist.)`;
    // No bucket row carries the account-level control, so it is reported on its own
    // (and counts for the levels that take every control).
    const account = '; 1 failing result on the account: BPA-A (S3.1)';
    for (const [level, stderr] of [
      ['fail', `${tripped}${account}\n`],
      ['unknown', `${tripped}${account}\n`],
      ['S3.5', `${tripped}\n`],
    ]) {
      const run = await runCli(['audit', '--bucket', typo, '--fail-on', `${level}`, ...endpoint()]);
      expect(run.code, level).toBe(2);
      expect(run.stderr).toBe(stderr);
      expect(run.stdout).toContain(`! not audited: Bucket ${typo} does not exist.`);
    }
    const never = await runCli(['audit', '--bucket', typo, ...endpoint()]);
    expect(never.code).toBe(0);
    // With a bucket that is there, the typo still trips a gate on one control.
    const mixed = await runCli([
      'audit',
      '--bucket',
      `${hardened},${typo}`,
      '--fail-on',
      'S3.5',
      ...endpoint(),
    ]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain(`bucket ${typo} could not be audited`);
  });

  it('--match: the buckets whose names match, as --all would read them', async () => {
    const { code, stdout } = await runCli([
      'audit',
      '--match',
      'audit-lock-*',
      '--json',
      ...endpoint(),
    ]);
    expect(code).toBe(0);
    const report = parse(stdout);
    expect(report.buckets.map((b) => b.bucket)).toEqual([locked]);
    expect(report.stats.calls['s3:ListBuckets']).toBe(1);

    const none = await runCli(['audit', '--match', 'no-such-*', ...endpoint()]);
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(
      /^s3-harden: no bucket matches no-such-\* \(of \d+ in the account\)\n$/,
    );
  });

  it('--help shows each default once', async () => {
    const { stdout } = await runCli(['audit', '--help']);
    const help = stdout.replace(/\s+/g, ' ');
    const option = (flag: string, next: string) =>
      help.slice(help.indexOf(`${flag} `), help.indexOf(`${next} `));
    expect(option('--fail-on', '--exceptions').match(/default/g)).toEqual(['default']);
    expect(option('--fail-on', '--exceptions')).toContain('(default: "never")');
    expect(option('--concurrency', '--json').match(/default/g)).toEqual(['default']);
    expect(help).toContain('--match <glob>');
  });

  it('an unreachable endpoint: one line, exit 1', async () => {
    const { code, stdout, stderr } = await runCli([
      'audit',
      '--all',
      '--endpoint-url',
      'http://127.0.0.1:9',
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      's3-harden: Cannot reach http://127.0.0.1:9: connection refused. Check --endpoint-url, the network or a proxy.\n',
    );
  });
});

describe('audit in process', () => {
  let session: AwsSession;
  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => session.close());

  it('an audit, then a plan from the same memoised view: no read is sent twice', async () => {
    const bucket = uniqueBucket('audit-then-plan');
    await createBucket(bucket);
    const fresh = await connect({ endpoint: emulatorUrl() });
    try {
      const view = fresh.memoised();
      const audit = await auditBucket(view, bucket);
      expect(audit?.results).toHaveLength(CONTROLS.length);
      const afterAudit = fresh.callCounts();

      // As `plan` does: the bucket, then the log bucket the answers name.
      const steps = stepsForPreset('baseline');
      let posture = await view.observe(bucket, readsFor(steps), {
        optional: optionalReadsFor(steps),
      });
      const logBucket = relatedBucketFor(steps, defaultAnswers(posture, 'baseline', steps));
      if (logBucket) posture = await view.observeLogTarget(posture, logBucket);
      const plan = buildPlan(
        posture,
        'baseline',
        steps,
        defaultAnswers(posture, 'baseline', steps),
      );
      expect(plan.changes.length).toBeGreaterThan(0);
      const afterPlan = fresh.callCounts();
      // Every read the audit made was answered from the view: none went out again. The two
      // more HeadBuckets are of other buckets: the log bucket the plan proposes and
      // s3-harden's CloudTrail bucket (both absent, so nothing else of them is read).
      expect(logBucket).toBe(`${bucket}-logs`);
      for (const [operation, count] of Object.entries(afterAudit)) {
        expect(afterPlan[operation], operation).toBe(
          operation === 's3:HeadBucket' ? count + 2 : count,
        );
      }
      // The plan read only what the audit did not (the ACL, keys, endpoints, access point…).
      const added = Object.keys(afterPlan).filter((operation) => !(operation in afterAudit));
      expect(added.length).toBeGreaterThan(0);
      expect(added).not.toContain('s3:GetBucketPolicy');
      // (HeadBucket, bucket.exists, is how every plan finds the bucket's region.)
      expect(readsFor(steps)).toEqual(
        expect.arrayContaining(
          auditReads().filter(
            (r) =>
              r !== 'account.macieJobs' &&
              r !== 'account.macieAdministrator' &&
              r !== 'bucket.exists',
          ),
        ),
      );
    } finally {
      fresh.close();
    }
  });
});

describe('Macie and IAM Access Analyzer at the SDK boundary (S3 on the emulator)', () => {
  let macie: AwsClientStub<Macie2Client>;
  let analyzer: AwsClientStub<AccessAnalyzerClient>;
  const ANALYZER_ARN = `arn:aws:access-analyzer:us-east-1:${ACCOUNT}:analyzer/corp`;
  const NOW = new Date('2026-11-01T00:00:00Z');

  beforeAll(() => {
    macie = mockClient(Macie2Client);
    analyzer = mockClient(AccessAnalyzerClient);
  });
  afterEach(() => {
    macie.reset();
    analyzer.reset();
  });
  afterAll(() => {
    macie.restore();
    analyzer.restore();
  });

  it('passes a bucket a job covers and the analyzer finds nothing on; fails the other; each account read once', async () => {
    const covered = uniqueBucket('audit-covered');
    const exposed = uniqueBucket('audit-exposed');
    await createBucket(covered);
    await createBucket(exposed);
    macie.on(GetMacieSessionCommand).resolves({ status: 'ENABLED' });
    // s3-harden's own jobs: none.
    macie.on(ListClassificationJobsCommand).resolves({ items: [] });
    // Every job not cancelled: a nightly one made by someone else, naming `covered`.
    macie
      .on(ListClassificationJobsCommand, {
        filterCriteria: {
          excludes: [{ comparator: 'EQ', key: 'jobStatus', values: ['CANCELLED'] }],
        },
      })
      .resolves({
        items: [
          {
            jobId: 'j-nightly',
            name: 'nightly PII scan',
            jobType: 'SCHEDULED',
            jobStatus: 'IDLE',
            bucketDefinitions: [{ accountId: ACCOUNT, buckets: [covered] }],
          },
        ],
      });
    analyzer.on(ListAnalyzersCommand).resolves({
      analyzers: [
        { arn: ANALYZER_ARN, name: 'corp', type: 'ACCOUNT', status: 'ACTIVE', createdAt: NOW },
      ],
    });
    analyzer.on(ListFindingsV2Command).resolves({ findings: [] });
    analyzer
      .on(ListFindingsV2Command, { filter: { resource: { eq: [`arn:aws:s3:::${exposed}`] } } })
      .resolves({
        findings: [
          {
            id: 'f-public',
            resource: `arn:aws:s3:::${exposed}`,
            resourceType: 'AWS::S3::Bucket',
            resourceOwnerAccount: ACCOUNT,
            status: 'ACTIVE',
            analyzedAt: NOW,
            createdAt: NOW,
            updatedAt: NOW,
          },
        ],
      });
    analyzer.on(GetFindingV2Command).resolves({
      id: 'f-public',
      resourceType: 'AWS::S3::Bucket',
      resourceOwnerAccount: ACCOUNT,
      status: 'ACTIVE',
      analyzedAt: NOW,
      createdAt: NOW,
      updatedAt: NOW,
      findingType: 'ExternalAccess',
      findingDetails: [
        {
          externalAccessDetails: {
            principal: { AWS: '*' },
            action: ['s3:GetObject'],
            condition: {},
            isPublic: true,
            sources: [{ type: 'POLICY' }],
          },
        },
      ],
    });

    const fresh = await connect({ endpoint: emulatorUrl() });
    try {
      const report = await auditReport(fresh, {
        selection: { kind: 'list', buckets: [covered, exposed] },
        concurrency: 8,
      });
      const result = (bucket: string, id: string) =>
        report.buckets.find((b) => b.bucket === bucket)?.results.find((r) => r.id === id);
      expect(result(covered, 'macie')).toEqual({
        id: 'macie',
        status: 'pass',
        detail: 'scheduled job "nightly PII scan" (IDLE)',
      });
      expect(result(exposed, 'macie')).toEqual({
        id: 'macie',
        status: 'fail',
        detail: 'no classification job covers this bucket',
      });
      expect(result(covered, 'access-analyzer')).toEqual({
        id: 'access-analyzer',
        status: 'pass',
        detail: 'analyzer corp: no active findings',
      });
      expect(result(exposed, 'access-analyzer')).toEqual({
        id: 'access-analyzer',
        status: 'fail',
        detail: '1 active finding (1 public), e.g. *: s3:GetObject',
      });
      expect(report.stats.calls).toMatchObject({
        'macie2:GetMacieSession': 1,
        'macie2:ListClassificationJobs': 2,
        'accessanalyzer:ListAnalyzers': 1,
        'accessanalyzer:ListFindingsV2': 2,
        'accessanalyzer:GetFindingV2': 1,
      });
      expect(macie.commandCalls(GetMacieSessionCommand)).toHaveLength(1);
      expect(analyzer.commandCalls(ListAnalyzersCommand)).toHaveLength(1);
    } finally {
      fresh.close();
    }
  });

  it('Macie not enabled fails the control; an analyzer denied is unknown with the action', async () => {
    const bucket = uniqueBucket('audit-no-macie');
    await createBucket(bucket);
    macie.on(GetMacieSessionCommand).rejects(accessDenied('Macie is not enabled.'));
    macie.on(ListClassificationJobsCommand).rejects(accessDenied('Macie is not enabled.'));
    analyzer.on(ListAnalyzersCommand).rejects(accessDenied('no'));
    const fresh = await connect({ endpoint: emulatorUrl() });
    try {
      const report = await auditReport(fresh, {
        selection: { kind: 'list', buckets: [bucket] },
        concurrency: 1,
      });
      const results = report.buckets[0]?.results ?? [];
      expect(results.find((r) => r.id === 'macie')).toEqual({
        id: 'macie',
        status: 'fail',
        detail: 'Macie is not enabled in this account and region',
      });
      expect(results.find((r) => r.id === 'access-analyzer')).toEqual({
        id: 'access-analyzer',
        status: 'unknown',
        detail: 'Access denied: access-analyzer:ListAnalyzers.',
      });
    } finally {
      fresh.close();
    }
  });
});
