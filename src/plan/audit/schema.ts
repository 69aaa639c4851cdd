/**
 * The machine view of an audit (`s3-harden audit --json`): a versioned,
 * documented shape (README "Audit"). A change that breaks a reader of
 * version 1 takes version 2; adding an optional field does not.
 */
import * as z from 'zod';
import { CIS_VERSIONS } from './cis.js';
import { CONTROLS, type ControlId } from './controls.js';

export const AUDIT_SCHEMA = 's3-harden/audit';
export const AUDIT_VERSION = 1;

const CONTROL_IDS = CONTROLS.map((control) => control.id) as [ControlId, ...ControlId[]];

const count = z.number().int().min(0);
const controlId = z.enum(CONTROL_IDS);
const status = z.enum(['pass', 'fail', 'unknown']);
const tally = z.strictObject({ pass: count, fail: count, unknown: count });

export const controlSpecSchema = z.strictObject({
  id: controlId,
  title: z.string().min(1),
  column: z.string().min(1).max(8),
  fsbp: z.string().min(1).optional(),
  cis: z.string().min(1).optional(),
  resources: z.array(z.string().min(1)).min(1),
});

/**
 * An intended exception on a failing or unknown result (added in 1 without
 * breaking it: `status` stays what the check found). Not expired: the
 * control is excepted and --fail-on ignores it; expired: it fails again.
 */
export const resultExceptionSchema = z.strictObject({
  reason: z.string().min(1),
  /** The last day it holds, YYYY-MM-DD (UTC). */
  expires: z.string().min(1).optional(),
  expired: z.boolean(),
  /** The exceptions file, or "tag <key>". */
  source: z.string().min(1),
});

export const controlResultSchema = z.strictObject({
  id: controlId,
  status,
  detail: z.string(),
  exception: resultExceptionSchema.optional(),
});

const accountId = z.string().regex(/^\d{12}$/);

export const bucketAuditSchema = z.strictObject({
  bucket: z.string().min(1),
  /** The account that owns the bucket (added in 1 without breaking it: on multi-account runs, --accounts). */
  accountId: accountId.optional(),
  /** null when the bucket could not be reached (see error). */
  region: z.string().min(1).nullable(),
  /** One result per control, in `controls` order; empty when the bucket could not be audited. */
  results: z.array(controlResultSchema),
  /** Why the bucket could not be audited at all (it vanished, HeadBucket was denied). */
  error: z.string().min(1).optional(),
  /**
   * With `error` (added in 1 without breaking it): `not-found` (no such
   * bucket: a typo, or deleted during the run), `denied` (HeadBucket was
   * refused), `other`. `--fail-on` reads it.
   */
  errorKind: z.enum(['not-found', 'denied', 'other']).optional(),
});

/**
 * The account-level controls (every read account-wide: Block Public Access
 * of the account), judged on their own. Each audited bucket's results carry
 * them too; this is present only when no bucket row does (an account without
 * buckets, or none could be audited), so the account is never left unsaid.
 */
export const accountAuditSchema = z.strictObject({
  results: z.array(controlResultSchema),
});

/**
 * One account of a multi-account run (--accounts; added in 1 without
 * breaking it): audited, or not, with the reason (its role could not be
 * assumed, its bucket list was refused). `results` holds its account-level
 * controls when none of its bucket rows carries them, as `account` does for
 * a one-account run.
 */
export const accountEntrySchema = z.strictObject({
  accountId,
  /** Its name in the organisation (--accounts all). */
  name: z.string().min(1).optional(),
  /** The role assumed there; absent for the caller's own account (its own credentials). */
  roleArn: z.string().min(1).optional(),
  status: z.enum(['audited', 'failed']),
  /** Why the account could not be audited (with status failed). */
  error: z.string().min(1).optional(),
  /** Its buckets in the report. */
  buckets: count,
  results: z.array(controlResultSchema).optional(),
});

export const auditSummarySchema = z.strictObject({
  /** Accounts asked about, and of those the ones that could not be audited (multi-account runs). */
  accounts: count.optional(),
  accountErrors: count.optional(),
  /** Buckets asked about. */
  buckets: count,
  /** Of those, the ones that could not be audited at all. */
  errors: count,
  /** Control results over every audited bucket (and `account`, when present). */
  pass: count,
  fail: count,
  unknown: count,
  /** The same, per control. */
  byControl: z.record(controlId, tally),
});

export const auditStatsSchema = z.strictObject({
  /** AWS API calls the run made (SDK retries of one call are not counted again). */
  apiCalls: count,
  /** apiCalls over the number of buckets, rounded to 2 decimals. */
  apiCallsPerBucket: z.number().min(0),
  durationMs: count,
  /** Calls per `service:Operation`. */
  calls: z.record(z.string(), count),
});

export const auditReportSchema = z.strictObject({
  schema: z.literal(AUDIT_SCHEMA),
  version: z.literal(AUDIT_VERSION),
  /** "s3-harden 0.1.0". */
  tool: z.string().min(1),
  generatedAt: z.iso.datetime(),
  /** The caller's account (on multi-account runs, each bucket row and account entry names its own). */
  accountId: z.string(),
  /** The caller's region (each bucket is read in its own; Macie and Access Analyzer in each bucket's region). */
  region: z.string().min(1),
  /** The CIS AWS Foundations Benchmark version of the controls' `cis` numbers (added to version 1). */
  cisVersion: z.enum(CIS_VERSIONS).optional(),
  controls: z.array(controlSpecSchema),
  buckets: z.array(bucketAuditSchema),
  account: accountAuditSchema.optional(),
  /** Multi-account runs (--accounts): one entry per account, in account ID order. */
  accounts: z.array(accountEntrySchema).optional(),
  /** The --regions filter, when given: buckets elsewhere were left out. */
  regions: z.array(z.string().min(1)).optional(),
  summary: auditSummarySchema,
  stats: auditStatsSchema,
});

export type BucketAudit = z.infer<typeof bucketAuditSchema>;
export type AccountAudit = z.infer<typeof accountAuditSchema>;
export type AccountEntry = z.infer<typeof accountEntrySchema>;
export type AuditSummary = z.infer<typeof auditSummarySchema>;
export type AuditStats = z.infer<typeof auditStatsSchema>;
export type AuditReport = z.infer<typeof auditReportSchema>;
