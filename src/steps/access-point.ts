/**
 * Access point (optional): one S3 access point for the bucket, named
 * s3h-<bucket>, with every Block Public Access flag on, optionally restricted
 * to one VPC, and a policy that grants through it what s3-harden's bucket
 * policy statements grant (read-only roles, cross-account accounts). Undo
 * deletes it, its policy first.
 *
 * The grants are read from the S3Harden statements of the bucket policy the
 * whole plan leaves (the planned view), so what the bucket-policy step of
 * this same run grants reaches the access point in the same run.
 * An access point's VPC configuration is fixed at creation: a different VPC
 * for an existing one is refused, with the way out (delete it first).
 */

import { deepEqual } from '../plan/model/diff.js';
import type { Change, Posture, PostureValues } from '../plan/model/types.js';
import {
  type AccessPointGrants,
  accessPointStatements,
  grantsFromPolicy,
  hasGrants,
  NO_GRANTS,
} from '../plan/policy/access-point.js';
import {
  composePolicy,
  type PolicyDocument,
  PolicyError,
  policySizeProblem,
  toolStatements,
} from '../plan/policy/document.js';
import {
  type AccessPointValue,
  accessPointName,
  vpcIdProblem,
} from '../plan/resources/access-point.js';
import { writeCall } from '../plan/resources/index.js';
import type { ChoiceOption, Field } from './form.js';
import type { Step } from './types.js';

export type AccessPointPolicyChoice = 'from-bucket-policy' | 'none' | 'keep';

export interface AccessPointAnswers {
  /** The access point exists after the plan (off deletes an existing one). */
  readonly create: boolean;
  /** The VPC it is restricted to; empty = network origin Internet. */
  readonly vpcId: string;
  /**
   * Its policy: the bucket policy's grants on the access point, no s3-harden
   * statements, or left as it is (an existing access point only).
   */
  readonly policy: AccessPointPolicyChoice;
}

const STEP = 'access-point';
const AP_CHANGE = 'bucket.accessPoint';
const POLICY_CHANGE = 'bucket.accessPointPolicy';
const CHOICES: readonly AccessPointPolicyChoice[] = ['from-bucket-policy', 'none', 'keep'];

/** Thrown by plan() for answers the live access point cannot take. */
export class AccessPointError extends Error {
  override name = 'AccessPointError';
}

function origin(value: AccessPointValue): string {
  return value.VpcId ? `VPC ${value.VpcId}` : 'Internet';
}

/**
 * The grants of s3-harden's statements in the bucket policy `values` hold
 * (the live one, or the one the plan leaves); undefined when it was not read.
 */
