/**
 * The policy-validation findings model and its plan-style rendering (golden
 * strings), and the pure halves of src/aws/policy-validation.ts: how Access
 * Analyzer's answers become findings, and how its failures become reasons.
 */
import { describe, expect, it } from 'vitest';
import { AwsError } from '../../src/aws/errors.js';
import {
  failureOf,
  isNotAvailable,
  NOT_AVAILABLE,
  publicAccessFindings,
  validatePolicyFinding,
} from '../../src/aws/policy-validation.js';
import type { ApiCall, Change, ResourceKey } from '../../src/plan/model/types.js';
import {
  blocksApply,
  countsText,
  errorsLine,
  findingLine,
  jsonPath,
  needsConfirmation,
  nothingToCheck,
  type PolicyFinding,
  type PolicyValidation,
  policiesToCheck,
  renderValidation,
  securityWarningsLine,
  severityCounts,
  sortFindings,
  validationHeadline,
  wrap,
} from '../../src/plan/policy/validation.js';
import { type Line, linesToText } from '../../src/plan/render/render.js';
import { BUCKET, bucketChange, isOneLine, ON, planOf, TARGET } from './support.js';

const text = (lines: readonly Line[]) => linesToText(lines);

const POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'S3HardenDenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
};

function policyChange(
  resource: ResourceKey,
  after: unknown,
  overrides: Partial<Change> = {},
): Change {
  const call: ApiCall = { service: 's3', operation: 'PutBucketPolicy', input: { Bucket: BUCKET } };
  return {
    id: resource,
    step: 'bucket-policy',
    title: 'Bucket policy',
    resource,
    action: 'create',
    call,
    before: null,
    after,
    undo: { service: 's3', operation: 'DeleteBucketPolicy', input: { Bucket: BUCKET } },
    dependsOn: [],
    warnings: [],
    ...overrides,
  };
}

const finding = (overrides: Partial<PolicyFinding>): PolicyFinding => ({
  severity: 'warning',
  message: 'something',
  change: 'bucket.policy',
  policy: 'Bucket policy',
  check: 'ValidatePolicy',
  ...overrides,
});

const ERROR = finding({
  severity: 'error',
  message: 'The condition key aws:SecureTransprt does not exist for the service.',
  location: 'Statement[1].Condition.Bool.aws:SecureTransprt',
  code: 'INVALID_CONDITION_KEY',
});
const PUBLIC = finding({
  severity: 'security-warning',
  message: 'may allow public access (Sid PublicRead): grants s3:GetObject to everyone',
  location: 'Statement[2]',
  check: 'CheckNoPublicAccess',
});
const WARNING = finding({
  severity: 'warning',
  message: 'The statement has a redundant action.',
  location: 'Statement[0].Action[1]',
  alsoAt: ['Statement[0].Action[2]'],
  code: 'REDUNDANT_ACTION',
});
const SUGGESTION = finding({
  severity: 'suggestion',
  message: 'Add a Version element to the policy.',
  code: 'MISSING_VERSION',
});

const checked = (findings: PolicyFinding[]): PolicyValidation => ({
  checked: true,
  policies: ['bucket.policy'],
  findings: sortFindings(findings),
});

