import { describe, expect, it } from 'vitest';
import { parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import type { Change, Posture, PostureValues } from '../../src/plan/model/types.js';
import {
  type PolicyDocument,
  PolicyError,
  sidOf,
  statementsNotOwned,
  statementsOf,
  type ToolStatement,
} from '../../src/plan/policy/document.js';
import { isBucketPolicySid } from '../../src/plan/policy/statements.js';
import { linesToText, renderPlan } from '../../src/plan/render/render.js';
import {
  type BucketPolicyAnswers,
  composedPolicy,
  HEADER_DENY_CAVEAT,
  bucketPolicyStep as step,
} from '../../src/steps/bucket-policy.js';
import type { Field } from '../../src/steps/form.js';
import { buildPlan, STEP_ORDER } from '../../src/steps/index.js';
import { logDeliverySid, logDeliveryStatement } from '../../src/steps/logging.js';
import { pick, seededRandom } from '../helpers/random.js';
import { BUCKET, isOneLine, OFF, ON, posture as postureOf } from './support.js';

const OBJECTS = `arn:aws:s3:::${BUCKET}/*`;
const VPCE = 'vpce-0123456789abcdef0';
const ROLE = 'arn:aws:iam::111122223333:role/reader';
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const FOREIGN = {
  Sid: 'AllowAnalytics',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:role/analytics' },
  Action: 's3:GetObject',
  Resource: OBJECTS,
};
const PUBLIC_READ = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS };

const at = (policy: PolicyDocument | null, more: Partial<PostureValues> = {}): Posture =>
  postureOf({ 'bucket.policy': policy, ...more });

const NOTHING: BucketPolicyAnswers = {
  httpsOnly: false,
  minimumTls12: false,
  vpceOnly: false,
  vpceIds: '',
  sourceCidrs: '',
  uploadEncryption: 'off',
  kmsKeyArn: '',
  readOnlyRoles: '',
  crossAccounts: '',
};
const BASELINE: BucketPolicyAnswers = { ...NOTHING, httpsOnly: true, minimumTls12: true };

function only(changes: Change[]): Change {
  expect(changes).toHaveLength(1);
  return changes[0] as Change;
}

/** The posture after a change applied: the policy reads back as its after-state. */
const applied = (change: Change, more: Partial<PostureValues> = {}) =>
  at(JSON.parse(JSON.stringify(change.after)) as PolicyDocument | null, more);

const sids = (document: unknown) =>
  statementsOf(document as PolicyDocument).map((statement) => (statement as { Sid?: string }).Sid);

