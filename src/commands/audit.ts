/**
 * `s3-harden audit`: a read-only posture report for some buckets or all of
 * them. One memoised view of the session serves the run, so an account-wide
 * read (account Block Public Access) is sent once however many buckets ask,
 * and a regional one (Macie, Access Analyzer, KMS, CloudTrail) once per
 * region: each bucket is read in its own region (ListBuckets' BucketRegion,
 * else HeadBucket's), through that region's clients. Each bucket is found
 * first (HeadBucket: a bucket that vanished or is denied gets its row and the
 * audit goes on), then its reads go out together; buckets run a few at a
 * time (--concurrency). --regions keeps the buckets of those regions. Many
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
import { buildReport } from '../plan/audit/report.js';
import { auditToSarif } from '../plan/audit/sarif.js';
import type { AccountAudit, AuditReport, BucketAudit } from '../plan/audit/schema.js';
import { exceptResults } from '../plan/exceptions/audit-exceptions.js';
import type { Exception } from '../plan/exceptions/exceptions.js';
import type { ResourceKey } from '../plan/model/types.js';
import { escapeControl, jsonText } from '../plan/render/sanitise.js';
import { TOOL } from '../version.js';
import { type AccountsSelection, auditAccountsReport } from './audit-accounts.js';
import { inRegions, isFatal } from './bucket-regions.js';
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
  /** On multi-account runs, the account each row names. */
  readonly accountId?: string;
}

const NO_EXCEPTIONS: AuditExceptions = { exceptions: [], now: new Date(), warn: () => {} };

