import { describe, expect, it } from 'vitest';
import { AwsError } from '../../src/aws/errors.js';
import { accessPointPolicy, accessPointValue } from '../../src/aws/families/access-point.js';
import { parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import { bucketNameProblem } from '../../src/plan/model/bucket-name.js';
import { findOperation } from '../../src/plan/model/operations.js';
import type { Change, Plan, Posture, PostureValues } from '../../src/plan/model/types.js';
import { PRESETS } from '../../src/plan/model/types.js';
import { type PolicyDocument, statementsOf } from '../../src/plan/policy/document.js';
import { POLICY_TEXT } from '../../src/plan/policy/policy-text.js';
import { cliCommand } from '../../src/plan/render/cli-equivalent.js';
import { linesToText, renderPlan } from '../../src/plan/render/render.js';
import {
  ACCESS_POINT_PUBLIC_ACCESS_BLOCK,
  accessPointName,
  accessPointNameProblem,
  vpcIdProblem,
} from '../../src/plan/resources/access-point.js';
import { writeCall } from '../../src/plan/resources/index.js';
import {
  type AccessPointAnswers,
  AccessPointError,
  accessPointStep as step,
} from '../../src/steps/access-point.js';
import type { Field } from '../../src/steps/form.js';
import { buildPlan, STEP_ORDER } from '../../src/steps/index.js';
import { pick, seededRandom } from '../helpers/random.js';
import { ACCOUNT_ID, BUCKET, isOneLine, posture as postureOf, REGION } from './support.js';

const NAME = `s3h-${BUCKET}`;
const AP_ARN = `arn:aws:s3:${REGION}:${ACCOUNT_ID}:accesspoint/${NAME}`;
const ROLE = 'arn:aws:iam::111122223333:role/reader';
const OTHER_ACCOUNT = '444455556666';
const VPC = 'vpc-0123456789abcdef0';

/** A bucket policy with the statements the bucket-policy step writes for one role and one account. */
const BUCKET_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'S3HardenDenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:*'],
      Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: 'S3HardenReadOnly1',
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
    },
    {
      Sid: 'S3HardenCrossAccount1',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
      Action: ['s3:PutObject'],
      Resource: [`arn:aws:s3:::${BUCKET}/*`],
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
    },
  ],
};

/** What someone else wrote into the access point policy. */
const FOREIGN = {
  Sid: 'TeamRead',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:role/team' },
  Action: 's3:GetObject',
  Resource: `${AP_ARN}/object/*`,
};

const at = (values: Partial<PostureValues>, unreadable = {}): Posture =>
  postureOf(
    {
      'bucket.accessPoint': null,
      'bucket.accessPointPolicy': null,
      'bucket.policy': null,
      ...values,
    },
    unreadable,
  );

const CREATE: AccessPointAnswers = { create: true, vpcId: '', policy: 'from-bucket-policy' };

const sids = (document: unknown) =>
  statementsOf(document as PolicyDocument).map((statement) => (statement as { Sid?: string }).Sid);

/** A plan of just this step, through buildPlan (ordering, composition). */
const planOf = (posture: Posture, answers: AccessPointAnswers): Plan =>
  buildPlan(posture, 'baseline', ['access-point'], { 'access-point': answers }, new Date(0));

function fieldsOf(posture: Posture, answers: AccessPointAnswers) {
  const fields = step.fields(posture, answers);
  const byKey = (key: string) =>
    fields.find((field) => field.kind !== 'note' && field.key === key) as
      | Exclude<Field, { kind: 'note' }>
      | undefined;
  return { fields, byKey };
}

