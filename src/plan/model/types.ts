/**
 * The plain-data model every part of s3-harden shares. Nothing here depends on
 * React or the AWS SDK, so a plan can be saved, diffed, printed and replayed.
 */
import type { FamilyValues } from '../resources/index.js';
import type { ApiCall, Target } from './call.js';

export type { ApiCall, OutputRef, PublicAccessBlock, Service, Target } from './call.js';
export { SERVICES } from './call.js';

/**
 * Every sub-resource s3-harden reads and may change, with the shape of its
 * observed value: the values of every family in ../resources (a family is
 * its module and one line in its FAMILIES). `null` always means "absent"
 * (no configuration set).
 */
export interface PostureValues extends FamilyValues {}

export type ResourceKey = keyof PostureValues;

/** A live reading of the resources a plan needs. */
export interface Posture extends Target {
  /** ISO time of the read. */
  readonly observedAt: string;
  /** The caller's ARN (STS): root, an IAM user, or an assumed role. */
  readonly principalArn: string;
  /** Values that were read; a key is missing when it was not asked for or could not be read. */
  readonly values: Partial<PostureValues>;
  /** Why a resource could not be read (e.g. access denied), one line each. */
  readonly unreadable: Partial<Record<ResourceKey, string>>;
  /**
   * The id the plan built from this reading takes (set by buildPlan): what
   * the plan creates is tagged with it, so a crash or a lost answer never
   * loses a created resource (see RunIdentity).
   */
  readonly planId?: string;
}

export type ChangeAction = 'create' | 'update' | 'delete';

export interface Change {
  /** Stable identifier, e.g. "bucket.publicAccessBlock". */
  readonly id: string;
  /** The wizard step that produced it. */
  readonly step: string;
  /** Short human title, e.g. "Block Public Access (bucket)". */
  readonly title: string;
  /** The sub-resource this change writes; its observed value is `before`. */
  readonly resource: ResourceKey;
  readonly action: ChangeAction;
  /** What apply runs. */
  readonly call: ApiCall;
  /** Observed configuration of `resource`; null = absent. */
  readonly before: unknown;
  /** What `resource` reads back as once `call` has run; null = absent. */
  readonly after: unknown;
  /** Restores `before`; null when the change cannot be undone. */
  readonly undo: ApiCall | null;
  /** Ids of changes that must be applied first. */
  readonly dependsOn: readonly string[];
  /** Shown in review next to the change. */
  readonly warnings: readonly string[];
}

export const PRESETS = ['baseline', 'strict', 'worm', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];

export interface Plan {
  /**
   * Unique per plan (a UUID): resources it creates are tagged with it and
   * its journal names it, so they are found by identity, not by name.
   * Absent only in hand-built plans (tests).
   */
  readonly id?: string;
  readonly target: Target;
  readonly preset: Preset;
  readonly createdAt: string;
  /** The before-state of every resource the plan writes, for drift detection. */
  readonly observed: Partial<PostureValues>;
  readonly changes: readonly Change[];
  /** Steps that were left out, and why (e.g. "cannot read: access denied"). */
  readonly skipped: readonly SkippedStep[];
  /**
   * What produced the plan, so a saved plan can be derived again at apply
   * and refused if its changes are not what these inputs give (an edited
   * file). Absent only in hand-built plans (tests).
   */
  readonly provenance?: Provenance;
}

/** The reading a plan was built from, as a plan file records it. */
export interface RecordedPosture extends Target {
  readonly observedAt: string;
  readonly principalArn: string;
  readonly values: Partial<PostureValues>;
  readonly unreadable: Partial<Record<ResourceKey, string>>;
}

/**
 * The inputs of buildPlan: the steps, the answers (no one-time secret: an
 * MFA code is never recorded), the new bucket's answers, and the reading
 * (for a fleet section, as the sections before it leave the account). An
 * account section of a fleet is instead the account-wide changes of the
 * plans in `accountFrom`, in order, each taking what the ones before it left.
 */
export type Provenance =
  | {
      /** The preset the answers came from: the review names it, so it is derived too. */
      readonly preset: Preset;
      readonly steps: readonly string[];
      readonly answers: Readonly<Record<string, unknown>>;
      readonly create?: unknown;
      readonly posture: RecordedPosture;
    }
  | { readonly accountFrom: readonly BuildProvenance[] };

export type BuildProvenance = Exclude<Provenance, { readonly accountFrom: unknown }>;

export interface SkippedStep {
  readonly step: string;
  readonly reason: string;
}
