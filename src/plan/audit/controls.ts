/**
 * The audit's controls: what each one checks, the Security Hub and CIS IDs
 * it maps to, and the resources it reads. Pure: `evaluateControls` judges a
 * posture already read (see ./checks.ts); `s3-harden audit` and the
 * wizard's posture screen share it.
 *
 * CIS numbers come from ./cis.ts, by benchmark version (the newest unless
 * `audit --cis-version` says otherwise). `fsbp` holds the
 * Security Hub control ID (part of AWS Foundational Security Best Practices
 * for S3.1/S3.5/S3.8/S3.9/S3.12/S3.13 and Macie.1, of other standards for the rest).
 */

import type { ResourceKey } from '../model/types.js';
import { RESOURCES } from '../resources/index.js';
import { CHECKS } from './checks.js';
import { CIS_NUMBERS, type CisVersion, DEFAULT_CIS_VERSION } from './cis.js';
import type { AuditPosture, ControlId, ControlStatus } from './control-types.js';

export type { AuditPosture, ControlId, ControlStatus } from './control-types.js';

export interface ControlSpec {
  readonly id: ControlId;
  /** Short, e.g. 'Block Public Access (bucket)'. */
  readonly title: string;
  /** The table's column header, at most 8 characters, e.g. 'BPA-B'. */
  readonly column: string;
  /** Security Hub control ID, e.g. 'S3.8'. */
  readonly fsbp?: string;
  /** The Security Hub control is part of the FSBP standard (shown "FSBP S3.8"). */
  readonly inFsbp?: true;
  /**
   * The CIS recommendation asks for this in every region: one region's pass
   * is a column of the audit, not a claim a step can make for the account.
   */
  readonly cisEveryRegion?: true;
  /** CIS AWS Foundations Benchmark ID in the version chosen (./cis.ts), e.g. '3.1.4'. */
  readonly cis?: string;
  /** What it reads, and what a plan change to one of them would change. */
  readonly resources: readonly ResourceKey[];
}

export interface ControlResult {
  readonly id: ControlId;
  readonly status: ControlStatus;
  /** One line: 'SSE-KMS, alias/data, bucket key on', or why it is unknown. */
  readonly detail: string;
}

/** The catalogue without CIS numbers: those depend on the benchmark version (./cis.ts). */
const CATALOGUE: readonly ControlSpec[] = [
  {
    id: 'bpa-account',
    title: 'Block Public Access (account)',
    column: 'BPA-A',
    fsbp: 'S3.1',
    inFsbp: true,
    resources: ['account.publicAccessBlock'],
  },
  {
    id: 'bpa-bucket',
    title: 'Block Public Access (bucket)',
    column: 'BPA',
    fsbp: 'S3.8',
    inFsbp: true,
    resources: ['bucket.publicAccessBlock'],
  },
  {
    id: 'acls-disabled',
    title: 'ACLs disabled (Object Ownership)',
    column: 'ACL',
    fsbp: 'S3.12',
    inFsbp: true,
    resources: ['bucket.ownershipControls'],
  },
  {
    id: 'encryption',
    title: 'Default encryption',
    column: 'ENC',
    resources: ['bucket.encryption'],
  },
  {
    // No Security Hub or CIS ID: S3 blocks SSE-C on new buckets since April
    // 2026; a bucket made before keeps accepting customer-provided keys.
    id: 'sse-c-blocked',
    title: 'SSE-C uploads blocked',
    column: 'SSEC',
    resources: ['bucket.encryption'],
  },
  {
    id: 'encryption-kms',
    title: 'Default encryption with KMS',
    column: 'KMS',
    fsbp: 'S3.17',
    resources: ['bucket.encryption'],
  },
  {
    id: 'tls',
    title: 'HTTPS only (bucket policy)',
    column: 'TLS',
    fsbp: 'S3.5',
    inFsbp: true,
    resources: ['bucket.policy'],
  },
  {
    id: 'versioning',
    title: 'Versioning',
    column: 'VER',
    fsbp: 'S3.14',
    resources: ['bucket.versioning'],
  },
  {
    id: 'mfa-delete',
    title: 'MFA delete',
    column: 'MFA',
    fsbp: 'S3.20',
    resources: ['bucket.versioning'],
  },
  {
    id: 'lifecycle',
    title: 'Lifecycle configuration',
    column: 'LIFE',
    fsbp: 'S3.13',
    inFsbp: true,
    resources: ['bucket.lifecycle'],
  },
  {
    id: 'object-lock',
    title: 'Object Lock',
    column: 'LOCK',
    fsbp: 'S3.15',
    resources: ['bucket.objectLock'],
  },
  {
    // No Security Hub or CIS ID checks this (S3.7 asks for cross-Region
    // replication itself): does replication still work with the hardening?
    id: 'replication',
    title: 'Replication health',
    column: 'REPL',
    resources: [
      'bucket.replication',
      'bucket.replicationTargets',
      'bucket.objectLock',
      'bucket.encryption',
      'bucket.policy',
    ],
  },
  {
    id: 'logging',
    title: 'Server access logging',
    column: 'LOG',
    fsbp: 'S3.9',
    inFsbp: true,
    resources: ['bucket.logging'],
  },
  {
    // Object-level writes are S3.22 (CIS 3.8), reads S3.23 (CIS 3.9): both
    // must be logged to pass. Judged for this bucket (./data-events.ts);
    // Security Hub asks a multi-Region trail for every bucket, and the
    // detail says whether one does. 'bucket.exists' because the verdict is
    // the bucket's own, though every trail resource is account-wide.
    id: 'data-events',
    title: 'CloudTrail data events',
    column: 'CT',
    fsbp: 'S3.22/S3.23',
    resources: ['account.trails', 'trail.selectors', 'bucket.exists'],
  },
  {
    id: 'macie',
    title: 'Macie discovery job',
    column: 'MAC',
    fsbp: 'Macie.1',
    inFsbp: true,
    // Any job counts, whoever made it (the account's listing, read once per
    // run); the bucket's own s3-harden job is what a plan creates. A member
    // account cannot list its Macie administrator's jobs, which may cover it.
    resources: [
      'account.macie',
      'account.macieJobs',
      'account.macieAdministrator',
      'bucket.macieJob',
    ],
  },
  {
    id: 'access-analyzer',
    title: 'IAM Access Analyzer findings',
    column: 'AA',
    fsbp: 'IAM.28',
    cisEveryRegion: true,
    resources: ['account.analyzer', 'bucket.findings'],
  },
];

