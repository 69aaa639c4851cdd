/**
 * Policy validation before apply. The emulator has no IAM Access Analyzer, so
 * the checks themselves are tested at the SDK boundary (aws-sdk-client-mock:
 * the exact ValidatePolicy / CheckNoPublicAccess inputs, pagination, and the
 * documented errors), and the step-aside against the real emulator, through a
 * session and through the built CLI.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessAnalyzerClient,
  CheckNoPublicAccessCommand,
  type CheckNoPublicAccessCommandOutput,
  ValidatePolicyCommand,
  type ValidatePolicyFinding,
} from '@aws-sdk/client-accessanalyzer';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { createPolicyValidator, NOT_AVAILABLE } from '../../src/aws/policy-validation.js';
import { gate } from '../../src/flow/gate.js';
import type { ApiCall } from '../../src/plan/model/call.js';
import type { Change, Plan, ResourceKey } from '../../src/plan/model/types.js';
import { policyJson } from '../../src/plan/policy/document.js';
import { buildPlan, defaultAnswers, readsFor } from '../../src/steps/index.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, setAccountPublicAccessBlock } from '../helpers/fixtures.js';

const ACCOUNT = '123456789012';
const BUCKET = 'checked-bucket';

const policy = (sid: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: sid,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
});

function change(resource: ResourceKey, after: unknown, title: string): Change {
  return {
    id: resource,
    step: 'bucket-policy',
    title,
    resource,
    action: 'create',
    call: { service: 's3', operation: 'PutBucketPolicy', input: { Bucket: BUCKET } },
    before: null,
    after,
    undo: { service: 's3', operation: 'DeleteBucketPolicy', input: { Bucket: BUCKET } },
    dependsOn: [],
    warnings: [],
  };
}

function planWith(changes: Change[], logBucket?: string): Plan {
  return {
    target: {
      accountId: ACCOUNT,
      region: 'us-east-1',
      bucket: BUCKET,
      ...(logBucket ? { logBucket } : {}),
    },
    preset: 'baseline',
    createdAt: '2025-01-02T03:04:05.000Z',
    observed: {},
    changes,
    skipped: [],
  };
}

const sdkError = (name: string, status: number, message: string) =>
  Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });

/** Where a finding's text is; the findings model uses the path only. */
const SPAN = { start: { line: 0, column: 0, offset: 0 }, end: { line: 0, column: 1, offset: 1 } };

const mockAnalyzer = () => mockClient(AccessAnalyzerClient);

const PASS: Partial<CheckNoPublicAccessCommandOutput> = {
  result: 'PASS',
  message: 'The resource policy does not grant public access.',
  reasons: [],
};

