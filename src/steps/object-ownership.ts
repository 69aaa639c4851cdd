/**
 * Object Ownership: BucketOwnerEnforced turns ACLs off, so only policies
 * decide access and the bucket owner owns every object. The bucket ACL is
 * read too, because every grant in it to someone other than the owner stops
 * working — and AWS refuses to turn ACLs off while the bucket ACL still has
 * such grants (InvalidBucketAclWithObjectOwnership).
 */

import { controlLabels } from '../plan/audit/controls.js';
import type { Change, Posture, Preset } from '../plan/model/types.js';
import { writeCall } from '../plan/resources/index.js';
import type {
  AclGrant,
  ObjectOwnership,
  OwnershipControls,
} from '../plan/resources/object-ownership.js';
import type { ChoiceOption, Field } from './form.js';
import type { Step } from './types.js';

/** What the operator picks; NotSet leaves a bucket without ownership controls as it is. */
export type OwnershipChoice = ObjectOwnership | 'NotSet';

export interface ObjectOwnershipAnswers {
  readonly ownership: OwnershipChoice;
}

const RESOURCE = 'bucket.ownershipControls';
const TITLE = 'Object Ownership (ACLs)';

const OPTIONS: readonly ChoiceOption[] = [
  {
    value: 'BucketOwnerEnforced',
    label: 'Bucket owner enforced (ACLs off)',
    help: 'ACLs grant nothing; the bucket owner owns every object. Recommended.',
  },
  {
    value: 'BucketOwnerPreferred',
    label: 'Bucket owner preferred',
    help: 'ACLs work; bucket-owner-full-control uploads become the owner’s.',
  },
  {
    value: 'ObjectWriter',
    label: 'Object writer',
    help: 'ACLs still work; the account that uploads an object owns it.',
  },
];

const NOT_SET: ChoiceOption = {
  value: 'NotSet',
  label: 'Not set (leave as is)',
  help: 'No ownership controls: S3 treats the bucket as Object writer, ACLs on.',
};

const CHOICES = new Set<string>([...OPTIONS.map((option) => option.value), NOT_SET.value]);

const GROUP_NAMES: Record<string, string> = {
  AllUsers: 'AllUsers (anyone)',
  AuthenticatedUsers: 'AuthenticatedUsers (any AWS account)',
  LogDelivery: 'LogDelivery (S3 server access logs)',
};

/** One grant as words: "READ to AllUsers (anyone)". */
export function describeGrant(grant: AclGrant): string {
  return `${grant.Permission} to ${GROUP_NAMES[grant.Grantee] ?? grant.Grantee}`;
}

function current(posture: Posture): OwnershipControls | null | undefined {
  return posture.values[RESOURCE];
}

function afterOf(choice: OwnershipChoice): OwnershipControls | null {
  return choice === 'NotSet' ? null : { ObjectOwnership: choice };
}

/** Grants that BucketOwnerEnforced would switch off, as one line. */
function grantWarning(posture: Posture): string | null {
  const grants = posture.values['bucket.acl'];
  if (grants === undefined) {
    const why = posture.unreadable['bucket.acl'];
    const unknown = why
      ? `The bucket ACL could not be read (${why.replace(/\.$/, '')})`
      : 'The bucket ACL was not read';
    return `${unknown}: any grant in it to someone else stops working, and AWS refuses ACLs off while such grants exist.`;
  }
  if (grants === null || grants.length === 0) return null;
  const logs = grants.some((grant) => grant.Grantee === 'LogDelivery')
    ? ' Server access logs need a bucket policy grant to logging.s3.amazonaws.com instead.'
    : '';
  return (
    `With ACLs off, these bucket ACL grants stop working: ${grants.map(describeGrant).join(', ')}. ` +
    `AWS refuses the change until they are removed (aws s3api put-bucket-acl --bucket ${posture.bucket} --acl private); ` +
    `move the access they give into the bucket policy first.${logs}`
  );
}

/** The first few grants, for a one-line note: a bucket ACL may hold up to 100. */
function grantList(grants: readonly AclGrant[]): string {
  const shown = grants.slice(0, 3).map(describeGrant).join(', ');
  return grants.length > 3 ? `${shown} and ${grants.length - 3} more` : shown;
}

