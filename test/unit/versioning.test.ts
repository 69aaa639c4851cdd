import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { versioning } from '../../src/aws/families/versioning.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import {
  MFA_NOT_SAVED,
  PlanFileError,
  parsePlan,
  serializePlan,
} from '../../src/plan/files/plan-file.js';
import { diffPlan } from '../../src/plan/model/diff.js';
import { type Posture, PRESETS } from '../../src/plan/model/types.js';
import { cliCommand } from '../../src/plan/render/cli-equivalent.js';
import { satisfies, writeCall } from '../../src/plan/resources/index.js';
import type { VersioningConfiguration } from '../../src/plan/resources/versioning.js';
import { buildPlan } from '../../src/steps/index.js';
import {
  isRootUser,
  mfaDeleteCommand,
  versioningStep as step,
  type VersioningAnswers,
} from '../../src/steps/versioning.js';
import { ACCOUNT_ID, BUCKET, isOneLine, posture, TARGET } from './support.js';

const ROOT = `arn:aws:iam::${ACCOUNT_ID}:root`;
const SERIAL = `arn:aws:iam::${ACCOUNT_ID}:mfa/root-account-mfa-device`;
const CODE = '428913';

const ENABLED: VersioningConfiguration = { Status: 'Enabled' };
const SUSPENDED: VersioningConfiguration = { Status: 'Suspended' };

const at = (value: VersioningConfiguration | null, principalArn?: string): Posture => ({
  ...posture({ 'bucket.versioning': value }),
  ...(principalArn ? { principalArn } : {}),
});

const answers = (overrides: Partial<VersioningAnswers> = {}): VersioningAnswers => ({
  status: 'Enabled',
  mfaDelete: false,
  mfaSerial: '',
  mfaCode: '',
  ...overrides,
});
const withMfa = (overrides: Partial<VersioningAnswers> = {}) =>
  answers({ mfaDelete: true, mfaSerial: SERIAL, mfaCode: CODE, ...overrides });

const put = (Status: string, extra: Record<string, unknown> = {}) => ({
  service: 's3',
  operation: 'PutBucketVersioning',
  input: { Bucket: BUCKET, VersioningConfiguration: { Status, ...extra } },
});

