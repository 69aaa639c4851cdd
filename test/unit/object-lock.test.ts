import { describe, expect, it } from 'vitest';
import { objectLock } from '../../src/aws/families/object-lock.js';
import { PlanFileError, parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import type { ApiCall, Posture } from '../../src/plan/model/types.js';
import { resourceSchema, writeCall } from '../../src/plan/resources/index.js';
import type { ObjectLockConfiguration } from '../../src/plan/resources/object-lock.js';
import { UnwritableValueError } from '../../src/plan/resources/unwritable.js';
import { buildPlan, STEP_ORDER, unavailableReason } from '../../src/steps/index.js';
import {
  confirmationReason,
  type ObjectLockAnswers,
  objectLockPrerequisite,
  objectLockStep as step,
  WORM_RETENTION,
} from '../../src/steps/object-lock.js';
import { versioningStep } from '../../src/steps/versioning.js';
import { BUCKET, isOneLine, planOf, posture, TARGET } from './support.js';

const ON: ObjectLockConfiguration = { ObjectLockEnabled: 'Enabled' };
const GOV_30: ObjectLockConfiguration = {
  ObjectLockEnabled: 'Enabled',
  Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } },
};
const COMPLIANCE_1Y: ObjectLockConfiguration = {
  ObjectLockEnabled: 'Enabled',
  Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 1 } },
};

const at = (
  lock: ObjectLockConfiguration | null,
  versioning: 'Enabled' | 'Suspended' | null = 'Enabled',
): Posture =>
  posture({
    'bucket.objectLock': lock,
    'bucket.versioning': versioning === null ? null : { Status: versioning },
    // An empty bucket: no note about existing objects (test/unit/replication.test.ts has them).
    'bucket.objectCount': { objectCount: 0, truncated: false },
  });

/** Answers for a posture: keep, then the overrides. */
const answers = (p: Posture, overrides: Partial<ObjectLockAnswers> = {}): ObjectLockAnswers => ({
  ...(step.keep?.(p) as ObjectLockAnswers),
  ...overrides,
});

const put = (configuration: ObjectLockConfiguration): ApiCall => ({
  service: 's3',
  operation: 'PutObjectLockConfiguration',
  input: { Bucket: BUCKET, ObjectLockConfiguration: configuration },
});

