/**
 * Creating the bucket the wizard then hardens. The rest of the plan is made
 * against what a brand-new bucket has (nothing configured, except what
 * creation itself switches on), and every setting is written explicitly.
 */
import { bucketNameProblem } from '../plan/model/bucket-name.js';
import type { Change, Posture, PostureValues, Preset } from '../plan/model/types.js';
import { RESOURCE_KEYS, writeCall } from '../plan/resources/index.js';
import type { Field } from './form.js';

export interface NewBucketAnswers {
  readonly name: string;
  readonly region: string;
  readonly objectLock: boolean;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function newBucketDefaults(region: string, preset: Preset): NewBucketAnswers {
  return { name: '', region, objectLock: preset === 'worm' };
}

export function validateNewBucket(answers: NewBucketAnswers): string[] {
  const problems: string[] = [];
  const name = bucketNameProblem(answers.name);
  if (name) problems.push(`Bucket name: ${name}.`);
  if (!REGION.test(answers.region))
    problems.push(`Region: "${answers.region}" is not an AWS region name (e.g. eu-west-1).`);
  return problems;
}

export function newBucketFields(answers: NewBucketAnswers): Field[] {
  return [
    {
      kind: 'text',
      key: 'name',
      label: 'Bucket name',
      help: '3–63 lowercase letters, digits, dots and hyphens; unique across all of AWS.',
      placeholder: 'my-new-bucket',
    },
    {
      kind: 'text',
      key: 'region',
      label: 'Region',
      help: 'Where the bucket lives; it cannot move later.',
    },
    {
      kind: 'toggle',
      key: 'objectLock',
      label: 'Object Lock at creation',
      help: 'Write-once-read-many protection; turns versioning on. Can never be turned off.',
    },
    ...(answers.objectLock
      ? [
          {
            kind: 'note' as const,
            tone: 'warning' as const,
            text: 'Object Lock can never be disabled on this bucket, and versioning can never be suspended.',
          },
        ]
      : []),
  ];
}

/**
 * What the bucket has right after CreateBucket, as far as later steps care:
 * Object Lock at creation also enables versioning.
 */
export function assumedValues(answers: NewBucketAnswers): Partial<PostureValues> {
  const assumed: Record<string, unknown> = {};
  if (answers.objectLock) {
    const known = new Set<string>(RESOURCE_KEYS);
    if (known.has('bucket.objectLock'))
      assumed['bucket.objectLock'] = { ObjectLockEnabled: 'Enabled' };
    if (known.has('bucket.versioning')) assumed['bucket.versioning'] = { Status: 'Enabled' };
  }
  return assumed as Partial<PostureValues>;
}

/** The CreateBucket change; undone by DeleteBucket while the bucket is still empty. */
export function planNewBucket(posture: Posture, answers: NewBucketAnswers): Change {
  const after = {
    Region: answers.region,
    ...(answers.objectLock ? { ObjectLockEnabledForBucket: true as const } : {}),
  };
  return {
    id: 'bucket.exists',
    step: 'new-bucket',
    title: 'Create bucket',
    resource: 'bucket.exists',
    action: 'create',
    call: writeCall('bucket.exists', posture, after),
    before: null,
    after,
    undo: writeCall('bucket.exists', posture, null),
    dependsOn: [],
    warnings: answers.objectLock
      ? ['Object Lock is enabled at creation and can never be turned off']
      : [],
  };
}