describe('versioning step', () => {
  it('shows the versioning and MFA delete controls', () => {
    expect(step.controls).toEqual(['Security Hub S3.14', 'Security Hub S3.20', 'CIS 3.1.2']);
  });

  it.each(PRESETS)('defaults to Enabled, MFA delete not asked for, in the %s preset', (preset) => {
    expect(step.defaults(at(null), preset)).toEqual(answers());
    expect(step.defaults(at(null, ROOT), preset)).toEqual(answers());
  });

  it('never enabled → create; undone by Suspended, with a warning that versions stay', () => {
    expect(step.plan(at(null), answers())).toEqual([
      {
        id: 'bucket.versioning',
        step: 'versioning',
        title: 'Versioning',
        resource: 'bucket.versioning',
        action: 'create',
        call: put('Enabled'),
        before: null,
        after: ENABLED,
        undo: put('Suspended'),
        dependsOn: [],
        warnings: [
          'undo suspends versioning: versions already written stay (and are billed) until deleted',
        ],
      },
    ]);
  });

  it('writing null (never enabled) is the Suspended put, so plan files accept that undo', () => {
    expect(writeCall('bucket.versioning', TARGET, null)).toEqual(put('Suspended'));
  });

  it('Suspended → Enabled is an update undone by Suspended', () => {
    const [change] = step.plan(at(SUSPENDED), answers());
    expect(change).toMatchObject({
      action: 'update',
      call: put('Enabled'),
      undo: put('Suspended'),
    });
  });

  it('Enabled → Suspended warns that protection weakens and is undone by Enabled', () => {
    const [change] = step.plan(at(ENABLED), answers({ status: 'Suspended' }));
    expect(change).toMatchObject({ call: put('Suspended'), undo: put('Enabled') });
    expect(change?.warnings).toEqual([
      'suspends versioning, which weakens protection; versions already written stay (and are billed) until deleted',
    ]);
  });

  it('keeps a Disabled MFADelete in the after-state without sending it', () => {
    const before: VersioningConfiguration = { Status: 'Suspended', MFADelete: 'Disabled' };
    const [change] = step.plan(at(before), answers());
    expect(change?.after).toEqual({ Status: 'Enabled', MFADelete: 'Disabled' });
    expect(change?.call).toEqual(put('Enabled'));
  });

  it.each<[string, VersioningConfiguration | null, VersioningAnswers['status']]>([
    ['already enabled', ENABLED, 'Enabled'],
    ['already suspended', SUSPENDED, 'Suspended'],
    ['never enabled and left off', null, 'Suspended'],
  ])('no change when %s', (_label, before, status) => {
    expect(step.plan(at(before), answers({ status }))).toEqual([]);
  });

  it('keep answers change nothing', () => {
    for (const before of [null, ENABLED, SUSPENDED]) {
      const p = at(before);
      expect(step.plan(p, step.keep?.(p) as VersioningAnswers)).toEqual([]);
    }
  });

  it('offers "Off (leave as is)" on a bucket that never had versioning', () => {
    const [field] = step.fields(at(null), answers());
    expect(field).toMatchObject({ kind: 'choice', key: 'status', now: 'never enabled' });
    expect(field?.kind === 'choice' && field.options.map((option) => option.label)).toEqual([
      'Enabled',
      'Off (leave as is)',
    ]);
  });

  it('with Object Lock on, Suspended is neither offered nor planned (S3 refuses it)', () => {
    const locked: Posture = posture({
      'bucket.versioning': ENABLED,
      'bucket.objectLock': { ObjectLockEnabled: 'Enabled' },
    });
    expect(step.optionalReads).toEqual(['bucket.objectLock']);
    const fields = step.fields(locked, answers());
    const [choice] = fields;
    expect(choice?.kind === 'choice' && choice.options.map((option) => option.value)).toEqual([
      'Enabled',
    ]);
    expect(fields).toContainEqual({
      kind: 'note',
      tone: 'info',
      text: 'Object Lock is on for this bucket, so versioning stays Enabled: S3 does not allow suspending it.',
    });
    expect(step.plan(locked, answers({ status: 'Suspended' }))).toEqual([]);
  });

  it.each<[string, VersioningAnswers, string[]]>([
    ['Enabled, no MFA', answers(), []],
    ['Suspended', answers({ status: 'Suspended' }), []],
    ['MFA delete with an ARN serial and a code', withMfa(), []],
    ['MFA delete with a hardware serial', withMfa({ mfaSerial: 'GAHT12345678' }), []],
    [
      'an unknown status',
      answers({ status: 'On' as never }),
      ['Versioning must be Enabled or Suspended, not "On"'],
    ],
    [
      'MFA delete with versioning Suspended',
      withMfa({ status: 'Suspended' }),
      ['MFA delete needs versioning Enabled'],
    ],
    [
      'MFA delete without a serial',
      withMfa({ mfaSerial: '  ' }),
      [
        'Enter the MFA device serial: its ARN (arn:aws:iam::<account>:mfa/<name>) or a hardware serial such as GAHT12345678',
      ],
    ],
    [
      'MFA delete with a malformed serial',
      withMfa({ mfaSerial: 'arn:aws:iam::12345:mfa/x' }),
      [
        'The MFA device serial must be an ARN like arn:aws:iam::123456789012:mfa/root-account-mfa-device or a hardware serial like GAHT12345678',
      ],
    ],
    [
      'MFA delete with a user ARN instead of a device',
      withMfa({ mfaSerial: `arn:aws:iam::${ACCOUNT_ID}:user/alice` }),
      [
        'The MFA device serial must be an ARN like arn:aws:iam::123456789012:mfa/root-account-mfa-device or a hardware serial like GAHT12345678',
      ],
    ],
    [
      'MFA delete with a 5-digit code',
      withMfa({ mfaCode: '12345' }),
      ['Enter the 6-digit code your MFA device shows now'],
    ],
    [
      'MFA delete with letters in the code',
      withMfa({ mfaCode: '12a456' }),
      ['Enter the 6-digit code your MFA device shows now'],
    ],
  ])('validate: %s', (_label, given, problems) => {
    const found = step.validate(given);
    expect(found).toEqual(problems);
    for (const problem of found) expect(isOneLine(problem)).toBe(true);
  });
});

