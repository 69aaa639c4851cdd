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
 * stops the audit (no credentials, endpoint unreachable, ListBuckets denied,
 * a --match that matches no bucket).
 */
import type { ConnectionOptions } from '../aws/clients.js';
import { AwsError } from '../aws/errors.js';
import { mapLimit } from '../aws/families/map-limit.js';
import { type AwsSession, connect } from '../aws/index.js';
import { readBucketTagExceptions } from '../flow/bucket-exceptions.js';
import { auditToAsff } from '../plan/audit/asff.js';
import type { CisVersion } from '../plan/audit/cis.js';
import {
  ACCOUNT_CONTROLS,
  auditReads,
  evaluateAccountControls,
  evaluateControls,
} from '../plan/audit/controls.js';
import { type FailOn, failOnReason, parseFailOn } from '../plan/audit/fail-on.js';
import { type AuditLine, renderAudit } from '../plan/audit/render.js';
import { buildReport, outOfRegion } from '../plan/audit/report.js';
import { auditToSarif } from '../plan/audit/sarif.js';
import type { AccountAudit, AuditReport, BucketAudit } from '../plan/audit/schema.js';
import { exceptResults } from '../plan/exceptions/audit-exceptions.js';
import type { Exception } from '../plan/exceptions/exceptions.js';
import type { ResourceKey } from '../plan/model/types.js';
import { escapeControl, jsonText } from '../plan/render/sanitise.js';
import { TOOL } from '../version.js';
import { CommandError, EXIT, type ExitCode } from './exit-codes.js';
import { type BucketSelection, selectBuckets } from './fleet-select.js';
import { createProgress, terminalColumns } from './progress.js';
import { colourEnabled, paint } from './style.js';

export interface AuditCommandOptions {
  /** The buckets to audit: named (--bucket), every one (--all), or a glob (--match). */
  readonly selection: BucketSelection;
  /** Buckets audited at once (the CLI takes 1–64, default 8). */
  readonly concurrency: number;
  readonly json: boolean;
  /** SARIF 2.1.0 instead of the report's own JSON (--format sarif). */
  readonly sarif?: boolean;
  /** AWS Security Finding Format, for Security Hub's BatchImportFindings (--format asff). */
  readonly asff?: boolean;
  readonly failOn: FailOn;
  /** Intended exceptions (the exceptions file); bucket tags add their own. */
  readonly exceptions?: readonly Exception[];
  /** The day exceptions are judged on (tests); default now. */
  readonly now?: Date;
  readonly connection: ConnectionOptions;
  /** Whose CIS numbers to show (--cis-version; default the newest). */
  readonly cisVersion?: CisVersion;
}

