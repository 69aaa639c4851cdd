/**
 * How each audit control is judged from a posture: pure functions from the
 * values read (and why others could not be) to pass / fail / unknown and a
 * one-line detail. A value that could not be read makes its control unknown
 * with the reason as read ("Access denied: s3:GetBucketPolicy …", "Macie is
 * not available at this endpoint …"), never a guess.
 */

import type { PostureValues, PublicAccessBlock, ResourceKey } from '../model/types.js';
import { type EncryptionConfiguration, sseAlgorithm } from '../resources/encryption.js';
import { resourceLabel } from '../resources/index.js';
import { isActiveJob, type MacieJobSummary } from '../resources/macie.js';
import type { AuditPosture, ControlId, Verdict } from './control-types.js';
import { dataEvents, deliveringTrail, isLogged } from './data-events.js';
import { jobCoverage } from './macie-coverage.js';
import { replicationHealth } from './replication.js';
import { httpsOnly } from './tls.js';

export type { Verdict } from './control-types.js';

const pass = (detail: string): Verdict => ({ status: 'pass', detail });
const fail = (detail: string): Verdict => ({ status: 'fail', detail });
const unknown = (detail: string): Verdict => ({ status: 'unknown', detail });

type Reading<K extends ResourceKey> =
  | { readonly ok: true; readonly value: PostureValues[K] }
  | { readonly ok: false; readonly verdict: Verdict };

/** The value of `resource`, or the unknown verdict saying why it is missing. */
function read<K extends ResourceKey>(posture: AuditPosture, resource: K): Reading<K> {
  const reason = posture.unreadable[resource];
  if (reason) return { ok: false, verdict: unknown(reason) };
  if (!(resource in posture.values) || posture.values[resource] === undefined)
    return { ok: false, verdict: unknown(`${resourceLabel(resource)} was not read`) };
  return { ok: true, value: posture.values[resource] as PostureValues[K] };
}

const FLAGS: readonly (keyof PublicAccessBlock)[] = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
];

function blockPublicAccess(value: PublicAccessBlock | null, level: string): Verdict {
  if (!value) return fail(`no ${level} Block Public Access configuration`);
  const off = FLAGS.filter((flag) => !value[flag]);
  if (off.length === 0) return pass('all four settings on');
  return fail(`off: ${off.join(', ')}`);
}

const KIND: Record<string, string> = {
  AES256: 'SSE-S3',
  'aws:kms': 'SSE-KMS',
  'aws:kms:dsse': 'DSSE-KMS',
};

/** A key as an operator recognises it: an alias, or the key ID out of its ARN. */
function keyLabel(key: unknown): string {
  if (key === undefined) return 'the AWS managed key aws/s3';
  if (typeof key !== 'string') return 'the key this plan creates';
  const alias = /(alias\/.+)$/.exec(key)?.[1];
  if (alias) return alias;
  return `key ${/key\/(.+)$/.exec(key)?.[1] ?? key}`;
}

function encryptionKind(value: EncryptionConfiguration): string {
  const rule = value.Rules.find((item) => item.ApplyServerSideEncryptionByDefault);
  const byDefault = rule?.ApplyServerSideEncryptionByDefault;
  if (!rule || !byDefault) return 'none';
  const kind = KIND[byDefault.SSEAlgorithm] ?? byDefault.SSEAlgorithm;
  if (byDefault.SSEAlgorithm === 'AES256') return kind;
  const key = keyLabel(byDefault.KMSMasterKeyID);
  // S3 Bucket Keys do not apply to DSSE-KMS.
  if (byDefault.SSEAlgorithm === 'aws:kms:dsse') return `${kind}, ${key}`;
  return `${kind}, ${key}, bucket key ${rule.BucketKeyEnabled ? 'on' : 'off'}`;
}

function encryption(posture: AuditPosture): Verdict {
  const reading = read(posture, 'bucket.encryption');
  if (!reading.ok) return reading.verdict;
  if (!reading.value || !sseAlgorithm(reading.value)) return fail('no default encryption');
  return pass(encryptionKind(reading.value));
}

function encryptionKms(posture: AuditPosture): Verdict {
  const reading = read(posture, 'bucket.encryption');
  if (!reading.ok) return reading.verdict;
  const algorithm = sseAlgorithm(reading.value);
  if (!reading.value || !algorithm) return fail('no default encryption');
  if (algorithm === 'AES256') return fail('SSE-S3: not encrypted with a KMS key');
  return pass(encryptionKind(reading.value));
}

function versioning(posture: AuditPosture): Verdict {
  const reading = read(posture, 'bucket.versioning');
  if (!reading.ok) return reading.verdict;
  if (!reading.value) return fail('never enabled');
  return reading.value.Status === 'Enabled' ? pass('Enabled') : fail('Suspended');
}

