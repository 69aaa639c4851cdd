/**
 * Builders shared by the unit tests: postures, changes and plans as plain
 * data, so each test states only what it is about.
 */
import type {
  Change,
  Plan,
  Posture,
  PostureValues,
  PublicAccessBlock,
  ResourceKey,
} from '../../src/plan/model/types.js';
import { handBuiltProvenance } from '../helpers/synthetic-plans.js';

export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';
export const BUCKET = 'my-bucket';
export const TARGET = { accountId: ACCOUNT_ID, region: REGION, bucket: BUCKET } as const;
export const CREATED_AT = '2025-01-02T03:04:05.000Z';

export const ON: PublicAccessBlock = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

export const OFF: PublicAccessBlock = {
  BlockPublicAcls: false,
  IgnorePublicAcls: false,
  BlockPublicPolicy: false,
  RestrictPublicBuckets: false,
};

export function pab(overrides: Partial<PublicAccessBlock> = {}): PublicAccessBlock {
  return { ...ON, ...overrides };
}

export function posture(
  values: Partial<PostureValues>,
  unreadable: Partial<Record<ResourceKey, string>> = {},
): Posture {
  return {
    ...TARGET,
    observedAt: CREATED_AT,
    principalArn: 'arn:aws:iam::123456789012:user/operator',
    values,
    unreadable,
  };
}

/** A bucket Block Public Access change, as the bucket step would produce it. */
export function bucketChange(
  before: PublicAccessBlock | null,
  after: PublicAccessBlock,
  overrides: Partial<Change> = {},
): Change {
  return {
    id: 'bucket.publicAccessBlock',
    step: 'public-access-block',
    title: 'Block Public Access (bucket)',
    resource: 'bucket.publicAccessBlock',
    action: before === null ? 'create' : 'update',
    call: {
      service: 's3',
      operation: 'PutPublicAccessBlock',
      input: { Bucket: BUCKET, PublicAccessBlockConfiguration: after },
    },
    before,
    after,
    undo:
      before === null
        ? { service: 's3', operation: 'DeletePublicAccessBlock', input: { Bucket: BUCKET } }
        : {
            service: 's3',
            operation: 'PutPublicAccessBlock',
            input: { Bucket: BUCKET, PublicAccessBlockConfiguration: before },
          },
    dependsOn: [],
    warnings: [],
    ...overrides,
  };
}

/** An account Block Public Access change, as the account step would produce it. */
export function accountChange(
  before: PublicAccessBlock | null,
  after: PublicAccessBlock,
  overrides: Partial<Change> = {},
): Change {
  return {
    id: 'account.publicAccessBlock',
    step: 'account-public-access-block',
    title: 'Block Public Access (account)',
    resource: 'account.publicAccessBlock',
    action: before === null ? 'create' : 'update',
    call: {
      service: 's3control',
      operation: 'PutPublicAccessBlock',
      input: { AccountId: ACCOUNT_ID, PublicAccessBlockConfiguration: after },
    },
    before,
    after,
    undo:
      before === null
        ? {
            service: 's3control',
            operation: 'DeletePublicAccessBlock',
            input: { AccountId: ACCOUNT_ID },
          }
        : {
            service: 's3control',
            operation: 'PutPublicAccessBlock',
            input: { AccountId: ACCOUNT_ID, PublicAccessBlockConfiguration: before },
          },
    dependsOn: [],
    warnings: [`affects every bucket in account ${ACCOUNT_ID}, not only ${BUCKET}`],
    ...overrides,
  };
}

/** A plan whose observed values are the before-states of its changes. */
export function planOf(changes: readonly Change[], overrides: Partial<Plan> = {}): Plan {
  const observed: Record<string, unknown> = {};
  for (const change of changes) observed[change.resource] = change.before;
  return {
    target: { ...TARGET },
    preset: 'baseline',
    createdAt: CREATED_AT,
    observed: observed as Partial<PostureValues>,
    changes,
    skipped: [],
    provenance: handBuiltProvenance(TARGET, observed as Partial<PostureValues>),
    ...overrides,
  };
}

/** True when the text is one terminal line: no line breaks of any kind. */
export function isOneLine(text: string): boolean {
  return !/[\n\r\u2028\u2029]/.test(text);
}

/** True when the text holds a terminal control character (other than a line feed, if allowed). */
export function hasControlCharacter(text: string, allowLineFeed = false): boolean {
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (allowLineFeed && code === 10) continue;
    if (code < 32 || code === 127) return true;
  }
  return false;
}
