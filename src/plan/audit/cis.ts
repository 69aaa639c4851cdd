/**
 * CIS AWS Foundations Benchmark numbers of the audit's controls, by
 * benchmark version: CIS renumbers between versions (v6.0.0 moved the S3
 * section from 2.1.x to 3.1.x and CloudTrail from 3.x to 4.x; Access
 * Analyzer went 1.20 → 1.19 → 2.19 → 2.18), so one number per control
 * would be wrong for most readers. `audit --cis-version` picks one; the
 * default is the newest. Pure data.
 *
 * Sources: the benchmarks' S3, IAM and logging sections as mapped in
 * Prowler's compliance files (prowler/compliance/aws/cis_{3.0,5.0,6.0,7.0}_aws.json)
 * and, for v3.0.0 and v5.0.0, the "Related requirements" of each control in
 * AWS Security Hub's "Security Hub CSPM controls for Amazon S3" page. No
 * version from v2.0.0 on numbers default encryption (v1.4.0's 2.1.1, which
 * S3 has applied to every bucket since January 2023): ENC carries no CIS ID.
 */
import type { ControlId } from './control-types.js';

export const CIS_VERSIONS = ['7.0.0', '6.0.0', '5.0.0', '3.0.0'] as const;
export type CisVersion = (typeof CIS_VERSIONS)[number];
export const DEFAULT_CIS_VERSION: CisVersion = CIS_VERSIONS[0];

type Numbers = Partial<Record<ControlId, string>>;

const V3_V5_S3: Numbers = {
  'bpa-account': '2.1.4',
  'bpa-bucket': '2.1.4',
  tls: '2.1.1',
  'mfa-delete': '2.1.2',
  macie: '2.1.3',
  'data-events': '3.8/3.9',
};

const V6_V7_S3: Numbers = {
  'bpa-account': '3.1.4',
  'bpa-bucket': '3.1.4',
  tls: '3.1.1',
  'mfa-delete': '3.1.2',
  macie: '3.1.3',
  'data-events': '4.8/4.9',
};

export const CIS_NUMBERS: Record<CisVersion, Numbers> = {
  '7.0.0': { ...V6_V7_S3, 'access-analyzer': '2.18' },
  '6.0.0': { ...V6_V7_S3, 'access-analyzer': '2.19' },
  '5.0.0': { ...V3_V5_S3, 'access-analyzer': '1.19' },
  '3.0.0': { ...V3_V5_S3, 'access-analyzer': '1.20' },
};

/** The version a flag names ("5", "5.0", "v5.0.0"), or null. */
export function parseCisVersion(text: string): CisVersion | null {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return null;
  const written = `${match[1]}.${match[2] ?? '0'}.${match[3] ?? '0'}`;
  return (CIS_VERSIONS as readonly string[]).includes(written) ? (written as CisVersion) : null;
}