function mfaDelete(posture: AuditPosture): Verdict {
  const reading = read(posture, 'bucket.versioning');
  if (!reading.ok) return reading.verdict;
  if (reading.value?.MFADelete === 'Enabled') return pass('enabled');
  if (!reading.value) return fail('versioning was never enabled, and MFA delete needs it');
  return fail('disabled: only the root user can enable it, with its MFA device');
}

function objectLock(posture: AuditPosture): Verdict {
  const reading = read(posture, 'bucket.objectLock');
  if (!reading.ok) return reading.verdict;
  if (!reading.value) return fail('not enabled');
  const retention = reading.value.Rule?.DefaultRetention;
  if (!retention) return pass('enabled, no default retention');
  const period =
    retention.Days !== undefined
      ? `${retention.Days} day${retention.Days === 1 ? '' : 's'}`
      : `${retention.Years} year${retention.Years === 1 ? '' : 's'}`;
  return pass(`enabled, default retention ${retention.Mode} ${period}`);
}

function logging(posture: AuditPosture): Verdict {
  const reading = read(posture, 'bucket.logging');
  if (!reading.ok) return reading.verdict;
  if (!reading.value) return fail('server access logging is off');
  return pass(`to s3://${reading.value.TargetBucket}/${reading.value.TargetPrefix}`);
}

function tls(posture: AuditPosture): Verdict {
  const reading = read(posture, 'bucket.policy');
  if (!reading.ok) return reading.verdict;
  const result = httpsOnly(reading.value, posture.bucket, posture.region);
  return result.holds ? pass(result.detail) : fail(result.detail);
}

function ownership(posture: AuditPosture): Verdict {
  const reading = read(posture, 'bucket.ownershipControls');
  if (!reading.ok) return reading.verdict;
  const setting = reading.value?.ObjectOwnership;
  if (setting === 'BucketOwnerEnforced') return pass('BucketOwnerEnforced: ACLs are disabled');
  if (!setting) return fail('no Object Ownership setting: ACLs are enabled (ObjectWriter)');
  return fail(`${setting}: ACLs still grant access`);
}

function jobLabel(job: { readonly name: string; readonly jobType: string; status?: string }) {
  const kind = job.jobType === 'SCHEDULED' ? 'scheduled' : 'one-time';
  return `${kind} job "${job.name}"${job.status ? ` (${job.status})` : ''}`;
}

/** A job that covers the bucket, a scheduled one first (it keeps covering new objects). */
function coveringJob(jobs: readonly MacieJobSummary[], posture: AuditPosture) {
  const covering = jobs.filter(
    (job) => jobCoverage(job, posture.accountId, posture.bucket) === 'covers',
  );
  return covering.find((job) => job.jobType === 'SCHEDULED') ?? covering[0];
}

function macie(posture: AuditPosture): Verdict {
  const session = read(posture, 'account.macie');
  if (!session.ok) return session.verdict;
  if (!session.value) return fail('Macie is not enabled in this account and region');
  if (session.value.status === 'PAUSED') return fail('Macie is paused: no job runs');
  // The s3-harden job of the bucket (read, or the one a plan creates).
  const own = posture.values['bucket.macieJob'];
  if (isActiveJob(own)) return pass(jobLabel(own));
  const listing = read(posture, 'account.macieJobs');
  if (!listing.ok) return listing.verdict;
  const job = coveringJob(listing.value, posture);
  if (job) return pass(jobLabel(job));
  const maybe = listing.value.find(
    (item) => jobCoverage(item, posture.accountId, posture.bucket) === 'may cover',
  );
  if (maybe) {
    return unknown(
      `${jobLabel(maybe)} picks buckets by tags or permissions: cannot tell whether it covers this one`,
    );
  }
  // Read for this alone: when it could not be read, the verdict stays as it was.
  const administrator = posture.values['account.macieAdministrator'];
  if (administrator?.relationshipStatus === 'Enabled') {
    return unknown(
      `no job of this account covers it; Macie administrator ${administrator.accountId}'s jobs are not visible from here`,
    );
  }
  return fail('no classification job covers this bucket');
}