/** The catalogue with the CIS numbers of `version`. */
export function controlsForCis(version: CisVersion): readonly ControlSpec[] {
  const numbers = CIS_NUMBERS[version];
  return CATALOGUE.map((control) => {
    const cis = numbers[control.id];
    return cis ? { ...control, cis } : control;
  });
}

/** The catalogue, numbered by the newest CIS version (steps, the posture screen). */
export const CONTROLS: readonly ControlSpec[] = controlsForCis(DEFAULT_CIS_VERSION);

/** Every resource the controls read, once each, in catalogue order. */
export function auditReads(): ResourceKey[] {
  return [...new Set(CONTROLS.flatMap((control) => control.resources))];
}

/** Each control's result for this posture, in catalogue order. */
export function evaluateControls(posture: AuditPosture): ControlResult[] {
  return CONTROLS.map((control) => ({ id: control.id, ...CHECKS[control.id](posture) }));
}

/**
 * The controls judged from account-wide reads alone (Block Public Access of
 * the account): the same for every bucket, and still worth saying for an
 * account that has none.
 */
export const ACCOUNT_CONTROLS: readonly ControlSpec[] = CONTROLS.filter((control) =>
  control.resources.every((resource) => RESOURCES[resource].scope === 'account'),
);

/** The account-level controls' results, in catalogue order. */
export function evaluateAccountControls(
  posture: Omit<AuditPosture, 'bucket' | 'region'>,
): ControlResult[] {
  // No bucket: these checks read account-wide values only.
  const whole: AuditPosture = { ...posture, bucket: '' };
  return ACCOUNT_CONTROLS.map((control) => ({ id: control.id, ...CHECKS[control.id](whole) }));
}

/**
 * A control's Security Hub ID as every report names it: "FSBP S3.8" when the
 * control is in the Foundational Security Best Practices standard, else
 * "Security Hub S3.14" (a control of Security Hub's other standards, NIST
 * SP 800-53 or CIS), so no one reads a NIST-only control as an FSBP finding.
 */
export function securityHubLabel(id: ControlId): string | undefined {
  const spec = controlSpec(id);
  if (!spec.fsbp) return undefined;
  return `${spec.inFsbp ? 'FSBP' : 'Security Hub'} ${spec.fsbp}`;
}

/**
 * How a step names the controls it satisfies ('FSBP S3.8', 'CIS 2.1.4',
 * 'Security Hub S3.14'): drawn from this catalogue, so a step's header and
 * the audit's columns cannot disagree about which IDs a setting meets.
 */
export function controlLabels(...ids: ControlId[]): string[] {
  const labels = ids.flatMap((id) => {
    const spec = controlSpec(id);
    const hub = securityHubLabel(id);
    return [
      ...(hub ? [hub] : []),
      ...(spec.cis && !spec.cisEveryRegion ? [`CIS ${spec.cis}`] : []),
    ];
  });
  return [...new Set(labels)];
}

/** The control with this ID. */
export function controlSpec(id: ControlId): ControlSpec {
  const spec = CONTROLS.find((control) => control.id === id);
  if (!spec) throw new Error(`no audit control ${id}`);
  return spec;
}
