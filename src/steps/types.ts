import type {
  Change,
  Posture,
  PostureValues,
  Preset,
  PublicAccessBlock,
  ResourceKey,
} from '../plan/model/types.js';
import type { AccessAnalyzerAnswers } from './access-analyzer.js';
import type { AccessPointAnswers } from './access-point.js';
import type { BucketPolicyAnswers } from './bucket-policy.js';
import type { EncryptionAnswers } from './encryption.js';
import type { Field } from './form.js';
import type { LoggingAnswers } from './logging.js';
import type { MacieAnswers } from './macie.js';
import type { ObjectLockAnswers } from './object-lock.js';
import type { ObjectOwnershipAnswers } from './object-ownership.js';
import type { VersioningAnswers } from './versioning.js';

/** The answers each step collects, by step id. */
export interface StepAnswers {
  'public-access-block': PublicAccessBlock;
  encryption: EncryptionAnswers;
  'object-ownership': ObjectOwnershipAnswers;
  versioning: VersioningAnswers;
  'object-lock': ObjectLockAnswers;
  logging: LoggingAnswers;
  'bucket-policy': BucketPolicyAnswers;
  'access-point': AccessPointAnswers;
  'access-analyzer': AccessAnalyzerAnswers;
  macie: MacieAnswers;
  'account-public-access-block': PublicAccessBlock;
}

export type StepId = keyof StepAnswers;

/** A toggle the wizard shows, with the one-line explanation from the guide. */
export interface FlagInfo<K extends string = string> {
  readonly key: K;
  readonly label: string;
  readonly help: string;
}

export interface Step<A> {
  readonly id: StepId;
  readonly title: string;
  /** One line under the title: what the step protects against. */
  readonly summary: string;
  /** Account-wide steps affect every bucket; the wizard says so. */
  readonly scope: 'bucket' | 'account';
  /** Controls satisfied: AWS Foundational Security Best Practices and CIS IDs. */
  readonly controls: readonly string[];
  /** Resources `plan` needs observed. */
  readonly reads: readonly ResourceKey[];
  /**
   * Resources read too, but not required: when one is unreadable the step
   * still runs and falls back (e.g. typing a KMS key when keys cannot be listed).
   */
  readonly optionalReads?: readonly ResourceKey[];
  /** Secure defaults for this posture and preset. */
  defaults(posture: Posture, preset: Preset): A;
  /** Problems with the answers, one clear sentence each; empty when valid. */
  validate(answers: A): string[];
  /**
   * Pure: the changes that bring the posture to the answers. `planned` is
   * what the whole plan leaves — the observed values with every step's
   * after-state laid over them (buildPlan settles it; absent, the observed
   * values). A step whose output depends on another step's reads it there:
   * the bucket policy drops the ACL condition once ACLs go off, a created
   * key's policy grants whom the bucket policy grants.
   */
  plan(posture: Posture, answers: A, planned?: Partial<PostureValues>): Change[];
  /** What the wizard asks, given the live posture and the answers so far. */
  fields(posture: Posture, answers: A): Field[];
  /**
   * Another bucket this step needs read before it can plan (the access-log
   * target), given the answers; the wizard reads it when the answer changes.
   */
  relatedBucket?(answers: A): string | undefined;
  /**
   * Why this step cannot run against this posture although its required reads
   * succeeded (e.g. a service its optional reads found missing), or null.
   */
  unavailable?(posture: Posture): string | null;
  /** Answers that change nothing ("keep what is there"), for the `k` key. */
  keep?(posture: Posture): A;
  /**
   * Why these answers leave the step's control unmet on purpose (e.g. ACLs
   * kept on while the bucket ACL grants access), or null. The plan lists it
   * with the skipped steps, so `plan`, `apply`, --json and fleets say so.
   */
  leftAsIs?(posture: Posture, answers: A): string | null;
  /**
   * What the operator told this step about their own requests (their public
   * IP, their VPC endpoint), for the lockout guard; never policy content.
   */
  callerContext?(answers: A): { readonly sourceIp?: string; readonly sourceVpce?: string };
  /**
   * The answers with the operator's principal exempted from the step's
   * restrictions (`e` on the review's lockout finding); absent when the
   * step cannot exempt anyone.
   */
  exempt?(answers: A, principalArn: string): A;
}