describe('Object Lock step', () => {
  it('runs after Block Public Access, then object ownership and versioning, before the account step', () => {
    expect(STEP_ORDER.indexOf('object-ownership')).toBeGreaterThan(
      STEP_ORDER.indexOf('public-access-block'),
    );
    expect(STEP_ORDER.indexOf('versioning')).toBe(STEP_ORDER.indexOf('object-ownership') + 1);
    expect(STEP_ORDER.indexOf('object-lock')).toBe(STEP_ORDER.indexOf('versioning') + 1);
    expect(STEP_ORDER.at(-1)).toBe('account-public-access-block');
  });

  it('reads Object Lock and versioning, and is skipped when either cannot be read', () => {
    expect(step.reads).toEqual(['bucket.objectLock', 'bucket.versioning']);
    expect(unavailableReason('object-lock', posture({ 'bucket.objectLock': null }))).toBe(
      'Versioning was not read',
    );
  });

  describe('defaults', () => {
    it.each(['baseline', 'strict', 'custom'] as const)('%s keeps what is there', (preset) => {
      for (const lock of [null, ON, GOV_30]) {
        const p = at(lock);
        expect(step.defaults(p, preset)).toEqual(step.keep?.(p));
        expect(step.plan(p, step.defaults(p, preset))).toEqual([]);
      }
    });

    it('worm turns Object Lock on with GOVERNANCE 30 days, confirmation still to type', () => {
      expect(WORM_RETENTION).toEqual({ Mode: 'GOVERNANCE', Days: 30 });
      expect(step.defaults(at(null), 'worm')).toEqual({
        enabled: true,
        retention: 'GOVERNANCE',
        days: '30',
        years: '',
        confirm: '',
        bucket: BUCKET,
        current: null,
      });
    });

    it('worm adds the default retention to a bucket that has Object Lock without one', () => {
      const p = at(ON);
      const [change] = step.plan(p, step.defaults(p, 'worm'));
      expect(change).toMatchObject({ before: ON, after: GOV_30, undo: put(ON) });
    });

    it('worm keeps an existing default retention', () => {
      const p = at(COMPLIANCE_1Y);
      expect(step.plan(p, step.defaults(p, 'worm'))).toEqual([]);
    });
  });

  describe('turning it on', () => {
    const p = at(null);
    const confirmed = answers(p, {
      enabled: true,
      retention: 'GOVERNANCE',
      days: '30',
      confirm: BUCKET,
    });

    it('is a create with no undo (irreversible), marked with its consequences', () => {
      expect(step.plan(p, confirmed)).toEqual([
        {
          id: 'bucket.objectLock',
          step: 'object-lock',
          title: 'Object Lock',
          resource: 'bucket.objectLock',
          action: 'create',
          call: put(GOV_30),
          before: null,
          after: GOV_30,
          undo: null,
          dependsOn: [],
          warnings: [
            'cannot be undone: Object Lock can never be turned off, and versioning can then never be suspended',
            'a bucket with Object Lock cannot be a server access logging target',
          ],
        },
      ]);
    });

    it('without a default retention, only ObjectLockEnabled is written', () => {
      const [change] = step.plan(p, { ...confirmed, retention: 'none', days: '' });
      expect(change?.call).toEqual(put(ON));
    });

    it('depends on the versioning change when versioning is not Enabled yet', () => {
      for (const versioning of ['Suspended', null] as const) {
        const [change] = step.plan(at(null, versioning), confirmed);
        expect(change?.dependsOn).toEqual(['bucket.versioning']);
        expect(change?.warnings).toContain(
          'needs versioning Enabled first (the Versioning change)',
        );
      }
    });

    it('needs the bucket name typed: validation fails until it matches', () => {
      const problem = `Type the bucket name ${BUCKET} to confirm: Object Lock can never be turned off`;
      expect(step.validate({ ...confirmed, confirm: '' })).toEqual([problem]);
      expect(step.validate({ ...confirmed, confirm: 'my-buck' })).toEqual([problem]);
      expect(step.validate({ ...confirmed, confirm: 'MY-BUCKET' })).toEqual([problem]);
      expect(step.validate(confirmed)).toEqual([]);
      expect(isOneLine(problem)).toBe(true);
    });

    it('shows the confirmation field only when the plan would turn it on', () => {
      const keys = (given: ObjectLockAnswers) =>
        step
          .fields(p, given)
          .filter((field) => field.kind !== 'note')
          .map((field) => ('key' in field ? field.key : ''));
      expect(keys(answers(p))).toEqual(['enabled']);
      expect(keys(confirmed)).toEqual(['enabled', 'retention', 'days', 'years', 'confirm']);
      const confirm = step
        .fields(p, confirmed)
        .find((field) => 'key' in field && field.key === 'confirm');
      expect(confirm).toMatchObject({ kind: 'text', label: 'Type the bucket name to confirm' });
      const warning = step
        .fields(p, confirmed)
        .find((field) => field.kind === 'note' && field.tone === 'warning');
      expect(warning).toBeDefined();
    });

    it('says versioning must be Enabled first when it is not', () => {
      const notes = (lockPosture: Posture) =>
        step
          .fields(lockPosture, confirmed)
          .filter((field) => field.kind === 'note' && field.tone === 'info');
      expect(notes(at(null, 'Suspended'))).toHaveLength(1);
      expect(notes(at(null, 'Enabled'))).toHaveLength(0);
    });

    it('left off, nothing is planned and nothing needs confirming', () => {
      const off = answers(p, { retention: 'COMPLIANCE', days: '', years: '' });
      expect(step.validate(off)).toEqual([]);
      expect(step.plan(p, off)).toEqual([]);
    });
  });

  describe('changing the default retention of a bucket that has Object Lock', () => {
    it('is reversible: the undo puts the previous configuration', () => {
      const p = at(GOV_30);
      const [change] = step.plan(p, answers(p, { days: '60' }));
      const after = {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 60 } },
      };
      expect(change).toMatchObject({
        action: 'update',
        call: put(after as never),
        before: GOV_30,
        undo: put(GOV_30),
      });
      expect(step.validate(answers(p, { days: '60' }))).toEqual([]);
    });

    it('removing the default retention warns that protection weakens', () => {
      const p = at(GOV_30);
      const [change] = step.plan(p, answers(p, { retention: 'none' }));
      expect(change?.after).toEqual(ON);
      expect(change?.undo).toEqual(put(GOV_30));
      expect(change?.warnings).toEqual(['removes the default retention, which weakens protection']);
    });

    it('setting COMPLIANCE needs the bucket name typed, and warns', () => {
      const p = at(GOV_30);
      const compliance = answers(p, { retention: 'COMPLIANCE', days: '', years: '1' });
      expect(step.validate(compliance)).toEqual([
        `Type the bucket name ${BUCKET} to confirm: objects written under COMPLIANCE retention cannot be deleted by anyone, root included`,
      ]);
      const [change] = step.plan(p, { ...compliance, confirm: BUCKET });
      expect(change).toMatchObject({ after: COMPLIANCE_1Y, undo: put(GOV_30) });
      expect(change?.warnings).toEqual([
        'COMPLIANCE: objects written under this rule cannot be deleted or overwritten by anyone, root included, until their retention ends',
      ]);
    });

    it('GOVERNANCE changes and unchanged COMPLIANCE need no confirmation', () => {
      expect(confirmationReason(answers(at(GOV_30), { days: '7' }))).toBeNull();
      expect(confirmationReason(answers(at(COMPLIANCE_1Y)))).toBeNull();
      expect(
        confirmationReason(answers(at(COMPLIANCE_1Y), { retention: 'GOVERNANCE', years: '2' })),
      ).toBeNull();
    });

    it('the step says Object Lock is on and offers no way to turn it off', () => {
      const p = at(GOV_30);
      const fields = step.fields(p, answers(p));
      expect(fields[0]).toEqual({
        kind: 'note',
        tone: 'info',
        text: 'Object Lock is on, GOVERNANCE 30 days. It can never be turned off; the default retention can change.',
      });
      expect(fields.some((field) => 'key' in field && field.key === 'enabled')).toBe(false);
    });

    it('turning it off is refused', () => {
      const p = at(ON);
      expect(step.validate(answers(p, { enabled: false }))).toEqual([
        'Object Lock is on for this bucket and can never be turned off',
      ]);
    });
  });

  it.each<[string, Partial<ObjectLockAnswers>, string[]]>([
    ['days', { days: '30' }, []],
    ['years', { days: '', years: '100' }, []],
    ['the maximum days', { days: '36500' }, []],
    ['both', { days: '30', years: '1' }, ['Enter the retention in days or in years, not both']],
    ['neither', { days: ' ', years: '' }, ['Enter a retention period in days or in years']],
    ['zero days', { days: '0' }, ['Retention days must be a whole number from 1 to 36500']],
    ['too many days', { days: '36501' }, ['Retention days must be a whole number from 1 to 36500']],
    ['fractional days', { days: '1.5' }, ['Retention days must be a whole number from 1 to 36500']],
    ['negative days', { days: '-3' }, ['Retention days must be a whole number from 1 to 36500']],
    [
      'too many years',
      { days: '', years: '101' },
      ['Retention years must be a whole number from 1 to 100'],
    ],
    [
      'words for years',
      { days: '', years: 'ten' },
      ['Retention years must be a whole number from 1 to 100'],
    ],
    [
      'an unknown mode',
      { retention: 'FOREVER' as never },
      ['Default retention must be none, GOVERNANCE or COMPLIANCE, not "FOREVER"'],
    ],
  ])('validate the retention period: %s', (_label, overrides, problems) => {
    const p = at(ON);
    const given = answers(p, { retention: 'GOVERNANCE', years: '', ...overrides });
    const found = step.validate(given);
    expect(found).toEqual(problems);
    for (const problem of found) expect(isOneLine(problem)).toBe(true);
  });
});

