import { describe, expect, it } from 'vitest';
import { lifecycle } from '../../src/aws/families/lifecycle.js';
import { evaluateControls } from '../../src/plan/audit/controls.js';
import type { PostureValues } from '../../src/plan/model/types.js';
import { satisfies } from '../../src/plan/resources/index.js';
import type { LifecycleConfiguration } from '../../src/plan/resources/lifecycle.js';
import { lifecycleStep as step } from '../../src/steps/lifecycle.js';
import {
  LifecycleError,
  logRetentionRule,
  mergeRule,
  NONCURRENT_RULE_ID,
} from '../../src/steps/lifecycle-rules.js';
import { retentionPrefix } from '../../src/steps/log-target.js';
import { posture } from './support.js';

const FOREIGN: LifecycleConfiguration = {
  Rules: [
    { ID: 'archive', Status: 'Enabled', Filter: { Prefix: 'a/' }, Expiration: { Days: 400 } },
    { ID: 'tmp', Status: 'Disabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 1 } },
  ],
  TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
};

const at = (values: Partial<PostureValues>) => posture(values);

describe('the lifecycle step', () => {
  it('adds its rule after the foreign ones, which stay the very objects read', () => {
    const before = at({ 'bucket.lifecycle': FOREIGN });
    const [change] = step.plan(before, step.defaults(before, 'baseline'));
    const after = change?.after as LifecycleConfiguration;
    expect(after.Rules.slice(0, 2)).toEqual(FOREIGN.Rules);
    expect(after.Rules[0]).toBe(FOREIGN.Rules[0]);
    expect(after.Rules[2]).toMatchObject({
      ID: NONCURRENT_RULE_ID,
      NoncurrentVersionExpiration: { NoncurrentDays: 90, NewerNoncurrentVersions: 3 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    });
    // The bucket-wide size default goes back too: a put without it resets it.
    expect(after.TransitionDefaultMinimumObjectSize).toBe('varies_by_storage_class');
    expect(change?.call.input).toMatchObject({
      TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
    });
    // Undo writes exactly what was read.
    expect(change?.undo?.input).toEqual({
      Bucket: 'my-bucket',
      LifecycleConfiguration: { Rules: FOREIGN.Rules },
      TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
    });
  });

  it('a bucket without lifecycle gets one, and undo deletes it', () => {
    const before = at({ 'bucket.lifecycle': null });
    const [change] = step.plan(before, step.defaults(before, 'strict'));
    expect(change?.action).toBe('create');
    expect(change?.undo?.operation).toBe('DeleteBucketLifecycle');
  });

  it('replaces its own rule in place and plans nothing when it already holds', () => {
    const first = at({ 'bucket.lifecycle': FOREIGN });
    const applied = step.plan(first, step.defaults(first, 'baseline'))[0]
      ?.after as LifecycleConfiguration;
    const again = at({ 'bucket.lifecycle': applied });
    expect(step.plan(again, step.defaults(again, 'baseline'))).toEqual([]);
    const longer = step.plan(again, { ...step.defaults(again, 'baseline'), noncurrentDays: '30' });
    const rules = (longer[0]?.after as LifecycleConfiguration | undefined)?.Rules ?? [];
    expect(rules.map((rule) => rule.ID)).toEqual(['archive', 'tmp', NONCURRENT_RULE_ID]);
  });

  it('turned off, removes only its own rule (and the configuration when it was the only one)', () => {
    const own = mergeRule(null, NONCURRENT_RULE_ID, {
      ID: NONCURRENT_RULE_ID,
      Status: 'Enabled',
      Filter: {},
    });
    const only = at({ 'bucket.lifecycle': own });
    const [change] = step.plan(only, { ...step.keep?.(only), enabled: false } as never);
    expect(change?.after).toBeNull();
    expect(change?.call.operation).toBe('DeleteBucketLifecycle');
  });

  it('leaves an MFA delete bucket as it is, and says why', () => {
    const mfa = at({
      'bucket.lifecycle': null,
      'bucket.versioning': { Status: 'Enabled', MFADelete: 'Enabled' },
    });
    const answers = step.defaults(mfa, 'baseline');
    expect(step.plan(mfa, answers)).toEqual([]);
    expect(step.leftAsIs?.(mfa, answers)).toMatch(/MFA delete.*does not support lifecycle/);
  });

  it('warns when Object Lock retention outlasts the expiry', () => {
    const locked = at({
      'bucket.lifecycle': null,
      'bucket.objectLock': {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Years: 1 } },
      },
    });
    const [change] = step.plan(locked, step.defaults(locked, 'worm'));
    expect(change?.warnings.join('\n')).toContain('Object Lock keeps versions 365 days by default');
  });

  it('validates what is typed, one sentence each', () => {
    const answers = step.defaults(at({ 'bucket.lifecycle': null }), 'baseline');
    expect(step.validate(answers)).toEqual([]);
    expect(step.validate({ ...answers, noncurrentDays: '0' })[0]).toMatch(
      /whole number of days from 1/,
    );
    expect(step.validate({ ...answers, keepNewest: '101' })[0]).toMatch(/0 to 100/);
    expect(
      step.validate({ ...answers, transition: 'STANDARD_IA', noncurrentDays: '30' })[0],
    ).toMatch(/more than 30 days/);
  });

  it('refuses past S3’s 1,000 rules', () => {
    const full: LifecycleConfiguration = {
      Rules: Array.from({ length: 1000 }, (_, n) => ({ ID: `r${n}`, Status: 'Enabled' as const })),
    };
    expect(() =>
      mergeRule(full, NONCURRENT_RULE_ID, { ID: NONCURRENT_RULE_ID, Status: 'Enabled' }),
    ).toThrow(LifecycleError);
  });
});

