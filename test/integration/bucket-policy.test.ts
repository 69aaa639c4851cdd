/**
 * The bucket-policy step against the emulator: merged into a foreign policy,
 * read back intact, idempotent, and rolled back to the exact previous text
 * (or to no policy at all).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import type { ApiCall, Plan } from '../../src/plan/model/types.js';
import {
  foreignStatements,
  isToolStatement,
  type PolicyDocument,
  statementsOf,
} from '../../src/plan/policy/document.js';
import { POLICY_TEXT } from '../../src/plan/policy/policy-text.js';
import { type BucketPolicyAnswers, bucketPolicyStep } from '../../src/steps/bucket-policy.js';
import { buildPlan, defaultAnswers } from '../../src/steps/index.js';
import type { StepId } from '../../src/steps/types.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients, setAccountPublicAccessBlock } from '../helpers/fixtures.js';

/** A policy someone else wrote, as they typed it: a Sid, no Sid, a string Principal, strings. */
const FOREIGN_TEXT = (bucket: string) => `{
  "Version": "2012-10-17",
  "Id": "team-policy",
  "Statement": [
    {
      "Sid": "AllowAnalyticsRead",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::123456789012:root" },
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::${bucket}/*"
    },
    {
      "Effect": "Deny",
      "Principal": "*",
      "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
      "Resource": "arn:aws:s3:::${bucket}/*",
      "Condition": { "StringNotEquals": { "aws:PrincipalAccount": "123456789012" } }
    }
  ]
}`;

const ROLE = 'arn:aws:iam::123456789012:role/reader';

describe('bucket policy against the emulator', () => {
  let session: AwsSession;
  let dir: string;
  const { s3 } = rawClients();

  const rawPolicy = async (bucket: string): Promise<string | null> => {
    try {
      return (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? null;
    } catch (error) {
      if ((error as Error).name === 'NoSuchBucketPolicy') return null;
      throw error;
    }
  };

  const planFor = async (
    bucket: string,
    steps: readonly StepId[],
    answers?: BucketPolicyAnswers,
  ): Promise<Plan> => {
    const posture = await session.observe(bucket, [
      'bucket.policy',
      ...(steps.includes('account-public-access-block')
        ? (['account.publicAccessBlock'] as const)
        : []),
    ]);
    const defaults = defaultAnswers(posture, 'baseline', steps);
    return buildPlan(posture, 'baseline', steps, {
      ...defaults,
      ...(answers ? { 'bucket-policy': answers } : {}),
    });
  };

  const apply = async (plan: Plan, fail?: (call: ApiCall) => boolean) => {
    const journal = openJournal(plan.target, join(dir, 'journals'));
    try {
      return await executePlan(plan, {
        run: async (call) => {
          if (fail?.(call)) throw new Error('injected fault');
          return session.execute(call);
        },
        read: (resource, identity) => session.read(plan.target, resource, identity),
        journal,
      });
    } finally {
      journal.close();
    }
  };

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => {
    session.close();
    s3.destroy();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-policy-'));
    await setAccountPublicAccessBlock(null);
  });

  it('merges into a foreign policy: foreign statements intact, and a second plan has no change', async () => {
    const bucket = uniqueBucket('policy-merge');
    await createBucket(bucket);
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: FOREIGN_TEXT(bucket) }));
    const original = JSON.parse(FOREIGN_TEXT(bucket)) as PolicyDocument;

    const plan = await planFor(bucket, ['bucket-policy'], {
      ...(bucketPolicyStep.defaults(
        await session.observe(bucket, ['bucket.policy']),
        'baseline',
      ) as BucketPolicyAnswers),
      readOnlyRoles: ROLE,
    });
    expect(plan.changes.map((change) => change.call.operation)).toEqual(['PutBucketPolicy']);
    const outcome = await apply(plan);
    expect(outcome.status).toBe('applied');
    expect(outcome.results.map((result) => result.verified)).toEqual([true]);

    const live = JSON.parse((await rawPolicy(bucket)) as string) as PolicyDocument;
    expect(live.Id).toBe('team-policy');
    // Every foreign statement, in order, serialised byte for byte as before.
    expect(foreignStatements(live).map((statement) => JSON.stringify(statement))).toEqual(
      statementsOf(original).map((statement) => JSON.stringify(statement)),
    );
    expect(
      statementsOf(live)
        .filter(isToolStatement)
        .map((statement) => (statement as { Sid: string }).Sid),
    ).toEqual(['S3HardenDenyInsecureTransport', 'S3HardenDenyOldTls', 'S3HardenReadOnly1']);

    // The defaults now carry the role forward: nothing left to change.
    expect((await planFor(bucket, ['bucket-policy'])).changes).toEqual([]);
  });

  it('a failure after the policy restores the exact previous document', async () => {
    const bucket = uniqueBucket('policy-undo');
    await createBucket(bucket);
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: FOREIGN_TEXT(bucket) }));
    const before = await session.read(
      { accountId: '123456789012', region: 'us-east-1', bucket },
      'bucket.policy',
    );

    const plan = await planFor(bucket, ['bucket-policy', 'account-public-access-block']);
    expect(plan.changes.map((change) => change.id)).toEqual([
      'bucket.policy',
      'account.publicAccessBlock',
    ]);
    const outcome = await apply(plan, (call) => call.service === 's3control');
    expect(outcome.status).toBe('rolled-back');
    expect(outcome.results.map((result) => result.status)).toEqual(['rolled-back', 'failed']);

    // The exact previous text, byte for byte, as GetBucketPolicy returned it.
    expect(before).toMatchObject({ [POLICY_TEXT]: FOREIGN_TEXT(bucket) });
    expect(await rawPolicy(bucket)).toBe(FOREIGN_TEXT(bucket));
  });

  it('a failure after the policy deletes it again when there was none', async () => {
    const bucket = uniqueBucket('policy-none');
    await createBucket(bucket);
    const plan = await planFor(bucket, ['bucket-policy', 'account-public-access-block']);
    expect(plan.changes[0]).toMatchObject({ action: 'create', before: null });

    const outcome = await apply(plan, (call) => call.service === 's3control');
    expect(outcome.status).toBe('rolled-back');
    expect(outcome.results.map((result) => result.status)).toEqual(['rolled-back', 'failed']);
    expect(await rawPolicy(bucket)).toBeNull();
  });

  it('turning the tool statements off leaves the foreign policy exactly as it was', async () => {
    const bucket = uniqueBucket('policy-off');
    await createBucket(bucket);
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: FOREIGN_TEXT(bucket) }));
    expect((await apply(await planFor(bucket, ['bucket-policy']))).status).toBe('applied');

    const observed = await session.observe(bucket, ['bucket.policy']);
    const off = {
      ...(bucketPolicyStep.keep?.(observed) as BucketPolicyAnswers),
      httpsOnly: false,
      minimumTls12: false,
    };
    const plan = await planFor(bucket, ['bucket-policy'], off);
    expect((await apply(plan)).status).toBe('applied');
    // Every statement the tool added is cut again: the text as it was, byte for byte.
    expect(await rawPolicy(bucket)).toBe(FOREIGN_TEXT(bucket));
  });
});