describe('versioning first', () => {
  const p = at(null, null);
  const lockAnswers = answers(p, {
    enabled: true,
    retention: 'GOVERNANCE',
    days: '30',
    confirm: BUCKET,
  });

  it('the worm plan enables versioning before Object Lock', () => {
    const plan = buildPlan(p, 'worm', ['versioning', 'object-lock'], {
      versioning: versioningStep.defaults(p, 'worm'),
      'object-lock': lockAnswers,
    });
    expect(plan.changes.map((change) => change.id)).toEqual([
      'bucket.versioning',
      'bucket.objectLock',
    ]);
    expect(objectLockPrerequisite(plan.changes, p)).toBeNull();
  });

  it('the order holds even when Object Lock is listed first', () => {
    const plan = buildPlan(p, 'worm', ['object-lock', 'versioning'], {
      versioning: versioningStep.defaults(p, 'worm'),
      'object-lock': lockAnswers,
    });
    expect(plan.changes.map((change) => change.id)).toEqual([
      'bucket.versioning',
      'bucket.objectLock',
    ]);
  });

  it('names the problem when versioning stays off and Object Lock would be turned on', () => {
    const answers = {
      versioning: { ...versioningStep.defaults(p, 'worm'), status: 'Suspended' as const },
      'object-lock': lockAnswers,
    };
    const changes = [...versioningStep.plan(p, answers.versioning), ...step.plan(p, lockAnswers)];
    const problem = objectLockPrerequisite(changes, p);
    expect(() => buildPlan(p, 'worm', ['versioning', 'object-lock'], answers)).toThrow(
      problem as string,
    );
    expect(problem).toBe(
      'Object Lock: turning it on needs versioning Enabled; choose Enabled in the Versioning step',
    );
    expect(isOneLine(problem as string)).toBe(true);
  });

  it('is satisfied when versioning is already Enabled, or Object Lock is not being turned on', () => {
    const enabled = at(null, 'Enabled');
    expect(objectLockPrerequisite(step.plan(enabled, lockAnswers), enabled)).toBeNull();
    const locked = at(GOV_30, 'Suspended');
    expect(
      objectLockPrerequisite(step.plan(locked, answers(locked, { days: '9' })), locked),
    ).toBeNull();
  });
});

