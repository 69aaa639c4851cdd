import type { Change, Posture, PostureValues, Preset, ResourceKey } from '../plan/model/types.js';
import type { Field } from './form.js';
import type { StepId } from './ids.js';

export type { StepId } from './ids.js';

/** The answers a step collects. */
export type AnswersOf<S> = S extends Step<infer A> ? A : never;

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
  /**
   * The words the review uses for what `callerContext` reads, in place of
   * the command line's flags in the lockout reasons (the fields' labels).
   */
  readonly callerContextLabels?: { readonly sourceIp?: string; readonly sourceVpce?: string };
  /** The title without its qualifier, where other steps name it in a narrow table. */
  readonly shortTitle?: string;
  /**
   * The answers as a plan made without questions takes them (`plan`, fleet
   * plans): what only the operator can give is given by other means —
   * Object Lock's typed bucket name is asked by `apply`, or given by
   * --allow-irreversible.
   */
  unattended?(answers: A, posture: Posture): A;
  /**
   * Orders this step's changes against the other steps' once every step
   * has planned (depending on a change another step makes); returns the
   * plan's changes, this step's adjusted.
   */
  arrange?(changes: readonly Change[]): Change[];
  /** Why the whole plan cannot be made as it is (a change this step needs first is missing), or null. */
  prerequisite?(changes: readonly Change[], posture: Posture): string | null;
}