/** The --fail-on value, or a one-line error (exit 1) before any AWS call. */
export function failOnFlag(value: string, version?: CisVersion): FailOn {
  try {
    return parseFailOn(value, version);
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

/** Why HeadBucket failed, as the report's `errorKind`. */
function errorKind(error: unknown): NonNullable<BucketAudit['errorKind']> {
  if (!(error instanceof AwsError)) return 'other';
  if (error.kind === 'no-such-bucket') return 'not-found';
  return error.kind === 'access-denied' ? 'denied' : 'other';
}

/**
 * One bucket: found, then read, then judged. Never rejects but for a fatal
 * error. `listed`: the bucket came from ListBuckets (--all, --match), so one
 * not found was deleted during the run, and its row says so.
 */
/** The exceptions an audit honours (file and tags) and the day they are judged on. */
export interface AuditExceptions {
  /** From the exceptions file; each bucket's tags add its own. */
  readonly exceptions: readonly Exception[];
  readonly now: Date;
  /** Where a tag that could not be honoured (no reason, no such control, unreadable) is said. */
  readonly warn: (line: string) => void;
  /** Whose CIS numbers the tags' control names are in (--cis-version). */
  readonly cisVersion?: CisVersion;
}

const NO_EXCEPTIONS: AuditExceptions = { exceptions: [], now: new Date(), warn: () => {} };

export async function auditBucket(
  view: AwsSession,
  bucket: string,
  listed = false,
  context: AuditExceptions = NO_EXCEPTIONS,
): Promise<BucketAudit> {
  let region: string;
  try {
    ({ region } = await view.locateBucket(bucket));
  } catch (error) {
    if (isFatal(error)) throw error;
    const kind = errorKind(error);
    const message =
      listed && kind === 'not-found'
        ? `Bucket ${bucket} no longer exists: it was deleted after the bucket list was read.`
        : (error as Error).message;
    return { bucket, region: null, results: [], error: message, errorKind: kind };
  }
  const skipped = outOfRegion(region, view.region);
  const reads = auditReads().filter((resource) => !(resource in skipped));
  // Every read is optional: one refused read is one control's "unknown", not the row's.
  // HeadBucket is not sent again: the view remembers it.
  // The tags are one more read, sent with the others, once per bucket.
  const [posture, tagged] = await Promise.all([
    view.observe(bucket, reads, { optional: reads }),
    readBucketTagExceptions(view, bucket, context.warn, context.cisVersion).then(
      (read) => read.exceptions,
    ),
  ]);
  const results = evaluateControls({
    ...posture,
    unreadable: { ...posture.unreadable, ...skipped },
  });
  return {
    bucket,
    region: posture.region,
    results: exceptResults(results, bucket, [...context.exceptions, ...tagged], context.now),
  };
}

/**
 * The account-level controls on their own, for a run where no bucket row
 * carries them (no bucket, or none could be audited). A refused read is the
 * control's unknown, as for a bucket.
 */
export async function auditAccount(view: AwsSession): Promise<AccountAudit> {
  const accountId = view.identity.accountId;
  const target = { accountId, region: view.region, bucket: '' };
  const values: Record<string, unknown> = {};
  const unreadable: Partial<Record<ResourceKey, string>> = {};
  const reads = [...new Set(ACCOUNT_CONTROLS.flatMap((control) => control.resources))];
  await Promise.all(
    reads.map(async (resource) => {
      try {
        values[resource] = await view.read(target, resource);
      } catch (error) {
        if (isFatal(error)) throw error;
        unreadable[resource] = (error as Error).message;
      }
    }),
  );
  return { results: evaluateAccountControls({ values, unreadable, accountId }) };
}

/** Audits `buckets` through one memoised view, `concurrency` at a time, in their order. */
export async function auditBuckets(
  view: AwsSession,
  buckets: readonly string[],
  concurrency: number,
  onDone: () => void = () => {},
  listed = false,
  context: AuditExceptions = NO_EXCEPTIONS,
): Promise<BucketAudit[]> {
  return mapLimit(buckets, concurrency, async (bucket) => {
    const audit = await auditBucket(view, bucket, listed, context);
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

/** The bucket names a selection stands for; a glob that matches none is an error, as for `plan`. */
async function bucketNames(view: AwsSession, selection: BucketSelection): Promise<string[]> {
  if (selection.kind === 'list') return [...new Set(selection.buckets)];
  const listed = await view.listBuckets();
  const names = selectBuckets(selection, listed);
  if (selection.kind === 'match' && names.length === 0) {
    throw new CommandError(
      `no bucket matches ${selection.pattern} (of ${listed.length} in the account)`,
    );
  }
  return names;
}

/** The report of one audit run (also what `--json` prints). */
export async function auditReport(
  session: AwsSession,
  options: Pick<AuditCommandOptions, 'selection' | 'concurrency' | 'cisVersion'> & {
    readonly exceptions?: AuditExceptions;
  },
  started: number = Date.now(),
  progressStream: Parameters<typeof createProgress>[2] = process.stderr,
): Promise<AuditReport> {
  const view = session.memoised();
  const buckets = await bucketNames(view, options.selection);
  const listed = options.selection.kind !== 'list';
  const progress = createProgress(buckets.length, 'buckets', progressStream);
  let audits: BucketAudit[];
  try {
    audits = await auditBuckets(
      view,
      buckets,
      options.concurrency,
      () => progress.tick(),
      listed,
      options.exceptions,
    );
  } finally {
    progress.done();
  }
  // Every audited bucket carries the account-level controls; with none, say them alone.
  const account = audits.some((audit) => audit.error === undefined)
    ? undefined
    : await auditAccount(view);
  return buildReport({
    tool: TOOL,
    ...(options.cisVersion ? { cisVersion: options.cisVersion } : {}),
    accountId: session.identity.accountId,
    region: session.region,
    buckets: audits,
    ...(account ? { account } : {}),
    calls: session.callCounts(),
    durationMs: Date.now() - started,
  });
}

export async function runAudit(
  options: AuditCommandOptions,
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stdout,
): Promise<ExitCode> {
  const { selection } = options;
  if (selection.kind === 'list' && selection.buckets.length === 0) {
    throw new CommandError(
      'name the buckets to audit with --bucket, or choose them with --all or --match',
    );
  }
  const started = Date.now();
  const session = await connect(options.connection);
  try {
    const exceptions: AuditExceptions = {
      exceptions: options.exceptions ?? [],
      now: options.now ?? new Date(),
      warn: (line) => process.stderr.write(`${escapeControl(line)}\n`),
      ...(options.cisVersion ? { cisVersion: options.cisVersion } : {}),
    };
    const report = await auditReport(session, { ...options, exceptions }, started);
    if (options.sarif) stdout.write(`${jsonText(auditToSarif(report))}\n`);
    else if (options.asff) {
      stdout.write(`${jsonText(auditToAsff(report, { now: new Date().toISOString() }))}\n`);
    } else if (options.json) stdout.write(`${jsonText(report)}\n`);
    else {
      const lines = renderAudit(report, terminalColumns(stdout));
      stdout.write(`${formatAudit(lines, colourEnabled(stdout))}\n`);
    }
    const tripped = failOnReason(
      options.failOn,
      report,
      selection.kind === 'list' ? 'named' : 'listed',
    );
    if (tripped) throw new CommandError(`audit --fail-on: ${tripped}`, EXIT.changes);
    return EXIT.ok;
  } finally {
    session.close();
  }
}