describe('access point naming', () => {
  it('is s3h-<bucket> when that fits', () => {
    expect(accessPointName('my-bucket')).toBe('s3h-my-bucket');
    const longest = 'a'.repeat(46);
    expect(accessPointName(longest)).toBe(`s3h-${longest}`);
    expect(accessPointName(longest)).toHaveLength(50);
  });

  it('cuts a long name to 50 characters with a hash of the full name, never ending in a hyphen', () => {
    const bucket = `${'b'.repeat(36)}-----${'c'.repeat(22)}`;
    const name = accessPointName(bucket);
    expect(name.length).toBeLessThanOrEqual(50);
    expect(name).toMatch(/^s3h-b{36}-[0-9a-f]{8}$/);
    expect(accessPointNameProblem(name)).toBeNull();
  });

  it('replaces dots with hyphens, and two names that would then collide stay apart', () => {
    expect(accessPointName('logs.example.com')).toMatch(/^s3h-logs-example-com-[0-9a-f]{8}$/);
    expect(accessPointName('a.b')).not.toBe(accessPointName('a-b'));
    const shared = 'x'.repeat(50);
    expect(accessPointName(`${shared}-one`)).not.toBe(accessPointName(`${shared}-two`));
  });

  it('never produces a reserved suffix', () => {
    // A bucket may end in .s3alias; the access point name may not end in -s3alias.
    const name = accessPointName('data.s3alias');
    expect(name.endsWith('-s3alias')).toBe(false);
    expect(accessPointNameProblem(name)).toBeNull();
  });

  it('is stable and valid for every valid bucket name', () => {
    const alphabet = [...'abcdefghijklmnopqrstuvwxyz0123456789.-'];
    const random = seededRandom(42);
    let checked = 0;
    while (checked < 2000) {
      const length = 3 + Math.floor(random() * 61);
      let bucket = '';
      for (let index = 0; index < length; index++) bucket += pick(random, alphabet);
      if (bucketNameProblem(bucket)) continue;
      checked += 1;
      const name = accessPointName(bucket);
      expect(accessPointNameProblem(name), `${bucket} -> ${name}`).toBeNull();
      expect(accessPointName(bucket)).toBe(name);
    }
  });

  it('says what is wrong with an access point name, in one line', () => {
    const cases: [string, string][] = [
      ['ab', 'an access point name is 3 to 50 characters long (this one has 2)'],
      [
        'My-ap',
        'an access point name may contain only lowercase letters, digits and hyphens (found "M")',
      ],
      [
        'a.b',
        'an access point name may contain only lowercase letters, digits and hyphens (found ".")',
      ],
      ['-ap', 'an access point name must start with a letter or digit'],
      ['ap-', 'an access point name must not end with a hyphen'],
      ['ap-s3alias', 'an access point name must not end with the reserved suffix "-s3alias"'],
    ];
    for (const [name, message] of cases) expect(accessPointNameProblem(name)).toBe(message);
  });
});

