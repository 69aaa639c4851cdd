import { describe, expect, it } from 'vitest';
import type { Change, Plan } from '../../src/plan/model/types.js';
import {
  type CallerContext,
  callerContext,
  cidrContains,
  evaluateDeny,
  exemptCondition,
  lockoutRefusal,
  neededActions,
  POLICY_ACTIONS,
  planLockout,
  principalArnFor,
  sourceIpProblem,
} from '../../src/plan/policy/lockout.js';
import { principalPatterns, SID, statementsFor } from '../../src/plan/policy/statements.js';
import { bucketPolicyStep, keepAnswers } from '../../src/steps/bucket-policy.js';
import { posture } from './support.js';

const ARN = 'arn:aws:iam::123456789012:user/operator';
const BUCKET_ARN = 'arn:aws:s3:::my-bucket';
const BOTH = [BUCKET_ARN, `${BUCKET_ARN}/*`];
const NEEDED = ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'];
const HTTPS: CallerContext = { principalArn: ARN, secureTransport: true, tlsVersion: 1.2 };

const deny = (condition?: Record<string, Record<string, string | string[]>>, extra = {}) => ({
  Sid: 'Test',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: BOTH,
  ...(condition ? { Condition: condition } : {}),
  ...extra,
});

type Verdict = 'denies' | 'may deny' | 'no';