describe('policiesToCheck', () => {
  it('lists each policy document the plan writes, as sent, with its resource type', () => {
    const plan = planOf(
      [
        bucketChange(null, ON),
        policyChange('bucket.policy', POLICY),
        policyChange('logTarget.policy', POLICY, { id: 'logTarget.policy' }),
        policyChange('bucket.accessPointPolicy', POLICY, { id: 'bucket.accessPointPolicy' }),
      ],
      { target: { ...TARGET, logBucket: 'my-logs' } },
    );
    expect(
      policiesToCheck(plan).map(({ change, label, resourceType }) => ({
        change,
        label,
        resourceType,
      })),
    ).toEqual([
      { change: 'bucket.policy', label: 'Bucket policy', resourceType: 'AWS::S3::Bucket' },
      {
        change: 'logTarget.policy',
        label: 'Log bucket policy (my-logs)',
        resourceType: 'AWS::S3::Bucket',
      },
      {
        change: 'bucket.accessPointPolicy',
        label: 'Access point policy',
        resourceType: 'AWS::S3::AccessPoint',
      },
    ]);
    expect(policiesToCheck(plan)[0]?.document).toBe(JSON.stringify(POLICY));
  });

  it('a deleted policy and other resources are not checked', () => {
    const plan = planOf([bucketChange(null, ON), policyChange('bucket.policy', null)]);
    expect(policiesToCheck(plan)).toEqual([]);
  });
});

describe('jsonPath', () => {
  it('joins keys with dots and indexes in brackets', () => {
    expect(jsonPath([{ key: 'Statement' }, { index: 2 }, { key: 'Condition' }])).toBe(
      'Statement[2].Condition',
    );
    expect(
      jsonPath([
        { key: 'Statement' },
        { index: 0 },
        { key: 'Condition' },
        { key: 'StringEquals' },
        { key: 'aws:SourceArn' },
      ]),
    ).toBe('Statement[0].Condition.StringEquals.aws:SourceArn');
  });

  it('brackets keys that are not plain names, and shows values and parts of values', () => {
    expect(jsonPath([{ key: 'Statement' }, { index: 0 }, { key: 'odd key.x' }])).toBe(
      'Statement[0]["odd key.x"]',
    );
    expect(
      jsonPath([{ key: 'Statement' }, { index: 0 }, { key: 'Action' }, { value: 's3:GetObjekt' }]),
    ).toBe('Statement[0].Action="s3:GetObjekt"');
    expect(
      jsonPath([
        { key: 'Statement' },
        { index: 1 },
        { key: 'Resource' },
        { substring: { start: 13, length: 8 } },
      ]),
    ).toBe('Statement[1].Resource (characters 13–20)');
    expect(jsonPath([])).toBe('');
  });
});

describe('counting and deciding', () => {
  it('counts by severity; errors block apply, security warnings need a confirmation', () => {
    const all = checked([SUGGESTION, WARNING, PUBLIC, ERROR]);
    expect(severityCounts(all)).toEqual({
      error: 1,
      'security-warning': 1,
      warning: 1,
      suggestion: 1,
    });
    expect(blocksApply(all)).toBe(true);
    expect(needsConfirmation(all)).toBe(true);
    expect(blocksApply(checked([PUBLIC]))).toBe(false);
    expect(needsConfirmation(checked([PUBLIC]))).toBe(true);
    expect(blocksApply(checked([WARNING, SUGGESTION]))).toBe(false);
    expect(needsConfirmation(checked([WARNING, SUGGESTION]))).toBe(false);
  });

  it('sorts most severe first, keeping the reported order within a severity', () => {
    const second = { ...ERROR, message: 'second' };
    expect(sortFindings([SUGGESTION, ERROR, WARNING, second, PUBLIC])).toEqual([
      ERROR,
      second,
      PUBLIC,
      WARNING,
      SUGGESTION,
    ]);
  });

  it('says the counts in words, only those present', () => {
    expect(countsText(severityCounts(checked([ERROR, ERROR, SUGGESTION])))).toBe(
      '2 errors, 1 suggestion',
    );
    expect(countsText(severityCounts(checked([PUBLIC, PUBLIC])))).toBe('2 security warnings');
    expect(countsText(severityCounts(checked([])))).toBe('no findings');
  });
});

