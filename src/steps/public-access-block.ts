/**
 * Block Public Access, at bucket level (S3) and at account level (S3 Control).
 * Both default to all four flags on, the guide's "first line of defense".
 */

import { controlLabels } from '../plan/audit/controls.js';
import { deepEqual } from '../plan/model/diff.js';
import type { Change, Posture, PublicAccessBlock } from '../plan/model/types.js';
import {
  mayGrantPublicAccess,
  type PolicyDocument,
  statementsOf,
} from '../plan/policy/document.js';
import { writeCall } from '../plan/resources/index.js';
import type { Field } from './form.js';
import type { FlagInfo, Step } from './types.js';

export type PublicAccessFlag = keyof PublicAccessBlock;

export const PUBLIC_ACCESS_FLAGS: readonly FlagInfo<PublicAccessFlag>[] = [
  {
    key: 'BlockPublicAcls',
    label: 'Block public ACLs',
    help: 'Rejects PUT requests that carry a public ACL.',
  },
  {
    key: 'IgnorePublicAcls',
    label: 'Ignore public ACLs',
    help: 'Ignores every public ACL already on the bucket and its objects.',
  },
  {
    key: 'BlockPublicPolicy',
    label: 'Block public policy',
    help: 'Rejects bucket policies that grant public access.',
  },
  {
    key: 'RestrictPublicBuckets',
    label: 'Restrict public buckets',
    help: 'Limits a bucket with a public policy to AWS services and its own account.',
  },
];

export const ALL_ON: PublicAccessBlock = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/** What S3 enforces when no configuration is set. */
export const ALL_OFF: PublicAccessBlock = {
  BlockPublicAcls: false,
  IgnorePublicAcls: false,
  BlockPublicPolicy: false,
  RestrictPublicBuckets: false,
};

function flagFields(current: PublicAccessBlock | null | undefined): Field[] {
  return PUBLIC_ACCESS_FLAGS.map((flag) => ({
    kind: 'toggle',
    key: flag.key,
    label: flag.label,
    help: flag.help,
    now: current ? (current[flag.key] ? 'on' : 'off') : 'not set',
  }));
}

function currentFlags(current: PublicAccessBlock | null | undefined): PublicAccessBlock {
  return { ...(current ?? ALL_OFF) };
}

function validateFlags(answers: PublicAccessBlock): string[] {
  return PUBLIC_ACCESS_FLAGS.filter((flag) => typeof answers[flag.key] !== 'boolean').map(
    (flag) => `${flag.key} must be true or false`,
  );
}

function weakened(before: PublicAccessBlock, after: PublicAccessBlock): string[] {
  return PUBLIC_ACCESS_FLAGS.filter((flag) => before[flag.key] && !after[flag.key]).map(
    (flag) => `turns ${flag.key} off, which weakens protection`,
  );
}

interface PabTarget {
  readonly step: Step<PublicAccessBlock>['id'];
  readonly resource: 'bucket.publicAccessBlock' | 'account.publicAccessBlock';
  readonly title: string;
  readonly extraWarnings: readonly string[];
}

function planPublicAccessBlock(
  target: PabTarget,
  posture: Posture,
  desired: PublicAccessBlock,
): Change[] {
  const before = posture.values[target.resource];
  if (before === undefined) return [];
  const current = before ?? ALL_OFF;
  const after: PublicAccessBlock = { ...desired };
  if (deepEqual(current, after)) return [];
  return [
    {
      id: target.resource,
      step: target.step,
      title: target.title,
      resource: target.resource,
      action: before === null ? 'create' : 'update',
      call: writeCall(target.resource, posture, after),
      before,
      after,
      undo: writeCall(target.resource, posture, before),
      dependsOn: [],
      warnings: [...target.extraWarnings, ...weakened(current, after)],
    },
  ];
}

/**
 * With BlockPublicPolicy on, S3 refuses a bucket policy that grants public
 * access. When the policy the plan writes still does (a statement someone
 * else wrote), it must go in before this step turns BlockPublicPolicy on;
 * otherwise the bucket-policy step already orders itself after this one.
 */
function policyFirstWhilePublic(changes: readonly Change[]): Change[] {
  const index = changes.findIndex((change) => change.id === BUCKET_CHANGE);
  const pab = changes[index];
  const policy = changes.find((change) => change.resource === 'bucket.policy');
  if (!pab || !policy) return [...changes];
  const before = pab.before as PublicAccessBlock | null;
  const turnsOn = (pab.after as PublicAccessBlock).BlockPublicPolicy && !before?.BlockPublicPolicy;
  const publicAfter = statementsOf(policy.after as PolicyDocument | null).some(
    mayGrantPublicAccess,
  );
  if (!turnsOn || !publicAfter || policy.dependsOn.includes(pab.id)) return [...changes];
  const out = [...changes];
  out[index] = { ...pab, dependsOn: [...pab.dependsOn, policy.id] };
  return out;
}

const BUCKET_CHANGE = 'bucket.publicAccessBlock';

export const bucketPublicAccessBlockStep: Step<PublicAccessBlock> = {
  id: 'public-access-block',
  title: 'Block Public Access (bucket)',
  shortTitle: 'Block Public Access',
  arrange: policyFirstWhilePublic,
  summary: 'Stops ACLs and bucket policies from making this bucket or its objects public.',
  scope: 'bucket',
  controls: controlLabels('bpa-bucket'),
  reads: ['bucket.publicAccessBlock'],
  defaults: () => ({ ...ALL_ON }),
  validate: validateFlags,
  fields: (posture) => flagFields(posture.values['bucket.publicAccessBlock']),
  keep: (posture) => currentFlags(posture.values['bucket.publicAccessBlock']),
  plan(posture: Posture, answers: PublicAccessBlock): Change[] {
    return planPublicAccessBlock(
      {
        step: 'public-access-block',
        resource: 'bucket.publicAccessBlock',
        title: 'Block Public Access (bucket)',
        extraWarnings: [],
      },
      posture,
      answers,
    );
  },
};

export const accountPublicAccessBlockStep: Step<PublicAccessBlock> = {
  id: 'account-public-access-block',
  title: 'Block Public Access (account)',
  summary: 'The same four flags for every bucket in the account, present and future.',
  scope: 'account',
  controls: controlLabels('bpa-account'),
  reads: ['account.publicAccessBlock'],
  defaults: () => ({ ...ALL_ON }),
  validate: validateFlags,
  fields: (posture) => [
    {
      kind: 'note',
      tone: 'warning',
      text: `Account-wide: affects every bucket in account ${posture.accountId}, not only ${posture.bucket}. An AWS Organizations policy may also manage it.`,
    },
    ...flagFields(posture.values['account.publicAccessBlock']),
  ],
  keep: (posture) => currentFlags(posture.values['account.publicAccessBlock']),
  plan(posture: Posture, answers: PublicAccessBlock): Change[] {
    return planPublicAccessBlock(
      {
        step: 'account-public-access-block',
        resource: 'account.publicAccessBlock',
        title: 'Block Public Access (account)',
        extraWarnings: [
          `affects every bucket in account ${posture.accountId}, not only ${posture.bucket}`,
        ],
      },
      posture,
      answers,
    );
  },
};