/**
 * Why the answers keep ACLs on although the step exists to turn them off:
 * the bucket ACL grants access, so the default (and an answer that keeps the
 * ownership as it is) changes nothing. Without this line `plan` and `apply`
 * would show no trace of the step, and the audit would still fail S3.12.
 */
function leftAsIs(posture: Posture, answers: ObjectOwnershipAnswers): string | null {
  const grants = posture.values['bucket.acl'];
  const before = current(posture);
  if (!grants || grants.length === 0 || before === undefined) return null;
  const now = before?.ObjectOwnership ?? 'NotSet';
  if (now === 'BucketOwnerEnforced' || answers.ownership !== now) return null;
  return `ACLs stay on because the bucket ACL grants ${grantList(grants)}. Remove those grants (aws s3api put-bucket-acl --bucket ${posture.bucket} --acl private), then plan again.`;
}

function keep(posture: Posture): ObjectOwnershipAnswers {
  return { ownership: current(posture)?.ObjectOwnership ?? 'NotSet' };
}

export const objectOwnershipStep: Step<ObjectOwnershipAnswers> = {
  id: 'object-ownership',
  title: TITLE,
  summary: 'Turns ACLs off so only policies grant access and the bucket owns every object.',
  scope: 'bucket',
  controls: controlLabels('acls-disabled'),
  reads: [RESOURCE],
  // Read for its warning only: without it the step still runs and says so.
  optionalReads: ['bucket.acl'],
  defaults(posture: Posture, _preset: Preset): ObjectOwnershipAnswers {
    // Every preset turns ACLs off (the guide: "ACLs: legacy, avoid"), custom
    // included; except while the bucket ACL still grants others access: AWS
    // refuses ACLs off then, so the default keeps what is there and the step
    // shows the grants and how to remove them.
    const grants = posture.values['bucket.acl'];
    if (grants && grants.length > 0) return keep(posture);
    return { ownership: 'BucketOwnerEnforced' };
  },
  validate(answers) {
    return CHOICES.has(answers.ownership)
      ? []
      : [
          `Object Ownership must be BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter, not ${JSON.stringify(answers.ownership)}`,
        ];
  },
  fields(posture, answers) {
    const live = current(posture);
    const fields: Field[] = [
      {
        kind: 'choice',
        key: 'ownership',
        label: 'Object Ownership',
        help: 'Who owns uploaded objects, and whether ACLs still grant access.',
        options: live === null ? [...OPTIONS, NOT_SET] : OPTIONS,
        now: live ? live.ObjectOwnership : 'not set (ACLs on)',
      },
    ];
    const warning = grantWarning(posture);
    const grants = posture.values['bucket.acl'];
    if (
      warning &&
      answers.ownership === 'BucketOwnerEnforced' &&
      live?.ObjectOwnership !== 'BucketOwnerEnforced'
    ) {
      fields.push({ kind: 'note', tone: 'warning', text: warning });
    } else if (grants && grants.length > 0 && live?.ObjectOwnership !== 'BucketOwnerEnforced') {
      // Why the default keeps ACLs on: S3 refuses to disable them while grants exist.
      fields.push({
        kind: 'note',
        tone: 'info',
        text: `ACLs stay on by default because the bucket ACL grants ${grants.map(describeGrant).join(', ')}. Remove those grants first (aws s3api put-bucket-acl --bucket ${posture.bucket} --acl private), then turn ACLs off.`,
      });
    }
    return fields;
  },
  keep,
  leftAsIs,
  plan(posture, answers): Change[] {
    const before = current(posture);
    if (before === undefined) return [];
    const after = afterOf(answers.ownership);
    if ((before?.ObjectOwnership ?? null) === (after?.ObjectOwnership ?? null)) return [];
    const warnings: string[] = [];
    if (after?.ObjectOwnership === 'BucketOwnerEnforced') {
      const warning = grantWarning(posture);
      if (warning) warnings.push(warning);
    }
    if (before?.ObjectOwnership === 'BucketOwnerEnforced') {
      warnings.push('turns ACLs back on, which weakens protection');
    }
    return [
      {
        id: RESOURCE,
        step: 'object-ownership',
        title: TITLE,
        resource: RESOURCE,
        action: before === null ? 'create' : after === null ? 'delete' : 'update',
        call: writeCall(RESOURCE, posture, after),
        before,
        after,
        undo: writeCall(RESOURCE, posture, before),
        dependsOn: [],
        warnings,
      },
    ];
  },
};
