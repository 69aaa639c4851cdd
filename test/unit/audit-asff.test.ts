/**
 * `audit --format asff` (src/plan/audit/asff.ts): a sample fleet — passing,
 * failing and unknown controls, the account-wide control, a bucket that
 * could not be audited, a GovCloud run — is valid against the ASFF schema
 * vendored in test/schemas (checked by Python's jsonschema from the
 * emulator's virtualenv), with one finding per control per bucket, the
 * account control once, the partition from the region, and Ids that are
 * unique and the same on the next run.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASFF_SCHEMA_VERSION, auditToAsff } from '../../src/plan/audit/asff.js';
import { ACCOUNT_CONTROLS, CONTROLS, type ControlStatus } from '../../src/plan/audit/controls.js';
import { buildReport } from '../../src/plan/audit/report.js';
import type { AuditReport, BucketAudit } from '../../src/plan/audit/schema.js';
import { schemaProblems } from '../helpers/json-schema.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SCHEMA = join(ROOT, 'test', 'schemas', 'asff-2018-10-08.json');
const ACCOUNT = '123456789012';
const NOW = '2026-12-06T18:00:00.000Z';

const asffProblems = (document: string) => schemaProblems(SCHEMA, document);

function bucket(name: string, region: string, status: (id: string) => ControlStatus): BucketAudit {
  return {
    bucket: name,
    region,
    results: CONTROLS.map((control) => ({
      id: control.id,
      status: status(control.id),
      detail: status(control.id) === 'unknown' ? 'Macie is not available at this endpoint' : '',
    })),
  };
}

function fleet(region: string): AuditReport {
  return buildReport({
    tool: 's3-harden 0.1.0',
    accountId: ACCOUNT,
    region,
    buckets: [
      bucket('open', region, (id) => (id === 'macie' ? 'unknown' : 'fail')),
      bucket('hardened', region, (id) =>
        id === 'bpa-account' ? 'fail' : id === 'macie' ? 'unknown' : 'pass',
      ),
      {
        bucket: 'gone',
        region: null,
        results: [],
        error: 'no such bucket',
        errorKind: 'not-found',
      },
    ],
    calls: { 's3:GetBucketPolicy': 2 },
    durationMs: 10,
    generatedAt: new Date(NOW),
  });
}

type Finding = ReturnType<typeof auditToAsff>['Findings'][number];

describe('auditToAsff', () => {
  it('is valid against the ASFF schema, in aws and aws-us-gov', () => {
    for (const region of ['eu-west-1', 'us-gov-west-1']) {
      const document = JSON.stringify(auditToAsff(fleet(region), { now: NOW }));
      expect(asffProblems(document), region).toBe('');
    }
  });

  it('has a schema that refuses what Security Hub refuses', () => {
    const [first] = auditToAsff(fleet('eu-west-1'), { now: NOW }).Findings;
    const { Title: _title, ...untitled } = first as Finding;
    const bad = [
      { ...untitled },
      { ...first, Description: 'x'.repeat(1025) },
      { ...first, AwsAccountId: '1234' },
      { ...first, Severity: { Label: 'SEVERE' } },
      { ...first, ProductArn: 'arn:aws:securityhub:eu-west-1:123456789012:product/aws/s3' },
    ];
    for (const finding of bad) {
      expect(asffProblems(JSON.stringify({ Findings: [finding] }))).not.toBe('');
    }
  });

  it('finds each control once per bucket, the account control once, the lost bucket once', () => {
    const { Findings } = auditToAsff(fleet('eu-west-1'), { now: '2000-01-01T00:00:00Z' });
    const perBucket = CONTROLS.length - ACCOUNT_CONTROLS.length;
    expect(Findings).toHaveLength(ACCOUNT_CONTROLS.length + 2 * perBucket + 1);
    const on = (id: string) => Findings.filter((f: Finding) => f.Resources[0]?.Id === id);
    expect(on('AWS::::Account:123456789012').map((f: Finding) => f.GeneratorId)).toEqual(
      ACCOUNT_CONTROLS.map((control) => `s3-harden/${control.id}`),
    );
    expect(on('arn:aws:s3:::open')).toHaveLength(perBucket);
    const gone = on('arn:aws:s3:::gone');
    expect(gone).toHaveLength(1);
    expect(gone[0]).toMatchObject({
      GeneratorId: 's3-harden/not-audited',
      Compliance: { Status: 'WARNING' },
      Description: 'gone was not audited: no such bucket',
      Resources: [{ Type: 'AwsS3Bucket', Partition: 'aws', Region: 'eu-west-1' }],
    });
    const tls = on('arn:aws:s3:::open').find((f: Finding) => f.GeneratorId === 's3-harden/tls');
    expect(tls).toMatchObject({
      SchemaVersion: ASFF_SCHEMA_VERSION,
      ProductArn: `arn:aws:securityhub:eu-west-1:${ACCOUNT}:product/${ACCOUNT}/default`,
      AwsAccountId: ACCOUNT,
      // The report's own time, not the fallback.
      CreatedAt: NOW,
      UpdatedAt: NOW,
      Severity: { Label: 'HIGH' },
      FindingProviderFields: { Severity: { Label: 'HIGH' } },
      Compliance: {
        Status: 'FAILED',
        RelatedRequirements: ['FSBP S3.5', 'CIS AWS Foundations Benchmark v7.0.0/3.1.1'],
      },
      ProductFields: { 's3-harden/ControlId': 'tls' },
      RecordState: 'ACTIVE',
      Workflow: { Status: 'NEW' },
    });
    const hardened = on('arn:aws:s3:::hardened');
    expect(hardened.find((f: Finding) => f.GeneratorId === 's3-harden/tls')).toMatchObject({
      Compliance: { Status: 'PASSED' },
      Severity: { Label: 'INFORMATIONAL' },
    });
    expect(hardened.find((f: Finding) => f.GeneratorId === 's3-harden/macie')).toMatchObject({
      Compliance: { Status: 'WARNING' },
      Description: 'Macie discovery job: unknown: Macie is not available at this endpoint',
    });
  });

  it('takes the partition from the region, never arn:aws: in GovCloud', () => {
    const { Findings } = auditToAsff(fleet('us-gov-west-1'), { now: NOW });
    for (const finding of Findings) {
      expect(finding.ProductArn).toMatch(/^arn:aws-us-gov:securityhub:us-gov-west-1:/);
      expect(finding.Resources[0]?.Partition).toBe('aws-us-gov');
      expect(JSON.stringify(finding)).not.toContain('arn:aws:');
    }
  });

  it('keeps Ids unique and the same across runs', () => {
    const first = auditToAsff(fleet('eu-west-1'), { now: NOW }).Findings.map((f: Finding) => f.Id);
    const later = fleet('eu-west-1');
    const again = auditToAsff(
      { ...later, generatedAt: '2027-01-01T00:00:00.000Z' },
      { now: NOW },
    ).Findings;
    expect(new Set(first).size).toBe(first.length);
    expect(again.map((f: Finding) => f.Id)).toEqual(first);
    expect(again[0]?.UpdatedAt).toBe('2027-01-01T00:00:00.000Z');
    // A round trip through JSON keeps every field.
    const text = JSON.stringify({ Findings: again });
    expect(JSON.parse(text)).toEqual({ Findings: again });
  });

  it('falls back to the time passed in, and keeps Description within 1024', () => {
    const report = fleet('eu-west-1');
    const long = 'x'.repeat(3000);
    const bucketRow = report.buckets[0] as BucketAudit;
    const withLong: AuditReport = {
      ...report,
      generatedAt: '',
      buckets: [{ ...bucketRow, results: bucketRow.results.map((r) => ({ ...r, detail: long })) }],
    };
    const { Findings } = auditToAsff(withLong, { now: NOW });
    for (const finding of Findings) {
      expect(finding.CreatedAt).toBe(NOW);
      expect(finding.Description.length).toBeLessThanOrEqual(1024);
    }
    expect(asffProblems(JSON.stringify({ Findings }))).toBe('');
  });
  it('an intended exception in force arrives suppressed with its reason; an expired one does not', () => {
    const report = fleet('eu-west-1');
    const open = report.buckets[0] as BucketAudit;
    const excepted = (expired: boolean): AuditReport => ({
      ...report,
      buckets: [
        {
          ...open,
          results: open.results.map((result) =>
            result.id === 'bpa-bucket'
              ? {
                  ...result,
                  exception: {
                    reason: 'public website',
                    expires: '2027-06-30',
                    expired,
                    source: '.s3-harden.json',
                  },
                }
              : result,
          ),
        },
      ],
    });
    const bpa = (doc: AuditReport) =>
      auditToAsff(doc, { now: NOW }).Findings.find(
        (finding) => finding.Id === `s3-harden/${ACCOUNT}/open/bpa-bucket`,
      );
    const inForce = bpa(excepted(false));
    expect(inForce?.Workflow.Status).toBe('SUPPRESSED');
    expect(inForce?.Compliance.Status).toBe('FAILED');
    expect(inForce?.Description).toContain('(excepted: public website, until 2027-06-30)');
    const lapsed = bpa(excepted(true));
    expect(lapsed?.Workflow.Status).toBe('NEW');
    expect(lapsed?.Description).toContain('exception expired 2027-06-30');
    expect(asffProblems(JSON.stringify(auditToAsff(excepted(false), { now: NOW })))).toBe('');
  });
});
