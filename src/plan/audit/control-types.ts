/**
 * The audit's control IDs, verdicts and the posture they are judged from,
 * on their own: the catalogue (./controls.ts) and the checks (./checks.ts)
 * both name them.
 */
import type { PostureValues, ResourceKey } from '../model/types.js';

export type ControlStatus = 'pass' | 'fail' | 'unknown';

/** One control judged on one bucket: its status and the words that say why. */
export interface Verdict {
  readonly status: ControlStatus;
  readonly detail: string;
}

export type ControlId =
  | 'bpa-account'
  | 'bpa-bucket'
  | 'acls-disabled'
  | 'encryption'
  | 'encryption-kms'
  | 'tls'
  | 'versioning'
  | 'mfa-delete'
  | 'lifecycle'
  | 'sse-c-blocked'
  | 'object-lock'
  | 'replication'
  | 'logging'
  | 'data-events'
  | 'macie'
  | 'access-analyzer';

/**
 * What the controls are judged from: the values read and why others could
 * not be (a Posture fits), and the bucket they belong to — the HTTPS rule
 * must name the bucket's ARN, a Macie job its account and name.
 */
export interface AuditPosture {
  readonly values: Partial<PostureValues>;
  readonly unreadable: Partial<Record<ResourceKey, string>>;
  readonly bucket: string;
  readonly accountId: string;
  /** The bucket's region, for the ARN partition (aws, aws-cn, aws-us-gov); default aws. */
  readonly region?: string;
}