export async function auditBucket(
  view: AwsSession,
  bucket: string,
  listed = false,
  context: AuditExceptions = NO_EXCEPTIONS,
  knownRegion?: string,
): Promise<BucketAudit> {
  let region: string;
  try {
    // HeadBucket in the bucket's region when ListBuckets said it, else from the
    // session's; memoised for every region, so observe does not send it again.
    ({ region } = await (knownRegion ? view.inRegion(knownRegion) : view).locateBucket(bucket));
  } catch (error) {
    if (isFatal(error)) throw error;
    const kind = errorKind(error);
    const message =
      listed && kind === 'not-found'
        ? `Bucket ${bucket} no longer exists: it was deleted after the bucket list was read.`
        : (error as Error).message;
    return {
      bucket,
      ...(context.accountId ? { accountId: context.accountId } : {}),
      region: null,
      results: [],
      error: message,
      errorKind: kind,
    };
  }
  // Read in its own region: Macie, Access Analyzer, KMS, CloudTrail answer
  // there (once per region, memoised); account Block Public Access once per account.
  const local = view.inRegion(region);
  const reads = auditReads();
  // Every read is optional: one refused read is one control's "unknown", not the row's.
  // HeadBucket is not sent again: the view remembers it.
  // The tags are one more read, sent with the others, once per bucket.
  const [posture, tagged] = await Promise.all([
    local.observe(bucket, reads, { optional: reads }),
    readBucketTagExceptions(local, bucket, context.warn, context.cisVersion).then(
      (read) => read.exceptions,
    ),
  ]);
  const results = evaluateControls(posture);
  return {
    bucket,
    ...(context.accountId ? { accountId: context.accountId } : {}),
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
  /** Each bucket's row is built (the progress; the command also drops its reads). */
  onDone: (bucket: string) => void = () => {},
  listed = false,
  context: AuditExceptions = NO_EXCEPTIONS,
  regions: ReadonlyMap<string, string> = new Map(),
): Promise<BucketAudit[]> {
  return mapLimit(buckets, concurrency, async (bucket) => {
    const audit = await auditBucket(view, bucket, listed, context, regions.get(bucket));
    onDone(bucket);
    return audit;
  });
}

/** The rendered lines as text: each span in its colour, or plain (NO_COLOR, a pipe). */
export function formatAudit(lines: readonly AuditLine[], colour: boolean): string {
  return lines
    .map((line) => line.map((span) => paint(span.text, span.kind, colour)).join(''))
    .join('\n');
}

/**
 * The bucket names a selection stands for, with the regions ListBuckets gave;
 * a glob that matches none is an error, as for `plan` (unless `quiet`: one
 * account of many may have none).
 */
async function bucketNames(
  view: AwsSession,
  selection: BucketSelection,
  quiet = false,
): Promise<{ names: string[]; regions: Map<string, string> }> {
  if (selection.kind === 'list')
    return { names: [...new Set(selection.buckets)], regions: new Map() };
  const listed = await view.listBucketsWithRegions();
  const names = selectBuckets(
    selection,
    listed.map((bucket) => bucket.name),
  );
  if (!quiet && selection.kind === 'match' && names.length === 0) {
    throw new CommandError(
      `no bucket matches ${selection.pattern} (of ${listed.length} in the account)`,
    );
  }
  const regions = new Map<string, string>();
  for (const bucket of listed) if (bucket.region) regions.set(bucket.name, bucket.region);
  return { names, regions };
}

/** What one account's part of an audit needs. */
export interface AccountScope {
  readonly selection: BucketSelection;
  readonly concurrency: number;
  readonly exceptions?: AuditExceptions;
  /** --regions: buckets elsewhere are left out. */
  readonly regions?: readonly string[];
  /** A multi-account run: rows name the account, a glob matching none here is no error. */
  readonly accountId?: string;
  readonly onBucket?: () => void;
  /** Called once the bucket count is known (the progress bar). */
  readonly onCount?: (buckets: number) => void;
}

/**
 * One account's rows: its buckets (within --regions), each read in its own
 * region; the account-level controls alone when no row carries them.
 */
export async function auditAccountBuckets(
  view: AwsSession,
  scope: AccountScope,
): Promise<{ audits: BucketAudit[]; account?: AccountAudit }> {
  const { names, regions } = await bucketNames(view, scope.selection, Boolean(scope.accountId));
  const buckets = await inRegions(view, names, regions, scope.regions);
  scope.onCount?.(buckets.length);
  const context = scope.exceptions ?? NO_EXCEPTIONS;
  const audits = await auditBuckets(
    view,
    buckets,
    scope.concurrency,
    (bucket) => {
      // The report is all the command keeps of a bucket: its answers go, so
      // memory follows --concurrency, not the fleet's size.
      view.release(bucket);
      scope.onBucket?.();
    },
    scope.selection.kind !== 'list',
    scope.accountId ? { ...context, accountId: scope.accountId } : context,
    regions,
  );
  // Every audited bucket carries the account-level controls; with none, say them alone.
  const account = audits.some((audit) => audit.error === undefined)
    ? undefined
    : await auditAccount(view);
  return { audits, ...(account ? { account } : {}) };
}

/** The report of one audit run (also what `--json` prints). */
export async function auditReport(
  session: AwsSession,
  options: Pick<AuditCommandOptions, 'selection' | 'concurrency' | 'cisVersion' | 'regions'> & {
    readonly exceptions?: AuditExceptions;
  },
  started: number = Date.now(),
  progressStream: Parameters<typeof createProgress>[2] = process.stderr,
): Promise<AuditReport> {
  const view = session.memoised();
  let progress = createProgress(0, 'buckets', progressStream);
  let result: Awaited<ReturnType<typeof auditAccountBuckets>>;
  try {
    result = await auditAccountBuckets(view, {
      ...options,
      onCount: (count) => {
        progress = createProgress(count, 'buckets', progressStream);
      },
      onBucket: () => progress.tick(),
    });
  } finally {
    progress.done();
  }
  return buildReport({
    tool: TOOL,
    ...(options.cisVersion ? { cisVersion: options.cisVersion } : {}),
    accountId: session.identity.accountId,
    region: session.region,
    buckets: result.audits,
    ...(result.account ? { account: result.account } : {}),
    ...(options.regions ? { regions: options.regions } : {}),
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
    const report = options.accounts
      ? await auditAccountsReport(session, options.accounts, { ...options, exceptions }, started)
      : await auditReport(session, { ...options, exceptions }, started);
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
    const unaudited = (report.accounts ?? []).filter((entry) => entry.status === 'failed');
    if (unaudited.length > 0) {
      // An incomplete audit is never clean: exit 4 wins over --fail-on's 2, whose finding is still said.
      if (tripped)
        process.stderr.write(`${escapeControl(`s3-harden: audit --fail-on: ${tripped}`)}\n`);
      const ids = unaudited.map((entry) => entry.accountId);
      throw new CommandError(
        `${unaudited.length} of ${report.accounts?.length} accounts could not be audited: ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''} (see the report)`,
        EXIT.accountsIncomplete,
      );
    }
    if (tripped) throw new CommandError(`audit --fail-on: ${tripped}`, EXIT.changes);
    return EXIT.ok;
  } finally {
    session.close();
  }
}