describe('renderValidation', () => {
  it('one line per finding, most severe first, then what it means for apply', () => {
    const lines = renderValidation(checked([SUGGESTION, WARNING, PUBLIC, ERROR]));
    expect(text(lines)).toBe(
      [
        'Policy checks (IAM Access Analyzer): 1 error, 1 security warning, 1 warning, 1 suggestion.',
        '  error: Bucket policy, Statement[1].Condition.Bool.aws:SecureTransprt: The condition key aws:SecureTransprt does not exist for the service. [INVALID_CONDITION_KEY]',
        '  security warning: Bucket policy, Statement[2]: may allow public access (Sid PublicRead): grants s3:GetObject to everyone',
        '  warning: Bucket policy, Statement[0].Action[1] and Statement[0].Action[2]: The statement has a redundant action. [REDUNDANT_ACTION]',
        '  suggestion: Bucket policy: Add a Version element to the policy. [MISSING_VERSION]',
        '  Apply is refused until this error is fixed.',
      ].join('\n'),
    );
    expect(lines.map((line) => line.kind)).toEqual([
      'heading',
      'irreversible',
      'warning',
      'warning',
      'note',
      'irreversible',
    ]);
  });

  it('security warnings without errors: apply asks first', () => {
    expect(text(renderValidation(checked([PUBLIC, PUBLIC])))).toBe(
      [
        'Policy checks (IAM Access Analyzer): 2 security warnings.',
        '  security warning: Bucket policy, Statement[2]: may allow public access (Sid PublicRead): grants s3:GetObject to everyone',
        '  security warning: Bucket policy, Statement[2]: may allow public access (Sid PublicRead): grants s3:GetObject to everyone',
        '  Apply asks you to accept the security warnings first.',
      ].join('\n'),
    );
  });

  it('suggestions alone are shown and ask nothing', () => {
    expect(text(renderValidation(checked([SUGGESTION])))).toBe(
      [
        'Policy checks (IAM Access Analyzer): 1 suggestion.',
        '  suggestion: Bucket policy: Add a Version element to the policy. [MISSING_VERSION]',
      ].join('\n'),
    );
  });

  it('no findings in a checked policy is one line', () => {
    expect(text(renderValidation(checked([])))).toBe(
      'Policy checks (IAM Access Analyzer): no findings.',
    );
  });

  it('skipped checks say why, as a note', () => {
    const skipped: PolicyValidation = {
      checked: false,
      skippedReason: NOT_AVAILABLE,
      policies: ['bucket.policy'],
      findings: [],
    };
    expect(renderValidation(skipped)).toEqual([
      {
        kind: 'note',
        text: 'Policy checks skipped: IAM Access Analyzer is not available at this endpoint',
      },
    ]);
    expect(
      text(
        renderValidation({
          ...skipped,
          skippedReason: 'access denied: access-analyzer:ValidatePolicy',
        }),
      ),
    ).toBe('Policy checks skipped: access denied: access-analyzer:ValidatePolicy');
  });

  it('checks that stopped part-way keep what they found', () => {
    const partial: PolicyValidation = {
      checked: false,
      skippedReason:
        'IAM Access Analyzer is throttling requests (ThrottlingException); try again shortly',
      policies: ['bucket.policy', 'bucket.accessPointPolicy'],
      findings: [ERROR],
    };
    expect(validationHeadline(partial)).toBe(
      'Policy checks incomplete (IAM Access Analyzer): 1 error; IAM Access Analyzer is throttling requests (ThrottlingException); try again shortly',
    );
    expect(blocksApply(partial)).toBe(true);
  });

  it('a plan that writes no policy shows nothing', () => {
    expect(renderValidation(nothingToCheck())).toEqual([]);
    expect(nothingToCheck()).toEqual({ checked: true, policies: [], findings: [] });
  });

  it('wraps to a width for the screen, continuing indented under the finding', () => {
    const lines = renderValidation(checked([ERROR]), { width: 60 });
    expect(text(lines)).toBe(
      [
        'Policy checks (IAM Access Analyzer): 1 error.',
        '  error: Bucket policy,',
        '      Statement[1].Condition.Bool.aws:SecureTransprt: The',
        '      condition key aws:SecureTransprt does not exist for',
        '      the service. [INVALID_CONDITION_KEY]',
        '  Apply is refused until this error is fixed.',
      ].join('\n'),
    );
    for (const line of lines) expect(line.text.length).toBeLessThanOrEqual(60);
    expect(lines[2]?.kind).toBe('plain');
  });
});

