/**
 * Logging into a target whose policy stops log delivery: the logging step
 * evaluates the target's policy (with the grant it adds) for the request
 * `logging.s3.amazonaws.com` really makes, and refuses a target that denies
 * it — logs would never arrive, silently. Judged against the policy
 * simulator: wherever the simulator denies delivery the step refuses (or
 * warns, where it cannot decide), and wherever the step plans without a
 * word, the simulator allows it.
 */
import { describe, expect, it } from 'vitest';
import type { Posture } from '../../src/plan/model/types.js';
import type { PolicyDocument } from '../../src/plan/policy/document.js';
import { type LoggingAnswers, LoggingError, loggingStep } from '../../src/steps/logging.js';
import { decide } from '../helpers/simulator.js';

const ACCOUNT = '123456789012';
const SOURCE = 'app-data';
const TARGET = 'app-data-logs';
const TARGET_ARN = `arn:aws:s3:::${TARGET}`;

const posture = (policy: PolicyDocument | null): Posture => ({
  accountId: ACCOUNT,
  region: 'us-east-1',
  bucket: SOURCE,
  logBucket: TARGET,
  principalArn: `arn:aws:iam::${ACCOUNT}:user/operator`,
  observedAt: '2026-12-01T12:00:00.000Z',
  values: {
    'bucket.logging': null,
    'logTarget.exists': { Region: 'us-east-1' },
    'logTarget.policy': policy,
    'logTarget.encryption': null,
    'logTarget.objectLock': null,
    'logTarget.requestPayment': 'BucketOwner',
  },
  unreadable: {},
});

const deny = (Sid: string, Condition: Record<string, unknown>, extra: object = {}) => ({
  Sid,
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:PutObject',
  Resource: `${TARGET_ARN}/*`,
  Condition,
  ...extra,
});

/** Target policies as operators and earlier tools leave them. */
const POLICIES: readonly [string, PolicyDocument | null][] = [
  ['no policy', null],
  [
    'HTTPS only',
    {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'HttpsOnly',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [TARGET_ARN, `${TARGET_ARN}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    },
  ],
  [
    "an earlier s3-harden's deny-unencrypted-uploads",
    {
      Version: '2012-10-17',
      Statement: [
        deny('S3HardenDenyUnencryptedUploads', {
          Null: { 's3:x-amz-server-side-encryption': 'true' },
        }),
      ],
    },
  ],
  [
    "the guide's deny of another algorithm",
    {
      Version: '2012-10-17',
      Statement: [
        deny('DenyIncorrectEncryptionHeader', {
          StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' },
        }),
      ],
    },
  ],
  [
    'today’s deny of another algorithm (header present only)',
    {
      Version: '2012-10-17',
      Statement: [
        deny('DenyOtherAlgorithms', {
          StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' },
          Null: { 's3:x-amz-server-side-encryption': 'false' },
        }),
      ],
    },
  ],
  [
    'a VPC-endpoint Deny without the service exemption',
    {
      Version: '2012-10-17',
      Statement: [
        deny('VpceOnly', { StringNotEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } }),
      ],
    },
  ],
  [
    'a VPC-endpoint Deny with it',
    {
      Version: '2012-10-17',
      Statement: [
        deny('VpceOnly', {
          StringNotEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' },
          BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
        }),
      ],
    },
  ],
  [
    'an organisation-only Deny',
    {
      Version: '2012-10-17',
      Statement: [deny('OrgOnly', { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } })],
    },
  ],
  [
    'a Deny of other source accounts',
    {
      Version: '2012-10-17',
      Statement: [deny('SourceAccount', { StringNotEquals: { 'aws:SourceAccount': ACCOUNT } })],
    },
  ],
  [
    'a Deny on another prefix',
    {
      Version: '2012-10-17',
      Statement: [
        deny(
          'Other',
          { Bool: { 'aws:SecureTransport': 'true' } },
          {
            Resource: `${TARGET_ARN}/archive/*`,
          },
        ),
      ],
    },
  ],
];

const answers: LoggingAnswers = {
  enabled: true,
  target: TARGET,
  prefix: 's3-access-logs/',
  format: 'partitioned-delivery',
};

type Verdict = 'planned' | 'warned' | 'refused';

function planVerdict(policy: PolicyDocument | null): {
  verdict: Verdict;
  after: PolicyDocument | null;
} {
  try {
    const changes = loggingStep.plan(posture(policy), answers);
    const after = (changes.find((change) => change.id === 'logTarget.policy')?.after ??
      policy) as PolicyDocument | null;
    const warned = changes.some((change) =>
      change.warnings.some((warning) => warning.includes('may deny log delivery')),
    );
    return { verdict: warned ? 'warned' : 'planned', after };
  } catch (error) {
    if (error instanceof LoggingError) return { verdict: 'refused', after: null };
    throw error;
  }
}

/** What S3 asks IAM when it delivers a log object for the source bucket. */
async function delivered(policy: PolicyDocument | null): Promise<boolean> {
  return (
    (await decide({
      principal: 'logging.s3.amazonaws.com',
      action: 's3:PutObject',
      resource: `${TARGET_ARN}/s3-access-logs/${ACCOUNT}/us-east-1/${SOURCE}/2026/12/01/log`,
      resourceAccount: ACCOUNT,
      context: {
        'aws:SecureTransport': 'true',
        'aws:PrincipalIsAWSService': 'true',
        'aws:PrincipalServiceName': 'logging.s3.amazonaws.com',
        'aws:SourceArn': `arn:aws:s3:::${SOURCE}`,
        'aws:SourceAccount': ACCOUNT,
        's3:TlsVersion': '1.2',
      },
      resourcePolicy: policy,
    })) === 'Allowed'
  );
}

describe('log delivery into the target: refused where the simulator says it would be denied', () => {
  it.each(POLICIES)('%s', async (_name, policy) => {
    const { verdict, after } = planVerdict(policy);
    if (verdict === 'refused') {
      // With the grant added, delivery would still be denied.
      const granted = loggingStep
        .plan(posture(null), answers)
        .find((change) => change.id === 'logTarget.policy')?.after as { Statement: unknown[] };
      const combined = {
        Version: '2012-10-17',
        Statement: [...((policy?.Statement as unknown[]) ?? []), ...granted.Statement],
      };
      expect(await delivered(combined)).toBe(false);
    } else if (verdict === 'planned') {
      expect(await delivered(after)).toBe(true);
    }
  });

  it('names the statement that stops it, in one line', () => {
    const policy = POLICIES[2]?.[1] ?? null;
    expect(() => loggingStep.plan(posture(policy), answers)).toThrow(
      /^Server access logging: the policy of app-data-logs denies log delivery: .*Sid S3HardenDenyUnencryptedUploads.*plan app-data-logs itself first/,
    );
  });

  it('the matrix of verdicts', () => {
    expect(POLICIES.map(([name, policy]) => [name, planVerdict(policy).verdict])).toEqual([
      ['no policy', 'planned'],
      ['HTTPS only', 'planned'],
      ["an earlier s3-harden's deny-unencrypted-uploads", 'refused'],
      ["the guide's deny of another algorithm", 'refused'],
      ['today’s deny of another algorithm (header present only)', 'planned'],
      ['a VPC-endpoint Deny without the service exemption', 'refused'],
      ['a VPC-endpoint Deny with it', 'planned'],
      ['an organisation-only Deny', 'refused'],
      ['a Deny of other source accounts', 'planned'],
      ['a Deny on another prefix', 'planned'],
    ]);
  });
});