describe('lifecycle values', () => {
  it('reads dates as ISO strings and no rules as null', () => {
    expect(lifecycle({})).toBeNull();
    expect(
      lifecycle({
        Rules: [
          { ID: 'd', Status: 'Enabled', Expiration: { Date: new Date('2030-01-01T00:00:00Z') } },
        ],
      }),
    ).toEqual({
      Rules: [{ ID: 'd', Status: 'Enabled', Expiration: { Date: '2030-01-01T00:00:00.000Z' } }],
    });
  });

  it('an empty filter, an empty prefix and no filter are the same rule', () => {
    const rule = { ID: 'x', Status: 'Enabled' as const, Expiration: { Days: 5 } };
    expect(
      satisfies(
        'bucket.lifecycle',
        { Rules: [{ ...rule, Filter: {} }] },
        { Rules: [{ ...rule, Filter: { Prefix: '' } }] },
      ),
    ).toBe(true);
    expect(
      satisfies('bucket.lifecycle', { Rules: [{ ...rule, Filter: {} }] }, { Rules: [rule] }),
    ).toBe(true);
    expect(
      satisfies(
        'bucket.lifecycle',
        { Rules: [{ ...rule, Filter: { Prefix: 'a/' } }] },
        { Rules: [rule] },
      ),
    ).toBe(false);
  });

  it('the audit passes a configuration with an enabled rule only', () => {
    const judge = (value: LifecycleConfiguration | null) =>
      evaluateControls({ ...at({ 'bucket.lifecycle': value }), bucket: 'my-bucket' }).find(
        (result) => result.id === 'lifecycle',
      );
    expect(judge(null)?.status).toBe('fail');
    expect(judge({ Rules: [{ ID: 'a', Status: 'Disabled' }] })).toMatchObject({
      status: 'fail',
      detail: 'all 1 lifecycle rules disabled',
    });
    expect(judge(FOREIGN)).toMatchObject({ status: 'pass', detail: '1 enabled rule' });
  });
});

describe('log retention', () => {
  it('one rule covers a shared log bucket’s per-bucket prefixes', () => {
    expect(retentionPrefix('s3-access-logs/app-1/', 'app-1')).toBe('s3-access-logs/');
    expect(retentionPrefix('s3-access-logs/', 'app-1')).toBe('s3-access-logs/');
    expect(retentionPrefix('app-1/', 'app-1')).toBe('app-1/');
    expect(logRetentionRule('s3-access-logs/', 365)).toMatchObject({
      Filter: { Prefix: 's3-access-logs/' },
      Expiration: { Days: 365 },
    });
  });
});
