/**
 * The lockout guard (src/plan/policy/lockout.ts) against the policy simulator, on
 * generated (policy, caller) pairs: wherever the guard says a Deny does not
 * apply to the caller, the simulator must not deny them; wherever it says a
 * Deny certainly applies, the simulator must deny. What the guard leaves
 * undecided ("may deny") is its caution; the rate at which the simulator
 * then allows is recorded and kept low.
 */
import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/plan/policy/document.js';
import {
  type CallerContext,
  lockoutFindingsFor,
  POLICY_ACTIONS,
} from '../../src/plan/policy/lockout.js';
import { pick, type Random, seededRandom } from '../helpers/random.js';
import { ALLOW_ALL, decide } from '../helpers/simulator.js';

const ACCOUNT = '123456789012';
const BUCKET = 'arn:aws:s3:::app-data';
const USER = `arn:aws:iam::${ACCOUNT}:user/operator`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Admin`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/session-1`;
const VPCE = 'vpce-0123456789abcdef0';
const OTHER_VPCE = 'vpce-0fedcba9876543210';

const PRINCIPALS: readonly unknown[] = [
  '*',
  { AWS: '*' },
  { AWS: USER },
  { AWS: ROLE },
  { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  { AWS: ACCOUNT },
  { AWS: 'arn:aws:iam::999988887777:root' },
  { Service: 'cloudfront.amazonaws.com' },
];
const ACTIONS: readonly (string | string[])[] = [
  's3:*',
  's3:GetBucketPolicy',
  's3:PutBucketPolicy',
  ['s3:Get*', 's3:List*'],
  's3:Delete*',
  's3:GetObject',
  '*',
];
const RESOURCES: readonly (string | string[])[] = [
  BUCKET,
  `${BUCKET}/*`,
  [BUCKET, `${BUCKET}/*`],
  '*',
  'arn:aws:s3:::other-bucket',
];

/** Condition blocks: one key each, drawn from what bucket policies use. */
const CONDITIONS: readonly Record<string, Record<string, string | string[]>>[] = [
  { Bool: { 'aws:SecureTransport': 'false' } },
  { Bool: { 'aws:SecureTransport': 'true' } },
  { NumericLessThan: { 's3:TlsVersion': '1.2' } },
  { NumericLessThan: { 's3:TlsVersion': '1.3' } },
  { StringNotEquals: { 'aws:SourceVpce': VPCE } },
  { StringNotEquals: { 'aws:SourceVpce': [VPCE, OTHER_VPCE] } },
  { StringEquals: { 'aws:SourceVpce': VPCE } },
  { StringNotEqualsIfExists: { 'aws:SourceVpce': VPCE } },
  { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
  { IpAddress: { 'aws:SourceIp': '198.51.100.0/24' } },
  { ArnNotLike: { 'aws:PrincipalArn': USER } },
  { ArnNotLike: { 'aws:PrincipalArn': [ROLE, `arn:aws:iam::${ACCOUNT}:role/*/Admin`] } },
  { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:*` } },
  { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/s3-replication` } },
  { StringNotEquals: { 'aws:PrincipalAccount': ACCOUNT } },
  { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } },
  { BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } },
  { BoolIfExists: { 'aws:ViaAWSService': 'false' } },
  { Bool: { 'aws:ViaAWSService': 'true' } },
  { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
  { Null: { 'aws:SourceVpce': 'true' } },
  { Null: { 'aws:SourceVpce': 'false' } },
];

interface Caller {
  /** What the guard is told. */
  readonly context: CallerContext;
  /** The request as it really is: the simulator's principal and keys. */
  readonly principal: string;
  readonly keys: Record<string, string>;
}

function drawCaller(random: Random): Caller {
  const session = random() < 0.5;
  const secure = random() < 0.9;
  const tls = pick(random, [1.2, 1.3]);
  const inVpce = random() < 0.4;
  const ipKnown = random() < 0.5;
  const ip = pick(random, ['203.0.113.7', '198.51.100.7', '192.0.2.9']);
  const principal = session ? SESSION : USER;
  const keys: Record<string, string> = {
    'aws:SecureTransport': String(secure),
    'aws:PrincipalArn': session ? ROLE : USER,
    'aws:PrincipalAccount': ACCOUNT,
    'aws:PrincipalIsAWSService': 'false',
    'aws:ViaAWSService': 'false',
    ...(secure ? { 's3:TlsVersion': tls.toFixed(1) } : {}),
    // Through a VPC endpoint there is no public source IP.
    ...(inVpce ? { 'aws:SourceVpce': VPCE } : { 'aws:SourceIp': ip }),
  };
  return {
    principal,
    keys,
    context: {
      principalArn: principal,
      secureTransport: secure,
      tlsVersion: tls,
      ...(inVpce ? { sourceVpce: VPCE } : {}),
      ...(!inVpce && ipKnown ? { sourceIp: ip } : {}),
    },
  };
}