describe('the Object Lock resource', () => {
  it('cannot be written as "off"', () => {
    expect(() => writeCall('bucket.objectLock', TARGET, null)).toThrow(UnwritableValueError);
    expect(() => writeCall('bucket.objectLock', TARGET, null)).toThrow(
      `Object Lock cannot be turned off once enabled (bucket ${BUCKET})`,
    );
  });

  it('its schema wants exactly one of Days and Years, within limits', () => {
    const schema = resourceSchema('bucket.objectLock');
    const rule = (DefaultRetention: Record<string, unknown>) => ({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention },
    });
    expect(schema.safeParse(GOV_30).success).toBe(true);
    expect(schema.safeParse(null).success).toBe(true);
    expect(schema.safeParse(rule({ Mode: 'GOVERNANCE' })).success).toBe(false);
    expect(schema.safeParse(rule({ Mode: 'GOVERNANCE', Days: 1, Years: 1 })).success).toBe(false);
    expect(schema.safeParse(rule({ Mode: 'GOVERNANCE', Days: 36501 })).success).toBe(false);
    expect(schema.safeParse(rule({ Mode: 'COMPLIANCE', Years: 101 })).success).toBe(false);
    expect(schema.safeParse({ ObjectLockEnabled: 'Disabled' }).success).toBe(false);
  });

  it('a saved plan with a rule change (reversible) loads back unchanged', () => {
    const p = at(GOV_30);
    const plan = buildPlan(p, 'worm', ['object-lock'], {
      'object-lock': answers(p, { days: '45' }),
    });
    expect(parsePlan(serializePlan(plan, 'test')).changes).toEqual(plan.changes);
  });

  it('a saved plan that turns it on loads back with no undo', () => {
    const p = at(null);
    const plan = buildPlan(p, 'worm', ['object-lock'], {
      'object-lock': answers(p, { enabled: true, retention: 'none', confirm: BUCKET }),
    });
    expect(parsePlan(serializePlan(plan, 'test')).changes[0]?.undo).toBeNull();
  });

  it('a tampered plan that claims to undo turning it on is refused', () => {
    const tampered = planOf([
      {
        id: 'bucket.objectLock',
        step: 'object-lock',
        title: 'Object Lock',
        resource: 'bucket.objectLock',
        action: 'create',
        call: put(ON),
        before: null,
        after: ON,
        undo: put(ON),
        dependsOn: [],
        warnings: [],
      },
    ]);
    expect(() => parsePlan(serializePlan(tampered, 'test'))).toThrow(PlanFileError);
    expect(() => parsePlan(serializePlan(tampered, 'test'))).toThrow(
      /^changes\[0\]: Object Lock cannot be turned off once enabled \(bucket my-bucket\)$/,
    );
  });
});

describe('reading Object Lock (normalisation)', () => {
  it.each<[string, Record<string, unknown>, ObjectLockConfiguration | null]>([
    ['nothing', {}, null],
    ['Disabled', { ObjectLockConfiguration: { ObjectLockEnabled: 'Disabled' } }, null],
    ['enabled without a rule', { ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } }, ON],
    [
      'a rule in days (null years dropped)',
      {
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30, Years: null } },
        },
      },
      GOV_30,
    ],
    [
      'a rule in years',
      {
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 1 } },
        },
      },
      COMPLIANCE_1Y,
    ],
    [
      'a rule without a mode',
      { ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: {} } } },
      ON,
    ],
  ])('%s', (_label, output, value) => {
    expect(objectLock(output)).toEqual(value);
  });
});