const TABLE: [string, unknown, CallerContext, Verdict][] = [
  [
    'HTTPS-only deny, caller on TLS',
    deny({ Bool: { 'aws:SecureTransport': 'false' } }),
    HTTPS,
    'no',
  ],
  [
    'HTTPS-only deny, caller on plain HTTP',
    deny({ Bool: { 'aws:SecureTransport': 'false' } }),
    { principalArn: ARN, secureTransport: false },
    'denies',
  ],
  [
    'TLS < 1.2 deny, caller on TLS 1.2',
    deny({ NumericLessThan: { 's3:TlsVersion': '1.2' } }),
    HTTPS,
    'no',
  ],
  [
    'TLS < 1.3 deny, caller on TLS 1.2',
    deny({ NumericLessThan: { 's3:TlsVersion': '1.3' } }),
    HTTPS,
    'denies',
  ],
  [
    'TLS < 1.2 deny, caller on plain HTTP (no TlsVersion key)',
    deny({ NumericLessThan: { 's3:TlsVersion': '1.2' } }),
    { principalArn: ARN, secureTransport: false },
    'no',
  ],
  [
    'VPC-endpoint-only deny, caller not in an endpoint',
    deny({ StringNotEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } }),
    HTTPS,
    'denies',
  ],
  [
    'VPC-endpoint-only deny, caller in that endpoint',
    deny({
      StringNotEquals: { 'aws:SourceVpce': ['vpce-1111111111111111a', 'vpce-0123456789abcdef0'] },
    }),
    { ...HTTPS, sourceVpce: 'vpce-0123456789abcdef0' },
    'no',
  ],
  [
    'VPC-endpoint-only deny, caller in another endpoint',
    deny({ StringNotEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } }),
    { ...HTTPS, sourceVpce: 'vpce-99999999' },
    'denies',
  ],
  [
    'StringNotEqualsIfExists on SourceVpce, caller not in an endpoint',
    deny({ StringNotEqualsIfExists: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } }),
    HTTPS,
    'denies',
  ],
  [
    'StringEquals on SourceVpce (absent key), caller not in an endpoint',
    deny({ StringEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } }),
    HTTPS,
    'no',
  ],
  [
    'IP allowlist, caller IP inside',
    deny({ NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '198.51.100.7'] } }),
    { ...HTTPS, sourceIp: '192.0.2.55' },
    'no',
  ],
  [
    'IP allowlist, caller IP outside',
    deny({ NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24'] } }),
    { ...HTTPS, sourceIp: '192.0.3.1' },
    'denies',
  ],
  [
    'IP allowlist, caller IP not given',
    deny({ NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24'] } }),
    HTTPS,
    'may deny',
  ],
  [
    'IPv6 allowlist, caller IPv6 inside',
    deny({ NotIpAddress: { 'aws:SourceIp': ['2001:db8:1234::/48'] } }),
    { ...HTTPS, sourceIp: '2001:db8:1234:ffff::1' },
    'no',
  ],
  [
    'IPv6 allowlist, caller IPv6 outside',
    deny({ NotIpAddress: { 'aws:SourceIp': ['2001:db8:1234::/48'] } }),
    { ...HTTPS, sourceIp: '2001:db8:1235::1' },
    'denies',
  ],
  [
    'IPv4 allowlist, caller on IPv6',
    deny({ NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24'] } }),
    { ...HTTPS, sourceIp: '2001:db8::1' },
    'denies',
  ],
  [
    'IpAddress deny of a blocked range, caller outside it',
    deny({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }),
    { ...HTTPS, sourceIp: '192.0.2.1' },
    'no',
  ],
  ['unconditional deny of s3:* to everyone', deny(), HTTPS, 'denies'],
  [
    'deny of PutObject only (upload encryption)',
    deny(
      { Null: { 's3:x-amz-server-side-encryption': 'true' } },
      { Action: ['s3:PutObject'], Resource: [`${BUCKET_ARN}/*`] },
    ),
    HTTPS,
    'no',
  ],
  [
    'deny on objects only, not the bucket ARN',
    deny(undefined, { Resource: `${BUCKET_ARN}/*` }),
    HTTPS,
    'no',
  ],
  [
    'NotAction excluding the policy actions',
    deny(undefined, { Action: undefined, NotAction: ['s3:*BucketPolicy'] }),
    HTTPS,
    'no',
  ],
  [
    'NotAction excluding only GetObject',
    deny(undefined, { Action: undefined, NotAction: 's3:GetObject' }),
    HTTPS,
    'denies',
  ],
  [
    'NotPrincipal naming the caller',
    deny(undefined, { Principal: undefined, NotPrincipal: { AWS: [ARN] } }),
    HTTPS,
    'no',
  ],
  [
    'NotPrincipal naming someone else',
    deny(undefined, {
      Principal: undefined,
      NotPrincipal: { AWS: 'arn:aws:iam::123456789012:role/Admin' },
    }),
    HTTPS,
    'denies',
  ],
  [
    'NotPrincipal naming only the account',
    deny(undefined, { Principal: undefined, NotPrincipal: { AWS: '123456789012' } }),
    HTTPS,
    'may deny',
  ],
  [
    'deny to another principal only',
    deny(undefined, { Principal: { AWS: 'arn:aws:iam::999999999999:root' } }),
    HTTPS,
    'no',
  ],
  [
    'deny to the caller account root',
    deny(undefined, { Principal: { AWS: 'arn:aws:iam::123456789012:root' } }),
    HTTPS,
    'denies',
  ],
  [
    'principal-ARN exemption of the caller (ArnNotLike)',
    deny({
      StringNotEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' },
      ArnNotLike: { 'aws:PrincipalArn': ARN },
    }),
    HTTPS,
    'no',
  ],
  [
    'principal-ARN exemption of a wildcard that covers the caller',
    deny({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:user/*' } }),
    HTTPS,
    'no',
  ],
  [
    'principal-ARN exemption of someone else',
    deny({ StringNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/Break*' } }),
    HTTPS,
    'denies',
  ],
  [
    'PrincipalAccount other than the caller',
    deny({ StringNotEquals: { 'aws:PrincipalAccount': '123456789012' } }),
    HTTPS,
    'no',
  ],
  [
    'unknown condition key',
    deny({ StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }),
    HTTPS,
    'may deny',
  ],
  [
    'unknown operator',
    deny({ DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }),
    HTTPS,
    'may deny',
  ],
  [
    'Null check: SourceVpce absent is true',
    deny({ Null: { 'aws:SourceVpce': 'true' } }),
    HTTPS,
    'denies',
  ],
  ['an Allow is never a lockout', { ...deny(), Effect: 'Allow' }, HTTPS, 'no'],
];

describe('lockout: a table of Deny statements against the caller', () => {
  it('has at least 20 rows', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(20);
  });
  it.each(TABLE)('%s', (_name, statement, caller, expected) => {
    const verdict = evaluateDeny(statement, caller, NEEDED, BUCKET_ARN);
    expect(verdict?.certainty ?? 'no').toBe(expected);
    if (verdict) expect(verdict.reason).not.toContain('\n');
  });

  it('an assumed-role session is matched as its role', () => {
    const session = 'arn:aws:sts::123456789012:assumed-role/Deployer/ci-42';
    expect(principalArnFor(session)).toBe('arn:aws:iam::123456789012:role/Deployer');
    const exempt = deny({
      ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/Deployer' },
    });
    expect(
      evaluateDeny(exempt, { ...HTTPS, principalArn: session }, NEEDED, BUCKET_ARN),
    ).toBeNull();
  });

  it('explains a lockout in one line with the reason', () => {
    const verdict = evaluateDeny(
      deny({ StringNotEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } }),
      HTTPS,
      NEEDED,
      BUCKET_ARN,
    );
    expect(verdict?.reason).toBe(
      'denies you s3:GetBucketPolicy, s3:PutBucketPolicy, s3:DeleteBucketPolicy on arn:aws:s3:::my-bucket: StringNotEquals aws:SourceVpce vpce-0123456789abcdef0 holds (you are not in a VPC endpoint (--vpce))',
    );
  });
});

describe('CIDR math', () => {
  it.each([
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['192.0.2.7', '192.0.2.7', true],
    ['192.0.2.7/32', '192.0.2.8', false],
    ['2001:db8::/32', '2001:0db8:ffff::1', true],
    ['::ffff:192.0.2.0/120', '::ffff:192.0.2.9', true],
    ['::/0', '::1', true],
    ['fe80::/10', 'fec0::1', false],
  ])('%s contains %s: %s', (cidr, ip, inside) => {
    expect(cidrContains(cidr, ip)).toBe(inside);
  });
  it('rejects malformed addresses', () => {
    expect(cidrContains('10.0.0.0/33', '10.0.0.1')).toBeNull();
    expect(cidrContains('10.0.0.0/8', '300.1.1.1')).toBeNull();
    expect(sourceIpProblem('1.2.3')).toBe('"1.2.3" is not an IPv4 or IPv6 address');
    expect(sourceIpProblem('2001:db8::1')).toBeNull();
  });
});

describe('caller context', () => {
  it('https is secure, plain http is not, loopback http is a local emulator or proxy', () => {
    expect(callerContext(ARN, undefined).secureTransport).toBe(true);
    expect(callerContext(ARN, 'https://s3.example.com').secureTransport).toBe(true);
    expect(callerContext(ARN, 'http://minio.internal:9000').secureTransport).toBe(false);
    expect(callerContext(ARN, 'http://127.0.0.1:5000').secureTransport).toBe(true);
  });
});

describe('exemption', () => {
  it('merges ArnNotLike aws:PrincipalArn into the existing conditions', () => {
    expect(exemptCondition({ Bool: { 'aws:SecureTransport': 'false' } }, ARN)).toEqual({
      Bool: { 'aws:SecureTransport': 'false' },
      ArnNotLike: { 'aws:PrincipalArn': ARN },
    });
    const twice = exemptCondition(
      { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/Admin' } },
      ARN,
    );
    expect(twice.ArnNotLike).toEqual({
      'aws:PrincipalArn': ['arn:aws:iam::123456789012:role/Admin', ARN],
    });
    expect(exemptCondition(twice, ARN)).toEqual(twice);
  });

  it('the tool exempts the principal from its network restrictions only', () => {
    const statements = statementsFor(
      { bucket: 'my-bucket', region: 'us-east-1' },
      {
        denyInsecureTransport: true,
        denyOldTls: true,
        vpceIds: ['vpce-0123456789abcdef0'],
        sourceCidrs: [],
        uploadEncryption: { algorithm: 'AES256' },
        readOnlyRoles: [],
        crossAccounts: [],
        exemptPrincipal: ARN,
      },
    );
    const exempted = statements
      .filter((statement) => statement.Condition?.ArnNotLike)
      .map((statement) => statement.Sid);
    // HTTPS-only and TLS 1.2 bind everyone (S3.5); a TLS caller is never denied by them.
    expect(exempted).toEqual([SID.vpceOnly]);
  });

  it('a role is exempted at any path: aws:PrincipalArn carries the path the session ARN lacks', () => {
    const role = 'arn:aws:iam::123456789012:role/Admin';
    expect(principalPatterns(role)).toEqual([role, 'arn:aws:iam::123456789012:role/*/Admin']);
    expect(principalPatterns('arn:aws:iam::123456789012:user/ops')).toEqual([
      'arn:aws:iam::123456789012:user/ops',
    ]);
    const condition = exemptCondition({ Bool: { 'aws:SecureTransport': 'false' } }, role);
    expect(condition.ArnNotLike).toEqual({
      'aws:PrincipalArn': [role, 'arn:aws:iam::123456789012:role/*/Admin'],
    });
    // The guard still sees the caller (an assumed-role session) as exempted.
    const deny = {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::my-bucket', 'arn:aws:s3:::my-bucket/*'],
      Condition: {
        ...exemptCondition(undefined, role),
        StringNotEquals: { 'aws:SourceVpce': 'vpce-1' },
      },
    };
    const caller = callerContext('arn:aws:sts::123456789012:assumed-role/Admin/session', undefined);
    expect(evaluateDeny(deny, caller, POLICY_ACTIONS, 'arn:aws:s3:::my-bucket')).toBeNull();
  });

  it('a bucket-policy answer exempts the operator and clears the finding', () => {
    const live = posture({ 'bucket.policy': null });
    const answers = {
      ...bucketPolicyStep.defaults(live, 'baseline'),
      vpceOnly: true,
      vpceIds: 'vpce-0123456789abcdef0',
    };
    const plan = (changes: Change[]): Plan => ({
      target: { accountId: '123456789012', region: 'us-east-1', bucket: 'my-bucket' },
      preset: 'baseline',
      createdAt: '2025-01-02T03:04:05.000Z',
      observed: {},
      changes,
      skipped: [],
    });
    const caller = callerContext(live.principalArn, undefined);
    const blocked = planLockout(plan(bucketPolicyStep.plan(live, answers)), caller);
    expect(blocked.map((finding) => finding.sid)).toEqual([SID.vpceOnly]);
    expect(lockoutRefusal(blocked)).toMatch(
      /^lockout: bucket policy S3Harden\w*VpceOnly denies you/,
    );

    const exempt = { ...answers, exemptPrincipal: live.principalArn };
    expect(bucketPolicyStep.validate(exempt)).toEqual([]);
    const changes = bucketPolicyStep.plan(live, exempt);
    expect(planLockout(plan(changes), caller)).toEqual([]);
    // Kept on a re-run: the exemption is read back from the written policy.
    const after = posture({ 'bucket.policy': changes[0]?.after as never });
    expect(keepAnswers(after).exemptPrincipal).toBe(live.principalArn);
    expect(bucketPolicyStep.plan(after, keepAnswers(after))).toEqual([]);
  });

  it('rejects an exemption that is not a principal ARN', () => {
    const live = posture({ 'bucket.policy': null });
    expect(
      bucketPolicyStep.validate({
        ...bucketPolicyStep.defaults(live, 'baseline'),
        exemptPrincipal: 'operator',
      }),
    ).toEqual(['exemptPrincipal must be an IAM or STS principal ARN']);
  });

  it('needs the policy actions and the plan’s own calls on the bucket', () => {
    const change = {
      call: { service: 's3', operation: 'PutBucketVersioning', input: { Bucket: 'my-bucket' } },
      undo: { service: 's3', operation: 'PutBucketVersioning', input: { Bucket: 'my-bucket' } },
    } as unknown as Change;
    const other = {
      call: { service: 's3', operation: 'PutBucketLogging', input: { Bucket: 'other' } },
      undo: null,
    } as unknown as Change;
    expect(neededActions([change, other], 'my-bucket')).toEqual([
      ...NEEDED,
      's3:PutBucketVersioning',
    ]);
  });
});
