/**
 * The IP allowlist and Athena: S3 sees an Athena query's reads coming from a
 * private address of Athena's, not the analyst's IP, so S3HardenIpAllowlist
 * lets forward access sessions through (BoolIfExists aws:ViaAWSService
 * false), as S3HardenVpceOnly does. Judged by the policy simulator on the
 * traffic matrix's own requests; and a bucket that still holds the statement
 * an earlier s3-harden wrote (no aws:ViaAWSService) is updated in place.
 */
import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/plan/policy/document.js';
import { statementsOf } from '../../src/plan/policy/document.js';
import { decide } from '../helpers/simulator.js';
import {
  BUCKET_ARN,
  FIXTURES,
  type Fixture,
  OFFICE_CIDR,
  type Scenario,
  scenario,
  VARIANTS,
} from './scenarios.js';
import { type Expected, type Request, ROWS, type Situation, situation } from './traffic.js';

const OBJECTS = `${BUCKET_ARN}/*`;
const FOREIGN = {
  Sid: 'AllowAnalytics',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:role/analytics' },
  Action: 's3:GetObject',
  Resource: OBJECTS,
};
const SERVICE_LINKED_ROLES = 'arn:aws:iam::123456789012:role/aws-service-role/*';
const deny = (sid: string, condition: Record<string, unknown>) => ({
  Sid: sid,
  Effect: 'Deny',
  Principal: '*',
  Action: ['s3:*'],
  Resource: [BUCKET_ARN, OBJECTS],
  Condition: condition,
});
/** The allowlist as s3-harden wrote it before: service principals only let through. */
const OLD_ALLOWLIST = deny('S3HardenIpAllowlist', {
  NotIpAddress: { 'aws:SourceIp': [OFFICE_CIDR] },
  BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
});
const OLD_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    FOREIGN,
    deny('S3HardenDenyInsecureTransport', { Bool: { 'aws:SecureTransport': 'false' } }),
    deny('S3HardenDenyOldTls', { NumericLessThan: { 's3:TlsVersion': '1.2' } }),
    OLD_ALLOWLIST,
  ],
};

async function verdict(requests: readonly Request[]): Promise<Expected[]> {
  const out: Expected[] = [];
  for (const request of requests) {
    if (request.refusedByS3) {
      out.push('deny');
      continue;
    }
    const decisions = await Promise.all((request.legs ?? []).map((leg) => decide(leg)));
    out.push(decisions.every((decision) => decision === 'Allowed') ? 'allow' : 'deny');
  }
  return out;
}

function row(id: string) {
  const found = ROWS.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no traffic row ${id}`);
  return found;
}

const athena = (s: Situation) => verdict(row('athena-via-service').requests(s));
const outside = (s: Situation) => verdict(row('outside-network').requests(s));

const ipVariants = VARIANTS.filter((variant) => variant.answers.sourceCidrs);

function bucketPolicyChange(plan: Scenario['plan']) {
  return plan.changes.find((change) => change.id === 'bucket.policy');
}

describe('the IP allowlist lets Athena through, and still refuses direct requests from elsewhere', () => {
  it.each(
    FIXTURES.flatMap((fixture) => ipVariants.map((variant) => [fixture.id, variant.id] as const)),
  )(
    '%s · %s: an allowed analyst’s Athena query reads; a direct request from outside is denied',
    async (fixtureId, variantId) => {
      const fixture = FIXTURES.find((f) => f.id === fixtureId) as Fixture;
      const variant = VARIANTS.find((v) => v.id === variantId) as (typeof VARIANTS)[number];
      const s = situation(scenario(fixture, 'baseline', variant));
      expect(s.network).toBe('ip');
      expect(await athena(s)).toEqual(['allow', 'allow']);
      expect(await outside(s)).toEqual(['deny', 'deny']);
    },
  );

  it('the statement written before denied the Athena query (S3 sees Athena’s address, not the analyst’s)', async () => {
    const fixture: Fixture = { id: 'old-ip', description: 'an old allowlist', policy: OLD_POLICY };
    const keep = { id: 'keep', answers: {} };
    const s = situation(scenario(fixture, 'baseline', keep));
    expect(await athena({ ...s, bucketPolicy: OLD_POLICY })).toEqual(['deny', 'deny']);
    expect(await athena(s)).toEqual(['allow', 'allow']);
    expect(await outside(s)).toEqual(['deny', 'deny']);
  });
});

describe('a bucket holding the old S3HardenIpAllowlist', () => {
  const fixture: Fixture = { id: 'old-ip', description: 'an old allowlist', policy: OLD_POLICY };
  const keep = { id: 'keep', answers: {} };

  it('gets it updated in place by a new plan; every other statement stays as it was', () => {
    const planned = scenario(fixture, 'baseline', keep);
    const change = bucketPolicyChange(planned.plan);
    expect(change?.action).toBe('update');
    const after = statementsOf(change?.after as PolicyDocument);
    expect(after).toHaveLength(4);
    expect(after.slice(0, 3)).toEqual(statementsOf(OLD_POLICY).slice(0, 3));
    expect(after[3]).toEqual(
      deny('S3HardenIpAllowlist', {
        NotIpAddress: { 'aws:SourceIp': [OFFICE_CIDR] },
        BoolIfExists: { 'aws:PrincipalIsAWSService': 'false', 'aws:ViaAWSService': 'false' },
        ArnNotLikeIfExists: { 'aws:PrincipalArn': SERVICE_LINKED_ROLES },
      }),
    );
  });

  it('keeps an exemption the operator gave, and a bucket already right gets no policy change', () => {
    const exempted = deny('S3HardenIpAllowlist', {
      ...OLD_ALLOWLIST.Condition,
      ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:user/operator' },
    });
    const old: Fixture = {
      ...fixture,
      policy: { ...OLD_POLICY, Statement: [...statementsOf(OLD_POLICY).slice(0, 3), exempted] },
    };
    const change = bucketPolicyChange(scenario(old, 'baseline', keep).plan);
    const written = statementsOf(change?.after as PolicyDocument)[3] as { Condition: unknown };
    expect(written.Condition).toEqual({
      NotIpAddress: { 'aws:SourceIp': [OFFICE_CIDR] },
      BoolIfExists: { 'aws:PrincipalIsAWSService': 'false', 'aws:ViaAWSService': 'false' },
      ArnNotLikeIfExists: { 'aws:PrincipalArn': SERVICE_LINKED_ROLES },
      ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:user/operator' },
    });
    for (const before of [fixture, old]) {
      const first = bucketPolicyChange(scenario(before, 'baseline', keep).plan);
      const right: Fixture = { ...before, policy: first?.after as PolicyDocument };
      expect(bucketPolicyChange(scenario(right, 'baseline', keep).plan)).toBeUndefined();
    }
  });
});