describe('access point step: answers', () => {
  it('is registered right after the bucket-policy step', () => {
    expect(STEP_ORDER[STEP_ORDER.indexOf('bucket-policy') + 1]).toBe('access-point');
    // Honest controls: the guide's section, and the Security Hub check the created one passes.
    expect(step.controls).toEqual(['S3 Security guide: S3 Access Points', 'FSBP S3.19']);
    expect(step.optionalReads).toEqual(['bucket.policy']);
  });

  it('defaults to no access point in every preset, and no change', () => {
    const posture = at({ 'bucket.policy': BUCKET_POLICY });
    for (const preset of PRESETS) {
      const answers = step.defaults(posture, preset);
      expect(answers.create).toBe(false);
      expect(step.plan(posture, answers)).toEqual([]);
    }
  });

  it('keeps an existing access point and its policy in every preset', () => {
    const posture = at({
      'bucket.accessPoint': { Name: NAME, VpcId: VPC },
      'bucket.accessPointPolicy': { Version: '2012-10-17', Statement: [FOREIGN] },
      'bucket.policy': BUCKET_POLICY,
    });
    for (const preset of PRESETS) {
      const answers = step.defaults(posture, preset);
      expect(answers).toEqual({ create: true, vpcId: VPC, policy: 'keep' });
      expect(step.plan(posture, answers)).toEqual([]);
    }
    expect(step.keep?.(posture)).toEqual({ create: true, vpcId: VPC, policy: 'keep' });
  });

  it('turned on, starts from the bucket policy grants when there are some', () => {
    expect(step.defaults(at({ 'bucket.policy': BUCKET_POLICY }), 'strict').policy).toBe(
      'from-bucket-policy',
    );
    expect(step.defaults(at({}), 'strict').policy).toBe('none');
  });

  it.each([
    [
      { ...CREATE, vpcId: 'vpc-123' },
      'vpc-123 is not a VPC ID (vpc- followed by 8 or 17 hex digits, e.g. vpc-0123456789abcdef0)',
    ],
    [{ ...CREATE, vpcId: 'VPC-0123ABCD' }, 'VPC-0123ABCD: VPC IDs are lowercase (vpc-0123abcd)'],
    [
      { ...CREATE, vpcId: 'vpce-0123456789abcdef0' },
      "vpce-0123456789abcdef0 is a VPC endpoint ID; an access point takes the VPC's own ID (vpc-…)",
    ],
    [{ ...CREATE, create: 'yes' as unknown as boolean }, 'create must be true or false'],
    [{ ...CREATE, vpcId: 5 as unknown as string }, 'vpcId must be text'],
    [
      { ...CREATE, policy: 'all' as AccessPointAnswers['policy'] },
      'policy must be one of from-bucket-policy, none, keep',
    ],
  ])('validation: %o → one clear line', (answers, message) => {
    const problems = step.validate(answers);
    expect(problems).toEqual([message]);
    expect(isOneLine(message)).toBe(true);
  });

  it('accepts 8- and 17-digit VPC IDs, surrounding spaces, and ignores the VPC when not creating', () => {
    expect(step.validate({ ...CREATE, vpcId: 'vpc-0123abcd' })).toEqual([]);
    expect(step.validate({ ...CREATE, vpcId: ` ${VPC} ` })).toEqual([]);
    expect(step.validate({ ...CREATE, create: false, vpcId: 'nonsense' })).toEqual([]);
    expect(vpcIdProblem(VPC)).toBeNull();
  });
});

