import { describe, expect, it } from 'vitest';
import { describeDrift, findDrift } from '../../src/plan/drift.js';
import { accountChange, bucketChange, OFF, ON, pab, planOf, posture } from './support.js';

describe('findDrift / describeDrift', () => {
  const plan = planOf([bucketChange(null, ON), accountChange(pab({ BlockPublicAcls: false }), ON)]);

  it('no drift when every written resource still reads as planned', () => {
    const live = posture({
      'bucket.publicAccessBlock': null,
      'account.publicAccessBlock': pab({ BlockPublicAcls: false }),
    });
    expect(findDrift(plan, live)).toEqual([]);
    expect(describeDrift([])).toEqual([]);
  });

  it('resources the plan does not write are not compared', () => {
    const bucketOnly = planOf([bucketChange(null, ON)]);
    const live = posture({ 'bucket.publicAccessBlock': null, 'account.publicAccessBlock': OFF });
    expect(findDrift(bucketOnly, live)).toEqual([]);
  });

  it('key order in a live value does not count as drift', () => {
    const updated = planOf([bucketChange(pab({ IgnorePublicAcls: false }), ON)]);
    const live = posture({
      'bucket.publicAccessBlock': {
        RestrictPublicBuckets: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: false,
        BlockPublicAcls: true,
      },
    });
    expect(findDrift(updated, live)).toEqual([]);
  });

  it('a changed value is drift, described as plan saw → now', () => {
    const live = posture({
      'bucket.publicAccessBlock': pab({ RestrictPublicBuckets: false }),
      'account.publicAccessBlock': pab({ BlockPublicAcls: false }),
    });
    const drift = findDrift(plan, live);
    expect(drift).toEqual([
      {
        resource: 'bucket.publicAccessBlock',
        planned: null,
        live: pab({ RestrictPublicBuckets: false }),
      },
    ]);
    expect(describeDrift(drift)).toEqual([
      'bucket.publicAccessBlock: plan saw (absent), now {"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":false}',
    ]);
  });

  it('a value that has since been removed is drift', () => {
    const live = posture({
      'bucket.publicAccessBlock': null,
      'account.publicAccessBlock': null,
    });
    expect(describeDrift(findDrift(plan, live))).toEqual([
      'account.publicAccessBlock: plan saw {"BlockPublicAcls":false,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}, now (absent)',
    ]);
  });

  it('a resource that is now unreadable is drift, even when its last value matched', () => {
    const live = posture(
      {
        'bucket.publicAccessBlock': null,
        'account.publicAccessBlock': pab({ BlockPublicAcls: false }),
      },
      {
        'bucket.publicAccessBlock':
          'Access denied: s3:GetBucketPublicAccessBlock on bucket my-bucket.',
      },
    );
    const drift = findDrift(plan, live);
    expect(drift).toEqual([
      {
        resource: 'bucket.publicAccessBlock',
        planned: null,
        live: undefined,
        reason: 'Access denied: s3:GetBucketPublicAccessBlock on bucket my-bucket.',
      },
    ]);
    expect(describeDrift(drift)).toEqual([
      'bucket.publicAccessBlock: plan saw (absent), now unknown (Access denied: s3:GetBucketPublicAccessBlock on bucket my-bucket.)',
    ]);
  });

  it('a resource the live reading lacks altogether counts as drift ("not read")', () => {
    const live = posture({ 'account.publicAccessBlock': pab({ BlockPublicAcls: false }) }, {});
    expect(describeDrift(findDrift(plan, live))).toEqual([
      'bucket.publicAccessBlock: plan saw (absent), now unknown (not read)',
    ]);
  });

  it('a resource unreadable and missing from the values is drift', () => {
    const live = posture(
      { 'account.publicAccessBlock': pab({ BlockPublicAcls: false }) },
      { 'bucket.publicAccessBlock': 'denied' },
    );
    expect(findDrift(plan, live).map((entry) => entry.resource)).toEqual([
      'bucket.publicAccessBlock',
    ]);
  });

  it('every description is one line', () => {
    const live = posture({}, { 'bucket.publicAccessBlock': 'x', 'account.publicAccessBlock': 'y' });
    for (const line of describeDrift(findDrift(plan, live))) expect(line).not.toMatch(/\n/);
  });
});
