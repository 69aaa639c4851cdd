/**
 * Ordering across steps: S3 refuses a public bucket policy once
 * BlockPublicPolicy is on, so a policy that stays public goes in first.
 */
import { describe, expect, it } from 'vitest';
import type { Posture } from '../../src/plan/model/types.js';
import { buildPlan, defaultAnswers } from '../../src/steps/index.js';
import type { StepId } from '../../src/steps/types.js';

const STEPS: StepId[] = ['public-access-block', 'bucket-policy'];

function posture(policy: unknown): Posture {
  return {
    accountId: '123456789012',
    region: 'us-east-1',
    bucket: 'site-bucket',
    principalArn: 'arn:aws:iam::123456789012:user/operator',
    observedAt: '2026-11-27T12:00:00.000Z',
    values: { 'bucket.publicAccessBlock': null, 'bucket.policy': policy as never },
    unreadable: {},
  };
}

const plan = (policy: unknown) => {
  const p = posture(policy);
  return buildPlan(p, 'baseline', STEPS, defaultAnswers(p, 'baseline', STEPS)).changes.map(
    (change) => change.id,
  );
};

describe('Block Public Access and the bucket policy', () => {
  it('puts a policy that stays public before BlockPublicPolicy is turned on', () => {
    const website = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PublicRead',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::site-bucket/*',
        },
      ],
    };
    expect(plan(website)).toEqual(['bucket.policy', 'bucket.publicAccessBlock']);
  });

  it('otherwise turns Block Public Access on first', () => {
    const team = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Team',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::site-bucket/*',
        },
      ],
    };
    expect(plan(team)).toEqual(['bucket.publicAccessBlock', 'bucket.policy']);
    expect(plan(null)).toEqual(['bucket.publicAccessBlock', 'bucket.policy']);
  });
});