describe('access point step: plan', () => {
  it('creates the access point, then its policy from the bucket policy grants', () => {
    const posture = at({ 'bucket.policy': BUCKET_POLICY });
    const plan = planOf(posture, CREATE);
    const [accessPoint, policy] = plan.changes as [Change, Change];
    expect(plan.changes).toHaveLength(2);
    expect(accessPoint).toMatchObject({
      id: 'bucket.accessPoint',
      step: 'access-point',
      action: 'create',
      before: null,
      after: { Name: NAME },
      call: {
        service: 's3control',
        operation: 'CreateAccessPoint',
        input: {
          AccountId: ACCOUNT_ID,
          Name: NAME,
          Bucket: BUCKET,
          PublicAccessBlockConfiguration: ACCESS_POINT_PUBLIC_ACCESS_BLOCK,
        },
      },
      undo: {
        service: 's3control',
        operation: 'DeleteAccessPoint',
        input: { AccountId: ACCOUNT_ID, Name: NAME },
      },
      dependsOn: [],
    });
    expect(accessPoint.call.input).not.toHaveProperty('VpcConfiguration');
    expect(accessPoint.warnings).toEqual([
      'its network origin (Internet) is fixed at creation: changing it later means deleting and re-creating the access point',
    ]);

    expect(policy).toMatchObject({
      id: 'bucket.accessPointPolicy',
      action: 'create',
      before: null,
      dependsOn: ['bucket.accessPoint'],
      call: { service: 's3control', operation: 'PutAccessPointPolicy' },
      undo: {
        service: 's3control',
        operation: 'DeleteAccessPointPolicy',
        input: { AccountId: ACCOUNT_ID, Name: NAME },
      },
    });
    expect(policy.after).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'S3HardenReadOnly1',
          Effect: 'Allow',
          Principal: { AWS: ROLE },
          Action: ['s3:GetObject', 's3:ListBucket'],
          Resource: [AP_ARN, `${AP_ARN}/object/*`],
        },
        {
          Sid: 'S3HardenCrossAccount1',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
          Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
          Resource: [`${AP_ARN}/object/*`],
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
        },
        {
          Sid: 'S3HardenCrossAccount1Read',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
          Action: ['s3:GetObject'],
          Resource: [`${AP_ARN}/object/*`],
        },
      ],
    });
    // The deny statements of the bucket policy are not copied: they apply anyway.
    expect(JSON.parse(policy.call.input.Policy as string)).toEqual(policy.after);
  });

  it('restricts to a VPC and warns that it is fixed at creation', () => {
    const [accessPoint] = step.plan(at({}), { ...CREATE, vpcId: ` ${VPC} `, policy: 'none' });
    expect(accessPoint?.after).toEqual({ Name: NAME, VpcId: VPC });
    expect(accessPoint?.call.input.VpcConfiguration).toEqual({ VpcId: VPC });
    expect(accessPoint?.warnings[0]).toContain(`network origin (VPC ${VPC}) is fixed at creation`);
  });

  it('creates no policy when the bucket policy grants nothing', () => {
    const changes = step.plan(at({ 'bucket.policy': null }), CREATE);
    expect(changes.map((change) => change.call.operation)).toEqual(['CreateAccessPoint']);
  });

  it('uses the ARN partition and region of the bucket', () => {
    const posture = { ...at({ 'bucket.policy': BUCKET_POLICY }), region: 'cn-north-1' };
    const policy = step.plan(posture, CREATE)[1];
    expect(JSON.stringify(policy?.after)).toContain(
      `arn:aws-cn:s3:cn-north-1:${ACCOUNT_ID}:accesspoint/${NAME}/object/*`,
    );
  });

  it('brings an existing policy in line, keeping statements others wrote, idempotently', () => {
    const existing = { Version: '2012-10-17', Statement: [FOREIGN] };
    const posture = at({
      'bucket.accessPoint': { Name: NAME },
      'bucket.accessPointPolicy': existing,
      'bucket.policy': BUCKET_POLICY,
    });
    const [change, ...rest] = step.plan(posture, CREATE);
    expect(rest).toEqual([]);
    expect(change).toMatchObject({ action: 'update', dependsOn: [], before: existing });
    expect(sids(change?.after)).toEqual([
      'TeamRead',
      'S3HardenReadOnly1',
      'S3HardenCrossAccount1',
      'S3HardenCrossAccount1Read',
    ]);
    expect((change?.after as { Statement: unknown[] } | undefined)?.Statement[0]).toBe(FOREIGN);
    expect(change?.undo?.input.Policy).toBe(JSON.stringify(existing));
    // Applied, the same answers change nothing more.
    const applied = at({
      'bucket.accessPoint': { Name: NAME },
      'bucket.accessPointPolicy': JSON.parse(JSON.stringify(change?.after)),
      'bucket.policy': BUCKET_POLICY,
    });
    expect(step.plan(applied, CREATE)).toEqual([]);
  });

  it('"no s3-harden grants" removes only the tool statements', () => {
    const posture = at({
      'bucket.accessPoint': { Name: NAME },
      'bucket.accessPointPolicy': {
        Version: '2012-10-17',
        Statement: [FOREIGN, { Sid: 'S3HardenReadOnly1', Effect: 'Allow' }],
      },
    });
    const [change] = step.plan(posture, { ...CREATE, policy: 'none' });
    expect(sids(change?.after)).toEqual(['TeamRead']);
    // Only tool statements: the policy goes.
    const own = at({
      'bucket.accessPoint': { Name: NAME },
      'bucket.accessPointPolicy': { Statement: [{ Sid: 'S3HardenReadOnly1', Effect: 'Allow' }] },
    });
    const [removal] = step.plan(own, { ...CREATE, policy: 'none' });
    expect(removal).toMatchObject({ action: 'delete', after: null });
    expect(removal?.call.operation).toBe('DeleteAccessPointPolicy');
  });

  it('refuses another VPC for an existing access point, and says to delete it first', () => {
    const posture = at({ 'bucket.accessPoint': { Name: NAME, VpcId: VPC } });
    const message = `Access point: the network origin of ${NAME} (VPC ${VPC}) is fixed at creation; to make it Internet, delete it first (turn "Create an access point" off, apply), then create it again`;
    expect(() => step.plan(posture, { ...CREATE, vpcId: '', policy: 'keep' })).toThrow(
      new AccessPointError(message),
    );
    expect(isOneLine(message)).toBe(true);
    expect(() =>
      step.plan(at({ 'bucket.accessPoint': { Name: NAME } }), {
        ...CREATE,
        vpcId: 'vpc-0123abcd',
        policy: 'keep',
      }),
    ).toThrow('(Internet) is fixed at creation; to make it VPC vpc-0123abcd, delete it first');
  });

  it('refuses to copy grants from a bucket policy it could not read', () => {
    const posture = postureOf(
      { 'bucket.accessPoint': null, 'bucket.accessPointPolicy': null },
      { 'bucket.policy': 'Access denied: s3:GetBucketPolicy on bucket my-bucket.' },
    );
    expect(() => step.plan(posture, CREATE)).toThrow(
      'Access point: the bucket policy could not be read, so its grants cannot be copied: choose another access point policy',
    );
    // "none" still works without it.
    expect(step.plan(posture, { ...CREATE, policy: 'none' })).toHaveLength(1);
  });

  it('deletes the policy, then the access point; the undo re-creates both in reverse', () => {
    const existing = { Version: '2012-10-17', Statement: [FOREIGN] };
    const posture = at({
      'bucket.accessPoint': { Name: NAME, VpcId: VPC },
      'bucket.accessPointPolicy': existing,
    });
    const plan = planOf(posture, { create: false, vpcId: VPC, policy: 'keep' });
    expect(plan.changes.map((change) => [change.call.operation, change.undo?.operation])).toEqual([
      ['DeleteAccessPointPolicy', 'PutAccessPointPolicy'],
      ['DeleteAccessPoint', 'CreateAccessPoint'],
    ]);
    const [policy, accessPoint] = plan.changes as [Change, Change];
    expect(accessPoint.dependsOn).toEqual(['bucket.accessPointPolicy']);
    expect(accessPoint.action).toBe('delete');
    expect(accessPoint.undo?.input).toEqual({
      AccountId: ACCOUNT_ID,
      Name: NAME,
      Bucket: BUCKET,
      VpcConfiguration: { VpcId: VPC },
      PublicAccessBlockConfiguration: ACCESS_POINT_PUBLIC_ACCESS_BLOCK,
    });
    expect(accessPoint.warnings[0]).toBe(
      `clients using ${NAME} (its ARN or alias) lose access; undo re-creates it with the same name and network origin, but AWS gives it a new alias`,
    );
    expect(policy.undo?.input.Policy).toBe(JSON.stringify(existing));
    // Without a policy, only the access point.
    const bare = at({ 'bucket.accessPoint': { Name: NAME } });
    expect(
      step.plan(bare, { create: false, vpcId: '', policy: 'none' }).map((c) => c.dependsOn),
    ).toEqual([[]]);
  });

  it('plans nothing when a resource was not read', () => {
    const posture = postureOf({ 'bucket.accessPoint': null });
    expect(step.plan(posture, CREATE)).toEqual([]);
  });

  it('is skipped with the reason when the access point cannot be read', () => {
    const posture = postureOf(
      { 'bucket.accessPointPolicy': null },
      { 'bucket.accessPoint': 'Access denied: s3:GetAccessPoint on account 123456789012.' },
    );
    const plan = planOf(posture, CREATE);
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([
      {
        step: 'Access point',
        reason:
          'cannot read Access point: Access denied: s3:GetAccessPoint on account 123456789012.',
      },
    ]);
  });
});

