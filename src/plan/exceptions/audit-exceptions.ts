/**
 * An audit report with its exceptions marked: each failing or unknown
 * result an exception names carries `exception` (its reason, expiry, and
 * whether it expired). The status stays what the check found, so a reader
 * of version 1 that ignores the new field sees the audit as it was; the
 * text view, SARIF and --fail-on read the field. Pure.
 */
import type { AuditReport, BucketAudit } from '../audit/schema.js';
import { type Exception, exceptedText, exceptionFor } from './exceptions.js';

type Result = BucketAudit['results'][number];

/** The result shown as excepted: an exception that has not expired. */
export function isExcepted(result: Pick<Result, 'exception'>): boolean {
  return result.exception !== undefined && !result.exception.expired;
}

/** The line a result's detail shows: the exception first, then what the check found. */
export function resultDetail(result: Pick<Result, 'exception' | 'detail'>): string {
  if (!result.exception) return result.detail;
  const said = exceptedText(result.exception);
  return result.exception.expired && result.detail ? `${said}; ${result.detail}` : said;
}

/** One bucket's results with the exceptions that name it marked. */
export function exceptResults(
  results: readonly Result[],
  bucket: string,
  exceptions: readonly Exception[],
  now: Date,
): Result[] {
  return results.map((result): Result => {
    if (result.status === 'pass') return result;
    const found = exceptionFor(exceptions, bucket, result.id, now);
    return found ? { ...result, exception: found } : result;
  });
}

/**
 * `exceptions` applied to `report`. `tagged` adds each bucket's own (from
 * its tags). The account's row is matched as bucket "" never: an account
 * control is excepted only on the buckets an exception names.
 */
export function exceptAudit(
  report: AuditReport,
  exceptions: readonly Exception[],
  now: Date,
  tagged: Readonly<Record<string, readonly Exception[]>> = {},
): AuditReport {
  if (exceptions.length === 0 && Object.keys(tagged).length === 0) return report;
  return {
    ...report,
    buckets: report.buckets.map((bucket) => ({
      ...bucket,
      results: exceptResults(
        bucket.results,
        bucket.bucket,
        [...exceptions, ...(tagged[bucket.bucket] ?? [])],
        now,
      ),
    })),
  };
}
