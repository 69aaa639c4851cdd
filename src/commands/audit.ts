/**
 * `s3-harden audit`: a read-only posture report for some buckets or all of
 * them. One memoised view of the session serves the run, so an account-wide
 * read (account Block Public Access, Macie, Access Analyzer) is sent once
 * however many buckets ask; each bucket is found first (HeadBucket: a bucket
 * that vanished or is denied gets its row and the audit goes on), then its
 * reads go out together; buckets run a few at a time (--concurrency).
 * Throttling is retried by the SDK (standard mode, see ../aws/clients.ts); a
 * read still refused is one control's "unknown", with the reason.
 *
 * Exit codes: 0 when the audit ran, whatever it found, unless --fail-on
 * trips (2, as `plan` with changes: something to fix); 1 on an error that
 * stops the audit (no credentials, endpoint unreachable, ListBuckets denied).
 */
import type { ConnectionOptions } from '../aws/clients.js';
import { AwsError } from '../aws/errors.js';
import { mapLimit } from '../aws/families/map-limit.js';
import { type AwsSession, connect } from '../aws/index.js';
import { auditReads, evaluateControls } from '../plan/audit/controls.js';
import { type FailOn, failOnReason, parseFailOn } from '../plan/audit/fail-on.js';
import { type AuditLine, renderAudit } from '../plan/audit/render.js';
import { buildReport, outOfRegion } from '../plan/audit/report.js';
import type { AuditReport, BucketAudit } from '../plan/audit/schema.js';
import { TOOL } from '../version.js';
import { CommandError, EXIT, type ExitCode } from './exit-codes.js';
import { createProgress } from './progress.js';
import { colourEnabled, paint } from './style.js';

export interface AuditCommandOptions {
  /** The buckets to audit; ignored with `all`. */
  readonly buckets: readonly string[];
  /** Every bucket the account owns (ListBuckets). */
  readonly all: boolean;
  /** Buckets audited at once (the CLI takes 1–64, default 8). */
  readonly concurrency: number;
  readonly json: boolean;
  readonly failOn: FailOn;
  readonly connection: ConnectionOptions;
}

/** The --fail-on value, or a one-line error (exit 1) before any AWS call. */
export function failOnFlag(value: string): FailOn {
  try {
    return parseFailOn(value);
  } catch (error) {
    throw new CommandError(`--fail-on: ${(error as Error).message}.`);
  }
}

/** Errors that no other bucket would escape either: the audit stops with them. */
function isFatal(error: unknown): boolean {
  return (
    error instanceof AwsError && (error.kind === 'unreachable' || error.kind === 'credentials')
  );
}

/** One bucket: found, then read, then judged. Never rejects but for a fatal error. */
export async function auditBucket(view: AwsSession, bucket: string): Promise<BucketAudit> {
  let region: string;
  try {
    ({ region } = await view.locateBucket(bucket));
  } catch (error) {
    if (isFatal(error)) throw error;
    return { bucket, region: null, results: [], error: (error as Error).message };
  }
  const skipped = outOfRegion(region, view.region);
  const reads = auditReads().filter((resource) => !(resource in skipped));
  // Every read is optional: one refused read is one control's "unknown", not the row's.
  // HeadBucket is not sent again: the view remembers it.
  const posture = await view.observe(bucket, reads, { optional: reads });
  const results = evaluateControls({
    ...posture,
    unreadable: { ...posture.unreadable, ...skipped },
  });
  return { bucket, region: posture.region, results };
}

/** Audits `buckets` through one memoised view, `concurrency` at a time, in their order. */
export async function auditBuckets(
  view: AwsSession,
  buckets: readonly string[],
  concurrency: number,
  onDone: () => void = () => {},
): Promise<BucketAudit[]> {
  return mapLimit(buckets, concurrency, async (bucket) => {
    const audit = await auditBucket(view, bucket);
    onDone();
    return audit;
  });
}

/** The rendered lines as text: each span in its colour, or plain (NO_COLOR, a pipe). */
export function formatAudit(lines: readonly AuditLine[], colour: boolean): string {
  return lines
    .map((line) => line.map((span) => paint(span.text, span.kind, colour)).join(''))
    .join('\n');
}

/** The report of one audit run (also what `--json` prints). */
export async function auditReport(
  session: AwsSession,
  options: Pick<AuditCommandOptions, 'all' | 'buckets' | 'concurrency'>,
  started: number = Date.now(),
  progressStream: Parameters<typeof createProgress>[2] = process.stderr,
): Promise<AuditReport> {
  const view = session.memoised();
  const buckets = options.all ? await view.listBuckets() : [...new Set(options.buckets)];
  const progress = createProgress(buckets.length, 'buckets', progressStream);
  let audits: BucketAudit[];
  try {
    audits = await auditBuckets(view, buckets, options.concurrency, () => progress.tick());
  } finally {
    progress.done();
  }
  return buildReport({
    tool: TOOL,
    accountId: session.identity.accountId,
    region: session.region,
    buckets: audits,
    calls: session.callCounts(),
    durationMs: Date.now() - started,
  });
}

export async function runAudit(
  options: AuditCommandOptions,
  stdout: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
): Promise<ExitCode> {
  if (!options.all && options.buckets.length === 0) {
    throw new CommandError('name the buckets to audit with --bucket, or audit them all with --all');
  }
  const started = Date.now();
  const session = await connect(options.connection);
  try {
    const report = await auditReport(session, options, started);
    if (options.json) stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else stdout.write(`${formatAudit(renderAudit(report), colourEnabled(stdout))}\n`);
    const tripped = failOnReason(options.failOn, report.buckets);
    if (tripped) throw new CommandError(`audit: ${tripped} (--fail-on)`, EXIT.changes);
    return EXIT.ok;
  } finally {
    session.close();
  }
}
