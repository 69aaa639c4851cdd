/**
 * `s3-harden audit`: a read-only posture report for some buckets or all of
 * them. One memoised view of the session serves the run, so an account-wide
 * read (account Block Public Access) is sent once however many buckets ask,
 * and a regional one (Macie, Access Analyzer, KMS, CloudTrail) once per
 * region: each bucket is read in its own region (ListBuckets' BucketRegion,
 * else HeadBucket's), through that region's clients. A listed bucket whose
 * region ListBuckets says has its reads go out together at once; one named,
 * or of unknown region, is found first (HeadBucket), then read; a bucket
 * that vanished or is denied gets its row and the audit goes on
 * (./audit-buckets.ts); buckets run a few at a time (--concurrency). --regions keeps the buckets of those regions. Many
 * accounts (--accounts): ./audit-accounts.ts. Throttling is retried by the
 * SDK (standard mode, see ../aws/clients.ts); a read still refused is one
 * control's "unknown", with the reason.
 *
 * Exit codes: 0 when the audit ran, whatever it found, unless --fail-on
 * trips (2, as `plan` with changes: something to fix); 4 when some accounts
 * of --accounts could not be audited (wins over 2); 1 on an error that stops
 * the audit (no credentials, endpoint unreachable, ListBuckets denied on a
 * one-account run, a --match that matches no bucket).
 */
import type { ConnectionOptions } from '../aws/clients.js';
import { type AwsSession, connect } from '../aws/index.js';
import { auditToAsff } from '../plan/audit/asff.js';
import type { CisVersion } from '../plan/audit/cis.js';
import { type FailOn, FailOnTally, parseFailOn } from '../plan/audit/fail-on.js';
import { type AuditLine, renderAudit } from '../plan/audit/render.js';
import { buildReport, type ReportInput } from '../plan/audit/report.js';
import { reportWriter } from '../plan/audit/report-stream.js';
import { auditToSarif } from '../plan/audit/sarif.js';
import type { AccountAudit, AuditReport, BucketAudit } from '../plan/audit/schema.js';
import type { Exception } from '../plan/exceptions/exceptions.js';
import { osReason } from '../plan/files/safe-file.js';
import { escapeControl, jsonText } from '../plan/render/sanitise.js';
import { TOOL } from '../version.js';
import { type AccountsSelection, auditAccounts } from './audit-accounts.js';
import {
  type AccountScope,
  type AuditExceptions,
  auditAccountBuckets,
  ReaderGone,
  type RowSink,
} from './audit-buckets.js';
import { CommandError, EXIT, type ExitCode } from './exit-codes.js';
import type { BucketSelection } from './fleet-select.js';
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
  /** --regions: only buckets in these regions. */
  readonly regions?: readonly string[];
  /** --accounts (with --role-name, --external-id): a multi-account run. */
  readonly accounts?: AccountsSelection;
}

/** The --fail-on value, or a one-line error (exit 1) before any AWS call. */
export function failOnFlag(value: string, version?: CisVersion): FailOn {
  try {
    return parseFailOn(value, version);
  } catch (error) {
    throw new CommandError(`--fail-on: ${(error as Error).message}.`);
  }
}

/** The rendered lines as text: each span in its colour, or plain (NO_COLOR, a pipe). */
export function formatAudit(lines: readonly AuditLine[], colour: boolean): string {
  return lines
    .map((line) => line.map((span) => paint(span.text, span.kind, colour)).join(''))
    .join('\n');
}

type ProgressStream = Parameters<typeof createProgress>[2];

/** One account's rows to `onRow` (with a progress bar); the rest of its report. */
async function auditOneAccount(
  session: AwsSession,
  scope: Omit<AccountScope, 'onCount' | 'onBucket'>,
  onRow: RowSink,
  progressStream: ProgressStream = process.stderr,
): Promise<{ account?: AccountAudit; calls: Record<string, number> }> {
  const view = session.memoised();
  let progress = createProgress(0, 'buckets', progressStream);
  try {
    const result = await auditAccountBuckets(
      view,
      {
        ...scope,
        onCount: (count) => {
          progress = createProgress(count, 'buckets', progressStream);
        },
        onBucket: () => progress.tick(),
      },
      onRow,
    );
    return { ...(result.account ? { account: result.account } : {}), calls: session.callCounts() };
  } finally {
    progress.done();
  }
}

/** The report's fields known before any row. */
function reportStart(
  session: AwsSession,
  options: Pick<AuditCommandOptions, 'cisVersion' | 'regions'>,
) {
  return {
    tool: TOOL,
    ...(options.cisVersion ? { cisVersion: options.cisVersion } : {}),
    accountId: session.identity.accountId,
    region: session.region,
    ...(options.regions ? { regions: options.regions } : {}),
  };
}

/** The report of one audit run, collected (what `--json` prints). */
export async function auditReport(
  session: AwsSession,
  options: Pick<AuditCommandOptions, 'selection' | 'concurrency' | 'cisVersion' | 'regions'> & {
    readonly exceptions?: AuditExceptions;
  },
  started: number = Date.now(),
  progressStream: ProgressStream = process.stderr,
): Promise<AuditReport> {
  const rows: BucketAudit[] = [];
  const rest = await auditOneAccount(
    session,
    options,
    (row) => {
      rows.push(row);
    },
    progressStream,
  );
  return buildReport({
    ...reportStart(session, options),
    buckets: rows,
    ...rest,
    durationMs: Date.now() - started,
  });
}

