/**
 * An audit report in the AWS Security Finding Format (`audit --format asff`),
 * what AWS Security Hub reads: `{ "Findings": [...] }`, the input of
 * `aws securityhub batch-import-findings --cli-input-json file://out.json`.
 * One finding per control per bucket (an account-wide control once, on the
 * account, as ./sarif.ts does); a bucket that could not be audited is one
 * `not-audited` finding. Passing controls are kept, with Compliance PASSED
 * and severity INFORMATIONAL: Security Hub updates a finding by its Id, so a
 * control fixed since the last import turns PASSED instead of staying FAILED
 * forever. Unknown is WARNING. Ids are stable across runs (account, bucket,
 * control), so a re-import updates findings rather than adding new ones.
 * The time is the report's `generatedAt` (or the `now` passed in): pure.
 *
 * Field rules relied on (AWS docs): "Required top-level ASFF attributes"
 * (docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html)
 * and the API reference's AwsSecurityFinding (AwsAccountId 12 characters,
 * Description 1–1024, Title ≤256, Id and GeneratorId ≤512, timestamps ISO
 * 8601); the partner guide's "Guidelines for using the BatchImportFindings
 * API" (docs.aws.amazon.com/securityhub/latest/partnerguide/guidelines-batchimportfindings.html:
 * up to 100 findings a batch, 240 KB a finding, 6 MB a batch — the README
 * says how to split a larger output); and the API reference's
 * BatchImportFindings (a re-import does not update Workflow, and a provider
 * says Severity and Types through FindingProviderFields, so they are given
 * there too). test/schemas/asff-2018-10-08.json holds these rules as a JSON
 * Schema.
 */
import { partitionOf } from '../policy/statements.js';
import { DEFAULT_CIS_VERSION } from './cis.js';
import { ACCOUNT_CONTROLS, type ControlId, securityHubLabel } from './controls.js';
import { accountReport } from './render-accounts.js';
import type { AuditReport, BucketAudit } from './schema.js';

export const ASFF_SCHEMA_VERSION = '2018-10-08';
/** What BatchImportFindings takes in one call. */
export const ASFF_BATCH_LIMIT = 100;
const NOT_AUDITED = 'not-audited';
const TYPES = ['Software and Configuration Checks/AWS Security Best Practices'];
const DESCRIPTION_MAX = 1024;
const TITLE_MAX = 256;

type Control = AuditReport['controls'][number];
type Result = BucketAudit['results'][number];
type Label = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
type Compliance = 'PASSED' | 'WARNING' | 'FAILED';

const ACCOUNT_WIDE = new Set<string>(ACCOUNT_CONTROLS.map((control) => control.id));

/** A failing control's severity: public exposure and plain HTTP high, hygiene low. */
const FAIL_SEVERITY: Partial<Record<ControlId, Label>> = {
  'bpa-account': 'HIGH',
  'bpa-bucket': 'HIGH',
  tls: 'HIGH',
  'acls-disabled': 'MEDIUM',
  lifecycle: 'LOW',
  'mfa-delete': 'LOW',
  'object-lock': 'LOW',
};

export interface AsffOptions {
  /** ISO 8601: used when the report carries no time of its own. */
  readonly now: string;
}