function drawStatement(random: Random): Record<string, unknown> {
  const conditions: Record<string, Record<string, string | string[]>> = {};
  const count = Math.floor(random() * 3);
  for (let n = 0; n < count; n++) {
    const block = pick(random, CONDITIONS);
    for (const [operator, keys] of Object.entries(block)) {
      conditions[operator] = { ...(conditions[operator] ?? {}), ...keys };
    }
  }
  const notPrincipal = random() < 0.08;
  const notAction = random() < 0.08;
  return {
    Effect: 'Deny',
    ...(notPrincipal
      ? { NotPrincipal: { AWS: pick(random, [USER, ROLE, `arn:aws:iam::${ACCOUNT}:root`]) } }
      : { Principal: pick(random, PRINCIPALS) }),
    ...(notAction
      ? { NotAction: pick(random, ['s3:GetObject', 's3:Get*']) }
      : { Action: pick(random, ACTIONS) }),
    Resource: pick(random, RESOURCES),
    ...(count > 0 ? { Condition: conditions } : {}),
  };
}

type Guard = 'no' | 'may deny' | 'denies';

interface Pair {
  readonly policy: PolicyDocument;
  readonly caller: Caller;
  readonly action: string;
  readonly guard: Guard;
  readonly simulator: string;
}

const PAIRS = 2_400;

async function runPairs(): Promise<Pair[]> {
  const random = seededRandom(20261204);
  const pairs: Pair[] = [];
  for (let n = 0; n < PAIRS; n++) {
    const statements = Array.from({ length: 1 + Math.floor(random() * 2) }, () =>
      drawStatement(random),
    );
    const policy: PolicyDocument = { Version: '2012-10-17', Statement: statements };
    const caller = drawCaller(random);
    const action = pick(random, POLICY_ACTIONS);
    const findings = lockoutFindingsFor('bucket', policy, caller.context, [action], BUCKET);
    const guard: Guard = findings.some((finding) => finding.certainty === 'denies')
      ? 'denies'
      : findings.length > 0
        ? 'may deny'
        : 'no';
    const simulator = await decide({
      principal: caller.principal,
      action,
      resource: BUCKET,
      resourceAccount: ACCOUNT,
      context: caller.keys,
      identityPolicies: [ALLOW_ALL],
      resourcePolicy: policy,
    });
    pairs.push({ policy, caller, action, guard, simulator });
  }
  return pairs;
}

function shown(pair: Pair): string {
  return `${pair.guard} vs ${pair.simulator}: ${pair.action} by ${JSON.stringify(pair.caller.keys)} under ${JSON.stringify(pair.policy.Statement)}`;
}

describe('the lockout guard agrees with the policy simulator', () => {
  it(`on ${PAIRS} generated (policy, caller) pairs; its caution stays low`, async () => {
    const pairs = await runPairs();
    const missed = pairs.filter(
      (pair) => pair.guard === 'no' && pair.simulator === 'ExplicitlyDenied',
    );
    const falseAlarms = pairs.filter(
      (pair) => pair.guard === 'denies' && pair.simulator !== 'ExplicitlyDenied',
    );
    expect(missed.slice(0, 5).map(shown), 'the guard cleared a Deny the simulator applies').toEqual(
      [],
    );
    expect(
      falseAlarms.slice(0, 5).map(shown),
      'the guard is sure of a Deny the simulator does not apply',
    ).toEqual([]);
    const cautious = pairs.filter((pair) => pair.guard === 'may deny');
    const overCautious = cautious.filter((pair) => pair.simulator !== 'ExplicitlyDenied');
    const denied = pairs.filter((pair) => pair.simulator === 'ExplicitlyDenied').length;
    const rate = overCautious.length / pairs.length;
    console.info(
      `lockout differential: ${pairs.length} pairs, ${denied} denied by the simulator; guard: ${pairs.filter((p) => p.guard === 'denies').length} denies, ${cautious.length} may deny (${overCautious.length} of them allowed: caution rate ${(rate * 100).toFixed(1)}%)`,
    );
    // Enough of each kind to mean something.
    expect(denied).toBeGreaterThan(300);
    expect(pairs.length - denied).toBeGreaterThan(300);
    expect(rate).toBeLessThan(0.1);
  }, 120_000);
});
