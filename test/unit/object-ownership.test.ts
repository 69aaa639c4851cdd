import { describe, expect, it } from 'vitest';
import { foreignGrants, ownershipControls } from '../../src/aws/families/object-ownership.js';
import { parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import { type ApiCall, PRESETS } from '../../src/plan/model/types.js';
import { RESOURCE_KEYS, writeCall } from '../../src/plan/resources/index.js';
import type { AclGrant, OwnershipControls } from '../../src/plan/resources/object-ownership.js';
import { UnwritableValueError } from '../../src/plan/resources/unwritable.js';
import { buildPlan, unavailableReason } from '../../src/steps/index.js';
import {
  type ObjectOwnershipAnswers,
  objectOwnershipStep as step,
} from '../../src/steps/object-ownership.js';
import { BUCKET, CREATED_AT, isOneLine, planOf, posture, TARGET } from './support.js';

const ENFORCED: OwnershipControls = { ObjectOwnership: 'BucketOwnerEnforced' };
const PUBLIC_READ: AclGrant = { Grantee: 'AllUsers', Permission: 'READ' };
const LOGS: AclGrant = { Grantee: 'LogDelivery', Permission: 'WRITE' };
const OTHER_ACCOUNT: AclGrant = { Grantee: `id:${'ab'.repeat(32)}`, Permission: 'READ' };

const at = (ownership: OwnershipControls | null, acl: readonly AclGrant[] = []) =>
  posture({ 'bucket.ownershipControls': ownership, 'bucket.acl': acl });
const answer = (ownership: ObjectOwnershipAnswers['ownership']): ObjectOwnershipAnswers => ({
  ownership,
});

const put = (ObjectOwnership: string): ApiCall => ({
  service: 's3',
  operation: 'PutBucketOwnershipControls',
  input: { Bucket: BUCKET, OwnershipControls: { Rules: [{ ObjectOwnership }] } },
});
const remove: ApiCall = {
  service: 's3',
  operation: 'DeleteBucketOwnershipControls',
  input: { Bucket: BUCKET },
};

describe('Object Ownership step', () => {
  it('shows FSBP S3.12 and reads the ownership controls and the bucket ACL', () => {
    expect(step.controls).toEqual(['FSBP S3.12']);
    expect(step.reads).toEqual(['bucket.ownershipControls']);
    expect(step.optionalReads).toEqual(['bucket.acl']);
  });

  it.each(PRESETS)('defaults to BucketOwnerEnforced (ACLs off) in the %s preset', (preset) => {
    expect(step.defaults(at(null), preset)).toEqual(answer('BucketOwnerEnforced'));
  });

  it('not set → create with Put, undone by Delete; no warning without foreign grants', () => {
    expect(step.plan(at(null), answer('BucketOwnerEnforced'))).toEqual([
      {
        id: 'bucket.ownershipControls',
        step: 'object-ownership',
        title: 'Object Ownership (ACLs)',
        resource: 'bucket.ownershipControls',
        action: 'create',
        call: put('BucketOwnerEnforced'),
        before: null,
        after: ENFORCED,
        undo: remove,
        dependsOn: [],
        warnings: [],
      },
    ]);
  });

  it('ObjectWriter → update, undone by a Put of the exact before-state', () => {
    const [change] = step.plan(
      at({ ObjectOwnership: 'ObjectWriter' }),
      answer('BucketOwnerEnforced'),
    );
    expect(change).toMatchObject({
      action: 'update',
      call: put('BucketOwnerEnforced'),
      undo: put('ObjectWriter'),
    });
  });

  it('turning ACLs back on warns that protection weakens', () => {
    const [change] = step.plan(at(ENFORCED), answer('BucketOwnerPreferred'));
    expect(change?.warnings).toEqual(['turns ACLs back on, which weakens protection']);
    expect(change?.undo).toEqual(put('BucketOwnerEnforced'));
  });

  it('NotSet on a bucket that has controls deletes them, undone by a Put', () => {
    const [change] = step.plan(at({ ObjectOwnership: 'ObjectWriter' }), answer('NotSet'));
    expect(change).toMatchObject({
      action: 'delete',
      call: remove,
      after: null,
      undo: put('ObjectWriter'),
    });
  });

  it.each<[string, OwnershipControls | null, ObjectOwnershipAnswers['ownership']]>([
    ['already enforced', ENFORCED, 'BucketOwnerEnforced'],
    ['not set and kept', null, 'NotSet'],
    ['preferred and kept', { ObjectOwnership: 'BucketOwnerPreferred' }, 'BucketOwnerPreferred'],
  ])('no change when %s', (_label, before, ownership) => {
    expect(step.plan(at(before), answer(ownership))).toEqual([]);
  });

  it('keep answers change nothing', () => {
    for (const before of [null, ENFORCED, { ObjectOwnership: 'ObjectWriter' } as const]) {
      expect(step.plan(at(before), step.keep?.(at(before)) as ObjectOwnershipAnswers)).toEqual([]);
    }
  });

  it('nothing is planned when the ownership controls were not read', () => {
    expect(step.plan(posture({ 'bucket.acl': [] }), answer('BucketOwnerEnforced'))).toEqual([]);
  });

  describe('bucket ACL grants that ACLs off would disable', () => {
    const grants = [PUBLIC_READ, LOGS, OTHER_ACCOUNT];

    it('are listed in the change warnings, with what AWS requires first', () => {
      const [change] = step.plan(at(null, grants), answer('BucketOwnerEnforced'));
      expect(change?.warnings).toHaveLength(1);
      const warning = change?.warnings[0] ?? '';
      expect(isOneLine(warning)).toBe(true);
      expect(warning).toContain('READ to AllUsers (anyone)');
      expect(warning).toContain('WRITE to LogDelivery (S3 server access logs)');
      expect(warning).toContain(`READ to id:${'ab'.repeat(32)}`);
      expect(warning).toMatch(/^With ACLs off, these bucket ACL grants stop working: /);
      expect(warning).toContain('AWS refuses the change until they are removed');
      expect(warning).toContain(`aws s3api put-bucket-acl --bucket ${BUCKET} --acl private`);
      expect(warning).toContain('logging.s3.amazonaws.com');
    });

    it('are listed in a warning note in the step fields', () => {
      const fields = step.fields(at(null, [PUBLIC_READ]), answer('BucketOwnerEnforced'));
      const notes = fields.filter((field) => field.kind === 'note');
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatchObject({ tone: 'warning' });
      expect(notes[0]?.kind === 'note' && notes[0].text).toContain('READ to AllUsers (anyone)');
    });

    it('no warning when the answer keeps ACLs on, only a note saying why ACLs stay on', () => {
      const notes = step
        .fields(at(null, grants), answer('BucketOwnerPreferred'))
        .filter((field) => field.kind === 'note');
      expect(notes).toEqual([
        expect.objectContaining({
          tone: 'info',
          text: expect.stringContaining('ACLs stay on by default'),
        }),
      ]);
      const [change] = step.plan(at(null, grants), answer('ObjectWriter'));
      expect(change?.warnings).toEqual([]);
    });

    it('a plan that keeps ACLs on because of them says so among the skipped steps', () => {
      const plan = (ownership: OwnershipControls | null, answers: ObjectOwnershipAnswers) =>
        buildPlan(at(ownership, grants), 'baseline', ['object-ownership'], {
          'object-ownership': answers,
        });
      const defaults = step.defaults(at(null, grants), 'baseline');
      const kept = plan(null, defaults);
      expect(kept.changes).toEqual([]);
      expect(kept.skipped).toEqual([
        {
          step: 'Object Ownership (ACLs)',
          reason: `ACLs stay on because the bucket ACL grants READ to AllUsers (anyone), WRITE to LogDelivery (S3 server access logs), READ to id:${'ab'.repeat(32)}. Remove those grants (aws s3api put-bucket-acl --bucket ${BUCKET} --acl private), then plan again.`,
        },
      ]);
      expect(isOneLine(kept.skipped[0]?.reason ?? '')).toBe(true);
      // Kept as ObjectWriter too; not when the answer changes it, or ACLs are already off.
      expect(
        plan({ ObjectOwnership: 'ObjectWriter' }, answer('ObjectWriter')).skipped,
      ).toHaveLength(1);
      expect(plan(null, answer('BucketOwnerEnforced')).skipped).toEqual([]);
      expect(plan(null, answer('BucketOwnerPreferred')).skipped).toEqual([]);
      expect(plan(ENFORCED, answer('BucketOwnerEnforced')).skipped).toEqual([]);
      // Without grants, nothing to say.
      const clean = buildPlan(at(null), 'baseline', ['object-ownership'], {
        'object-ownership': answer('NotSet'),
      });
      expect(clean.skipped).toEqual([]);
    });

    it('a long ACL is named by its first three grants and a count', () => {
      const many = [PUBLIC_READ, LOGS, OTHER_ACCOUNT, PUBLIC_READ, LOGS];
      const plan = buildPlan(at(null, many), 'baseline', ['object-ownership'], {
        'object-ownership': answer('NotSet'),
      });
      expect(plan.skipped[0]?.reason).toContain(`READ to id:${'ab'.repeat(32)} and 2 more.`);
    });

    it('a bucket still to be created (ACL null) has none to warn about', () => {
      const p = posture({ 'bucket.ownershipControls': null, 'bucket.acl': null });
      const [change] = step.plan(p, answer('BucketOwnerEnforced'));
      expect(change?.warnings).toEqual([]);
      expect(step.fields(p, answer('BucketOwnerEnforced'))).toHaveLength(1);
    });

    it('no server-access-log hint when LogDelivery has no grant', () => {
      const [change] = step.plan(at(null, [PUBLIC_READ]), answer('BucketOwnerEnforced'));
      expect(change?.warnings[0]).not.toContain('logging.s3.amazonaws.com');
    });
  });

  it('offers "Not set" only while the bucket has no ownership controls', () => {
    const options = (ownership: OwnershipControls | null) => {
      const [field] = step.fields(at(ownership), answer('BucketOwnerEnforced'));
      return field?.kind === 'choice' ? field.options.map((option) => option.value) : [];
    };
    expect(options(null)).toEqual([
      'BucketOwnerEnforced',
      'BucketOwnerPreferred',
      'ObjectWriter',
      'NotSet',
    ]);
    expect(options(ENFORCED)).toEqual([
      'BucketOwnerEnforced',
      'BucketOwnerPreferred',
      'ObjectWriter',
    ]);
  });

  it.each<[string, string, string[]]>([
    ['BucketOwnerEnforced', 'BucketOwnerEnforced', []],
    ['NotSet', 'NotSet', []],
    [
      'an unknown value',
      'Nobody',
      [
        'Object Ownership must be BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter, not "Nobody"',
      ],
    ],
  ])('validate: %s', (_label, ownership, problems) => {
    expect(step.validate({ ownership } as ObjectOwnershipAnswers)).toEqual(problems);
  });

  it('still runs when the bucket ACL cannot be read, and warns that its grants are unknown', () => {
    const p = posture(
      { 'bucket.ownershipControls': null },
      { 'bucket.acl': 'Access denied: s3:GetBucketAcl on bucket my-bucket.' },
    );
    expect(unavailableReason('object-ownership', p)).toBeNull();
    const unknown =
      'The bucket ACL could not be read (Access denied: s3:GetBucketAcl on bucket my-bucket): any grant in it to someone else stops working, and AWS refuses ACLs off while such grants exist.';
    const [change] = step.plan(p, answer('BucketOwnerEnforced'));
    expect(change?.warnings).toEqual([unknown]);
    expect(step.fields(p, answer('BucketOwnerEnforced'))[1]).toEqual({
      kind: 'note',
      tone: 'warning',
      text: unknown,
    });
  });

  it('is skipped with the reason when the ownership controls cannot be read', () => {
    const p = posture(
      { 'bucket.acl': [] },
      {
        'bucket.ownershipControls':
          'Access denied: s3:GetBucketOwnershipControls on bucket my-bucket.',
      },
    );
    expect(unavailableReason('object-ownership', p)).toBe(
      'cannot read Object Ownership: Access denied: s3:GetBucketOwnershipControls on bucket my-bucket.',
    );
  });
});

describe('bucket.acl is read-only', () => {
  it('is a known resource whose writer throws, so no plan can write it', () => {
    expect(RESOURCE_KEYS).toContain('bucket.acl');
    expect(() => writeCall('bucket.acl', TARGET, [])).toThrow(UnwritableValueError);
    expect(() => writeCall('bucket.acl', TARGET, [])).toThrow(
      'bucket.acl is read-only: s3-harden never writes the bucket ACL',
    );
  });

  it('never appears in a plan, even when it holds grants', () => {
    const plan = buildPlan(
      at(null, [PUBLIC_READ]),
      'baseline',
      ['object-ownership'],
      { 'object-ownership': answer('BucketOwnerEnforced') },
      new Date(CREATED_AT),
    );
    expect(plan.changes.map((change) => change.resource)).toEqual(['bucket.ownershipControls']);
    expect(Object.keys(plan.observed)).toEqual(['bucket.ownershipControls']);
  });

  it('a tampered plan file that writes it is refused with one line', () => {
    const tampered = planOf([
      {
        id: 'bucket.acl',
        step: 'object-ownership',
        title: 'ACL',
        resource: 'bucket.acl',
        action: 'update',
        call: put('BucketOwnerEnforced'),
        before: [PUBLIC_READ],
        after: [],
        undo: null,
        dependsOn: [],
        warnings: [],
      },
    ]);
    expect(() => parsePlan(serializePlan(tampered, 'test'))).toThrow(
      /^changes\[0\]: bucket\.acl is read-only: s3-harden never writes the bucket ACL$/,
    );
  });
});

describe('plan file round trip', () => {
  it.each<[string, OwnershipControls | null, ObjectOwnershipAnswers['ownership']]>([
    ['create', null, 'BucketOwnerEnforced'],
    ['update', { ObjectOwnership: 'ObjectWriter' }, 'BucketOwnerEnforced'],
  ])('a saved %s change loads back unchanged', (_label, before, ownership) => {
    const plan = buildPlan(at(before), 'baseline', ['object-ownership'], {
      'object-ownership': answer(ownership),
    });
    expect(plan.changes).toHaveLength(1);
    expect(parsePlan(serializePlan(plan, 'test')).changes).toEqual(plan.changes);
  });

  it.each<[string, ObjectOwnershipAnswers['ownership']]>([
    ['update', 'ObjectWriter'],
    ['delete', 'NotSet'],
  ])(
    'a saved %s that turns ACLs back on is refused: a file never weakens a bucket',
    (_l, ownership) => {
      const plan = buildPlan(at(ENFORCED), 'baseline', ['object-ownership'], {
        'object-ownership': answer(ownership),
      });
      expect(plan.changes).toHaveLength(1);
      expect(() => parsePlan(serializePlan(plan, 'test'))).toThrow(
        /^changes\[0\] turns ACLs back on \(bucket\.ownershipControls\): a plan file never weakens a bucket/,
      );
    },
  );
});

describe('reading ownership and the ACL (normalisation)', () => {
  const OWNER = 'c'.repeat(64);

  it('ownership controls read as the first rule, or null', () => {
    expect(
      ownershipControls({
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      }),
    ).toEqual({ ObjectOwnership: 'BucketOwnerPreferred' });
    expect(ownershipControls({})).toBeNull();
    expect(ownershipControls({ OwnershipControls: { Rules: [] } })).toBeNull();
  });

  it('keeps only grants to someone other than the owner, named for a reader', () => {
    const grants = foreignGrants({
      Owner: { ID: OWNER, DisplayName: 'me' },
      Grants: [
        { Grantee: { Type: 'CanonicalUser', ID: OWNER }, Permission: 'FULL_CONTROL' },
        {
          Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
          Permission: 'READ',
        },
        {
          Grantee: {
            Type: 'Group',
            URI: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
          },
          Permission: 'WRITE',
        },
        {
          Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/s3/LogDelivery' },
          Permission: 'WRITE',
        },
        {
          Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/s3/LogDelivery' },
          Permission: 'WRITE',
        },
        { Grantee: { Type: 'CanonicalUser', ID: 'd'.repeat(64) }, Permission: 'READ_ACP' },
        {
          Grantee: { Type: 'AmazonCustomerByEmail', EmailAddress: 'a@example.com' },
          Permission: 'READ',
        },
      ],
    });
    expect(grants).toEqual([
      { Grantee: 'AllUsers', Permission: 'READ' },
      { Grantee: 'AuthenticatedUsers', Permission: 'WRITE' },
      { Grantee: 'LogDelivery', Permission: 'WRITE' },
      { Grantee: `id:${'d'.repeat(64)}`, Permission: 'READ_ACP' },
      { Grantee: 'email:a@example.com', Permission: 'READ' },
    ]);
  });

  it('an ACL with only the owner reads as no grants', () => {
    expect(
      foreignGrants({
        Owner: { ID: OWNER },
        Grants: [{ Grantee: { Type: 'CanonicalUser', ID: OWNER }, Permission: 'FULL_CONTROL' }],
      }),
    ).toEqual([]);
  });
});
