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

const deny = (condition?: Record<string, Record<string, unknown>>, extra = {}) => ({
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
    const role = 'arn:aws:iam::123456789012:role/Deployer';
    expect(principalArnFor(session)).toBe(role);
    const exempt = deny({ ArnNotLike: { 'aws:PrincipalArn': role } });
    // The role is known to have no path: exempted.
    expect(
      evaluateDeny(exempt, { ...HTTPS, principalArn: session, roleArn: role }, NEEDED, BUCKET_ARN),
    ).toBeNull();
    // The session ARN alone does not say the role has no path: it may be denied.
    expect(
      evaluateDeny(exempt, { ...HTTPS, principalArn: session }, NEEDED, BUCKET_ARN)?.certainty,
    ).toBe('may deny');
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
      { bucket: 'my-bucket', region: 'us-east-1', accountId: '123456789012' },
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

describe('unquoted condition values: IAM compares numbers and booleans as their strings', () => {
  const PLAIN_HTTP: CallerContext = { principalArn: ARN, secureTransport: false };
  const TLS13: CallerContext = { ...HTTPS, tlsVersion: 1.3 };
  const CASES: [
    string,
    Record<string, Record<string, unknown>>,
    Record<string, Record<string, unknown>>,
  ][] = [
    [
      'Bool false',
      { Bool: { 'aws:SecureTransport': false } },
      { Bool: { 'aws:SecureTransport': 'false' } },
    ],
    [
      'Bool true',
      { Bool: { 'aws:SecureTransport': true } },
      { Bool: { 'aws:SecureTransport': 'true' } },
    ],
    [
      'BoolIfExists [false]',
      { BoolIfExists: { 'aws:SecureTransport': [false] } },
      { BoolIfExists: { 'aws:SecureTransport': ['false'] } },
    ],
    [
      'NumericLessThan 1.2',
      { NumericLessThan: { 's3:TlsVersion': 1.2 } },
      { NumericLessThan: { 's3:TlsVersion': '1.2' } },
    ],
    [
      'NumericLessThan 1.3',
      { NumericLessThan: { 's3:TlsVersion': 1.3 } },
      { NumericLessThan: { 's3:TlsVersion': '1.3' } },
    ],
    [
      'NumericEquals [1.1, 1.2]',
      { NumericEquals: { 's3:TlsVersion': [1.1, 1.2] } },
      { NumericEquals: { 's3:TlsVersion': ['1.1', '1.2'] } },
    ],
    [
      'NumericNotEquals [1.2, 1.3]',
      { NumericNotEquals: { 's3:TlsVersion': [1.2, 1.3] } },
      { NumericNotEquals: { 's3:TlsVersion': ['1.2', '1.3'] } },
    ],
    ['Null true', { Null: { 'aws:SourceVpce': true } }, { Null: { 'aws:SourceVpce': 'true' } }],
    ['Null false', { Null: { 'aws:SourceVpce': false } }, { Null: { 'aws:SourceVpce': 'false' } }],
    [
      'a mixed list',
      { Bool: { 'aws:SecureTransport': [true, 'false'] } },
      { Bool: { 'aws:SecureTransport': ['true', 'false'] } },
    ],
  ];
  const CALLERS: [string, CallerContext][] = [
    ['TLS 1.2', HTTPS],
    ['TLS 1.3', TLS13],
    ['plain HTTP', PLAIN_HTTP],
    ['in a VPC endpoint', { ...HTTPS, sourceVpce: 'vpce-0123456789abcdef0' }],
  ];

  it.each(CASES)('%s is judged exactly as its string form', (_name, unquoted, quoted) => {
    for (const [, caller] of CALLERS) {
      expect(evaluateDeny(deny(unquoted), caller, NEEDED, BUCKET_ARN)).toEqual(
        evaluateDeny(deny(quoted), caller, NEEDED, BUCKET_ARN),
      );
    }
  });

  it('an HTTPS-only Deny written with a JSON false denies a plain-HTTP caller', () => {
    const statement = deny({ Bool: { 'aws:SecureTransport': false } });
    expect(evaluateDeny(statement, PLAIN_HTTP, NEEDED, BUCKET_ARN)?.certainty).toBe('denies');
    expect(evaluateDeny(statement, HTTPS, NEEDED, BUCKET_ARN)).toBeNull();
  });

  it('a TLS Deny written with a JSON number denies a caller below it', () => {
    const statement = deny({ NumericLessThan: { 's3:TlsVersion': 1.3 } });
    expect(evaluateDeny(statement, HTTPS, NEEDED, BUCKET_ARN)?.reason).toContain(
      'NumericLessThan s3:TlsVersion 1.3 holds (yours is 1.2)',
    );
    expect(evaluateDeny(statement, TLS13, NEEDED, BUCKET_ARN)).toBeNull();
  });

  it('a value that is neither a string, a number nor a boolean cannot be evaluated', () => {
    const statement = deny({ StringNotEquals: { 'aws:SourceVpce': [{ id: 'vpce-1' }] } });
    expect(evaluateDeny(statement, HTTPS, NEEDED, BUCKET_ARN)?.certainty).toBe('may deny');
  });

  it('an account ID written as a JSON number in Principal names the account', () => {
    const statement = deny(undefined, { Principal: { AWS: 123456789012 } });
    expect(evaluateDeny(statement, HTTPS, NEEDED, BUCKET_ARN)?.certainty).toBe('denies');
  });
});

describe('role paths: the session ARN never carries the role’s path', () => {
  const SESSION = 'arn:aws:sts::123456789012:assumed-role/Deployer/session';
  const ROLE = 'arn:aws:iam::123456789012:role/Deployer';
  const ROLE_AT_PATH = 'arn:aws:iam::123456789012:role/team/Deployer';
  /** The path is not known: only the session ARN. */
  const UNKNOWN: CallerContext = { ...HTTPS, principalArn: SESSION };
  /** The path is known: the caller context carries the role's ARN. */
  const KNOWN: CallerContext = { ...HTTPS, principalArn: SESSION, roleArn: ROLE_AT_PATH };
  const verdict = (condition: Record<string, Record<string, unknown>>, caller: CallerContext) =>
    evaluateDeny(deny(condition), caller, NEEDED, BUCKET_ARN)?.certainty ?? 'no';

  it('a Deny naming the role at its path in Principal applies to its session', () => {
    for (const caller of [UNKNOWN, KNOWN]) {
      expect(
        evaluateDeny(
          deny(undefined, { Principal: { AWS: ROLE_AT_PATH } }),
          caller,
          NEEDED,
          BUCKET_ARN,
        )?.certainty,
      ).toBe('denies');
    }
  });

  it.each([
    'StringEquals',
    'StringLike',
    'ArnEquals',
    'ArnLike',
    'StringEqualsIfExists',
    'ArnLikeIfExists',
  ])(
    '%s aws:PrincipalArn naming the role at a path: denies when known, may deny when not',
    (op) => {
      expect(verdict({ [op]: { 'aws:PrincipalArn': ROLE_AT_PATH } }, KNOWN)).toBe('denies');
      expect(verdict({ [op]: { 'aws:PrincipalArn': ROLE_AT_PATH } }, UNKNOWN)).toBe('may deny');
    },
  );

  it('a wildcard over the path names the role whatever its path', () => {
    for (const pattern of [
      'arn:aws:iam::123456789012:role/*/Deployer',
      'arn:aws:iam::123456789012:role/team/*',
    ]) {
      expect(verdict({ ArnLike: { 'aws:PrincipalArn': pattern } }, KNOWN)).toBe('denies');
      expect(verdict({ StringLike: { 'aws:PrincipalArn': pattern } }, UNKNOWN)).toBe('may deny');
    }
    for (const pattern of [
      'arn:aws:iam::123456789012:role/*Deployer',
      'arn:aws:iam::123456789012:role/*',
    ]) {
      expect(verdict({ ArnLike: { 'aws:PrincipalArn': pattern } }, UNKNOWN)).toBe('denies');
    }
  });

  it.each([
    'StringNotEquals',
    'StringNotLike',
    'ArnNotEquals',
    'ArnNotLike',
    'StringNotEqualsIfExists',
    'ArnNotLikeIfExists',
  ])(
    '%s aws:PrincipalArn exempting only the role without its path is not an exemption at a path',
    (op) => {
      // A role at /team/: the exemption names another ARN, so the Deny applies.
      expect(verdict({ [op]: { 'aws:PrincipalArn': ROLE } }, KNOWN)).toBe('denies');
      // The path unknown: the role may have one.
      expect(verdict({ [op]: { 'aws:PrincipalArn': ROLE } }, UNKNOWN)).toBe('may deny');
      // A role known to have no path is exempted.
      expect(verdict({ [op]: { 'aws:PrincipalArn': ROLE } }, { ...UNKNOWN, roleArn: ROLE })).toBe(
        'no',
      );
    },
  );

  it.each(['StringNotEquals', 'ArnNotEquals', 'ArnNotLike', 'ArnNotLikeIfExists'])(
    '%s aws:PrincipalArn exempting the role at its path: exempt when known, may deny when not',
    (op) => {
      expect(verdict({ [op]: { 'aws:PrincipalArn': ROLE_AT_PATH } }, KNOWN)).toBe('no');
      expect(verdict({ [op]: { 'aws:PrincipalArn': ROLE_AT_PATH } }, UNKNOWN)).toBe('may deny');
    },
  );

  it('an exemption that covers the role at every path is one, known or not', () => {
    for (const exempt of [
      'arn:aws:iam::123456789012:role/*Deployer',
      'arn:aws:iam::123456789012:role/*',
      'arn:aws:iam::123456789012:*',
      [ROLE, 'arn:aws:iam::123456789012:role/*/Deployer'],
    ]) {
      for (const caller of [KNOWN, UNKNOWN]) {
        expect(verdict({ ArnNotLike: { 'aws:PrincipalArn': exempt } }, caller)).toBe('no');
        expect(verdict({ StringNotLike: { 'aws:PrincipalArn': exempt } }, caller)).toBe('no');
      }
    }
    // The tool's own exemption of the role covers it at any path.
    const tool = exemptCondition(undefined, ROLE);
    expect(verdict(tool, UNKNOWN)).toBe('no');
    expect(verdict(tool, KNOWN)).toBe('no');
  });

  it('an exemption of a wildcard that misses the role at its path denies', () => {
    const exempt = { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/ops/*' } };
    expect(verdict(exempt, KNOWN)).toBe('denies');
    expect(verdict(exempt, UNKNOWN)).toBe('may deny');
    // Another role whatever the path: never the caller.
    const other = {
      StringEquals: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/team/Other' },
    };
    expect(verdict(other, UNKNOWN)).toBe('no');
    expect(
      verdict(
        { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/*/Other' } },
        UNKNOWN,
      ),
    ).toBe('no');
  });

  it('says the path is not known', () => {
    const reason = evaluateDeny(
      deny({ ArnNotLike: { 'aws:PrincipalArn': ROLE } }),
      UNKNOWN,
      NEEDED,
      BUCKET_ARN,
    )?.reason;
    expect(reason).toContain('cannot be evaluated');
    expect(reason).toContain('the path of your role is not known');
  });

  it('callerContext carries the role ARN it is given', () => {
    const context = callerContext(SESSION, undefined, { roleArn: ROLE_AT_PATH });
    expect(verdict({ ArnNotLike: { 'aws:PrincipalArn': ROLE_AT_PATH } }, context)).toBe('no');
    // A role ARN that is not the session's role is ignored: the path stays unknown.
    const wrong = callerContext(SESSION, undefined, {
      roleArn: 'arn:aws:iam::123456789012:role/team/Other',
    });
    expect(
      verdict(
        { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/team/Other' } },
        wrong,
      ),
    ).toBe('denies');
  });
});

describe('reads the tool needs: drift check, read-back and rollback', () => {
  const TARGET = { accountId: '123456789012', region: 'us-east-1', bucket: 'my-bucket' };
  const LOGS_ARN = 'arn:aws:s3:::my-logs';
  const denyOf = (action: string | string[], resource: string, extra = {}) => ({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyRead',
        Effect: 'Deny',
        Principal: '*',
        Action: action,
        Resource: resource,
        ...extra,
      },
    ],
  });
  const policyChange = (
    after: unknown,
    resource: 'bucket.policy' | 'logTarget.policy' = 'bucket.policy',
  ) =>
    ({
      id: resource,
      step: 'bucket-policy',
      title: 'Bucket policy',
      resource,
      action: 'create',
      call: {
        service: 's3',
        operation: 'PutBucketPolicy',
        input: {
          Bucket: resource === 'bucket.policy' ? 'my-bucket' : 'my-logs',
          Policy: JSON.stringify(after),
        },
      },
      before: null,
      after,
      undo: {
        service: 's3',
        operation: 'DeleteBucketPolicy',
        input: { Bucket: resource === 'bucket.policy' ? 'my-bucket' : 'my-logs' },
      },
      dependsOn: [],
      warnings: [],
    }) as unknown as Change;
  const versioningChange = {
    id: 'bucket.versioning',
    step: 'versioning',
    title: 'Versioning',
    resource: 'bucket.versioning',
    action: 'update',
    call: {
      service: 's3',
      operation: 'PutBucketVersioning',
      input: { Bucket: 'my-bucket', VersioningConfiguration: { Status: 'Enabled' } },
    },
    before: null,
    after: 'Enabled',
    undo: {
      service: 's3',
      operation: 'PutBucketVersioning',
      input: { Bucket: 'my-bucket', VersioningConfiguration: { Status: 'Suspended' } },
    },
    dependsOn: [],
    warnings: [],
  } as unknown as Change;
  const planOf = (
    changes: Change[],
    observed: Plan['observed'] = {},
    target: Plan['target'] = TARGET,
  ): Plan => ({
    target,
    preset: 'baseline',
    createdAt: '2025-01-02T03:04:05.000Z',
    observed,
    changes,
    skipped: [],
  });

  it('a Deny of the read-back of a write is a finding that says what it breaks', () => {
    const plan = planOf([
      versioningChange,
      policyChange(denyOf('s3:GetBucketVersioning', BUCKET_ARN)),
    ]);
    const findings = planLockout(plan, HTTPS);
    expect(findings.map((finding) => [finding.sid, finding.certainty])).toEqual([
      ['DenyRead', 'denies'],
    ]);
    expect(findings[0]?.reason).toBe(
      'denies you s3:GetBucketVersioning on arn:aws:s3:::my-bucket, a read s3-harden needs for the drift check, the read-back after each write and the rollback (without it s3-harden could not verify or undo the plan) unconditionally',
    );
    expect(lockoutRefusal(findings)).toMatch(
      /^lockout: bucket policy DenyRead denies you s3:GetBucketVersioning/,
    );
  });

  it('a Deny of HeadBucket (s3:ListBucket) is a finding for any plan on the bucket', () => {
    const plan = planOf([policyChange(denyOf('s3:ListBucket', BUCKET_ARN))]);
    expect(planLockout(plan, HTTPS)[0]?.denied).toMatch(
      /^denies you s3:ListBucket on arn:aws:s3:::my-bucket, a read s3-harden needs/,
    );
  });

  it('a Deny of a read the drift check makes (a resource the plan observed) is a finding', () => {
    const plan = planOf([policyChange(denyOf('s3:GetEncryptionConfiguration', BUCKET_ARN))], {
      'bucket.encryption': null,
    });
    expect(planLockout(plan, HTTPS).map((finding) => finding.sid)).toEqual(['DenyRead']);
  });

  it('names the reads among the other actions a broad Deny covers', () => {
    const plan = planOf([
      versioningChange,
      policyChange(
        denyOf('s3:*', BUCKET_ARN, {
          Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } },
        }),
      ),
    ]);
    const [finding] = planLockout(plan, HTTPS);
    expect(finding?.denied).toMatch(
      /^denies you s3:GetBucketPolicy, s3:PutBucketPolicy, s3:DeleteBucketPolicy and \d+ more on arn:aws:s3:::my-bucket, among them the reads s3:GetBucketVersioning, s3:ListBucket that s3-harden needs for the drift check, the read-back after each write and the rollback \(without them s3-harden could not verify or undo the plan\)$/,
    );
  });

  it('a read no part of apply makes, or a Deny that exempts the caller, is not a finding', () => {
    const other = planOf([policyChange(denyOf('s3:GetReplicationConfiguration', BUCKET_ARN))]);
    expect(planLockout(other, HTTPS)).toEqual([]);
    const exempt = planOf([
      versioningChange,
      policyChange(
        denyOf(['s3:GetBucketVersioning', 's3:ListBucket'], BUCKET_ARN, {
          Condition: exemptCondition(undefined, ARN),
        }),
      ),
    ]);
    expect(planLockout(exempt, HTTPS)).toEqual([]);
  });

  it('the log target policy is checked for the log target’s reads, not the bucket’s', () => {
    const target = { ...TARGET, logBucket: 'my-logs' };
    const encryption = planOf(
      [
        versioningChange,
        policyChange(denyOf('s3:GetEncryptionConfiguration', LOGS_ARN), 'logTarget.policy'),
      ],
      {},
      target,
    );
    expect(planLockout(encryption, HTTPS).map((finding) => [finding.policy, finding.sid])).toEqual([
      ['log target', 'DenyRead'],
    ]);
    // The bucket's logging configuration is read on the bucket, not on the log target.
    const versioning = planOf(
      [versioningChange, policyChange(denyOf('s3:GetBucketLogging', LOGS_ARN), 'logTarget.policy')],
      {},
      target,
    );
    expect(planLockout(versioning, HTTPS)).toEqual([]);
  });

  it('the access point policy is checked for the access point reads', () => {
    const after = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyRead',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:GetAccessPoint',
          Resource: 'arn:aws:s3:us-east-1:123456789012:accesspoint/my-bucket-ap',
        },
      ],
    };
    const change = {
      ...policyChange(after),
      id: 'bucket.accessPointPolicy',
      resource: 'bucket.accessPointPolicy',
      call: {
        service: 's3control',
        operation: 'PutAccessPointPolicy',
        input: { AccountId: '123456789012', Name: 'my-bucket-ap', Policy: JSON.stringify(after) },
      },
      undo: {
        service: 's3control',
        operation: 'DeleteAccessPointPolicy',
        input: { AccountId: '123456789012', Name: 'my-bucket-ap' },
      },
    } as unknown as Change;
    const plan = planOf([change], { 'bucket.accessPoint': null });
    expect(planLockout(plan, HTTPS).map((finding) => [finding.policy, finding.sid])).toEqual([
      ['access point', 'DenyRead'],
    ]);
  });
});