describe('access point step: fields and review', () => {
  it('shows the derived name, and only the toggle while off', () => {
    const { fields, byKey } = fieldsOf(at({}), { ...CREATE, create: false });
    expect(fields).toHaveLength(1);
    expect(byKey('create')).toMatchObject({
      kind: 'toggle',
      label: 'Create an access point',
      help: `Named ${NAME}, all public access blocked.`,
      now: 'off',
    });
  });

  it('warns before deleting an existing access point', () => {
    const posture = at({ 'bucket.accessPoint': { Name: NAME } });
    const { fields } = fieldsOf(posture, { create: false, vpcId: '', policy: 'keep' });
    expect(fields.map((field) => field.kind)).toEqual(['toggle', 'note']);
    expect(fields[1]).toEqual({
      kind: 'note',
      tone: 'warning',
      text: `Deletes ${NAME} and its policy: clients using its ARN or alias lose access.`,
    });
  });

  it('asks for the VPC and the policy, and says when nothing would be granted', () => {
    const { byKey } = fieldsOf(at({ 'bucket.policy': null }), CREATE);
    expect(byKey('vpcId')).toMatchObject({ kind: 'text', label: 'Restrict to VPC' });
    const policy = byKey('policy');
    expect(policy?.kind).toBe('choice');
    const options = policy?.kind === 'choice' ? policy.options : [];
    expect(options.map((option) => option.value)).toEqual(['from-bucket-policy', 'none']);
    expect(options[0]?.help).toBe(
      'The bucket policy grants no role or account: nothing would be granted.',
    );
  });

  it('names the grants it copies, and offers "leave as it is" for an existing access point', () => {
    const posture = at({
      'bucket.accessPoint': { Name: NAME, VpcId: VPC },
      'bucket.policy': BUCKET_POLICY,
    });
    const { fields, byKey } = fieldsOf(posture, { create: true, vpcId: VPC, policy: 'keep' });
    expect(byKey('create')).toMatchObject({
      now: 'on',
      help: `${NAME}; off deletes it and its policy.`,
    });
    expect(byKey('vpcId')?.now).toBe(VPC);
    const policy = byKey('policy');
    const options = policy?.kind === 'choice' ? policy.options : [];
    expect(options.map((option) => option.value)).toEqual(['from-bucket-policy', 'none', 'keep']);
    expect(options[0]?.help).toBe(
      'Grants 1 read-only role and 1 account, as the bucket policy does.',
    );
    expect(
      fields.some((field) => field.kind === 'note' && /fixed at creation/.test(field.text)),
    ).toBe(true);
    // Every help line fits an 80-column terminal after its indent.
    for (const field of fields) {
      if (field.kind !== 'note') expect(field.help.length).toBeLessThanOrEqual(74);
    }
    for (const option of options) expect(option.help?.length ?? 0).toBeLessThanOrEqual(74);
  });

  it('says when the bucket policy could not be read', () => {
    const posture = postureOf(
      { 'bucket.accessPoint': null, 'bucket.accessPointPolicy': null },
      { 'bucket.policy': 'Access denied' },
    );
    const policy = fieldsOf(posture, CREATE).byKey('policy');
    const options = policy?.kind === 'choice' ? policy.options : [];
    expect(options[0]?.help).toBe(
      'The bucket policy could not be read: there are no grants to copy.',
    );
  });

  it('reviews the access point policy as a whole JSON document', () => {
    const text = linesToText(renderPlan(planOf(at({ 'bucket.policy': BUCKET_POLICY }), CREATE)));
    expect(text).toContain('+ Access point  (s3control:CreateAccessPoint)');
    expect(text).toContain('+ Access point policy  (s3control:PutAccessPointPolicy)');
    expect(text).toContain('(none before)');
    expect(text).toContain(`+       "Sid": "S3HardenReadOnly1",`);
  });

  it('prints the AWS CLI equivalent', () => {
    const [accessPoint] = step.plan(at({}), { ...CREATE, vpcId: VPC, policy: 'none' });
    expect(cliCommand(accessPoint?.call as Change['call'])).toBe(
      `aws s3control create-access-point --account-id ${ACCOUNT_ID} --name ${NAME} --bucket ${BUCKET} --vpc-configuration '{"VpcId":"${VPC}"}' --public-access-block-configuration '{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}'`,
    );
  });
});

