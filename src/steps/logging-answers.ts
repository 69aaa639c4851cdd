/**
 * The logging step's answers and the defaults they start from: which bucket
 * receives the logs (its own "<bucket>-logs", or one shared by many buckets
 * with --log-bucket, each under its own prefix), and how long it keeps them.
 */
import type { Posture } from '../plan/model/types.js';

export type LogFormat = 'partitioned-delivery' | 'partitioned-event' | 'simple';

export interface LoggingAnswers {
  readonly enabled: boolean;
  /** The bucket that receives the logs. */
  readonly target: string;
  readonly prefix: string;
  readonly format: LogFormat;
  /**
   * Days the target keeps the logs (a lifecycle rule on the prefix), as
   * typed; empty keeps them for ever. Absent in plan files made before it.
   */
  readonly retentionDays?: string;
}

/** A year of access logs: what audits usually ask to keep. */
export const DEFAULT_LOG_RETENTION_DAYS = '365';
export const MAX_RETENTION_DAYS = 36500;

/** The retention the answers ask for, in days; null keeps the logs for ever. */
export function retentionOf(answers: LoggingAnswers): number | null {
  const text = (answers.retentionDays ?? DEFAULT_LOG_RETENTION_DAYS).trim();
  if (text === '' || !/^\d+$/.test(text)) return null;
  const days = Number(text);
  return days >= 1 && days <= MAX_RETENTION_DAYS ? days : null;
}

/** The log target the wizard proposes: the current one, or "<bucket>-logs". */
export function defaultLogBucket(posture: Pick<Posture, 'bucket' | 'values'>): string {
  const current = posture.values['bucket.logging'];
  if (current) return current.TargetBucket;
  const base = posture.bucket.slice(0, 63 - '-logs'.length).replace(/[.-]+$/, '');
  return `${base}-logs`;
}

/** Where each bucket's logs go in a log bucket shared by many (--log-bucket). */
export function sharedLogPrefix(bucket: string): string {
  return `s3-access-logs/${bucket}/`;
}

/**
 * The logging defaults with one log bucket shared by many buckets: each
 * bucket logs under its own prefix of it. A bucket that already logs
 * elsewhere keeps its target unless it asked for nothing; the shared bucket
 * itself is not logged (into itself it cannot be), unless it already logs
 * elsewhere, which it keeps.
 */
export function withSharedLogBucket(
  posture: Pick<Posture, 'bucket' | 'values'>,
  answers: LoggingAnswers,
  logBucket: string,
): LoggingAnswers {
  if (posture.bucket === logBucket) {
    // Its own logging, if it has any, stays as it is: a flag never turns logging off.
    if (posture.values['bucket.logging']) return answers;
    return { ...answers, enabled: false, target: logBucket };
  }
  if (!answers.enabled || posture.values['bucket.logging']) return answers;
  return { ...answers, target: logBucket, prefix: sharedLogPrefix(posture.bucket) };
}