describe('satisfies (verification and rollback read-backs)', () => {
  it.each<[string, VersioningConfiguration | null, VersioningConfiguration | null, boolean]>([
    ['never enabled is restored as Suspended', null, SUSPENDED, true],
    ['never enabled, still never enabled', null, null, true],
    ['never enabled is not Enabled', null, ENABLED, false],
    ['Enabled reads Enabled', ENABLED, ENABLED, true],
    ['Enabled is not Suspended', ENABLED, SUSPENDED, false],
    ['Enabled is not absent', ENABLED, null, false],
    [
      'a missing MFADelete reads as Disabled',
      ENABLED,
      { Status: 'Enabled', MFADelete: 'Disabled' },
      true,
    ],
    ['MFA delete on is not off', { Status: 'Enabled', MFADelete: 'Enabled' }, ENABLED, false],
    [
      'never enabled is not Suspended with MFA delete on',
      null,
      { Status: 'Suspended', MFADelete: 'Enabled' },
      false,
    ],
  ])('%s', (_label, expected, live, result) => {
    expect(satisfies('bucket.versioning', expected, live)).toBe(result);
  });
});

describe('plan file', () => {
  it('a saved "enable versioning" plan, undone by Suspended, loads back unchanged', () => {
    const plan = buildPlan(at(null), 'baseline', ['versioning'], { versioning: answers() });
    const loaded = parsePlan(serializePlan(plan, 'test'));
    expect(loaded.changes).toEqual(plan.changes);
    expect(loaded.changes[0]?.undo).toEqual(put('Suspended'));
  });

  it('a hand-written plan carrying an MFA code is refused on load', () => {
    const plan = buildPlan(at(null), 'baseline', ['versioning'], { versioning: answers() });
    const file = JSON.parse(serializePlan(plan, 'test'));
    file.changes[0].call.input.MFA = `${SERIAL} ${CODE}`;
    expect(() => parsePlan(JSON.stringify(file))).toThrow(PlanFileError);
    expect(() => parsePlan(JSON.stringify(file))).toThrow(/changes\[0\]\.call\.input.*MFA/);
  });
});