describe('access point: resources and catalogue', () => {
  it('catalogues every operation with its IAM action', () => {
    const actions = Object.fromEntries(
      [
        'GetAccessPoint',
        'CreateAccessPoint',
        'DeleteAccessPoint',
        'GetAccessPointPolicy',
        'PutAccessPointPolicy',
        'DeleteAccessPointPolicy',
      ].map((operation) => [operation, findOperation('s3control', operation)?.iamAction]),
    );
    expect(actions).toEqual({
      GetAccessPoint: 's3:GetAccessPoint',
      CreateAccessPoint: 's3:CreateAccessPoint',
      DeleteAccessPoint: 's3:DeleteAccessPoint',
      GetAccessPointPolicy: 's3:GetAccessPointPolicy',
      PutAccessPointPolicy: 's3:PutAccessPointPolicy',
      DeleteAccessPointPolicy: 's3:DeleteAccessPointPolicy',
    });
  });

  it('never writes an access point other than the derived one', () => {
    const target = { accountId: ACCOUNT_ID, region: REGION, bucket: BUCKET };
    expect(() => writeCall('bucket.accessPoint', target, { Name: 'someone-elses' })).toThrow(
      `access point someone-elses is not the one s3-harden manages for ${BUCKET} (${NAME})`,
    );
  });

  it('normalises GetAccessPoint: Internet, VPC, and refuses one serving another bucket', () => {
    const target = { bucket: BUCKET };
    expect(
      accessPointValue(target, { Name: NAME, Bucket: BUCKET, NetworkOrigin: 'Internet' }),
    ).toEqual({ Name: NAME });
    expect(
      accessPointValue(target, {
        Name: NAME,
        Bucket: BUCKET,
        NetworkOrigin: 'VPC',
        VpcConfiguration: { VpcId: VPC },
      }),
    ).toEqual({ Name: NAME, VpcId: VPC });
    // An Internet origin ignores a stray VPC configuration.
    expect(
      accessPointValue(target, {
        Name: NAME,
        Bucket: BUCKET,
        NetworkOrigin: 'Internet',
        VpcConfiguration: { VpcId: VPC },
      }),
    ).toEqual({ Name: NAME });
    let error: unknown;
    try {
      accessPointValue(target, { Name: NAME, Bucket: 'other-bucket', NetworkOrigin: 'Internet' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AwsError);
    expect((error as Error).message).toBe(
      `Access point ${NAME} serves bucket other-bucket, not ${BUCKET}: rename or delete it before s3-harden can manage an access point for ${BUCKET}.`,
    );
  });

  it('parses the access point policy text', () => {
    // The text only when JSON.stringify would not write it back as it was.
    expect(accessPointPolicy({ Policy: '{"Statement":[]}' })).toEqual({ Statement: [] });
    expect(accessPointPolicy({ Policy: '{ "Statement": [] }' })).toEqual({
      Statement: [],
      [POLICY_TEXT]: '{ "Statement": [] }',
    });
    expect(accessPointPolicy({})).toBeNull();
    expect(() => accessPointPolicy({ Policy: '{' })).toThrow(
      'the access point policy S3 returned is not valid JSON',
    );
    expect(() => accessPointPolicy({ Policy: '[]' })).toThrow('is not a JSON object');
  });
});

/** The create call carries both (the plans below restrict to a VPC). */
type Input = Record<string, unknown> & {
  PublicAccessBlockConfiguration: Record<string, unknown>;
  VpcConfiguration: Record<string, unknown>;
};
/** A change as it stands in a saved plan file, to tamper with. */
interface SavedChange {
  call: { input: Input };
  undo: { input: Input };
  after: Record<string, unknown>;
}

const saved = (file: { changes: SavedChange[] }, index: number) =>
  file.changes[index] as SavedChange;

describe('access point: plan files', () => {
  const existingPolicy = { Version: '2012-10-17', Statement: [FOREIGN] };
  const createPlan = () =>
    planOf(at({ 'bucket.policy': BUCKET_POLICY }), { ...CREATE, vpcId: VPC });
  const deletePlan = () =>
    planOf(
      at({
        'bucket.accessPoint': { Name: NAME, VpcId: VPC },
        'bucket.accessPointPolicy': existingPolicy,
      }),
      { create: false, vpcId: '', policy: 'none' },
    );

  /** The saved plan as JSON, edited by `tamper`, then loaded. */
  const load = (plan: Plan, tamper: (file: { changes: SavedChange[] }) => void = () => {}) => {
    const file = JSON.parse(serializePlan(plan, 'test'));
    tamper(file);
    return parsePlan(JSON.stringify(file));
  };

  it('accepts the calls and undos it plans, creating and deleting', () => {
    for (const plan of [createPlan(), deletePlan()]) {
      const loaded = load(plan);
      expect(loaded.changes).toEqual(plan.changes);
      expect(loaded.observed).toEqual(plan.observed);
    }
  });

  it('rejects a CreateAccessPoint naming another bucket', () => {
    expect(() =>
      load(createPlan(), (file) => {
        saved(file, 0).call.input.Bucket = 'someone-elses-bucket';
      }),
    ).toThrow('changes[0].call does not write the after-state shown for bucket.accessPoint');
    // The undo of a deletion, too.
    expect(() =>
      load(deletePlan(), (file) => {
        saved(file, 1).undo.input.Bucket = 'someone-elses-bucket';
      }),
    ).toThrow('changes[1].undo does not restore the before-state of bucket.accessPoint');
  });

  it('rejects another access point name, another account, and public access allowed', () => {
    expect(() =>
      load(createPlan(), (file) => {
        saved(file, 0).call.input.Name = 'other-ap';
      }),
    ).toThrow('changes[0].call does not write the after-state shown for bucket.accessPoint');
    expect(() =>
      load(createPlan(), (file) => {
        saved(file, 0).call.input.Name = 'other-ap';
        saved(file, 0).after.Name = 'other-ap';
      }),
    ).toThrow(`changes[0]: access point other-ap is not the one s3-harden manages for ${BUCKET}`);
    expect(() =>
      load(createPlan(), (file) => {
        saved(file, 1).call.input.AccountId = '999999999999';
      }),
    ).toThrow('changes[1].call names account "999999999999", but the plan is for 123456789012');
    expect(() =>
      load(createPlan(), (file) => {
        saved(file, 0).call.input.PublicAccessBlockConfiguration.BlockPublicPolicy = false;
      }),
    ).toThrow('changes[0].call.input.PublicAccessBlockConfiguration.BlockPublicPolicy');
    expect(() =>
      load(createPlan(), (file) => {
        saved(file, 0).call.input.VpcConfiguration.VpcId = 'vpc-1';
      }),
    ).toThrow('changes[0].call.input.VpcConfiguration.VpcId: vpc-1 is not a VPC ID');
  });

  it('rejects an access point policy that is not the one reviewed', () => {
    expect(() =>
      load(createPlan(), (file) => {
        saved(file, 1).call.input.Policy = JSON.stringify({
          Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }],
        });
      }),
    ).toThrow('changes[1].call does not write the after-state shown for bucket.accessPointPolicy');
  });
});