describe('bucket-policy step', () => {
  it('is registered before the account Block Public Access step', () => {
    const index = STEP_ORDER.indexOf('bucket-policy');
    expect(index).toBeGreaterThan(-1);
    expect(STEP_ORDER.indexOf('account-public-access-block')).toBeGreaterThan(index);
    expect(step.controls).toEqual(['FSBP S3.5', 'CIS 3.1.1']);
  });

  describe('defaults', () => {
    it.each(['baseline', 'custom'] as const)(
      '%s: HTTPS only and TLS 1.2, nothing else',
      (preset) => {
        expect(step.defaults(at(null), preset)).toEqual(BASELINE);
      },
    );

    it.each(['strict', 'worm'] as const)(
      '%s without known endpoint IDs: no VPC restriction, and the form asks for them',
      (preset) => {
        const answers = step.defaults(at(null), preset);
        expect(answers).toEqual({ ...BASELINE, vpceSuggested: true });
        expect(step.validate(answers)).toEqual([]);
        const note = step
          .fields(at(null), answers)
          .find((field) => field.kind === 'note' && field.text.includes('vpce- IDs'));
        expect(note).toBeDefined();
        const change = only(step.plan(at(null), answers));
        expect(change.warnings).toContain(
          'the preset restricts access to VPC endpoints, but no vpce- IDs were given: no restriction added',
        );
        expect(sids(change.after)).not.toContain('S3HardenVpceOnly');
      },
    );

    it('strict keeps endpoint IDs the tool wrote before', () => {
      const before = only(step.plan(at(null), { ...BASELINE, vpceOnly: true, vpceIds: VPCE }))
        .after as PolicyDocument;
      const answers = step.defaults(at(before), 'strict');
      expect(answers).toEqual({ ...BASELINE, vpceOnly: true, vpceIds: VPCE });
      expect(step.plan(at(before), answers)).toEqual([]);
    });

    it("keep the operator's earlier grants on a re-run", () => {
      const earlier = only(
        step.plan(at(null), { ...NOTHING, readOnlyRoles: ROLE, crossAccounts: '444455556666' }),
      ).after as PolicyDocument;
      const answers = step.defaults(at(earlier), 'baseline');
      expect(answers).toEqual({
        ...BASELINE,
        readOnlyRoles: ROLE,
        crossAccounts: '444455556666',
      });
    });
  });

  describe('keep', () => {
    it('changes nothing, whatever the tool wrote before', () => {
      const everything: BucketPolicyAnswers = {
        httpsOnly: true,
        minimumTls12: true,
        vpceOnly: true,
        vpceIds: `${VPCE}, vpce-1a2b3c4d`,
        sourceCidrs: '',
        uploadEncryption: 'kms-key',
        kmsKeyArn: KEY,
        readOnlyRoles: `${ROLE}, arn:aws:iam::111122223333:role/other`,
        crossAccounts: '444455556666',
      };
      for (const foreign of [null, { Version: '2012-10-17', Statement: [FOREIGN] }]) {
        const change = only(step.plan(at(foreign), everything));
        const live = applied(change);
        expect(step.keep?.(live)).toEqual(everything);
        expect(step.plan(live, step.keep?.(live) as BucketPolicyAnswers)).toEqual([]);
      }
      expect(step.plan(at(null), step.keep?.(at(null)) as BucketPolicyAnswers)).toEqual([]);
    });
  });

  describe('validate', () => {
    const problems = (answers: Partial<BucketPolicyAnswers>) =>
      step.validate({ ...BASELINE, ...answers });

    it.each<[string, Partial<BucketPolicyAnswers>, string[]]>([
      ['the baseline', {}, []],
      [
        'VPC restriction without IDs',
        { vpceOnly: true, vpceIds: ' , ' },
        [
          'VPC endpoint restriction is on but no endpoint IDs are given: enter the vpce- IDs your clients use, or turn it off',
        ],
      ],
      [
        'a bad endpoint ID',
        { vpceOnly: true, vpceIds: `${VPCE} vpce-12` },
        ['vpce-12 is not a VPC endpoint ID (vpce- followed by 8 or 17 hex digits)'],
      ],
      ['endpoint IDs typed while the restriction is off are not checked', { vpceIds: 'x' }, []],
      [
        'VPC restriction and an IP allowlist together',
        { vpceOnly: true, vpceIds: VPCE, sourceCidrs: '203.0.113.0/24' },
        [
          'VPC endpoint restriction and an IP allowlist cannot both be on: requests through a VPC endpoint carry no public source IP, so the allowlist would deny them',
        ],
      ],
      [
        'a CIDR with host bits',
        { sourceCidrs: '203.0.113.0/24, 10.0.0.1/8' },
        ['10.0.0.1/8 has host bits set: the range starts at 10.0.0.0/8'],
      ],
      [
        'a pinned key without its ARN',
        { uploadEncryption: 'kms-key' },
        ['Pinning a KMS key needs its key ARN'],
      ],
      [
        'a pinned key given as an alias',
        { uploadEncryption: 'kms-key', kmsKeyArn: 'alias/data' },
        [
          'alias/data is an alias; the key-id condition matches only the key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)',
        ],
      ],
      ['a key ARN typed for another choice is not checked', { kmsKeyArn: 'x' }, []],
      [
        'a user ARN as a read-only role',
        { readOnlyRoles: 'arn:aws:iam::111122223333:user/alice' },
        [
          'arn:aws:iam::111122223333:user/alice names a user, not a role (expected arn:aws:iam::<12-digit account>:role/<name>)',
        ],
      ],
      [
        'a short account ID',
        { crossAccounts: '444455556666 1234' },
        ['1234 is not an AWS account ID (12 digits)'],
      ],
      [
        'an unknown encryption choice',
        { uploadEncryption: 'rot13' as never },
        ['uploadEncryption must be one of off, sse-s3, sse-kms, dsse-kms, kms-key'],
      ],
      [
        'a toggle that is not a boolean',
        { httpsOnly: 'yes' as never },
        ['httpsOnly must be true or false'],
      ],
      ['a list that is not text', { crossAccounts: 7 as never }, ['crossAccounts must be text']],
    ])('%s', (_name, answers, expected) => {
      const found = problems(answers);
      expect(found).toEqual(expected);
      for (const problem of found) expect(isOneLine(problem)).toBe(true);
    });

    it('an invalid answer refuses the plan with the step title', () => {
      expect(() =>
        buildPlan(at(null), 'baseline', ['bucket-policy'], {
          'bucket-policy': { ...BASELINE, crossAccounts: '1234' },
        }),
      ).toThrow('Bucket policy: 1234 is not an AWS account ID (12 digits)');
    });
  });

  describe('plan', () => {
    it('creates a policy when there is none; undo deletes it', () => {
      const change = only(step.plan(at(null), BASELINE));
      expect(change).toMatchObject({
        id: 'bucket.policy',
        step: 'bucket-policy',
        resource: 'bucket.policy',
        action: 'create',
        before: null,
        dependsOn: ['bucket.publicAccessBlock'],
        warnings: [],
      });
      expect(sids(change.after)).toEqual(['S3HardenDenyInsecureTransport', 'S3HardenDenyOldTls']);
      expect(change.call).toEqual({
        service: 's3',
        operation: 'PutBucketPolicy',
        input: { Bucket: BUCKET, Policy: JSON.stringify(change.after) },
      });
      expect(change.undo).toEqual({
        service: 's3',
        operation: 'DeleteBucketPolicy',
        input: { Bucket: BUCKET },
      });
    });

    it('merges into a foreign policy; undo puts back the exact previous document', () => {
      const text = JSON.stringify({ Version: '2012-10-17', Statement: FOREIGN });
      const before = JSON.parse(text) as PolicyDocument;
      const change = only(step.plan(at(before), BASELINE));
      expect(change.action).toBe('update');
      expect(statementsOf(change.after as PolicyDocument)[0]).toEqual(FOREIGN);
      expect(change.undo).toEqual({
        service: 's3',
        operation: 'PutBucketPolicy',
        input: { Bucket: BUCKET, Policy: text },
      });
      expect(change.call.input).not.toHaveProperty('ConfirmRemoveSelfBucketAccess');
    });

    it('applying twice: the second plan has no change', () => {
      for (const existing of [
        null,
        { Statement: [FOREIGN, { Effect: 'Deny', Principal: '*', Action: 's3:*' }] },
        { Version: '2008-10-17', Statement: FOREIGN },
      ]) {
        const change = only(step.plan(at(existing), BASELINE));
        expect(step.plan(applied(change), BASELINE)).toEqual([]);
      }
    });

    it('turning everything off deletes a policy made only of tool statements', () => {
      const created = applied(only(step.plan(at(null), BASELINE)));
      const change = only(step.plan(created, NOTHING));
      expect(change.action).toBe('delete');
      expect(change.after).toBeNull();
      expect(change.call.operation).toBe('DeleteBucketPolicy');
      expect(change.undo?.operation).toBe('PutBucketPolicy');
      expect(change.warnings).toEqual([
        'removes S3HardenDenyInsecureTransport: plain-HTTP requests are no longer denied',
        'removes S3HardenDenyOldTls: the policy no longer states the TLS 1.2 minimum (S3 itself still refuses TLS 1.0 and 1.1)',
      ]);
    });

    it('turning one answer off removes only that statement and keeps foreign ones', () => {
      const created = applied(only(step.plan(at({ Statement: [FOREIGN] }), BASELINE)));
      const change = only(step.plan(created, { ...BASELINE, minimumTls12: false }));
      expect(sids(change.after)).toEqual(['AllowAnalytics', 'S3HardenDenyInsecureTransport']);
    });

    it('refuses a policy over 20 KB and says how large it would be', () => {
      const big: PolicyDocument = {
        Version: '2012-10-17',
        Statement: [{ ...FOREIGN, Sid: 'Padding', Resource: `${OBJECTS}${'x'.repeat(20_000)}` }],
      };
      expect(step.plan(at(big), NOTHING)).toEqual([]);
      let error: unknown;
      try {
        buildPlan(at(big), 'baseline', ['bucket-policy'], { 'bucket-policy': BASELINE });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(PolicyError);
      const message = (error as Error).message;
      expect(message).toMatch(
        /^Bucket policy: the policy would be 20,\d{3} bytes, over S3's limit of 20,480 bytes \(20 KB\): remove statements or shorten the lists$/,
      );
      const note = step
        .fields(at(big), BASELINE)
        .find((field) => field.kind === 'note' && field.text.startsWith('The policy would be'));
      expect(note).toMatchObject({ tone: 'warning' });
    });

    it('warns of lockout for VPC and IP restrictions, and of the encryption caveats', () => {
      const vpce = only(step.plan(at(null), { ...BASELINE, vpceOnly: true, vpceIds: VPCE }));
      expect(vpce.warnings).toEqual([
        `denies every request not made through ${VPCE} — s3-harden's own read-back and undo included, unless it runs through one of them`,
      ]);
      const ip = only(step.plan(at(null), { ...BASELINE, sourceCidrs: '203.0.113.0/24' }));
      expect(ip.warnings).toEqual([
        "denies every request from outside 203.0.113.0/24 — s3-harden's own read-back and undo included, unless it runs from there",
      ]);
      const header = only(step.plan(at(null), { ...BASELINE, uploadEncryption: 'sse-kms' }));
      expect(header.warnings).toEqual([HEADER_DENY_CAVEAT]);
      const pinned = only(
        step.plan(at(null), { ...BASELINE, uploadEncryption: 'kms-key', kmsKeyArn: KEY }),
      );
      expect(pinned.warnings).toEqual([
        `denies uploads that name a KMS key other than ${KEY}, or KMS without a key (S3 would use aws/s3); uploads that name none get default encryption: set it to that key`,
      ]);
      const own = only(step.plan(at(null), { ...BASELINE, crossAccounts: '123456789012' }));
      expect(own.warnings).toEqual([
        "123456789012 is this bucket's own account; a cross-account grant is not needed",
      ]);
    });

    it('lists repeated in the answers give one statement each', () => {
      const change = only(
        step.plan(at(null), { ...NOTHING, readOnlyRoles: `${ROLE} ${ROLE},${ROLE}` }),
      );
      expect(sids(change.after)).toEqual(['S3HardenReadOnly1']);
    });

    it('is skipped when the policy was not read', () => {
      expect(step.plan(postureOf({}), BASELINE)).toEqual([]);
    });
  });

  describe('ordering against Block Public Access', () => {
    const pabAnswers = { 'public-access-block': ON, 'bucket-policy': BASELINE };
    // Listed policy first, so only a dependency can move Block Public Access ahead.
    const steps = ['bucket-policy', 'public-access-block'] as const;

    it('a non-public policy waits for Block Public Access', () => {
      const plan = buildPlan(
        at({ Statement: [FOREIGN] }, { 'bucket.publicAccessBlock': OFF }),
        'baseline',
        steps,
        pabAnswers,
      );
      expect(plan.changes.map((change) => change.id)).toEqual([
        'bucket.publicAccessBlock',
        'bucket.policy',
      ]);
    });

    it('a kept statement that may be public gets no such dependency, and a warning', () => {
      const plan = buildPlan(
        at({ Statement: [PUBLIC_READ] }, { 'bucket.publicAccessBlock': OFF }),
        'baseline',
        steps,
        pabAnswers,
      );
      const policy = plan.changes.find((change) => change.id === 'bucket.policy') as Change;
      expect(policy.dependsOn).toEqual([]);
      expect(policy.warnings).toEqual([
        'keeps statement #1 (no Sid), which may grant public access: with Block Public Access BlockPublicPolicy on, S3 rejects the whole policy',
      ]);
    });

    it('says S3 will reject it when BlockPublicPolicy is already on', () => {
      const change = only(
        step.plan(
          at(
            { Statement: [{ ...PUBLIC_READ, Sid: 'Website' }] },
            {
              'bucket.publicAccessBlock': ON,
              'account.publicAccessBlock': null,
            },
          ),
          BASELINE,
        ),
      );
      expect(change.warnings).toEqual([
        'keeps Sid "Website", which may grant public access, and BlockPublicPolicy is already on (bucket): S3 will reject the policy unless those statements are narrowed or removed',
      ]);
    });
  });

  describe('fields', () => {
    const keys = (fields: Field[]) =>
      fields.map((field) => (field.kind === 'note' ? `note:${field.tone}` : field.key));

    it('shows the endpoint IDs only when the restriction is on, the key ARN only when pinned', () => {
      expect(keys(step.fields(at(null), BASELINE))).toEqual([
        'httpsOnly',
        'minimumTls12',
        'vpceOnly',
        'sourceCidrs',
        'uploadEncryption',
        'readOnlyRoles',
        'crossAccounts',
      ]);
      const more = step.fields(at(null), {
        ...BASELINE,
        vpceOnly: true,
        uploadEncryption: 'kms-key',
      });
      expect(keys(more)).toEqual([
        'httpsOnly',
        'minimumTls12',
        'vpceOnly',
        'vpceIds',
        'callerVpce',
        'sourceCidrs',
        'uploadEncryption',
        'kmsKeyArn',
        'readOnlyRoles',
        'crossAccounts',
      ]);
    });

    it('asks for the operator’s own IP beside an IP allowlist, and checks it', () => {
      const withAllowlist = { ...BASELINE, sourceCidrs: '203.0.113.0/24' };
      expect(keys(step.fields(at(null), withAllowlist))).toContain('callerSourceIp');
      expect(step.validate({ ...withAllowlist, callerSourceIp: '' })).toEqual([]);
      expect(step.validate({ ...withAllowlist, callerSourceIp: '203.0.113.9' })).toEqual([]);
      expect(step.validate({ ...withAllowlist, callerSourceIp: 'my laptop' })).toEqual([
        '"my laptop" is not an IPv4 or IPv6 address',
      ]);
      expect(step.validate({ ...BASELINE, callerVpce: 'vpc-1' })).toHaveLength(1);
      // Context for the lockout check only: the policy is the same either way.
      expect(step.plan(at(null), { ...withAllowlist, callerSourceIp: '203.0.113.9' })).toEqual(
        step.plan(at(null), withAllowlist),
      );
    });

    it('shows the default-encryption caveat before a header-based deny is chosen', () => {
      const fields = step.fields(at(null), { ...BASELINE, uploadEncryption: 'sse-s3' });
      expect(fields).toContainEqual({ kind: 'note', tone: 'warning', text: HEADER_DENY_CAVEAT });
      expect(HEADER_DENY_CAVEAT).toContain('default encryption');
      expect(HEADER_DENY_CAVEAT).toContain('multipart part');
    });

    it('shows what the live policy enforces now', () => {
      const live = applied(only(step.plan(at(null), { ...BASELINE, readOnlyRoles: ROLE })));
      const fields = step.fields(live, NOTHING);
      const now = Object.fromEntries(
        fields.flatMap((field) => (field.kind === 'note' ? [] : [[field.key, field.now]])),
      );
      expect(now).toMatchObject({
        httpsOnly: 'on',
        minimumTls12: 'on',
        vpceOnly: 'off',
        sourceCidrs: 'none',
        uploadEncryption: 'no condition',
        readOnlyRoles: ROLE,
      });
    });
  });

  describe('review and plan file', () => {
    it('the review shows the whole policy before and after, line by line', () => {
      const before: PolicyDocument = { Version: '2012-10-17', Statement: [FOREIGN] };
      const plan = buildPlan(at(before), 'baseline', ['bucket-policy'], {
        'bucket-policy': { ...BASELINE, minimumTls12: false },
      });
      const text = linesToText(renderPlan(plan));
      const lines = text.split('\n');
      const start = lines.indexOf('~ Bucket policy  (s3:PutBucketPolicy)');
      expect(lines.slice(start, start + 33)).toEqual([
        '~ Bucket policy  (s3:PutBucketPolicy)',
        '      {',
        '        "Version": "2012-10-17",',
        '        "Statement": [',
        '          {',
        '            "Sid": "AllowAnalytics",',
        '            "Effect": "Allow",',
        '            "Principal": {',
        '              "AWS": "arn:aws:iam::111122223333:role/analytics"',
        '            },',
        '            "Action": "s3:GetObject",',
        '            "Resource": "arn:aws:s3:::my-bucket/*"',
        '    +     },',
        '    +     {',
        '    +       "Sid": "S3HardenDenyInsecureTransport",',
        '    +       "Effect": "Deny",',
        '    +       "Principal": "*",',
        '    +       "Action": [',
        '    +         "s3:*"',
        '    +       ],',
        '    +       "Resource": [',
        '    +         "arn:aws:s3:::my-bucket",',
        '    +         "arn:aws:s3:::my-bucket/*"',
        '    +       ],',
        '    +       "Condition": {',
        '    +         "Bool": {',
        '    +           "aws:SecureTransport": "false"',
        '    +         }',
        '    +       }',
        '          }',
        '        ]',
        '      }',
        '',
      ]);
      const kinds = renderPlan(plan)
        .slice(start, start + 33)
        .map((line) => line.kind);
      expect(kinds.filter((kind) => kind === 'add')).toHaveLength(17);
      expect(kinds.filter((kind) => kind === 'remove')).toHaveLength(0);
      expect(text).toContain('Plan: 0 to add, 1 to change, 0 to remove (0 irreversible).');
    });

    it('a created policy shows every line added; a deleted one every line removed', () => {
      const create = renderPlan(
        buildPlan(at(null), 'baseline', ['bucket-policy'], { 'bucket-policy': BASELINE }),
      );
      const body = create.filter((line) => line.text.startsWith('    '));
      expect(body[0]?.text).toBe('    (none before)');
      expect(body.slice(1).every((line) => line.kind === 'add')).toBe(true);

      const live = applied(only(step.plan(at(null), BASELINE)));
      const remove = renderPlan(
        buildPlan(live, 'baseline', ['bucket-policy'], { 'bucket-policy': NOTHING }),
      );
      const removed = remove.filter((line) => line.text.startsWith('    -'));
      expect(removed.length).toBeGreaterThan(20);
      expect(remove.map((line) => line.text)).toContain('    (none after)');
    });

    it('a saved plan with a policy change loads back; a tampered policy is refused', () => {
      const before: PolicyDocument = { Version: '2012-10-17', Statement: [FOREIGN] };
      const plan = buildPlan(at(before), 'baseline', ['bucket-policy'], {
        'bucket-policy': BASELINE,
      });
      const text = serializePlan(plan, 's3-harden test');
      expect(parsePlan(text).changes).toEqual(plan.changes);

      const file = JSON.parse(text);
      file.changes[0].call.input.Policy = JSON.stringify({ Statement: [PUBLIC_READ] });
      expect(() => parsePlan(JSON.stringify(file))).toThrow(
        'changes[0].call does not write the after-state shown for bucket.policy',
      );
      const forced = JSON.parse(text);
      forced.changes[0].call.input.ConfirmRemoveSelfBucketAccess = true;
      expect(() => parsePlan(JSON.stringify(forced))).toThrow(/changes\[0\]\.call\.input/);
      const huge = JSON.parse(text);
      huge.changes[0].call.input.Policy = JSON.stringify({ Statement: 'x'.repeat(21_000) });
      expect(() => parsePlan(JSON.stringify(huge))).toThrow(/changes\[0\]\.call\.input\.Policy/);
    });
  });
});

describe('bucket-policy step on a log bucket: the logging step’s grants are not its own', () => {
  const LOGGING = {
    enabled: true,
    target: BUCKET,
    prefix: 's3-access-logs/',
    format: 'simple',
  } as const;
  /** The grant the logging step of `source` writes into this bucket's policy. */
  const grantFor = (source: string) =>
    JSON.parse(
      JSON.stringify(logDeliveryStatement({ ...at(null), bucket: source }, LOGGING)),
    ) as ToolStatement;
  const APP_A = grantFor('app-a');
  const OLD_APP = grantFor('old-app');
  const EXEMPT = 'arn:aws:iam::123456789012:role/operator';
  /** The step's statements for `answers` on a bucket without a policy. */
  const written = (answers: BucketPolicyAnswers) => statementsOf(composedPolicy(at(null), answers));

  it('a baseline plan keeps the grant where it stands and adds the protections after it', () => {
    const before: PolicyDocument = { Version: '2012-10-17', Statement: [APP_A] };
    const change = only(step.plan(at(before), step.defaults(at(before), 'baseline')));
    expect(sids(change.after)).toEqual([
      logDeliverySid('app-a'),
      'S3HardenDenyInsecureTransport',
      'S3HardenDenyOldTls',
    ]);
    expect(statementsOf(change.after as PolicyDocument)[0]).toBe(APP_A);
    expect(change.warnings).toEqual([]);
    // Applied, a re-plan (defaults or keep) changes nothing.
    const live = applied(change);
    expect(step.plan(live, step.defaults(live, 'strict'))).toEqual([]);
    expect(step.plan(live, step.keep?.(live) as BucketPolicyAnswers)).toEqual([]);
  });

  it('turning every protection off removes only the step’s statements: the grants, stale ones too, stay', () => {
    const before: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [APP_A, ...written(BASELINE), OLD_APP],
    };
    const change = only(step.plan(at(before), NOTHING));
    expect(change.action).toBe('update');
    expect(change.after).toEqual({ Version: '2012-10-17', Statement: [APP_A, OLD_APP] });
  });

  it('a network restriction on a log bucket lets log delivery through: no warning of it', () => {
    const before: PolicyDocument = { Version: '2012-10-17', Statement: [APP_A] };
    const restricted = only(step.plan(at(before), { ...BASELINE, sourceCidrs: '203.0.113.0/24' }));
    expect(restricted.warnings.join('\n')).not.toMatch(/log delivery/);
    const allowlist = statementsOf(restricted.after as PolicyDocument).find(
      (statement) => (statement as { Sid?: string }).Sid === 'S3HardenIpAllowlist',
    ) as { Condition: Record<string, unknown> };
    expect(allowlist.Condition.BoolIfExists).toEqual({
      'aws:PrincipalIsAWSService': 'false',
      'aws:ViaAWSService': 'false',
    });
  });

  it('warns, with the Sid, of every grant to another account a network restriction cuts off', () => {
    const partner = {
      Sid: 'PartnerUploads',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::444455556666:root' },
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::my-bucket/*',
    };
    const before: PolicyDocument = { Version: '2012-10-17', Statement: [APP_A, partner] };
    const vpce = only(step.plan(at(before), { ...BASELINE, vpceOnly: true, vpceIds: VPCE }));
    expect(vpce.warnings).toContain(
      'cuts off Sid "PartnerUploads" (arn:aws:iam::444455556666:root): requests from another account come through none of your VPC endpoints',
    );
    // The log delivery grant is a service's: let through, not warned of.
    expect(vpce.warnings.join('\n')).not.toMatch(/S3HardenAccessLogs/);
    const ip = only(step.plan(at(before), { ...BASELINE, sourceCidrs: '203.0.113.0/24' }));
    expect(ip.warnings.join('\n')).toMatch(/may cut off Sid "PartnerUploads"/);
  });

  it('the lockout exemption goes on the network restriction only, and reads back as the answers', () => {
    const before: PolicyDocument = { Version: '2012-10-17', Statement: [APP_A] };
    const answers = { ...BASELINE, sourceCidrs: '203.0.113.0/24', exemptPrincipal: EXEMPT };
    const change = only(step.plan(at(before), answers));
    const [grant, https, tls, allowlist] = statementsOf(change.after as PolicyDocument) as Record<
      string,
      unknown
    >[];
    expect(grant).toBe(APP_A);
    for (const deny of [https, tls]) expect(deny?.Condition).not.toHaveProperty('ArnNotLike');
    expect(allowlist?.Condition).toMatchObject({
      ArnNotLike: { 'aws:PrincipalArn': [EXEMPT, 'arn:aws:iam::123456789012:role/*/operator'] },
    });
    const live = applied(change);
    expect(step.keep?.(live)).toEqual(answers);
    expect(step.plan(live, answers)).toEqual([]);
  });

  it('property: the grants survive any answers in place, and a second plan changes nothing', () => {
    const VPCES = ['vpce-0123456789abcdef0', 'vpce-1a2b3c4d'];
    for (let seed = 1; seed <= 300; seed++) {
      const next = seededRandom(seed);
      const maybe = (p = 0.5) => next() < p;
      const some = (items: readonly string[]) =>
        items.filter(() => maybe()).join(maybe() ? ', ' : ' ');
      const vpceOnly = maybe(0.3);
      const answers: BucketPolicyAnswers = {
        httpsOnly: maybe(),
        minimumTls12: maybe(),
        vpceOnly,
        vpceIds: vpceOnly ? VPCES.slice(0, 1 + Math.floor(next() * 2)).join(',') : '',
        sourceCidrs: vpceOnly ? '' : some(['203.0.113.0/24', '198.51.100.7/32']),
        uploadEncryption: pick(next, ['off', 'sse-s3', 'sse-kms', 'dsse-kms', 'kms-key'] as const),
        kmsKeyArn: KEY,
        readOnlyRoles: some([ROLE, 'arn:aws:iam::111122223333:role/other']),
        crossAccounts: some(['111122223333', '444455556666']),
        ...(maybe(0.3) ? { exemptPrincipal: EXEMPT } : {}),
      };
      expect(step.validate(answers), `seed ${seed}`).toEqual([]);
      // A live policy: the step's earlier statements, foreign ones and grants, mixed.
      const earlier = written({ ...BASELINE, readOnlyRoles: maybe() ? ROLE : '' });
      const mixed: unknown[] = [...earlier, ...(maybe() ? [FOREIGN] : [])];
      for (const grant of [APP_A, OLD_APP]) {
        if (maybe(0.7)) mixed.splice(Math.floor(next() * (mixed.length + 1)), 0, grant);
      }
      const live = at(JSON.parse(JSON.stringify({ Version: '2012-10-17', Statement: mixed })));
      const changes = step.plan(live, answers);
      const after = changes.length === 0 ? live.values['bucket.policy'] : changes[0]?.after;
      const grants = (document: unknown) =>
        statementsOf(document as PolicyDocument).filter(
          (statement) => sidOf(statement)?.startsWith('S3HardenAccessLogsFrom') === true,
        );
      const kept = grants(live.values['bucket.policy']);
      expect(grants(after), `seed ${seed}`).toEqual(kept);
      // Every statement the step does not own (grants, foreign ones) kept, in order, as it was.
      expect(
        statementsNotOwned(after as PolicyDocument, isBucketPolicySid),
        `seed ${seed}`,
      ).toEqual(statementsNotOwned(live.values['bucket.policy'] ?? null, isBucketPolicySid));
      // A second plan on what reads back has nothing to do.
      const again = changes.length === 0 ? live : applied(changes[0] as Change);
      expect(step.plan(again, answers), `seed ${seed}`).toEqual([]);
    }
  });
});