function accessAnalyzer(posture: AuditPosture): Verdict {
  const analyzer = read(posture, 'account.analyzer');
  if (!analyzer.ok) return analyzer.verdict;
  if (!analyzer.value) return fail('no external-access analyzer in this region');
  const { name, status, statusReason } = analyzer.value;
  if (status === 'CREATING' || typeof analyzer.value.arn !== 'string')
    return unknown(`analyzer ${name} is being created: no findings yet`);
  if (status !== 'ACTIVE')
    return fail(`analyzer ${name} is ${status}${statusReason ? ` (${statusReason})` : ''}`);
  const findings = read(posture, 'bucket.findings');
  if (!findings.ok) return findings.verdict;
  if (!findings.value || findings.value.analyzerArn !== analyzer.value.arn)
    return unknown(`the findings of analyzer ${name} were not read`);
  const active = findings.value.findings;
  if (active.length === 0) return pass(`analyzer ${name}: no active findings`);
  const count = `${active.length}${findings.value.truncated ? '+' : ''}`;
  const publicCount = active.filter((finding) => finding.isPublic).length;
  const first = active[0];
  const who = first ? Object.values(first.principal).join(', ') || 'someone' : '';
  const what = first?.actions.slice(0, 2).join(', ') || 'access';
  return fail(
    `${count} active finding${active.length === 1 ? '' : 's'}${publicCount > 0 ? ` (${publicCount} public)` : ''}, e.g. ${who}: ${what}`,
  );
}

function lifecycle(posture: AuditPosture): Verdict {
  const reading = read(posture, 'bucket.lifecycle');
  if (!reading.ok) return reading.verdict;
  const rules = reading.value?.Rules ?? [];
  if (rules.length === 0) return fail('no lifecycle configuration');
  const enabled = rules.filter((rule) => rule.Status === 'Enabled').length;
  if (enabled === 0) return fail(`all ${rules.length} lifecycle rules disabled`);
  return pass(`${enabled} enabled rule${enabled === 1 ? '' : 's'}`);
}

/** SSE-C blocked by the encryption rule (S3's default for buckets made since April 2026). */
function sseCBlocked(posture: AuditPosture): Verdict {
  const reading = read(posture, 'bucket.encryption');
  if (!reading.ok) return reading.verdict;
  const rule = (reading.value as EncryptionConfiguration | null)?.Rules[0];
  if (rule?.BlockedEncryptionTypes?.EncryptionType.includes('SSE-C')) {
    return pass('uploads with customer-provided keys are refused');
  }
  return fail('uploads with customer-provided keys (SSE-C) are accepted');
}

/** CloudTrail data events of the bucket's objects: reads and writes (S3.23 and S3.22). */
function dataEventsLogged(posture: AuditPosture): Verdict {
  const listing = read(posture, 'account.trails');
  if (!listing.ok) return listing.verdict;
  const events = dataEvents(posture.values, posture.bucket, posture.region);
  if (isLogged(events)) {
    const by =
      events.readBy === events.writeBy
        ? `trail ${events.readBy} logs reads and writes`
        : `trail ${events.readBy} logs reads, trail ${events.writeBy} writes`;
    return pass(
      `${by}${events.allBuckets ? ' (a multi-Region trail logs every bucket)' : '; Security Hub S3.22/S3.23 look for a multi-Region trail that logs every bucket'}`,
    );
  }
  const delivering = deliveringTrail(posture.values, posture);
  if (delivering) {
    return fail(
      `it receives trail ${delivering}'s logs: logging its data events into it would log every delivery, a loop`,
    );
  }
  const [first] = events.unknown;
  if (first) return unknown(`trail ${first.name} could not be judged: ${first.why}`);
  if (events.writeBy) {
    return fail(`reads are not logged (S3.23); writes are, by trail ${events.writeBy}`);
  }
  if (events.readBy) {
    return fail(`writes are not logged (S3.22); reads are, by trail ${events.readBy}`);
  }
  const trails = listing.value?.length ?? 0;
  return fail(
    trails === 0
      ? 'no CloudTrail trail in this region logs data events'
      : `no logging trail of this region logs this bucket's object reads or writes`,
  );
}

export const CHECKS: Readonly<Record<ControlId, (posture: AuditPosture) => Verdict>> = {
  'bpa-account': (posture) => {
    const reading = read(posture, 'account.publicAccessBlock');
    return reading.ok ? blockPublicAccess(reading.value, 'account-level') : reading.verdict;
  },
  'bpa-bucket': (posture) => {
    const reading = read(posture, 'bucket.publicAccessBlock');
    return reading.ok ? blockPublicAccess(reading.value, 'bucket-level') : reading.verdict;
  },
  'acls-disabled': ownership,
  encryption,
  'encryption-kms': encryptionKms,
  tls,
  versioning,
  'mfa-delete': mfaDelete,
  lifecycle,
  'sse-c-blocked': sseCBlocked,
  'object-lock': objectLock,
  replication: replicationHealth,
  logging,
  'data-events': dataEventsLogged,
  macie,
  'access-analyzer': accessAnalyzer,
};
