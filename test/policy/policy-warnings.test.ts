/**
 * Two things the bucket-policy change must say, because the policy cannot
 * fix them on its own:
 *
 * - while ACLs stay on, S3HardenCrossAccount<n> allows s3:PutObject only with
 *   x-amz-acl bucket-owner-full-control, which UploadPart cannot send: the
 *   partner's multipart uploads fail (checked with the policy simulator),
 *   and the plan and the form say so — only then;
 * - HTTPS only, added to a bucket CloudFront reads (OAC or an origin access
 *   identity), refuses what CloudFront fetches for plain-HTTP viewers: the
 *   change says to fix the distribution's viewer protocol policy first.
 */
import { describe, expect, it } from 'vitest';
import type { Change, Posture, PostureValues } from '../../src/plan/model/types.js';
import type { PolicyDocument } from '../../src/plan/policy/document.js';
import {
  type BucketPolicyAnswers,
  bucketPolicyStep as step,
} from '../../src/steps/bucket-policy.js';
import type { Field } from '../../src/steps/form.js';
import { buildPlan } from '../../src/steps/index.js';
import { decide } from '../helpers/simulator.js';
import { posture as postureOf } from '../unit/support.js';

const BUCKET_ARN = 'arn:aws:s3:::my-bucket';
const OBJECT = `${BUCKET_ARN}/data/part.bin`;
const PARTNER = '444455556666';
const PARTNER_ROLE = `arn:aws:iam::${PARTNER}:role/Uploader`;
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
const WITH_PARTNER: BucketPolicyAnswers = { ...BASELINE, crossAccounts: PARTNER };

const MULTIPART =
  'S3HardenCrossAccount1 allows 444455556666 s3:PutObject only with x-amz-acl bucket-owner-full-control while ACLs are on: UploadPart cannot send that header, so multipart uploads by 444455556666 fail until ACLs are off (Object Ownership BucketOwnerEnforced drops the condition)';

const at = (policy: PolicyDocument | null, more: Partial<PostureValues> = {}): Posture =>
  postureOf({ 'bucket.policy': policy, ...more });

function policyChange(changes: readonly Change[]): Change {
  const change = changes.find((candidate) => candidate.id === 'bucket.policy');
  if (!change) throw new Error('no bucket-policy change');
  return change;
}

/** The plan of the Object Ownership and bucket-policy steps, with ACLs left as `ownership`. */
function planWith(ownership: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter') {
  const posture = at(null, {
    'bucket.ownershipControls': { ObjectOwnership: 'ObjectWriter' },
    'bucket.acl': [],
  });
  return buildPlan(posture, 'custom', ['object-ownership', 'bucket-policy'], {
    'object-ownership': { ownership },
    'bucket-policy': WITH_PARTNER,
  });
}

