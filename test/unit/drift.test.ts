import { describe, expect, it } from 'vitest';
import {
  describeDrift,
  driftDetails,
  findDrift,
  isApplied,
  namesList,
} from '../../src/plan/apply/drift.js';
import { accountChange, bucketChange, OFF, ON, pab, planOf, posture } from './support.js';

describe('findDrift / describeDrift / isApplied', () => {
  const plan = planOf([bucketChange(null, ON), accountChange(pab({ BlockPublicAcls: false }), ON)]);

  it('no drift when every written resource still reads as planned', () => {
    const live = posture({
      'bucket.publicAccessBlock': null,
      'account.publicAccessBlock': pab({ BlockPublicAcls: false }),
    });
    expect(findDrift(plan, live)).toEqual([]);
    expect(describeDrift([])).toBe('');
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

  it('a value a rollback restored counts as unchanged: versioning never enabled, now suspended', () => {
    const versioning = planOf([
      bucketChange(null, ON, {
        id: 'bucket.versioning',
        resource: 'bucket.versioning',
        before: null,
        after: { Status: 'Enabled' },
      }),
    ]);
    expect(
      findDrift(versioning, posture({ 'bucket.versioning': { Status: 'Suspended' } })),
    ).toEqual([]);
    expect(
      findDrift(versioning, posture({ 'bucket.versioning': { Status: 'Enabled' } })),
    ).toHaveLength(1);
  });

  it('a changed value is drift, named by its label in one short line; values only in the details', () => {
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
    expect(describeDrift(drift)).toBe('Block Public Access (bucket) changed since the plan');
    expect(driftDetails(drift)).toEqual([
      {
        resource: 'bucket.publicAccessBlock',
        label: 'Block Public Access (bucket)',
        planned: null,
        live: pab({ RestrictPublicBuckets: false }),
      },
    ]);
  });

  it('a value that has since been removed is drift', () => {
    const live = posture({
      'bucket.publicAccessBlock': null,
      'account.publicAccessBlock': null,
    });
    expect(describeDrift(findDrift(plan, live))).toBe(
      'Block Public Access (account) changed since the plan',
    );
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
    expect(describeDrift(drift)).toBe(
      'Block Public Access (bucket) could not be read (Access denied: s3:GetBucketPublicAccessBlock on bucket my-bucket.)',
    );
    expect(driftDetails(drift)[0]).toEqual({
      resource: 'bucket.publicAccessBlock',
      label: 'Block Public Access (bucket)',
      planned: null,
      reason: 'Access denied: s3:GetBucketPublicAccessBlock on bucket my-bucket.',
    });
  });

  it('a resource the live reading lacks altogether counts as drift ("not read")', () => {
    const live = posture({ 'account.publicAccessBlock': pab({ BlockPublicAcls: false }) }, {});
    expect(describeDrift(findDrift(plan, live))).toBe(
      'Block Public Access (bucket) could not be read',
    );
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
    expect(describeDrift(findDrift(plan, live))).toBe(
      'Block Public Access (bucket) and Block Public Access (account) could not be read (x)',
    );
  });

  it('stays short however big the values: a whole policy is never in the line', () => {
    const policy = (sid: string) => ({
      Version: '2012-10-17',
      Statement: Array.from({ length: 20 }, (_, i) => ({
        Sid: `${sid}${i}`,
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: 'arn:aws:s3:::my-bucket/*',
      })),
    });
    const drift = [
      { resource: 'bucket.policy' as const, planned: policy('A'), live: policy('B') },
      { resource: 'bucket.versioning' as const, planned: null, live: { Status: 'Enabled' } },
      { resource: 'bucket.encryption' as const, planned: null, live: null },
      { resource: 'bucket.logging' as const, planned: null, live: null },
    ];
    expect(describeDrift(drift)).toBe(
      'Bucket policy, Versioning and 2 more changed since the plan',
    );
    expect(JSON.stringify(driftDetails(drift)).length).toBeGreaterThan(1500);
  });

  it('names lists as "A", "A and B", "A, B and C", then "and N more"', () => {
    expect(namesList(['A'])).toBe('A');
    expect(namesList(['A', 'B'])).toBe('A and B');
    expect(namesList(['A', 'B', 'C'])).toBe('A, B and C');
    expect(namesList(['A', 'B', 'C', 'D', 'E'])).toBe('A, B and 3 more');
  });

  it('a plan is already applied when every resource it writes reads as its change leaves it', () => {
    const applied = posture({ 'bucket.publicAccessBlock': ON, 'account.publicAccessBlock': ON });
    expect(findDrift(plan, applied)).not.toEqual([]);
    expect(isApplied(plan, applied)).toBe(true);
    // Half applied (the account setting still as before) is not applied: that is drift.
    const half = posture({
      'bucket.publicAccessBlock': ON,
      'account.publicAccessBlock': pab({ BlockPublicAcls: false }),
    });
    expect(isApplied(plan, half)).toBe(false);
    // Unreadable is never applied.
    const denied = posture(
      { 'account.publicAccessBlock': ON },
      { 'bucket.publicAccessBlock': 'x' },
    );
    expect(isApplied(plan, denied)).toBe(false);
    // A plan with no changes has nothing applied.
    expect(isApplied(planOf([]), applied)).toBe(false);
  });

  it('another value may count as applied too (a later section of a fleet writing the same resource)', () => {
    const later = pab({ RestrictPublicBuckets: false });
    const live = posture({ 'bucket.publicAccessBlock': later, 'account.publicAccessBlock': ON });
    expect(isApplied(plan, live)).toBe(false);
    expect(
      isApplied(plan, live, (change) =>
        change.resource === 'bucket.publicAccessBlock' ? [later] : [],
      ),
    ).toBe(true);
  });
});