describe('wrap', () => {
  it('cuts at spaces, and inside a word only when it must', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrap('short', 10)).toEqual(['short']);
    expect(wrap('aaa bbb ccc ddd', 11, 3)).toEqual(['aaa bbb ccc', 'ddd']);
  });
});

describe('one-line messages', () => {
  it('names the first error and how many more, for apply and plan', () => {
    const line = errorsLine(checked([ERROR, { ...ERROR, location: 'Statement[3]' }, PUBLIC]));
    expect(line).toBe(
      "IAM Access Analyzer found 2 errors in the plan's policies: Bucket policy, Statement[1].Condition.Bool.aws:SecureTransprt: The condition key aws:SecureTransprt does not exist for the service (and 1 more)",
    );
    expect(isOneLine(line as string)).toBe(true);
    expect(errorsLine(checked([PUBLIC]))).toBeNull();
  });

  it('counts the security warnings and names the policies', () => {
    expect(
      securityWarningsLine(
        checked([PUBLIC, { ...PUBLIC, policy: 'Access point policy' }, SUGGESTION]),
      ),
    ).toBe('IAM Access Analyzer reports 2 security warnings (Bucket policy, Access point policy)');
    expect(securityWarningsLine(checked([ERROR]))).toBeNull();
  });

  it('every finding line is one line', () => {
    for (const each of [ERROR, PUBLIC, WARNING, SUGGESTION]) {
      expect(isOneLine(findingLine(each))).toBe(true);
    }
  });
});

describe("Access Analyzer's answers as findings", () => {
  it('a ValidatePolicy finding: severity, one-line message, locations, code and link', () => {
    expect(
      validatePolicyFinding({
        findingType: 'ERROR',
        issueCode: 'INVALID_CONDITION_KEY',
        findingDetails:
          'The condition key aws:SecureTransprt does not exist.\nUse a valid condition key.',
        learnMoreLink:
          'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
        locations: [
          {
            path: [
              { key: 'Statement' },
              { index: 1 },
              { key: 'Condition' },
              { key: 'Bool' },
              { key: 'aws:SecureTransprt' },
            ],
            span: {
              start: { line: 1, column: 2, offset: 3 },
              end: { line: 1, column: 9, offset: 10 },
            },
          },
          { path: [{ key: 'Statement' }, { index: 2 }], span: {} },
          { path: [{ key: 'Statement' }, { index: 2 }], span: {} },
        ],
      }),
    ).toEqual({
      severity: 'error',
      message: 'The condition key aws:SecureTransprt does not exist. Use a valid condition key.',
      location: 'Statement[1].Condition.Bool.aws:SecureTransprt',
      alsoAt: ['Statement[2]'],
      check: 'ValidatePolicy',
      code: 'INVALID_CONDITION_KEY',
      learnMore:
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
    });
  });

  it('maps every finding type; the whole document has no location', () => {
    const type = (findingType: string) =>
      validatePolicyFinding({ findingType, findingDetails: 'x', issueCode: 'C', locations: [] })
        ?.severity;
    expect(['ERROR', 'SECURITY_WARNING', 'WARNING', 'SUGGESTION', 'NEW_KIND'].map(type)).toEqual([
      'error',
      'security-warning',
      'warning',
      'suggestion',
      'warning',
    ]);
    expect(
      validatePolicyFinding({ findingType: 'SUGGESTION', findingDetails: 'x', locations: [] }),
    ).toEqual({ severity: 'suggestion', message: 'x', check: 'ValidatePolicy' });
    expect(validatePolicyFinding('nonsense')).toBeNull();
  });

  it('CheckNoPublicAccess FAIL: a security warning per statement; PASS: none', () => {
    const document = JSON.stringify(POLICY);
    expect(publicAccessFindings({ result: 'PASS', message: 'ok', reasons: [] }, document)).toEqual(
      [],
    );
    expect(
      publicAccessFindings(
        {
          result: 'FAIL',
          message: 'The resource policy grants public access for the access type.',
          reasons: [
            {
              description: 'Public access granted in the following statement with sid: PublicRead.',
              statementIndex: 0,
              statementId: 'PublicRead',
            },
          ],
        },
        document,
      ),
    ).toEqual([
      {
        severity: 'security-warning',
        message:
          'may allow public access (Sid PublicRead): Public access granted in the following statement with sid: PublicRead.',
        location: 'Statement[0]',
        check: 'CheckNoPublicAccess',
      },
    ]);
    expect(
      publicAccessFindings(
        { result: 'FAIL', message: 'The policy grants public access.' },
        document,
      ),
    ).toEqual([
      {
        severity: 'security-warning',
        message: 'The policy grants public access.',
        check: 'CheckNoPublicAccess',
      },
    ]);
  });
});