describe('MFA delete', () => {
  it('recognises only the root user', () => {
    expect(isRootUser(ROOT)).toBe(true);
    expect(isRootUser('arn:aws-us-gov:iam::123456789012:root')).toBe(true);
    expect(isRootUser(`arn:aws:iam::${ACCOUNT_ID}:user/root`)).toBe(false);
    expect(isRootUser(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/Admin/root`)).toBe(false);
  });

  describe('for anyone but root', () => {
    const p = at(null);

    it('asks nothing and explains, with the exact command for the root user', () => {
      const fields = step.fields(p, answers());
      expect(
        fields.filter((field) => field.kind !== 'note').map((field) => 'key' in field && field.key),
      ).toEqual(['status']);
      const note = fields.find((field) => field.kind === 'note');
      expect(note).toEqual({
        kind: 'note',
        tone: 'info',
        text: `MFA delete (CIS 3.1.2) can be turned on only by the root user with its MFA device, never in the console. As root, run: aws s3api put-bucket-versioning --bucket ${BUCKET} --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa "SERIAL CODE"`,
      });
      expect(mfaDeleteCommand(BUCKET)).toBe(
        `aws s3api put-bucket-versioning --bucket ${BUCKET} --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa "SERIAL CODE"`,
      );
    });

    it('plans no MFA change even if answers ask for one', () => {
      const [change] = step.plan(p, withMfa());
      expect(change?.call).toEqual(put('Enabled'));
      expect(change?.undo).toEqual(put('Suspended'));
    });
  });

  describe('for the root user', () => {
    const p = at(null, ROOT);

    it('offers the MFA delete toggle; serial and code fields appear once it is on', () => {
      const keys = (given: VersioningAnswers) =>
        step
          .fields(p, given)
          .filter((field) => field.kind !== 'note')
          .map((field) => ('key' in field ? field.key : ''));
      expect(keys(answers())).toEqual(['status', 'mfaDelete']);
      expect(keys(withMfa())).toEqual(['status', 'mfaDelete', 'mfaSerial', 'mfaCode']);
      const warning = step.fields(p, withMfa()).find((field) => field.kind === 'note');
      expect(warning).toMatchObject({ tone: 'warning' });
    });

    it('plans PutBucketVersioning with MFADelete Enabled and the MFA "serial code", irreversible', () => {
      const [change] = step.plan(p, withMfa());
      expect(change).toMatchObject({
        id: 'bucket.versioning',
        title: 'Versioning and MFA delete',
        action: 'create',
        call: put('Enabled', { MFADelete: 'Enabled' }),
        before: null,
        after: { Status: 'Enabled', MFADelete: 'Enabled' },
        undo: null,
      });
      expect(change?.call.input.MFA).toBe(`${SERIAL} ${CODE}`);
      expect(change?.warnings).toContain(
        'turns MFA delete on: s3-harden cannot undo it (turning it off needs the root user’s MFA again)',
      );
      expect(diffPlan({ changes: [change as never] }).counts.irreversible).toBe(1);
    });

    it('on a bucket already versioned, the MFA change is an update', () => {
      const [change] = step.plan(at(ENABLED, ROOT), withMfa());
      expect(change).toMatchObject({ action: 'update', undo: null });
      expect(change?.call).toMatchObject({ input: { MFA: `${SERIAL} ${CODE}` } });
    });

    it('the shown CLI equivalent carries --mfa', () => {
      const [change] = step.plan(p, withMfa());
      expect(cliCommand(change?.call as never)).toContain(`--mfa '${SERIAL} ${CODE}'`);
    });

    it('the plan can never be saved: one line, and the code is not in it', () => {
      const plan = buildPlan(p, 'baseline', ['versioning'], { versioning: withMfa() });
      let thrown: unknown;
      try {
        serializePlan(plan, 'test');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PlanFileError);
      expect((thrown as Error).message).toBe(MFA_NOT_SAVED);
      expect(MFA_NOT_SAVED).toBe('MFA delete is applied only in the wizard: the code is one-time');
      expect((thrown as Error).message).not.toContain(CODE);
    });

    it('applying it never writes the code to the journal', async () => {
      const plan = buildPlan(p, 'baseline', ['versioning'], { versioning: withMfa() });
      const journal = openJournal(plan.target, mkdtempSync(join(tmpdir(), 's3-harden-mfa-')));
      const sent: unknown[] = [];
      const outcome = await executePlan(plan, {
        run: async (call) => {
          sent.push(call);
          return {};
        },
        // As planned before the write, as written after it.
        read: async () =>
          sent.length > 0 ? { Status: 'Enabled', MFADelete: 'Enabled' } : plan.changes[0]?.before,
        journal,
      });
      journal.close();
      expect(outcome.status).toBe('applied');
      expect(outcome.results[0]?.verified).toBe(true);
      expect(sent).toEqual([
        expect.objectContaining({ input: expect.objectContaining({ MFA: `${SERIAL} ${CODE}` }) }),
      ]);
      const text = readFileSync(journal.path, 'utf8');
      expect(text).not.toContain(CODE);
      expect(text).not.toContain('"MFA"');
    });

    it('a failed MFA call is not rolled back into a second write, and leaves no code behind', async () => {
      const plan = buildPlan(p, 'baseline', ['versioning'], { versioning: withMfa() });
      const journal = openJournal(plan.target, mkdtempSync(join(tmpdir(), 's3-harden-mfa-')));
      let writes = 0;
      const outcome = await executePlan(plan, {
        run: async () => {
          writes += 1;
          throw new Error('Access denied: s3:PutBucketVersioning on bucket my-bucket.');
        },
        read: async () => null,
        journal,
      });
      journal.close();
      expect(writes).toBe(1);
      expect(outcome.status).toBe('rolled-back');
      expect(readFileSync(journal.path, 'utf8')).not.toContain(CODE);
    });
  });

  it('with MFA delete already on, nothing is planned and the step says why', () => {
    const on: VersioningConfiguration = { Status: 'Enabled', MFADelete: 'Enabled' };
    for (const principal of [ROOT, undefined]) {
      expect(step.plan(at(on, principal), answers({ status: 'Suspended' }))).toEqual([]);
      expect(step.plan(at(on, principal), withMfa())).toEqual([]);
    }
    expect(step.fields(at(on), answers())).toEqual([
      {
        kind: 'note',
        tone: 'info',
        text: "MFA delete is on: versioning can only change with the root user's MFA device, so this step leaves it enabled.",
      },
    ]);
  });
});

describe('reading versioning (normalisation)', () => {
  it.each<[string, Record<string, unknown>, VersioningConfiguration | null]>([
    ['no Status: never enabled', {}, null],
    ['Enabled', { Status: 'Enabled' }, ENABLED],
    [
      'Suspended with MFA delete off',
      { Status: 'Suspended', MFADelete: 'Disabled' },
      { Status: 'Suspended', MFADelete: 'Disabled' },
    ],
    [
      'Enabled with MFA delete on',
      { Status: 'Enabled', MFADelete: 'Enabled' },
      { Status: 'Enabled', MFADelete: 'Enabled' },
    ],
  ])('%s', (_label, output, value) => {
    expect(versioning(output)).toEqual(value);
  });
});
