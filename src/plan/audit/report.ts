/**
 * From each bucket's readings to the audit report: which reads a bucket
 * outside the run's region cannot have, the summary counts, and the report
 * itself (the JSON view; the table is rendered from it). Pure.
 */

import type { ResourceKey } from '../model/types.js';
import { READS } from '../policy/iam-policy.js';
import { type CisVersion, DEFAULT_CIS_VERSION } from './cis.js';
import {
  auditReads,
  CONTROLS,
  type ControlId,
  type ControlStatus,
  controlsForCis,
} from './controls.js';
import {
  type AccountAudit,
  AUDIT_SCHEMA,
  AUDIT_VERSION,
  type AuditReport,
  type AuditStats,
  type AuditSummary,
  type BucketAudit,
} from './schema.js';

/** Services whose answers hold for the region asked only. */
const REGIONAL_SERVICES: Readonly<Record<string, string>> = {
  macie2: 'Macie',
  accessanalyzer: 'IAM Access Analyzer',
};

function regionalService(resource: ResourceKey): string | undefined {
  for (const operation of READS[resource]) {
    const name = REGIONAL_SERVICES[operation.split(':')[0] ?? ''];
    if (name) return name;
  }
  return undefined;
}

/**
 * For a bucket in another region than the run: the audit reads it cannot
 * make there (Macie and IAM Access Analyzer see their own region's buckets
 * only), each with the one-line reason its control shows as unknown.
 */
export function outOfRegion(
  bucketRegion: string,
  runRegion: string,
): Partial<Record<ResourceKey, string>> {
  if (bucketRegion === runRegion) return {};
  const reasons: Partial<Record<ResourceKey, string>> = {};
  for (const resource of auditReads()) {
    const service = regionalService(resource);
    if (service) {
      reasons[resource] =
        `${service} is regional: the bucket is in ${bucketRegion}, this run in ${runRegion} (audit it with --region ${bucketRegion})`;
    }
  }
  return reasons;
}

export function summarise(buckets: readonly BucketAudit[], account?: AccountAudit): AuditSummary {
  const tally = (): Record<ControlStatus, number> => ({ pass: 0, fail: 0, unknown: 0 });
  const total = tally();
  const byControl = Object.fromEntries(CONTROLS.map((control) => [control.id, tally()])) as Record<
    ControlId,
    Record<ControlStatus, number>
  >;
  for (const row of [...buckets, ...(account ? [account] : [])]) {
    for (const result of row.results) {
      total[result.status] += 1;
      byControl[result.id][result.status] += 1;
    }
  }
  return {
    buckets: buckets.length,
    errors: buckets.filter((bucket) => bucket.error !== undefined).length,
    ...total,
    byControl,
  };
}

export interface ReportInput {
  readonly tool: string;
  readonly accountId: string;
  readonly region: string;
  readonly buckets: readonly BucketAudit[];
  /** The account-level results, when no bucket row carries them. */
  readonly account?: AccountAudit;
  readonly calls: Readonly<Record<string, number>>;
  readonly durationMs: number;
  readonly generatedAt?: Date;
  /** Whose CIS numbers the report's controls carry (default: the newest). */
  readonly cisVersion?: CisVersion;
}

export function buildReport(input: ReportInput): AuditReport {
  const apiCalls = Object.values(input.calls).reduce((sum, n) => sum + n, 0);
  const stats: AuditStats = {
    apiCalls,
    apiCallsPerBucket:
      input.buckets.length === 0 ? 0 : Math.round((apiCalls / input.buckets.length) * 100) / 100,
    durationMs: Math.max(0, Math.round(input.durationMs)),
    calls: Object.fromEntries(Object.entries(input.calls).sort(([a], [b]) => a.localeCompare(b))),
  };
  return {
    schema: AUDIT_SCHEMA,
    version: AUDIT_VERSION,
    tool: input.tool,
    generatedAt: (input.generatedAt ?? new Date()).toISOString(),
    accountId: input.accountId,
    region: input.region,
    // The catalogue as the schema publishes it: how steps label IDs stays inside.
    cisVersion: input.cisVersion ?? DEFAULT_CIS_VERSION,
    controls: controlsForCis(input.cisVersion ?? DEFAULT_CIS_VERSION).map(
      ({ inFsbp: _inFsbp, cisEveryRegion: _every, ...control }) => ({
        ...control,
        resources: [...control.resources],
      }),
    ),
    buckets: [...input.buckets],
    ...(input.account ? { account: input.account } : {}),
    summary: summarise(input.buckets, input.account),
    stats,
  };
}
