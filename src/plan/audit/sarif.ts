/**
 * An audit report as SARIF 2.1.0 (`audit --format sarif`), the format
 * code-scanning dashboards read (GitHub code scanning, Azure DevOps, many
 * SIEMs): one rule per control, with its Security Hub (FSBP) and CIS IDs as
 * tags, and one result per failing control (level "error") or unknown one
 * (level "warning", kind "review"); passing controls are left out, as a
 * scanner reports only what needs a look. A bucket is a logical location
 * (its ARN) and an artifact `s3://bucket`; an account-wide control is said
 * once, on the account. Fingerprints are stable across runs (account, bucket,
 * control), so a dashboard tracks a finding rather than re-raising it. Pure.
 */
import { resultDetail } from '../exceptions/audit-exceptions.js';
import { exceptedText } from '../exceptions/exceptions.js';
import { partitionOf } from '../policy/statements.js';
import { DEFAULT_CIS_VERSION } from './cis.js';
import { ACCOUNT_CONTROLS, securityHubLabel } from './controls.js';
import { accountReport } from './render-accounts.js';
import type { AuditReport, BucketAudit } from './schema.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const NOT_AUDITED = 'not-audited';

type Control = AuditReport['controls'][number];
type Result = BucketAudit['results'][number];

const ACCOUNT_WIDE = new Set<string>(ACCOUNT_CONTROLS.map((control) => control.id));

function tags(control: Control, cis: string): string[] {
  return [
    'security',
    ...(control.fsbp ? [securityHubLabel(control.id) as string] : []),
    ...(control.cis ? [`${cis} ${control.cis}`] : []),
  ];
}

function rule(control: Control, cis: string) {
  const ids = [
    control.fsbp ? (securityHubLabel(control.id) as string) : '',
    control.cis ? `${cis} ${control.cis}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return {
    id: control.id,
    name: control.title,
    shortDescription: { text: control.title },
    fullDescription: {
      text: `${control.title}${ids ? ` (${ids})` : ''}: s3-harden's audit control "${control.column}".`,
    },
    defaultConfiguration: { level: 'error' as const },
    properties: { tags: tags(control, cis) },
  };
}

interface Where {
  readonly uri: string;
  readonly name: string;
  readonly kind: string;
  readonly key: string;
}

function sarifResult(control: Control, result: Result, where: Where) {
  const failing = result.status === 'fail';
  return {
    ruleId: control.id,
    level: failing ? ('error' as const) : ('warning' as const),
    kind: failing ? ('fail' as const) : ('review' as const),
    message: {
      text: `${control.title}: ${failing ? '' : 'unknown: '}${resultDetail(result) || result.status}`,
    },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: where.uri } },
        logicalLocations: [{ fullyQualifiedName: where.name, kind: where.kind }],
      },
    ],
    partialFingerprints: { 's3-harden/control/v1': `${where.key}/${control.id}` },
    // SARIF's own word for an intended exception: dashboards show it as
    // suppressed, with the reason, instead of as an open finding.
    ...(result.exception && !result.exception.expired
      ? {
          suppressions: [
            {
              kind: 'external' as const,
              status: 'accepted' as const,
              justification: exceptedText(result.exception),
            },
          ],
        }
      : {}),
  };
}

function bucketWhere(report: AuditReport, bucket: BucketAudit): Where {
  const partition = partitionOf(bucket.region ?? report.region);
  return {
    uri: `s3://${bucket.bucket}`,
    name: `arn:${partition}:s3:::${bucket.bucket}`,
    kind: 'resource',
    key: `${report.accountId}/${bucket.bucket}`,
  };
}

/**
 * The SARIF log; a multi-account report is one run per account (its
 * properties name it), an account not audited a run whose invocation failed,
 * with the reason.
 */
export function auditToSarif(report: AuditReport): ReturnType<typeof oneAccountSarif> {
  if (!report.accounts) return oneAccountSarif(report);
  const runs = report.accounts.flatMap((entry) => {
    if (entry.status === 'audited') return oneAccountSarif(accountReport(report, entry)).runs;
    const [run] = oneAccountSarif({ ...accountReport(report, entry), buckets: [] }).runs;
    if (!run) return [];
    return [
      {
        ...run,
        results: [],
        invocations: [
          {
            executionSuccessful: false,
            endTimeUtc: report.generatedAt,
            toolExecutionNotifications: [
              { level: 'error' as const, message: { text: `not audited: ${entry.error}` } },
            ],
          },
        ],
      },
    ];
  });
  return { ...oneAccountSarif({ ...report, accounts: undefined, buckets: [] }), runs };
}

function oneAccountSarif(report: AuditReport) {
  const byId = new Map(report.controls.map((control) => [control.id, control]));
  const account: Where = {
    uri: `aws-account:${report.accountId}`,
    name: `account ${report.accountId}`,
    kind: 'module',
    key: report.accountId,
  };
  const results: ReturnType<typeof sarifResult>[] = [];
  const notAudited: ReturnType<typeof notAuditedResult>[] = [];
  const findingsOf = (judged: readonly Result[], where: Where, only: (id: string) => boolean) => {
    for (const result of judged) {
      const control = byId.get(result.id);
      if (!control || result.status === 'pass' || !only(result.id)) continue;
      results.push(sarifResult(control, result, where));
    }
  };
  // The account's controls once: from the account row, else the first bucket audited.
  const accountResults =
    report.account?.results ??
    report.buckets.find((bucket) => bucket.error === undefined)?.results ??
    [];
  findingsOf(accountResults, account, (id) => ACCOUNT_WIDE.has(id));
  for (const bucket of report.buckets) {
    const where = bucketWhere(report, bucket);
    if (bucket.error !== undefined) notAudited.push(notAuditedResult(bucket, where));
    else findingsOf(bucket.results, where, (id) => !ACCOUNT_WIDE.has(id));
  }
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0' as const,
    runs: [
      {
        tool: {
          driver: {
            name: 's3-harden',
            semanticVersion: report.tool.replace(/^s3-harden /, ''),
            rules: [
              ...report.controls.map((control) =>
                rule(control, `CIS v${report.cisVersion ?? DEFAULT_CIS_VERSION}`),
              ),
              {
                id: NOT_AUDITED,
                name: 'Bucket not audited',
                shortDescription: { text: 'The bucket could not be audited' },
                defaultConfiguration: { level: 'warning' as const },
                properties: { tags: ['security'] },
              },
            ],
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            endTimeUtc: report.generatedAt,
          } as {
            executionSuccessful: boolean;
            endTimeUtc: string;
            toolExecutionNotifications?: { level: 'error'; message: { text: string } }[];
          },
        ],
        properties: { accountId: report.accountId, region: report.region },
        results: [...results, ...notAudited],
      },
    ],
  };
}

function notAuditedResult(bucket: BucketAudit, where: Where) {
  return {
    ruleId: NOT_AUDITED,
    level: 'warning' as const,
    kind: 'review' as const,
    message: { text: `${bucket.bucket} was not audited: ${bucket.error}` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: where.uri } },
        logicalLocations: [{ fullyQualifiedName: where.name, kind: where.kind }],
      },
    ],
    partialFingerprints: { 's3-harden/control/v1': `${where.key}/${NOT_AUDITED}` },
  };
}