describe('operators the guard must not read too kindly', () => {
  it('NumericNotEquals holds when the key is absent, as the other negated operators do', () => {
    const statement = deny({ NumericNotEquals: { 's3:TlsVersion': '1.2' } });
    const plainHttp: CallerContext = { principalArn: ARN, secureTransport: false };
    expect(evaluateDeny(statement, plainHttp, NEEDED, BUCKET_ARN)?.certainty).toBe('denies');
    expect(evaluateDeny(statement, HTTPS, NEEDED, BUCKET_ARN)).toBeNull();
  });

  it('ArnLike matches the six ARN components each on its own: a * never spans a colon', () => {
    const verdict = (pattern: string) =>
      evaluateDeny(deny({ ArnNotLike: { 'aws:PrincipalArn': pattern } }), HTTPS, NEEDED, BUCKET_ARN)
        ?.certainty ?? 'no';
    // Matched as a whole string these exempt the caller; component by component they do not.
    expect(verdict('arn:aws:iam::*')).toBe('may deny');
    expect(verdict('arn:aws:iam:*:user/operator')).toBe('may deny');
    // Both readings agree: an exemption.
    expect(verdict('arn:aws:iam::*:user/operator')).toBe('no');
    expect(verdict('arn:aws:iam::123456789012:*')).toBe('no');
    // StringLike has no components: a * spans anything.
    expect(
      evaluateDeny(
        deny({ StringNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*' } }),
        HTTPS,
        NEEDED,
        BUCKET_ARN,
      ),
    ).toBeNull();
  });
});