const CLOSED = 'the output closed before the report was written';

/**
 * Resolves once `stream` takes writes again, or a write failed (EPIPE, ENOSPC:
 * runAudit stops writing); rejects when it closed with no error.
 */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: unknown) => {
      stream.off('drain', settle);
      stream.off('error', settle);
      stream.off('close', closed);
      // A write that failed: runAudit's own listener has it (a reader gone, or the report lost).
      if (error instanceof Error && error.message === CLOSED) reject(error);
      else resolve();
    };
    const closed = () => settle(new Error(CLOSED));
    stream.once('drain', settle);
    stream.once('error', settle);
    stream.once('close', closed);
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
  // The reader going away (`audit --json | head -1`, a pager quit) is not
  // the audit's failure: it has read all it wanted. As git stops at the
  // SIGPIPE, the audit stops there — the shell waits for every command of
  // a pipeline, so reading on would hold `| head -1` for the whole audit —
  // and says nothing on stderr. It exits 0, not git's 141 (killed by
  // SIGPIPE): nothing failed, and an audit writes nothing, so nothing is
  // left half done. But a gate (--fail-on) reads on to the end, writing
  // nothing more, and exits as it would have: its exit code is a verdict
  // (`set -o pipefail`), and a 0 cut short would pass buckets never judged.
  // Any other failure to write (`> /dev/full`) loses the report: the audit
  // stops, in one line, exit 1.
  let gone = false;
  let broken: NodeJS.ErrnoException | undefined;
  const gate = options.failOn.level !== 'never';
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') gone = true;
    else broken ??= error;
  };
  const session = await connect(options.connection);
  try {
    const exceptions: AuditExceptions = {
      exceptions: options.exceptions ?? [],
      now: options.now ?? new Date(),
      warn: (line) => process.stderr.write(`${escapeControl(line)}\n`),
      ...(options.cisVersion ? { cisVersion: options.cisVersion } : {}),
    };
    const scope = { ...options, exceptions };
    const start = reportStart(session, options);
    const failOn = new FailOnTally(options.failOn, selection.kind === 'list' ? 'named' : 'listed');
    // --json is written row by row as the audit goes (./report-stream.ts): memory
    // follows --concurrency. The table, SARIF and ASFF need every row first.
    let pending: Promise<void> | undefined;
    const writer =
      options.json && !options.sarif && !options.asff
        ? reportWriter(
            (text) => {
              if (!stdout.write(text)) pending = drained(stdout);
            },
            { ...start, generatedAt: new Date(started) },
          )
        : undefined;
    if (writer) stdout.on('error', onStdoutError);
    const rows: BucketAudit[] = [];
    const onRow = (row: BucketAudit): Promise<void> | undefined => {
      failOn.bucket(row);
      if (!writer) {
        rows.push(row);
        return undefined;
      }
      if (gone || broken) {
        if (gate && !broken) return undefined;
        throw new ReaderGone();
      }
      writer.row(row);
      const wait = pending;
      pending = undefined;
      return wait;
    };
    const lost = () => new CommandError(`cannot write standard output: ${osReason(broken)}`);
    let rest: Pick<ReportInput, 'account' | 'accounts' | 'calls'>;
    try {
      rest = options.accounts
        ? await auditAccounts(session, options.accounts, scope, onRow)
        : await auditOneAccount(session, scope, onRow);
    } catch (error) {
      if (broken) throw lost();
      if (error instanceof ReaderGone) return EXIT.ok;
      throw error;
    }
    const tail = { ...rest, durationMs: Date.now() - started };
    failOn.accounts(tail);
    if (writer) {
      if (!gone && !broken) writer.end(tail);
      await pending;
      if (broken) throw lost();
    } else {
      const report = buildReport({ ...start, buckets: rows, ...tail });
      if (options.sarif) stdout.write(`${jsonText(auditToSarif(report))}\n`);
      else if (options.asff) {
        stdout.write(`${jsonText(auditToAsff(report, { now: new Date().toISOString() }))}\n`);
      } else {
        const lines = renderAudit(report, terminalColumns(stdout));
        stdout.write(`${formatAudit(lines, colourEnabled(stdout))}\n`);
      }
    }
    const tripped = failOn.reason();
    const unaudited = (rest.accounts ?? []).filter((entry) => entry.status === 'failed');
    if (unaudited.length > 0) {
      // An incomplete audit is never clean: exit 4 wins over --fail-on's 2, whose finding is still said.
      if (tripped)
        process.stderr.write(`${escapeControl(`s3-harden: audit --fail-on: ${tripped}`)}\n`);
      const ids = unaudited.map((entry) => entry.accountId);
      throw new CommandError(
        `${unaudited.length} of ${rest.accounts?.length} accounts could not be audited: ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''} (see the report)`,
        EXIT.accountsIncomplete,
      );
    }
    if (tripped) throw new CommandError(`audit --fail-on: ${tripped}`, EXIT.changes);
    return EXIT.ok;
  } finally {
    stdout.off('error', onStdoutError);
    session.close();
  }
}
