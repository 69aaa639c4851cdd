/**
 * From each bucket's readings to the audit report: the summary counts, and the report
 * itself (the JSON view; the table is rendered from it). Pure.
 */

import { type CisVersion, DEFAULT_CIS_VERSION } from './cis.js';
import { CONTROLS, type ControlId, type ControlStatus, controlsForCis } from './controls.js';
import {
  type AccountAudit,
  type AccountEntry,
  AUDIT_SCHEMA,
  AUDIT_VERSION,
  type AuditReport,
  type AuditStats,
  type AuditSummary,
  type BucketAudit,
} from './schema.js';

export function summarise(
  buckets: readonly BucketAudit[],
  account?: AccountAudit,
  accounts?: readonly AccountEntry[],
): AuditSummary {
  const tally = (): Record<ControlStatus, number> => ({ pass: 0, fail: 0, unknown: 0 });
  const total = tally();
  const byControl = Object.fromEntries(CONTROLS.map((control) => [control.id, tally()])) as Record<
    ControlId,
    Record<ControlStatus, number>
  >;
  const accountRows = (accounts ?? []).flatMap((entry) =>
    entry.results ? [{ results: entry.results }] : [],
  );
  for (const row of [...buckets, ...(account ? [account] : []), ...accountRows]) {
    for (const result of row.results) {
      total[result.status] += 1;
      byControl[result.id][result.status] += 1;
    }
  }
  return {
    ...(accounts
      ? {
          accounts: accounts.length,
          accountErrors: accounts.filter((entry) => entry.status === 'failed').length,
        }
      : {}),
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
  /** Multi-account runs: one entry per account. */
  readonly accounts?: readonly AccountEntry[];
  /** The --regions filter, when given. */
  readonly regions?: readonly string[];
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
    ...(input.accounts ? { accounts: [...input.accounts] } : {}),
    ...(input.regions ? { regions: [...input.regions] } : {}),
    summary: summarise(input.buckets, input.account, input.accounts),
    stats,
  };
}