describe('cross-account uploads while ACLs stay on', () => {
  it.each(['BucketOwnerPreferred', 'ObjectWriter'] as const)(
    'ACLs stay on (%s): the change warns, naming the Sid, that multipart uploads fail',
    (ownership) => {
      const change = policyChange(planWith(ownership).changes);
      expect(change.warnings).toContain(MULTIPART);
      expect(change.warnings.filter((warning) => warning.includes('UploadPart'))).toHaveLength(1);
    },
  );

  it('ACLs off (BucketOwnerEnforced): no condition, no warning', () => {
    const change = policyChange(planWith('BucketOwnerEnforced').changes);
    expect(JSON.stringify(change.after)).not.toContain('s3:x-amz-acl');
    expect(change.warnings.join('\n')).not.toMatch(/UploadPart|multipart/);
  });

  it('one warning per account; none for the bucket’s own account, nor without grants', () => {
    const two = policyChange(
      step.plan(at(null), { ...BASELINE, crossAccounts: `${PARTNER}, 777788889999` }),
    );
    expect(two.warnings.filter((warning) => warning.includes('UploadPart'))).toEqual([
      MULTIPART,
      MULTIPART.replace('S3HardenCrossAccount1', 'S3HardenCrossAccount2').replaceAll(
        PARTNER,
        '777788889999',
      ),
    ]);
    const own = policyChange(step.plan(at(null), { ...BASELINE, crossAccounts: '123456789012' }));
    expect(own.warnings.join('\n')).not.toMatch(/UploadPart/);
    const none = policyChange(step.plan(at(null), BASELINE));
    expect(none.warnings.join('\n')).not.toMatch(/UploadPart/);
  });

  it('is what the simulator finds: UploadPart is refused while the condition is there', async () => {
    const leg = (policy: unknown, acl?: string) =>
      decide({
        principal: PARTNER_ROLE,
        action: 's3:PutObject',
        resource: OBJECT,
        resourceAccount: '123456789012',
        context: {
          'aws:SecureTransport': 'true',
          's3:TlsVersion': '1.2',
          'aws:PrincipalArn': PARTNER_ROLE,
          'aws:PrincipalAccount': PARTNER,
          ...(acl ? { 's3:x-amz-acl': acl } : {}),
        },
        identityPolicies: [
          { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
        ],
        resourcePolicy: policy as Record<string, unknown>,
      });
    const aclsOn = policyChange(planWith('ObjectWriter').changes).after;
    const aclsOff = policyChange(planWith('BucketOwnerEnforced').changes).after;
    // CreateMultipartUpload (and PutObject) can send the ACL; UploadPart cannot.
    expect(await leg(aclsOn, 'bucket-owner-full-control')).toBe('Allowed');
    expect(await leg(aclsOn)).toBe('ImplicitlyDenied');
    expect(await leg(aclsOff)).toBe('Allowed');
  });

  it('the form’s hint says multipart waits for ACLs off, unless they are off already', () => {
    const help = (more: Partial<PostureValues>) =>
      (
        step
          .fields(at(null, more), WITH_PARTNER)
          .find((field) => field.kind !== 'note' && field.key === 'crossAccounts') as Exclude<
          Field,
          { kind: 'note' }
        >
      ).help;
    expect(help({ 'bucket.ownershipControls': { ObjectOwnership: 'ObjectWriter' } })).toBe(
      'Account IDs allowed PutObject and GetObject; multipart once ACLs are off.',
    );
    expect(help({ 'bucket.ownershipControls': null })).not.toMatch(/multipart too/);
    expect(help({ 'bucket.ownershipControls': { ObjectOwnership: 'BucketOwnerEnforced' } })).toBe(
      'Account IDs allowed PutObject (multipart too) and GetObject.',
    );
  });
});

const OAC = {
  Sid: 'AllowCloudFrontServicePrincipal',
  Effect: 'Allow',
  Principal: { Service: 'cloudfront.amazonaws.com' },
  Action: 's3:GetObject',
  Resource: `${BUCKET_ARN}/*`,
  Condition: {
    StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::123456789012:distribution/E1EXAMPLE' },
  },
};
const OAI_ARN = {
  Effect: 'Allow',
  Principal: {
    AWS: 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL',
  },
  Action: 's3:GetObject',
  Resource: `${BUCKET_ARN}/*`,
};
const OAI_CANONICAL = {
  Sid: 'LegacyOai',
  Effect: 'Allow',
  Principal: {
    CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
  },
  Action: 's3:GetObject',
  Resource: `${BUCKET_ARN}/*`,
};
const ANALYTICS = {
  Sid: 'AllowAnalytics',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:role/analytics' },
  Action: 's3:GetObject',
  Resource: `${BUCKET_ARN}/*`,
};

const policy = (...statements: unknown[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements,
});
const cloudFrontNotes = (change: Change) =>
  change.warnings.filter((warning) => warning.includes('CloudFront'));
const note = (which: string, verb = 'grants') =>
  `HTTPS only: ${which} ${verb} CloudFront, which fetches from S3 over the protocol the viewer used: set the distribution's viewer protocol policy to redirect-to-https or https-only first, or HTTP viewers get 403`;

describe('HTTPS only on a bucket CloudFront reads', () => {
  it.each([
    ['an Origin Access Control', OAC, 'Sid "AllowCloudFrontServicePrincipal"'],
    ['an origin access identity by ARN', OAI_ARN, 'statement #2 (no Sid)'],
    ['an origin access identity by canonical user', OAI_CANONICAL, 'Sid "LegacyOai"'],
  ])(
    '%s: the change that adds HTTPS only says to fix the viewer protocol policy first',
    (_what, grant, which) => {
      const change = policyChange(step.plan(at(policy(ANALYTICS, grant)), BASELINE));
      expect(change.after).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({ Sid: 'S3HardenDenyInsecureTransport' }),
        ]),
      });
      expect(cloudFrontNotes(change)).toEqual([note(which)]);
    },
  );

  it('names every CloudFront grant in one note', () => {
    const change = policyChange(step.plan(at(policy(OAC, OAI_CANONICAL)), BASELINE));
    expect(cloudFrontNotes(change)).toEqual([
      note('Sid "AllowCloudFrontServicePrincipal", Sid "LegacyOai"', 'grant'),
    ]);
  });

  it('no note without a CloudFront grant, without HTTPS only, or once HTTPS only is in place', () => {
    expect(cloudFrontNotes(policyChange(step.plan(at(policy(ANALYTICS)), BASELINE)))).toEqual([]);
    expect(cloudFrontNotes(policyChange(step.plan(at(null), BASELINE)))).toEqual([]);
    const tlsOnly = { ...NOTHING, minimumTls12: true };
    expect(cloudFrontNotes(policyChange(step.plan(at(policy(OAC)), tlsOnly)))).toEqual([]);
    // Already HTTPS only: a later change (here a partner grant) does not repeat it.
    const applied = policyChange(step.plan(at(policy(OAC)), BASELINE)).after as PolicyDocument;
    const later = policyChange(step.plan(at(applied), WITH_PARTNER));
    expect(cloudFrontNotes(later)).toEqual([]);
  });

  it('a Deny naming CloudFront is not a grant', () => {
    const denied = { ...OAC, Sid: 'NoCloudFront', Effect: 'Deny' };
    expect(cloudFrontNotes(policyChange(step.plan(at(policy(denied)), BASELINE)))).toEqual([]);
  });
});