describe('why a check did not run', () => {
  const call: ApiCall = {
    service: 'accessanalyzer',
    operation: 'ValidatePolicy',
    input: { policyDocument: '{}', policyType: 'RESOURCE_POLICY' },
  };
  const sdkError = (name: string, status: number, message = name) =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

  it('an endpoint without the service: an HTML page, a 404, a 501, "not implemented"', () => {
    const html = Object.assign(
      new SyntaxError(
        'Unexpected token \'<\', "<!doctype "... is not valid JSON\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.',
      ),
      { $metadata: { httpStatusCode: 500 }, $response: {} },
    );
    expect(isNotAvailable(html)).toBe(true);
    expect(isNotAvailable(sdkError('UnknownError', 404))).toBe(true);
    expect(isNotAvailable(sdkError('InternalFailure', 501))).toBe(true);
    expect(
      isNotAvailable(
        sdkError('InternalFailure', 500, "API for service 'accessanalyzer' not yet implemented"),
      ),
    ).toBe(true);
    expect(isNotAvailable(new AwsError('not-available', NOT_AVAILABLE, 'NotAvailable'))).toBe(true);
    expect(isNotAvailable(sdkError('AccessDeniedException', 403))).toBe(false);
    expect(isNotAvailable(sdkError('ThrottlingException', 429))).toBe(false);
    expect(failureOf(html, call)).toEqual({ reason: NOT_AVAILABLE, lasting: true });
  });

  it('denied, throttled, refused input, unreachable', () => {
    expect(failureOf(sdkError('AccessDeniedException', 403), call)).toEqual({
      reason: 'access denied: access-analyzer:ValidatePolicy',
      lasting: true,
    });
    expect(
      failureOf(sdkError('AccessDeniedException', 403), {
        ...call,
        operation: 'CheckNoPublicAccess',
      }),
    ).toEqual({ reason: 'access denied: access-analyzer:CheckNoPublicAccess', lasting: true });
    expect(failureOf(sdkError('ThrottlingException', 429, 'Rate exceeded'), call)).toEqual({
      reason: 'IAM Access Analyzer is throttling requests (ThrottlingException); try again shortly',
      lasting: false,
    });
    expect(
      failureOf(sdkError('ValidationException', 400, 'Invalid policyDocument length'), call),
    ).toEqual({
      reason:
        'IAM Access Analyzer refused ValidatePolicy (ValidationException: Invalid policyDocument length)',
      lasting: false,
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
      code: 'ECONNREFUSED',
    });
    expect(failureOf(refused, call)).toEqual({
      reason: 'cannot reach IAM Access Analyzer (ECONNREFUSED)',
      lasting: true,
    });
  });
});