function bucketGrants(
  posture: Posture,
  values: Partial<PostureValues> = posture.values,
): AccessPointGrants | undefined {
  const policy = values['bucket.policy'];
  if (policy === undefined || posture.unreadable['bucket.policy']) return undefined;
  return grantsFromPolicy(policy);
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "1 read-only role and 2 accounts" */
function describeGrants(grants: AccessPointGrants): string {
  const parts: string[] = [];
  if (grants.readOnlyRoles.length > 0) {
    parts.push(plural(grants.readOnlyRoles.length, 'read-only role', 'read-only roles'));
  }
  if (grants.crossAccounts.length > 0) {
    parts.push(plural(grants.crossAccounts.length, 'account', 'accounts'));
  }
  return parts.join(' and ');
}

/** What changes nothing: the access point as it is (or none), its policy untouched. */
export function keepAnswers(posture: Posture): AccessPointAnswers {
  const live = posture.values['bucket.accessPoint'] ?? null;
  if (live) return { create: true, vpcId: live.VpcId ?? '', policy: 'keep' };
  // Nothing to create; should the operator turn it on, the policy starts
  // from the bucket policy's grants when there are any.
  const grants = bucketGrants(posture);
  return {
    create: false,
    vpcId: '',
    policy: grants && hasGrants(grants) ? 'from-bucket-policy' : 'none',
  };
}

export function validateAnswers(answers: AccessPointAnswers): string[] {
  const problems: string[] = [];
  if (typeof answers.create !== 'boolean') problems.push('create must be true or false');
  if (typeof answers.vpcId !== 'string') problems.push('vpcId must be text');
  if (!CHOICES.includes(answers.policy)) {
    problems.push(`policy must be one of ${CHOICES.join(', ')}`);
  }
  if (problems.length > 0) return problems;
  const vpcId = answers.vpcId.trim();
  if (answers.create && vpcId !== '') {
    const problem = vpcIdProblem(vpcId);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** The access point the answers ask for; null = none. */
function wantedAccessPoint(posture: Posture, answers: AccessPointAnswers): AccessPointValue | null {
  if (!answers.create) return null;
  const vpcId = answers.vpcId.trim();
  return { Name: accessPointName(posture.bucket), ...(vpcId ? { VpcId: vpcId } : {}) };
}

/** The access point policy the answers ask for, given the access point that will exist. */
function wantedPolicy(
  posture: Posture,
  answers: AccessPointAnswers,
  accessPoint: AccessPointValue | null,
  before: PolicyDocument | null,
  planned: Partial<PostureValues>,
): PolicyDocument | null {
  // The policy goes with the access point.
  if (accessPoint === null) return null;
  if (answers.policy === 'keep') return before;
  let grants = NO_GRANTS;
  if (answers.policy === 'from-bucket-policy') {
    const read = bucketGrants(posture, planned);
    if (!read) {
      throw new AccessPointError(
        'Access point: the bucket policy could not be read, so its grants cannot be copied: choose another access point policy',
      );
    }
    grants = read;
  }
  const statements = accessPointStatements(
    { accountId: posture.accountId, region: posture.region, name: accessPoint.Name },
    grants,
    planned['bucket.ownershipControls']?.ObjectOwnership === 'BucketOwnerEnforced',
  );
  return composePolicy(before, statements);
}

export function planAccessPoint(
  posture: Posture,
  answers: AccessPointAnswers,
  planned: Partial<PostureValues> = posture.values,
): Change[] {
  const before = posture.values['bucket.accessPoint'];
  const policyBefore = posture.values['bucket.accessPointPolicy'];
  if (before === undefined || policyBefore === undefined) return [];
  const after = wantedAccessPoint(posture, answers);
  if (before === null && after === null) return [];
  if (before && after && before.VpcId !== after.VpcId) {
    throw new AccessPointError(
      `Access point: the network origin of ${before.Name} (${origin(before)}) is fixed at creation; to make it ${origin(after)}, delete it first (turn "Create an access point" off, apply), then create it again`,
    );
  }
  const policyAfter = wantedPolicy(posture, answers, after, policyBefore, planned);
  const tooLarge = policySizeProblem(policyAfter);
  if (tooLarge) throw new PolicyError(`Access point policy: ${tooLarge}`);

  const accessPointChange: Change | null = deepEqual(before, after)
    ? null
    : {
        id: AP_CHANGE,
        step: STEP,
        title: 'Access point',
        resource: 'bucket.accessPoint',
        action: before === null ? 'create' : 'delete',
        call: writeCall('bucket.accessPoint', posture, after),
        before,
        after,
        undo: writeCall('bucket.accessPoint', posture, before),
        dependsOn: [],
        warnings:
          after !== null
            ? [
                `its network origin (${origin(after)}) is fixed at creation: changing it later means deleting and re-creating the access point`,
              ]
            : [
                `clients using ${before?.Name} (its ARN or alias) lose access; undo re-creates it with the same name and network origin, but AWS gives it a new alias`,
              ],
      };
  const policyChange: Change | null = deepEqual(policyBefore, policyAfter)
    ? null
    : {
        id: POLICY_CHANGE,
        step: STEP,
        title: 'Access point policy',
        resource: 'bucket.accessPointPolicy',
        action: policyBefore === null ? 'create' : policyAfter === null ? 'delete' : 'update',
        call: writeCall('bucket.accessPointPolicy', posture, policyAfter),
        before: policyBefore,
        after: policyAfter,
        undo: writeCall('bucket.accessPointPolicy', posture, policyBefore),
        // A new access point's policy needs the access point; rollback runs in
        // reverse, so the policy is deleted before the access point.
        dependsOn: accessPointChange && after !== null ? [AP_CHANGE] : [],
        warnings: [],
      };
  if (after === null) {
    // Deleting: the policy first, so that rollback re-creates the access point
    // before it puts the policy back.
    return [
      ...(policyChange ? [policyChange] : []),
      ...(accessPointChange
        ? [{ ...accessPointChange, dependsOn: policyChange ? [POLICY_CHANGE] : [] }]
        : []),
    ];
  }
  return [
    ...(accessPointChange ? [accessPointChange] : []),
    ...(policyChange ? [policyChange] : []),
  ];
}

function policyNow(posture: Posture): string | undefined {
  const live = posture.values['bucket.accessPointPolicy'];
  if (!posture.values['bucket.accessPoint'] || live === undefined) return undefined;
  if (live === null) return 'no policy';
  return toolStatements(live).size > 0 ? 'with s3-harden grants' : 'without s3-harden grants';
}

function policyOptions(posture: Posture): ChoiceOption[] {
  const grants = bucketGrants(posture);
  const options: ChoiceOption[] = [
    {
      value: 'from-bucket-policy',
      label: 'grants of the bucket policy',
      help: !grants
        ? 'The bucket policy could not be read: there are no grants to copy.'
        : hasGrants(grants)
          ? `Grants ${describeGrants(grants)}, as the bucket policy does.`
          : 'The bucket policy grants no role or account: nothing would be granted.',
    },
    {
      value: 'none',
      label: 'no s3-harden grants',
      help: 'No statements from s3-harden; statements others wrote are kept.',
    },
  ];
  if (posture.values['bucket.accessPoint']) {
    options.push({
      value: 'keep',
      label: 'leave as it is',
      help: 'The access point policy is not changed.',
    });
  }
  return options;
}

export const accessPointStep: Step<AccessPointAnswers> = {
  id: 'access-point',
  title: 'Access point',
  summary: 'Optional: a named entry point to the bucket, with its own policy and network origin.',
  scope: 'bucket',
  // No FSBP or CIS control asks for an access point: this step follows the
  // guide's "S3 Access Points" section. Security Hub S3.19 (access points
  // must block public access) holds for the one it creates: all four flags on.
  controls: ['S3 Security guide: S3 Access Points', 'FSBP S3.19'],
  reads: ['bucket.accessPoint', 'bucket.accessPointPolicy'],
  // The grants to mirror; without it the policy choice says there are none to copy.
  optionalReads: ['bucket.policy'],
  // Optional in every preset: keep what exists, create nothing.
  defaults: (posture) => keepAnswers(posture),
  validate: validateAnswers,
  keep: keepAnswers,
  plan: planAccessPoint,

  fields(posture, answers) {
    const name = accessPointName(posture.bucket);
    const live = posture.values['bucket.accessPoint'] ?? null;
    const fields: Field[] = [
      {
        kind: 'toggle',
        key: 'create',
        label: 'Create an access point',
        help: live
          ? `${name}; off deletes it and its policy.`
          : `Named ${name}, all public access blocked.`,
        now: live ? 'on' : 'off',
      },
    ];
    if (!answers.create) {
      if (live) {
        fields.push({
          kind: 'note',
          tone: 'warning',
          text: `Deletes ${name} and its policy: clients using its ARN or alias lose access.`,
        });
      }
      return fields;
    }
    fields.push({
      kind: 'text',
      key: 'vpcId',
      label: 'Restrict to VPC',
      help: 'Only requests from this VPC (vpc-…); empty: Internet origin.',
      placeholder: 'none (Internet origin)',
      ...(live ? { now: live.VpcId ?? 'Internet' } : {}),
    });
    if (live) {
      fields.push({
        kind: 'note',
        tone: 'info',
        text: 'The network origin is fixed at creation: to change it, delete the access point first.',
      });
    }
    const now = policyNow(posture);
    fields.push({
      kind: 'choice',
      key: 'policy',
      label: 'Access point policy',
      help: 'Who may use the access point, on top of the bucket policy.',
      options: policyOptions(posture),
      ...(now ? { now } : {}),
    });
    const grants = bucketGrants(posture);
    if (answers.policy === 'from-bucket-policy' && grants && hasGrants(grants)) {
      fields.push({
        kind: 'note',
        tone: 'info',
        text: "Grants are read from the bucket policy as it is now: this run's bucket-policy changes reach the access point on the next run.",
      });
    }
    return fields;
  },
};