describe('policy checks at the SDK boundary (IAM Access Analyzer mocked)', () => {
  // Installed for this block only (not when the file is collected).
  let analyzer: ReturnType<typeof mockAnalyzer>;
  let session: AwsSession;

  beforeAll(() => {
    analyzer = mockAnalyzer();
  });
  beforeEach(async () => {
    analyzer.reset();
    // A session per test: the "is Access Analyzer here?" answer lasts a session.
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterEach(() => session.close());
  afterAll(() => analyzer.restore());

  it('sends exactly ValidatePolicy (every page) and CheckNoPublicAccess for the bucket policy', async () => {
    const document = policy('S3HardenDenyInsecureTransport');
    analyzer
      .on(ValidatePolicyCommand)
      .resolvesOnce({
        findings: [
          {
            findingType: 'SUGGESTION',
            issueCode: 'EMPTY_ARRAY_ACTION',
            findingDetails: 'Remove the empty array.',
            learnMoreLink: 'https://docs.aws.amazon.com/access-analyzer-reference',
            locations: [
              {
                path: [{ key: 'Statement' }, { index: 0 }, { key: 'Action' }],
                span: SPAN,
              },
            ],
          },
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        findings: [
          {
            findingType: 'ERROR',
            issueCode: 'INVALID_CONDITION_KEY',
            findingDetails: 'The condition key aws:SecureTransprt does not exist.',
            learnMoreLink: 'https://docs.aws.amazon.com/access-analyzer-reference',
            locations: [
              {
                path: [{ key: 'Statement' }, { index: 0 }, { key: 'Condition' }],
                span: SPAN,
              },
            ],
          },
        ],
      });
    analyzer.on(CheckNoPublicAccessCommand).resolves(PASS);

    const result = await session.validatePolicies(
      planWith([change('bucket.policy', document, 'Bucket policy')]),
    );

    const text = policyJson(document);
    expect(analyzer.commandCalls(ValidatePolicyCommand).map((call) => call.args[0].input)).toEqual([
      {
        policyDocument: text,
        policyType: 'RESOURCE_POLICY',
        validatePolicyResourceType: 'AWS::S3::Bucket',
      },
      {
        policyDocument: text,
        policyType: 'RESOURCE_POLICY',
        validatePolicyResourceType: 'AWS::S3::Bucket',
        nextToken: 'page-2',
      },
    ]);
    expect(
      analyzer.commandCalls(CheckNoPublicAccessCommand).map((call) => call.args[0].input),
    ).toEqual([{ policyDocument: text, resourceType: 'AWS::S3::Bucket' }]);
    expect(result).toEqual({
      checked: true,
      policies: ['bucket.policy'],
      findings: [
        {
          severity: 'error',
          message: 'The condition key aws:SecureTransprt does not exist.',
          location: 'Statement[0].Condition',
          check: 'ValidatePolicy',
          code: 'INVALID_CONDITION_KEY',
          learnMore: 'https://docs.aws.amazon.com/access-analyzer-reference',
          change: 'bucket.policy',
          policy: 'Bucket policy',
        },
        {
          severity: 'suggestion',
          message: 'Remove the empty array.',
          location: 'Statement[0].Action',
          check: 'ValidatePolicy',
          code: 'EMPTY_ARRAY_ACTION',
          learnMore: 'https://docs.aws.amazon.com/access-analyzer-reference',
          change: 'bucket.policy',
          policy: 'Bucket policy',
        },
      ],
    });
    expect(session.callCounts()).toMatchObject({
      'accessanalyzer:ValidatePolicy': 2,
      'accessanalyzer:CheckNoPublicAccess': 1,
    });
  });

  it('checks the access point policy as AWS::S3::AccessPoint and the log bucket policy as a bucket', async () => {
    analyzer.on(ValidatePolicyCommand).resolves({ findings: [] });
    analyzer.on(CheckNoPublicAccessCommand).resolves(PASS);
    const access = policy('AccessPointRead');
    const logs = policy('AllowLogDelivery');
    const result = await session.validatePolicies(
      planWith(
        [
          change('logTarget.policy', logs, 'Log bucket my-logs: allow log delivery'),
          change('bucket.accessPointPolicy', access, 'Access point policy'),
        ],
        'my-logs',
      ),
    );
    expect(result).toEqual({
      checked: true,
      policies: ['logTarget.policy', 'bucket.accessPointPolicy'],
      findings: [],
    });
    expect(analyzer.commandCalls(ValidatePolicyCommand).map((call) => call.args[0].input)).toEqual([
      {
        policyDocument: policyJson(logs),
        policyType: 'RESOURCE_POLICY',
        validatePolicyResourceType: 'AWS::S3::Bucket',
      },
      {
        policyDocument: policyJson(access),
        policyType: 'RESOURCE_POLICY',
        validatePolicyResourceType: 'AWS::S3::AccessPoint',
      },
    ]);
    expect(
      analyzer.commandCalls(CheckNoPublicAccessCommand).map((call) => call.args[0].input),
    ).toEqual([
      { policyDocument: policyJson(logs), resourceType: 'AWS::S3::Bucket' },
      { policyDocument: policyJson(access), resourceType: 'AWS::S3::AccessPoint' },
    ]);
  });

  it('the first policy is checked alone, then the others together (one round trip, not one a policy)', async () => {
    const pending: { call: ApiCall; answer: (output: Record<string, unknown>) => void }[] = [];
    const validator = createPolicyValidator(
      (call) => new Promise((answer) => pending.push({ call, answer })),
    );
    const inFlight = () => pending.map(({ call }) => call.operation);
    const answerAll = () => {
      for (const { call, answer } of pending.splice(0)) {
        answer(call.operation === 'ValidatePolicy' ? { findings: [] } : { result: 'PASS' });
      }
    };
    const until = async (condition: () => boolean) => {
      for (let turn = 0; turn < 1000 && !condition(); turn++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const done = validator.validate(
      planWith(
        [
          change('bucket.policy', policy('Bucket'), 'Bucket policy'),
          change('logTarget.policy', policy('AllowLogDelivery'), 'Log bucket policy'),
          change('bucket.accessPointPolicy', policy('AccessPointRead'), 'Access point policy'),
        ],
        'my-logs',
      ),
    );
    await until(() => pending.length > 0);
    expect(inFlight()).toEqual(['ValidatePolicy']);
    answerAll();
    await until(() => pending.length > 0);
    expect(inFlight()).toEqual(['CheckNoPublicAccess']);
    answerAll();
    await until(() => pending.length >= 2);
    expect(inFlight()).toEqual(['ValidatePolicy', 'ValidatePolicy']);
    answerAll();
    await until(() => pending.length >= 2);
    expect(inFlight()).toEqual(['CheckNoPublicAccess', 'CheckNoPublicAccess']);
    answerAll();
    expect(await done).toEqual({
      checked: true,
      policies: ['bucket.policy', 'logTarget.policy', 'bucket.accessPointPolicy'],
      findings: [],
    });
  });

  it('apply asks for the policy checks while it reads the bucket again, not after', async () => {
    const asked: string[] = [];
    let answerRead: (posture: unknown) => void = () => {};
    const posture = { bucket: BUCKET, values: {}, unreadable: {}, skipped: {} };
    const session = {
      identity: { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/me`, userId: 'me' },
      observe: () => {
        asked.push('observe');
        return new Promise((resolve) => {
          answerRead = resolve;
        });
      },
      observeLogTarget: async (live: unknown) => live,
      validatePolicies: async () => {
        asked.push('validatePolicies');
        return { checked: true, policies: ['bucket.policy'], findings: [] };
      },
    } as unknown as Parameters<typeof gate>[1];
    const checked = gate(
      planWith([change('bucket.policy', policy('Bucket'), 'Bucket policy')]),
      session,
    );
    for (let turn = 0; turn < 100 && asked.length < 2; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Both asked while the read is still unanswered.
    expect(asked.sort()).toEqual(['observe', 'validatePolicies']);
    answerRead(posture);
    expect((await checked).status).not.toBe('blocked');
  });

  it('a public policy is a security warning at its statement', async () => {
    analyzer.on(ValidatePolicyCommand).resolves({ findings: [] });
    analyzer.on(CheckNoPublicAccessCommand).resolves({
      result: 'FAIL',
      message: 'The resource policy grants public access for the access type.',
      reasons: [
        {
          description: 'Public access granted in the following statement with sid: PublicRead.',
          statementIndex: 0,
          statementId: 'PublicRead',
        },
      ],
    });
    const result = await session.validatePolicies(
      planWith([change('bucket.policy', policy('PublicRead'), 'Bucket policy')]),
    );
    expect(result.findings).toEqual([
      {
        severity: 'security-warning',
        message:
          'may allow public access (Sid PublicRead): Public access granted in the following statement with sid: PublicRead.',
        location: 'Statement[0]',
        check: 'CheckNoPublicAccess',
        change: 'bucket.policy',
        policy: 'Bucket policy',
      },
    ]);
  });

  it('the same documents are checked once per session', async () => {
    analyzer.on(ValidatePolicyCommand).resolves({ findings: [] });
    analyzer.on(CheckNoPublicAccessCommand).resolves(PASS);
    const plan = planWith([change('bucket.policy', policy('Same'), 'Bucket policy')]);
    await session.validatePolicies(plan);
    await session.validatePolicies(plan);
    expect(analyzer.commandCalls(ValidatePolicyCommand)).toHaveLength(1);
    expect(analyzer.commandCalls(CheckNoPublicAccessCommand)).toHaveLength(1);
  });

  it('access denied: skipped with the action named, and not asked again this session', async () => {
    analyzer
      .on(ValidatePolicyCommand)
      .rejects(
        sdkError(
          'AccessDeniedException',
          403,
          'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: access-analyzer:ValidatePolicy',
        ),
      );
    const first = await session.validatePolicies(
      planWith([change('bucket.policy', policy('One'), 'Bucket policy')]),
    );
    expect(first).toEqual({
      checked: false,
      skippedReason: 'access denied: access-analyzer:ValidatePolicy',
      policies: ['bucket.policy'],
      findings: [],
    });
    const second = await session.validatePolicies(
      planWith([change('bucket.policy', policy('Two'), 'Bucket policy')]),
    );
    expect(second.skippedReason).toBe('access denied: access-analyzer:ValidatePolicy');
    expect(analyzer.commandCalls(ValidatePolicyCommand)).toHaveLength(1);
    expect(analyzer.commandCalls(CheckNoPublicAccessCommand)).toHaveLength(0);
  });

  it('CheckNoPublicAccess denied: the ValidatePolicy findings stay, the checks are incomplete', async () => {
    analyzer.on(ValidatePolicyCommand).resolves({
      findings: [
        {
          findingType: 'WARNING',
          issueCode: 'REDUNDANT_ACTION',
          findingDetails: 'Redundant action.',
          learnMoreLink: 'https://docs.aws.amazon.com/x',
          locations: [],
        },
      ],
    });
    analyzer
      .on(CheckNoPublicAccessCommand)
      .rejects(sdkError('AccessDeniedException', 403, 'not authorized'));
    const result = await session.validatePolicies(
      planWith([change('bucket.policy', policy('One'), 'Bucket policy')]),
    );
    expect(result.checked).toBe(false);
    expect(result.skippedReason).toBe('access denied: access-analyzer:CheckNoPublicAccess');
    expect(result.findings.map((finding) => finding.code)).toEqual(['REDUNDANT_ACTION']);
  });

  it('throttling: skipped for now, and the next check asks again', async () => {
    analyzer
      .on(ValidatePolicyCommand)
      .rejectsOnce(sdkError('ThrottlingException', 429, 'Rate exceeded'))
      .resolves({ findings: [] });
    analyzer.on(CheckNoPublicAccessCommand).resolves(PASS);
    const plan = planWith([change('bucket.policy', policy('One'), 'Bucket policy')]);
    const first = await session.validatePolicies(plan);
    expect(first).toEqual({
      checked: false,
      skippedReason:
        'IAM Access Analyzer is throttling requests (ThrottlingException); try again shortly',
      policies: ['bucket.policy'],
      findings: [],
    });
    const second = await session.validatePolicies(plan);
    expect(second).toEqual({ checked: true, policies: ['bucket.policy'], findings: [] });
    expect(analyzer.commandCalls(ValidatePolicyCommand)).toHaveLength(2);
  });

  it('a ValidationException is reported, not thrown', async () => {
    analyzer
      .on(ValidatePolicyCommand)
      .rejects(
        sdkError(
          'ValidationException',
          400,
          '1 validation error detected: policyDocument too long',
        ),
      );
    const result = await session.validatePolicies(
      planWith([change('bucket.policy', policy('One'), 'Bucket policy')]),
    );
    expect(result).toEqual({
      checked: false,
      skippedReason:
        'IAM Access Analyzer refused ValidatePolicy (ValidationException: 1 validation error detected: policyDocument too long)',
      policies: ['bucket.policy'],
      findings: [],
    });
  });

  it('a 501 from the endpoint: not available, found once for the session', async () => {
    analyzer.on(ValidatePolicyCommand).rejects(sdkError('NotImplemented', 501, 'Not Implemented'));
    const first = await session.validatePolicies(
      planWith([change('bucket.policy', policy('One'), 'Bucket policy')]),
    );
    expect(first.skippedReason).toBe(NOT_AVAILABLE);
    await session.validatePolicies(
      planWith([change('bucket.accessPointPolicy', policy('Two'), 'Access point policy')]),
    );
    expect(analyzer.commandCalls(ValidatePolicyCommand)).toHaveLength(1);
  });

  describe('`plan` and `apply` with findings', () => {
    const output = () => {
      const stream = {
        text: '',
        isTTY: false,
        write: (chunk: string) => {
          stream.text += chunk;
          return true;
        },
      };
      return stream;
    };
    const ERROR_FINDING: ValidatePolicyFinding = {
      findingType: 'ERROR',
      issueCode: 'INVALID_CONDITION_KEY',
      findingDetails: 'The condition key aws:SecureTransprt does not exist.',
      learnMoreLink: 'https://docs.aws.amazon.com/x',
      locations: [
        {
          path: [{ key: 'Statement' }, { index: 0 }, { key: 'Condition' }],
          span: SPAN,
        },
      ],
    };
    const PUBLIC_FAIL: Partial<CheckNoPublicAccessCommandOutput> = {
      result: 'FAIL',
      message: 'The resource policy grants public access for the access type.',
      reasons: [
        {
          description: 'Public access granted.',
          statementIndex: 0,
          statementId: 'S3HardenDenyInsecureTransport',
        },
      ],
    };
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 's3-harden-validation-'));
    });

    const planFile = async (bucket: string) => {
      const { runPlan } = await import('../../src/commands/plan.js');
      const file = join(dir, `${bucket}.json`);
      const out = output();
      const code = await runPlan(
        {
          bucket,
          preset: 'baseline',
          skip: [],
          only: ['bucket-policy'],
          json: false,
          out: file,
          connection: { endpoint: emulatorUrl() },
        },
        out as unknown as typeof process.stdout,
      );
      return { file, code, stdout: out.text };
    };
    const apply = async (file: string, flags: { allowSecurityWarnings?: boolean } = {}) => {
      const { runApply } = await import('../../src/commands/apply.js');
      const out = output();
      try {
        const code = await runApply(
          {
            file,
            yes: true,
            allowIrreversible: false,
            ...flags,
            connection: { endpoint: emulatorUrl() },
          },
          out as unknown as typeof process.stdout,
        );
        return { code, stdout: out.text };
      } catch (error) {
        return { error: (error as Error).message, stdout: out.text };
      }
    };
    const livePolicy = async (bucket: string) =>
      (await session.observe(bucket, ['bucket.policy'])).values['bucket.policy'];

    it('`plan` prints errors after the diff and fails (exit 1) so CI stops; --json carries them', async () => {
      const bucket = uniqueBucket('aa-error');
      await createBucket(bucket);
      analyzer.on(ValidatePolicyCommand).resolves({ findings: [ERROR_FINDING] });
      analyzer.on(CheckNoPublicAccessCommand).resolves(PASS);
      const { runPlan } = await import('../../src/commands/plan.js');
      const out = output();
      const file = join(dir, 'errors.json');
      await expect(
        runPlan(
          {
            bucket,
            preset: 'baseline',
            skip: [],
            only: ['bucket-policy'],
            json: false,
            out: file,
            connection: { endpoint: emulatorUrl() },
          },
          out as unknown as typeof process.stdout,
        ),
      ).rejects.toMatchObject({
        exitCode: 1,
        message:
          "IAM Access Analyzer found 1 error in the plan's policies: Bucket policy, Statement[0].Condition: The condition key aws:SecureTransprt does not exist; apply would refuse this plan.",
      });
      expect(out.text).toContain(
        [
          'Plan: 1 to add, 0 to change, 0 to remove (0 irreversible).',
          '',
          'Policy checks (IAM Access Analyzer): 1 error.',
          '  error: Bucket policy, Statement[0].Condition: The condition key aws:SecureTransprt does not exist. [INVALID_CONDITION_KEY]',
          '  Apply is refused until this error is fixed.',
        ].join('\n'),
      );
      expect(out.text).toContain(
        `Saved the plan to ${file}; apply refuses it while its policies have errors.`,
      );

      const json = output();
      await expect(
        runPlan(
          {
            bucket,
            preset: 'baseline',
            skip: [],
            only: ['bucket-policy'],
            json: true,
            connection: { endpoint: emulatorUrl() },
          },
          json as unknown as typeof process.stdout,
        ),
      ).rejects.toMatchObject({ exitCode: 1 });
      expect(JSON.parse(json.text).validation).toMatchObject({
        checked: true,
        policies: ['bucket.policy'],
        findings: [
          { severity: 'error', location: 'Statement[0].Condition', code: 'INVALID_CONDITION_KEY' },
        ],
      });
    });

    it('`apply` checks a saved plan again and refuses errors in one line, writing nothing', async () => {
      const bucket = uniqueBucket('aa-apply-error');
      await createBucket(bucket);
      // The plan was clean when it was made…
      analyzer.on(ValidatePolicyCommand).resolves({ findings: [] });
      analyzer.on(CheckNoPublicAccessCommand).resolves(PASS);
      const { file, code } = await planFile(bucket);
      expect(code).toBe(2);
      // …but Access Analyzer finds an error by the time it is applied.
      analyzer.reset();
      analyzer.on(ValidatePolicyCommand).resolves({ findings: [ERROR_FINDING] });
      analyzer.on(CheckNoPublicAccessCommand).resolves(PASS);
      const result = await apply(file);
      expect(result.error).toBe(
        "IAM Access Analyzer found 1 error in the plan's policies: Bucket policy, Statement[0].Condition: The condition key aws:SecureTransprt does not exist; nothing applied. Change the answers or fix the policy, then make a new plan.",
      );
      expect(result.error).not.toContain('\n');
      expect(await livePolicy(bucket)).toBeNull();
    });

    it('`apply --yes` with security warnings needs --allow-security-warnings', async () => {
      const bucket = uniqueBucket('aa-apply-warning');
      await createBucket(bucket);
      analyzer.on(ValidatePolicyCommand).resolves({ findings: [] });
      analyzer.on(CheckNoPublicAccessCommand).resolves(PUBLIC_FAIL);
      const { file, code, stdout } = await planFile(bucket);
      expect(code).toBe(2);
      expect(stdout).toContain('  Apply asks you to accept the security warning first.');
      const refused = await apply(file);
      expect(refused.error).toBe(
        'IAM Access Analyzer reports 1 security warning (Bucket policy): add --allow-security-warnings to apply them with --yes',
      );
      expect(refused.stdout).toContain(
        '  security warning: Bucket policy, Statement[0]: may allow public access (Sid S3HardenDenyInsecureTransport): Public access granted.',
      );
      expect(await livePolicy(bucket)).toBeNull();
      const applied = await apply(file, { allowSecurityWarnings: true });
      expect(applied.error).toBeUndefined();
      expect(applied.code).toBe(0);
      expect(applied.stdout).toContain('Apply complete: 1 change applied and verified.');
      expect(await livePolicy(bucket)).not.toBeNull();
    });
  });

  it('a plan without a policy makes no call', async () => {
    const result = await session.validatePolicies(
      planWith([change('bucket.policy', null, 'Bucket policy')]),
    );
    expect(result).toEqual({ checked: true, policies: [], findings: [] });
    expect(analyzer.calls()).toHaveLength(0);
  });
});

describe('against the emulator, which has no IAM Access Analyzer', () => {
  let session: AwsSession;
  let dir: string;
  const endpoint = () => ['--endpoint-url', emulatorUrl()];

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => session.close());
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-validation-'));
    await setAccountPublicAccessBlock(null);
  });

  it('a session finds out once, and the checks step aside with the reason', async () => {
    const bucket = uniqueBucket('aa-missing');
    await createBucket(bucket);
    const posture = await session.observe(bucket, readsFor(['bucket-policy']), {
      optional: ['account.vpcEndpoints'],
    });
    const plan = buildPlan(
      posture,
      'baseline',
      ['bucket-policy'],
      defaultAnswers(posture, 'baseline', ['bucket-policy']),
    );
    expect(plan.changes.map((each) => each.id)).toEqual(['bucket.policy']);
    const before = session.callCounts()['accessanalyzer:ValidatePolicy'] ?? 0;
    expect(await session.validatePolicies(plan)).toEqual({
      checked: false,
      skippedReason: 'IAM Access Analyzer is not available at this endpoint',
      policies: ['bucket.policy'],
      findings: [],
    });
    expect(await session.validatePolicies(plan)).toMatchObject({ checked: false });
    // Detected on the first call; the second check asks nothing.
    expect((session.callCounts()['accessanalyzer:ValidatePolicy'] ?? 0) - before).toBe(1);
    expect(session.callCounts()['accessanalyzer:CheckNoPublicAccess']).toBeUndefined();
  });

  it('`plan` says the checks were skipped and why, with the exit code unchanged; --json too; apply goes ahead', async () => {
    const bucket = uniqueBucket('aa-plan');
    await createBucket(bucket);
    const file = join(dir, 'plan.json');
    const planned = await runCli([
      'plan',
      '--only',
      'bucket-policy',
      '--bucket',
      bucket,
      '--out',
      file,
      ...endpoint(),
    ]);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
    const lines = planned.stdout.split('\n');
    const summary = lines.indexOf('Plan: 1 to add, 0 to change, 0 to remove (0 irreversible).');
    expect(summary).toBeGreaterThan(0);
    // Right after the diff.
    expect(lines.slice(summary + 1, summary + 3)).toEqual([
      '',
      'Policy checks skipped: IAM Access Analyzer is not available at this endpoint',
    ]);

    const json = await runCli([
      'plan',
      '--only',
      'bucket-policy',
      '--bucket',
      bucket,
      '--json',
      ...endpoint(),
    ]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).validation).toEqual({
      checked: false,
      skippedReason: 'IAM Access Analyzer is not available at this endpoint',
      policies: ['bucket.policy'],
      findings: [],
    });

    const applied = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain(
      'Policy checks skipped: IAM Access Analyzer is not available at this endpoint',
    );
    expect(applied.stdout).toContain('Apply complete: 1 change applied and verified.');
    expect(applied.code).toBe(0);
  });

  it('a plan that writes no policy says nothing about policy checks', async () => {
    const bucket = uniqueBucket('aa-none');
    await createBucket(bucket);
    const planned = await runCli([
      'plan',
      '--only',
      'public-access-block',
      '--bucket',
      bucket,
      '--json',
      ...endpoint(),
    ]);
    expect(planned.code).toBe(2);
    expect(JSON.parse(planned.stdout).validation).toEqual({
      checked: true,
      policies: [],
      findings: [],
    });
    const text = await runCli([
      'plan',
      '--only',
      'public-access-block',
      '--bucket',
      bucket,
      ...endpoint(),
    ]);
    expect(text.stdout).not.toContain('Policy checks');
  });
});
