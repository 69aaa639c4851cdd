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

/**
 * The summary's running totals: fed one row at a time (a streamed report
 * keeps these, not its rows), the same counts `summarise` gives.
 */
export class SummaryTally {
  private readonly total: Record<ControlStatus, number> = { pass: 0, fail: 0, unknown: 0 };
  private readonly byControl = Object.fromEntries(
    CONTROLS.map((control) => [control.id, { pass: 0, fail: 0, unknown: 0 }]),
  ) as Record<ControlId, Record<ControlStatus, number>>;
  /** Bucket rows, and of those the ones not audited. */
  buckets = 0;
  errors = 0;

  /** A bucket row. */
  bucket(row: BucketAudit): void {
    this.buckets += 1;
    if (row.error !== undefined) this.errors += 1;
    this.results(row.results);
  }

  /** Results that are no bucket's: `account`, an account entry's. */
  results(results: BucketAudit['results']): void {
    for (const result of results) {
      this.total[result.status] += 1;
      this.byControl[result.id][result.status] += 1;
    }
  }

  summary(account?: AccountAudit, accounts?: readonly AccountEntry[]): AuditSummary {
    const total = { ...this.total };
    const byControl = Object.fromEntries(
      Object.entries(this.byControl).map(([id, counts]) => [id, { ...counts }]),
    ) as AuditSummary['byControl'];
    const add = (results: BucketAudit['results']) => {
      for (const result of results) {
        total[result.status] += 1;
        (byControl[result.id] as Record<ControlStatus, number>)[result.status] += 1;
      }
    };
    if (account) add(account.results);
    for (const entry of accounts ?? []) if (entry.results) add(entry.results);
    return {
      ...(accounts
        ? {
            accounts: accounts.length,
            accountErrors: accounts.filter((entry) => entry.status === 'failed').length,
          }
        : {}),
      buckets: this.buckets,
      errors: this.errors,
      ...total,
      byControl,
    };
  }
}

export function summarise(
  buckets: readonly BucketAudit[],
  account?: AccountAudit,
  accounts?: readonly AccountEntry[],
): AuditSummary {
  const tally = new SummaryTally();
  for (const row of buckets) tally.bucket(row);
  return tally.summary(account, accounts);
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

/** A report's every field but the rows: what a streamed report writes around them. */
export type ReportShellInput = Omit<ReportInput, 'buckets'>;

/**
 * The report around its rows: `buckets` empty, the summary and stats from
 * `tally` (the rows' running totals). ./report-stream.ts writes the rows
 * into it; buildReport puts them back.
 */
export function reportShell(input: ReportShellInput, tally: SummaryTally): AuditReport {
  const apiCalls = Object.values(input.calls).reduce((sum, n) => sum + n, 0);
  const stats: AuditStats = {
    apiCalls,
    apiCallsPerBucket: tally.buckets === 0 ? 0 : Math.round((apiCalls / tally.buckets) * 100) / 100,
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
    buckets: [],
    ...(input.account ? { account: input.account } : {}),
    ...(input.accounts ? { accounts: [...input.accounts] } : {}),
    ...(input.regions ? { regions: [...input.regions] } : {}),
    summary: tally.summary(input.account, input.accounts),
    stats,
  };
}

export function buildReport(input: ReportInput): AuditReport {
  const tally = new SummaryTally();
  for (const row of input.buckets) tally.bucket(row);
  return { ...reportShell(input, tally), buckets: [...input.buckets] };
}