interface Where {
  readonly key: string;
  readonly resource: {
    readonly Type: 'AwsS3Bucket' | 'AwsAccount';
    readonly Id: string;
    readonly Partition: string;
    readonly Region: string;
  };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function requirements(control: Control, cis: string): string[] {
  return [
    ...(control.fsbp ? [securityHubLabel(control.id) as string] : []),
    ...(control.cis ? [`CIS AWS Foundations Benchmark ${cis}/${control.cis}`] : []),
  ];
}

/**
 * The findings to import; a multi-account report gives each finding its
 * bucket's account (AwsAccountId), and an account not audited one finding
 * on the account, with the reason.
 */
export function auditToAsff(
  report: AuditReport,
  options: AsffOptions,
): ReturnType<typeof oneAccountAsff> {
  if (!report.accounts) return oneAccountAsff(report, options);
  const findings = report.accounts.flatMap((entry) => {
    const part = accountReport(report, entry);
    if (entry.status === 'audited') return oneAccountAsff(part, options).Findings;
    return oneAccountAsff({ ...part, buckets: [], account: { results: [] } }, options, entry.error)
      .Findings;
  });
  return { Findings: findings };
}

function oneAccountAsff(report: AuditReport, options: AsffOptions, notAudited?: string) {
  const time = report.generatedAt || options.now;
  const region = report.region;
  const partition = partitionOf(region);
  const account = report.accountId;
  const productArn = `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`;
  const cis = `v${report.cisVersion ?? DEFAULT_CIS_VERSION}`;
  const byId = new Map(report.controls.map((control) => [control.id, control]));

  const finding = (
    where: Where,
    generator: string,
    title: string,
    description: string,
    status: Compliance,
    label: Label,
    related: string[],
    /** An intended exception in force: the finding arrives suppressed, its reason in the description. */
    suppressed = false,
  ) => ({
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: `s3-harden/${where.key}/${generator}`,
    ProductArn: productArn,
    GeneratorId: `s3-harden/${generator}`,
    AwsAccountId: account,
    Types: TYPES,
    CreatedAt: time,
    UpdatedAt: time,
    Severity: { Label: label },
    Title: clip(title, TITLE_MAX),
    Description: clip(description || title, DESCRIPTION_MAX),
    Resources: [where.resource],
    Compliance: {
      Status: status,
      ...(related.length > 0 ? { RelatedRequirements: related } : {}),
    },
    ProductFields: {
      's3-harden/ControlId': generator,
      's3-harden/Tool': report.tool,
      ProviderName: 's3-harden',
    },
    // What a re-import may change: BatchImportFindings leaves the top-level
    // Severity and Types of an existing finding to the customer.
    FindingProviderFields: { Severity: { Label: label }, Types: TYPES },
    RecordState: 'ACTIVE' as const,
    Workflow: { Status: suppressed ? ('SUPPRESSED' as const) : ('NEW' as const) },
  });
  type Finding = ReturnType<typeof finding>;

  const controlFinding = (control: Control, result: Result, where: Where): Finding => {
    const status: Compliance =
      result.status === 'pass' ? 'PASSED' : result.status === 'fail' ? 'FAILED' : 'WARNING';
    const label: Label =
      result.status === 'fail' ? (FAIL_SEVERITY[control.id] ?? 'MEDIUM') : 'INFORMATIONAL';
    const verdict = result.status === 'unknown' ? 'unknown: ' : '';
    const exception = result.exception;
    const excepted = exception !== undefined && !exception.expired && result.status !== 'pass';
    const why = exception
      ? exception.expired
        ? ` (exception expired ${exception.expires}: ${exception.reason})`
        : ` (excepted: ${exception.reason}${exception.expires ? `, until ${exception.expires}` : ''})`
      : '';
    return finding(
      where,
      control.id,
      control.title,
      `${control.title}: ${verdict}${result.detail || result.status}${why}`,
      status,
      label,
      requirements(control, cis),
      excepted,
    );
  };

  const findings: Finding[] = [];
  const findingsOf = (judged: readonly Result[], where: Where, only: (id: string) => boolean) => {
    for (const result of judged) {
      const control = byId.get(result.id);
      if (control && only(result.id)) findings.push(controlFinding(control, result, where));
    }
  };
  const accountWhere: Where = {
    key: account,
    resource: {
      Type: 'AwsAccount',
      Id: `AWS::::Account:${account}`,
      Partition: partition,
      Region: region,
    },
  };
  // The account's controls once: from the account row, else the first bucket audited.
  const accountResults =
    report.account?.results ??
    report.buckets.find((bucket) => bucket.error === undefined)?.results ??
    [];
  findingsOf(accountResults, accountWhere, (id) => ACCOUNT_WIDE.has(id));
  if (notAudited !== undefined) {
    findings.push(
      finding(
        accountWhere,
        NOT_AUDITED,
        'Account not audited',
        `account ${account} was not audited: ${notAudited}`,
        'WARNING',
        'INFORMATIONAL',
        [],
      ),
    );
  }
  for (const bucket of report.buckets) {
    const bucketRegion = bucket.region ?? region;
    const bucketPartition = partitionOf(bucketRegion);
    const where: Where = {
      key: `${account}/${bucket.bucket}`,
      resource: {
        Type: 'AwsS3Bucket',
        Id: `arn:${bucketPartition}:s3:::${bucket.bucket}`,
        Partition: bucketPartition,
        Region: bucketRegion,
      },
    };
    if (bucket.error !== undefined) {
      findings.push(
        finding(
          where,
          NOT_AUDITED,
          'Bucket not audited',
          `${bucket.bucket} was not audited: ${bucket.error}`,
          'WARNING',
          'INFORMATIONAL',
          [],
        ),
      );
    } else findingsOf(bucket.results, where, (id) => !ACCOUNT_WIDE.has(id));
  }
  return { Findings: findings };
}
