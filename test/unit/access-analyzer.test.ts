/**
 * IAM Access Analyzer review, pure parts: the analyzer the reader picks, the
 * findings it normalises (and how it pages and bounds the calls), the
 * resource's one write and its catalogue, and the step: defaults per preset,
 * validation, the planner, and the findings table with its links to steps.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReadSend } from '../../src/aws/families/family.js';
import { READERS } from '../../src/aws/families/index.js';
import { parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import { findOperation, iamActionFor } from '../../src/plan/model/operations.js';
import type {
  ApiCall,
  Posture,
  PostureValues,
  Preset,
  Target,
} from '../../src/plan/model/types.js';
import { cliCommand } from '../../src/plan/render/cli-equivalent.js';
import { renderPlan } from '../../src/plan/render/render.js';
import {
  type AccessFinding,
  ANALYZER_NAME,
  type AnalyzerValue,
  type BucketFindings,
  createdAnalyzer,
  MAX_FINDINGS,
  NOT_AVAILABLE_MESSAGE,
  normaliseFinding,
  pickAnalyzer,
} from '../../src/plan/resources/access-analyzer.js';
import {
  RESOURCE_KEYS,
  resourceSchema,
  satisfies,
  writeCall,
} from '../../src/plan/resources/index.js';
import { UnwritableValueError } from '../../src/plan/resources/unwritable.js';
import {
  type AccessAnalyzerAnswers,
  AccessAnalyzerError,
  accessAnalyzerUnavailable,
  describePrincipal,
  FINDINGS_PER_PAGE,
  findingsTable,
  fitList,
  fixSteps,
  accessAnalyzerStep as step,
  TABLE_WIDTH,
  truncate,
} from '../../src/steps/access-analyzer.js';
import type { Field } from '../../src/steps/form.js';
import {
  buildPlan,
  optionalReadsFor,
  readsFor,
  STEP_ORDER,
  STEPS,
  unavailableReason,
} from '../../src/steps/index.js';
import { ACCOUNT_ID, BUCKET, isOneLine, posture as postureOf, REGION, TARGET } from './support.js';

const ARN = `arn:aws:access-analyzer:${REGION}:${ACCOUNT_ID}:analyzer/corp`;
const ORG_ARN = `arn:aws:access-analyzer:${REGION}:${ACCOUNT_ID}:analyzer/org`;
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const DENIED = 'Access denied: access-analyzer:ListAnalyzers.';

const ACTIVE: AnalyzerValue = { name: 'corp', arn: ARN, type: 'ACCOUNT', status: 'ACTIVE' };
const CREATE: AccessAnalyzerAnswers = { createAnalyzer: true, findingsPage: '1' };
const KEEP: AccessAnalyzerAnswers = { createAnalyzer: false, findingsPage: '1' };

const finding = (id: string, overrides: Partial<AccessFinding> = {}): AccessFinding => ({
  id,
  principal: { AWS: '111122223333' },
  actions: ['s3:GetObject'],
  conditions: {},
  isPublic: false,
  sources: ['POLICY'],
  accessPoints: [],
  ...overrides,
});

const found = (findings: AccessFinding[], overrides: Partial<BucketFindings> = {}) =>
  ({
    region: REGION,
    analyzerArn: ARN,
    findings,
    truncated: false,
    ...overrides,
  }) as BucketFindings;

const at = (
  analyzer: AnalyzerValue | null | undefined,
  findings?: BucketFindings | null,
  unreadable: Posture['unreadable'] = {},
): Posture =>
  postureOf(
    {
      ...(analyzer !== undefined ? { 'account.analyzer': analyzer } : {}),
      ...(findings !== undefined ? { 'bucket.findings': findings } : {}),
    } as Partial<PostureValues>,
    unreadable,
  );

const NONE = at(null, found([], { analyzerArn: null }));
const NOT_AVAILABLE = at(undefined, undefined, {
  'account.analyzer': NOT_AVAILABLE_MESSAGE,
  'bucket.findings': NOT_AVAILABLE_MESSAGE,
});

const notes = (fields: Field[]) =>
  fields.flatMap((field) => (field.kind === 'note' ? [`${field.tone}: ${field.text}`] : []));
const inputs = (fields: Field[]) =>
  fields.flatMap((field) => (field.kind === 'note' ? [] : [field.key]));

describe('account.analyzer: which analyzer is read', () => {
  const item = (name: string, type: string, status: string, extra: object = {}) => ({
    name,
    arn: `arn:aws:access-analyzer:${REGION}:${ACCOUNT_ID}:analyzer/${name}`,
    type,
    status,
    createdAt: new Date(0),
    ...extra,
  });

  it('prefers an active account analyzer, then an active organization one', () => {
    expect(
      pickAnalyzer([
        item('org', 'ORGANIZATION', 'ACTIVE'),
        item('unused', 'ACCOUNT_UNUSED_ACCESS', 'ACTIVE'),
        item('corp', 'ACCOUNT', 'ACTIVE'),
      ]),
    ).toEqual(ACTIVE);
    expect(
      pickAnalyzer([item('org', 'ORGANIZATION', 'ACTIVE'), item('old', 'ACCOUNT', 'FAILED')]),
    ).toEqual({ name: 'org', arn: ORG_ARN, type: 'ORGANIZATION', status: 'ACTIVE' });
  });

  it('falls back to an analyzer that is not active, with the reason, so none is created beside it', () => {
    expect(
      pickAnalyzer([
        item('s3-harden-account', 'ACCOUNT', 'FAILED', {
          statusReason: { code: 'SERVICE_LINKED_ROLE_CREATION_FAILED' },
        }),
      ]),
    ).toMatchObject({
      name: 's3-harden-account',
      status: 'FAILED',
      statusReason: 'SERVICE_LINKED_ROLE_CREATION_FAILED',
    });
  });

  it('ignores unused- and internal-access analyzers and malformed items: none is null', () => {
    expect(
      pickAnalyzer([
        item('unused', 'ACCOUNT_UNUSED_ACCESS', 'ACTIVE'),
        item('internal', 'ORGANIZATION_INTERNAL_ACCESS', 'ACTIVE'),
        { name: 'no-arn', type: 'ACCOUNT', status: 'ACTIVE' },
        item('odd', 'ACCOUNT', 'PAUSED'),
        null,
      ]),
    ).toBeNull();
    expect(pickAnalyzer([])).toBeNull();
  });
});

describe('bucket.findings: normalisation', () => {
  it('merges the external-access details of a finding: principal, actions, conditions, sources', () => {
    const value = normaliseFinding({ id: 'f-1', status: 'ACTIVE' }, [
      {
        externalAccessDetails: {
          principal: { AWS: '*' },
          action: ['s3:ListBucket', 's3:GetObject'],
          condition: { 'aws:SourceIp': '203.0.113.0/24' },
          isPublic: true,
          sources: [
            { type: 'POLICY' },
            {
              type: 'S3_ACCESS_POINT',
              detail: { accessPointArn: `arn:aws:s3:${REGION}:${ACCOUNT_ID}:accesspoint/ap1` },
            },
          ],
        },
      },
      { unusedPermissionDetails: { serviceNamespace: 's3' } },
    ]);
    expect(value).toEqual({
      id: 'f-1',
      principal: { AWS: '*' },
      actions: ['s3:GetObject', 's3:ListBucket'],
      conditions: { 'aws:SourceIp': '203.0.113.0/24' },
      isPublic: true,
      sources: ['POLICY', 'S3_ACCESS_POINT'],
      accessPoints: [`arn:aws:s3:${REGION}:${ACCOUNT_ID}:accesspoint/ap1`],
    });
    expect(
      resourceSchema('bucket.findings').safeParse(found([value as AccessFinding])).success,
    ).toBe(true);
  });

  it('keeps the error of a finding Access Analyzer could not analyse; a summary without ID is dropped', () => {
    expect(normaliseFinding({ id: 'f-2', error: 'ACCESS_DENIED' }, [])).toEqual({
      id: 'f-2',
      principal: {},
      actions: [],
      conditions: {},
      isPublic: false,
      sources: [],
      accessPoints: [],
      error: 'ACCESS_DENIED',
    });
    expect(normaliseFinding({ status: 'ACTIVE' }, [])).toBeNull();
  });
});

describe('the readers: calls, pages and bounds', () => {
  const query = (
    key: 'account.analyzer' | 'bucket.findings',
    send: ReadSend,
    target: Target = TARGET,
  ) => {
    const reader = READERS[key];
    if (!('query' in reader)) throw new Error('not a query reader');
    return reader.query(target, send);
  };

  /** A fake Access Analyzer: analyzers, findings by ID, and every call it was sent. */
  const fake = (analyzers: unknown[], ids: string[], pageSize = 50) => {
    const calls: ApiCall[] = [];
    const send: ReadSend = async (call) => {
      calls.push(call);
      if (call.operation === 'ListAnalyzers') return { analyzers };
      if (call.operation === 'ListFindingsV2') {
        const start = Number(call.input.nextToken ?? 0);
        const page = ids.slice(start, start + pageSize).map((id) => ({ id, status: 'ACTIVE' }));
        const next = start + pageSize < ids.length ? String(start + pageSize) : undefined;
        return { findings: page, ...(next ? { nextToken: next } : {}) };
      }
      if (call.operation === 'GetFindingV2') {
        return {
          id: call.input.id,
          findingDetails: [
            {
              externalAccessDetails: {
                principal: { AWS: '111122223333' },
                action: ['s3:GetObject'],
                condition: {},
                isPublic: call.input.id === 'public',
              },
            },
          ],
        };
      }
      throw new Error(`unexpected ${call.operation}`);
    };
    return { calls, send };
  };
  const analyzerItem = { name: 'corp', arn: ARN, type: 'ACCOUNT', status: 'ACTIVE' };

  it('lists the bucket’s active findings with the exact filter, then describes each', async () => {
    const { calls, send } = fake([analyzerItem], ['b', 'public']);
    const [analyzer, findings] = await Promise.all([
      query('account.analyzer', send),
      query('bucket.findings', send),
    ]);
    expect(analyzer).toEqual(ACTIVE);
    // One ListAnalyzers for both readers.
    expect(calls.filter((call) => call.operation === 'ListAnalyzers')).toEqual([
      { service: 'accessanalyzer', operation: 'ListAnalyzers', input: {} },
    ]);
    expect(calls.find((call) => call.operation === 'ListFindingsV2')).toEqual({
      service: 'accessanalyzer',
      operation: 'ListFindingsV2',
      input: {
        analyzerArn: ARN,
        filter: { resource: { eq: [BUCKET_ARN] }, status: { eq: ['ACTIVE'] } },
        maxResults: 50,
      },
    });
    expect(
      calls.filter((call) => call.operation === 'GetFindingV2').map((call) => call.input),
    ).toEqual([
      { analyzerArn: ARN, id: 'b' },
      { analyzerArn: ARN, id: 'public' },
    ]);
    const value = findings as BucketFindings;
    // Public first.
    expect(value.findings.map((item) => item.id)).toEqual(['public', 'b']);
    expect(value).toMatchObject({ region: REGION, analyzerArn: ARN, truncated: false });
  });

  it('follows ListAnalyzers pages and stops at a token it already followed', async () => {
    const calls: ApiCall[] = [];
    const send: ReadSend = async (call) => {
      calls.push(call);
      if (!call.input.nextToken) return { analyzers: [], nextToken: 't1' };
      return { analyzers: [analyzerItem], nextToken: 't1' };
    };
    expect(await query('account.analyzer', send)).toEqual(ACTIVE);
    expect(calls.map((call) => call.input)).toEqual([{}, { nextToken: 't1' }]);
  });

  it('reads at most MAX_FINDINGS findings and says there are more', async () => {
    const ids = Array.from({ length: 120 }, (_, n) => `f-${String(n).padStart(3, '0')}`);
    const { calls, send } = fake([analyzerItem], ids);
    const value = (await query('bucket.findings', send)) as BucketFindings;
    expect(value.findings).toHaveLength(MAX_FINDINGS);
    expect(value.truncated).toBe(true);
    // Two pages are enough to know there are more than 50; 50 are described.
    expect(calls.filter((call) => call.operation === 'ListFindingsV2')).toHaveLength(2);
    expect(calls.filter((call) => call.operation === 'GetFindingV2')).toHaveLength(MAX_FINDINGS);
  });

  it('exactly MAX_FINDINGS findings are not "more"', async () => {
    const ids = Array.from({ length: MAX_FINDINGS }, (_, n) => `f-${n}`);
    const value = (await query(
      'bucket.findings',
      fake([analyzerItem], ids, 25).send,
    )) as BucketFindings;
    expect(value.findings).toHaveLength(MAX_FINDINGS);
    expect(value.truncated).toBe(false);
  });

  it('no analyzer, or one that is not active: no findings are asked for', async () => {
    for (const analyzers of [[], [{ ...analyzerItem, status: 'CREATING' }]]) {
      const { calls, send } = fake(analyzers, ['f-1']);
      const value = (await query('bucket.findings', send)) as BucketFindings;
      expect(value.findings).toEqual([]);
      expect(calls.map((call) => call.operation)).toEqual(['ListAnalyzers']);
    }
  });

  it('a finding resolved between the list and its details is left out; a denial is not', async () => {
    const gone = async (call: ApiCall) => {
      if (call.operation === 'ListAnalyzers') return { analyzers: [analyzerItem] };
      if (call.operation === 'ListFindingsV2')
        return { findings: [{ id: 'gone' }, { id: 'kept' }] };
      if (call.input.id === 'gone') {
        throw Object.assign(new Error('gone'), { code: 'ResourceNotFoundException' });
      }
      return { findingDetails: [] };
    };
    const value = (await query('bucket.findings', gone)) as BucketFindings;
    expect(value.findings.map((item) => item.id)).toEqual(['kept']);

    const denied: ReadSend = async (call) => {
      if (call.operation === 'GetFindingV2') {
        throw Object.assign(new Error('Access denied: access-analyzer:GetFinding.'), {
          code: 'AccessDeniedException',
        });
      }
      return gone(call);
    };
    await expect(query('bucket.findings', denied)).rejects.toThrow(
      'Access denied: access-analyzer:GetFinding.',
    );
  });

  it('names the bucket with its partition’s ARN', async () => {
    const { calls, send } = fake(
      [
        {
          ...analyzerItem,
          arn: 'arn:aws-cn:access-analyzer:cn-north-1:123456789012:analyzer/corp',
        },
      ],
      [],
    );
    await query('bucket.findings', send, { ...TARGET, region: 'cn-north-1' });
    const listed = calls.find((call) => call.operation === 'ListFindingsV2');
    expect(listed?.input.filter).toEqual({
      resource: { eq: [`arn:aws-cn:s3:::${BUCKET}`] },
      status: { eq: ['ACTIVE'] },
    });
  });
});

describe('account.analyzer: the one write and the catalogue', () => {
  it('creates s3-harden-account as an account analyzer; undo deletes exactly it', () => {
    expect(writeCall('account.analyzer', TARGET, createdAnalyzer())).toEqual({
      service: 'accessanalyzer',
      operation: 'CreateAnalyzer',
      input: { analyzerName: ANALYZER_NAME, type: 'ACCOUNT' },
    });
    expect(writeCall('account.analyzer', TARGET, null)).toEqual({
      service: 'accessanalyzer',
      operation: 'DeleteAnalyzer',
      input: { analyzerName: 's3-harden-account' },
    });
  });

  it.each<[string, AnalyzerValue, string]>([
    [
      'another analyzer',
      ACTIVE,
      's3-harden creates only the account analyzer s3-harden-account; corp (account) is left as it is',
    ],
    [
      'an organization analyzer',
      { ...createdAnalyzer(), type: 'ORGANIZATION' },
      's3-harden creates only the account analyzer s3-harden-account; s3-harden-account (organization) is left as it is',
    ],
    [
      'a failed analyzer',
      { ...createdAnalyzer(), status: 'FAILED' },
      'no call makes an analyzer FAILED: s3-harden creates s3-harden-account to be ACTIVE',
    ],
  ])('no call writes %s', (_name, value, message) => {
    expect(() => writeCall('account.analyzer', TARGET, value)).toThrow(UnwritableValueError);
    expect(() => writeCall('account.analyzer', TARGET, value)).toThrow(message);
    expect(isOneLine(message)).toBe(true);
  });

  it('the findings are read-only', () => {
    expect(RESOURCE_KEYS).toEqual(expect.arrayContaining(['account.analyzer', 'bucket.findings']));
    expect(() => writeCall('bucket.findings', TARGET, found([]))).toThrow(
      'IAM Access Analyzer findings are read-only: a plan never changes them',
    );
  });

  it('a created analyzer reads back with any ARN, while it is still being created too', () => {
    const live: AnalyzerValue = {
      name: ANALYZER_NAME,
      arn: `arn:aws:access-analyzer:${REGION}:${ACCOUNT_ID}:analyzer/${ANALYZER_NAME}`,
      type: 'ACCOUNT',
      status: 'CREATING',
    };
    expect(satisfies('account.analyzer', createdAnalyzer(), live)).toBe(true);
    expect(satisfies('account.analyzer', createdAnalyzer(), { ...live, status: 'ACTIVE' })).toBe(
      true,
    );
    expect(satisfies('account.analyzer', createdAnalyzer(), { ...live, status: 'FAILED' })).toBe(
      false,
    );
    expect(satisfies('account.analyzer', createdAnalyzer(), { ...ACTIVE })).toBe(false);
    expect(satisfies('account.analyzer', null, null)).toBe(true);
    expect(satisfies('account.analyzer', null, live)).toBe(false);
  });

  it.each([
    ['ListAnalyzers', 'access-analyzer:ListAnalyzers', 'read'],
    ['ListFindingsV2', 'access-analyzer:ListFindings', 'read'],
    ['GetFindingV2', 'access-analyzer:GetFinding', 'read'],
    ['CreateAnalyzer', 'access-analyzer:CreateAnalyzer', 'write'],
    ['DeleteAnalyzer', 'access-analyzer:DeleteAnalyzer', 'write'],
  ])('%s needs %s (%s)', (operation, action, kind) => {
    expect(iamActionFor({ service: 'accessanalyzer', operation })).toBe(action);
    expect(findOperation('accessanalyzer', operation)?.kind).toBe(kind);
  });
});

describe('a plan file with the analyzer', () => {
  const file = () =>
    JSON.parse(
      serializePlan(
        buildPlan(NONE, 'strict', ['access-analyzer'], { 'access-analyzer': CREATE }),
        'test',
      ),
    );

  it('round-trips: the ARN is a reference to CreateAnalyzer’s output', () => {
    const text = JSON.stringify(file());
    const plan = parsePlan(text);
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]?.after).toEqual({
      name: ANALYZER_NAME,
      arn: { fromOutput: { change: 'account.analyzer', path: 'arn' } },
      type: 'ACCOUNT',
      status: 'ACTIVE',
    });
    expect(plan.observed).toEqual({ 'account.analyzer': null });
  });

  it.each<[string, (data: ReturnType<typeof file>) => void, string]>([
    [
      'an undo that deletes another analyzer',
      (data) => {
        data.changes[0].undo.input.analyzerName = 'corp';
      },
      'changes[0].undo.input.analyzerName: Invalid input: expected "s3-harden-account"',
    ],
    [
      'an organization analyzer',
      (data) => {
        data.changes[0].call.input.type = 'ORGANIZATION';
      },
      'changes[0].call.input.type: Invalid input: expected "ACCOUNT"',
    ],
    [
      'an after-state the call does not write',
      (data) => {
        data.changes[0].after.name = 'corp';
      },
      'changes[0]: s3-harden creates only the account analyzer s3-harden-account; corp (account) is left as it is',
    ],
    [
      'the findings as a resource to write',
      (data) => {
        data.changes[0].resource = 'bucket.findings';
        data.observed = { 'bucket.findings': null };
      },
      'changes[0].after: not a valid bucket.findings value',
    ],
  ])('is refused with %s', (_name, tamper, message) => {
    const data = file();
    tamper(data);
    expect(() => parsePlan(JSON.stringify(data))).toThrow(message);
  });

  it('prints the AWS CLI equivalents of the call and its undo', () => {
    const [change] = buildPlan(NONE, 'strict', ['access-analyzer'], {
      'access-analyzer': CREATE,
    }).changes;
    expect(change && cliCommand(change.call, { region: REGION })).toBe(
      'aws accessanalyzer create-analyzer --analyzer-name s3-harden-account --type ACCOUNT --region us-east-1',
    );
    expect(change?.undo && cliCommand(change.undo, { region: REGION })).toBe(
      'aws accessanalyzer delete-analyzer --analyzer-name s3-harden-account --region us-east-1',
    );
  });

  it('reviews as a document, not the reference’s inner fields', () => {
    const plan = buildPlan(NONE, 'strict', ['access-analyzer'], { 'access-analyzer': CREATE });
    const text = renderPlan(plan)
      .map((line) => line.text)
      .join('\n');
    expect(text).toContain(
      '+ IAM Access Analyzer (account analyzer)  (accessanalyzer:CreateAnalyzer)',
    );
    expect(text).toContain('arn: <assigned by AWS when it is created>');
    expect(text).not.toContain('fromOutput');
    expect(text).toContain('Plan: 1 to add, 0 to change, 0 to remove (0 irreversible).');
  });
});

describe('access-analyzer step: registry, defaults and validation', () => {
  it('runs right before the account-wide Block Public Access step, after the access point', () => {
    expect(STEPS['access-analyzer']).toBe(step);
    const index = STEP_ORDER.indexOf('access-analyzer');
    expect(index).toBeGreaterThan(STEP_ORDER.indexOf('access-point'));
    expect(index).toBeLessThan(STEP_ORDER.indexOf('account-public-access-block'));
    expect(step.controls).toEqual([
      'S3 Security guide: Access Analyzer findings reviewed',
      'Security Hub IAM.28',
    ]);
  });

  it('reads Access Analyzer only optionally; a missing service skips the step, a denial does not', () => {
    expect(readsFor(['access-analyzer'])).toEqual(['account.analyzer', 'bucket.findings']);
    expect(optionalReadsFor(['access-analyzer'])).toEqual(['account.analyzer', 'bucket.findings']);
    expect(unavailableReason('access-analyzer', NOT_AVAILABLE)).toBe(NOT_AVAILABLE_MESSAGE);
    expect(accessAnalyzerUnavailable(NOT_AVAILABLE)).toBe(NOT_AVAILABLE_MESSAGE);
    expect(accessAnalyzerUnavailable(at(undefined))).toBe(
      'IAM Access Analyzer (account analyzer) was not read',
    );
    expect(accessAnalyzerUnavailable(NONE)).toBeNull();
  });

  it.each<[string, Posture, Record<Preset, boolean>]>([
    ['no analyzer', NONE, { baseline: false, strict: true, worm: true, custom: false }],
    [
      'an active analyzer',
      at(ACTIVE, found([])),
      { baseline: false, strict: false, worm: false, custom: false },
    ],
    [
      'an analyzer that failed',
      at({ ...ACTIVE, status: 'FAILED' }, found([])),
      { baseline: false, strict: false, worm: false, custom: false },
    ],
    [
      'Access Analyzer not available',
      NOT_AVAILABLE,
      { baseline: false, strict: false, worm: false, custom: false },
    ],
    [
      'asked in another region than the bucket’s',
      at(null, found([], { region: 'eu-west-1', analyzerArn: null })),
      { baseline: false, strict: false, worm: false, custom: false },
    ],
  ])('defaults with %s', (_name, posture, expected) => {
    for (const preset of ['baseline', 'strict', 'worm', 'custom'] as const) {
      expect(step.defaults(posture, preset)).toEqual({
        createAnalyzer: expected[preset],
        findingsPage: '1',
      });
    }
    expect(step.keep?.(posture)).toEqual(KEEP);
  });

  it.each<[string, unknown, string[]]>([
    ['valid', CREATE, []],
    ['no page (plan without the wizard)', { createAnalyzer: false }, []],
    ['not a boolean', { createAnalyzer: 'yes' }, ['createAnalyzer must be true or false']],
    [
      'a page that is no number',
      { createAnalyzer: false, findingsPage: 'x' },
      ['findingsPage must be a page number (1, 2, …)'],
    ],
    [
      'page zero',
      { createAnalyzer: false, findingsPage: '0' },
      ['findingsPage must be a page number (1, 2, …)'],
    ],
  ])('validates %s', (_name, answers, expected) => {
    const problems = step.validate(answers as AccessAnalyzerAnswers);
    expect(problems).toEqual(expected);
    for (const problem of problems) expect(isOneLine(problem)).toBe(true);
  });
});

describe('access-analyzer step: the planner', () => {
  it('creates the account analyzer where there is none, with its undo', () => {
    expect(step.plan(NONE, CREATE)).toEqual([
      {
        id: 'account.analyzer',
        step: 'access-analyzer',
        title: 'IAM Access Analyzer (account analyzer)',
        resource: 'account.analyzer',
        action: 'create',
        call: {
          service: 'accessanalyzer',
          operation: 'CreateAnalyzer',
          input: { analyzerName: 's3-harden-account', type: 'ACCOUNT' },
        },
        before: null,
        after: createdAnalyzer(),
        undo: {
          service: 'accessanalyzer',
          operation: 'DeleteAnalyzer',
          input: { analyzerName: 's3-harden-account' },
        },
        dependsOn: [],
        warnings: [
          `affects account ${ACCOUNT_ID} in ${REGION}: the analyzer reviews every supported resource there, not only ${BUCKET}`,
          'a new analyzer has no findings yet: they appear after it has scanned the account; run s3-harden again to review them',
          'the first analyzer of an account also creates the service-linked role AWSServiceRoleForAccessAnalyzer; undo deletes the analyzer, not the role',
        ],
      },
    ]);
  });

  it.each<[string, Posture, AccessAnalyzerAnswers]>([
    ['kept', NONE, KEEP],
    ['an analyzer exists', at(ACTIVE, found([finding('a')])), CREATE],
    [
      'an analyzer of the organization exists',
      at({ ...ACTIVE, type: 'ORGANIZATION' }, found([])),
      CREATE,
    ],
    ['Access Analyzer not available', NOT_AVAILABLE, CREATE],
    ['Access Analyzer denied', at(undefined, undefined, { 'account.analyzer': DENIED }), CREATE],
  ])('plans nothing when %s', (_name, posture, answers) => {
    expect(step.plan(posture, answers)).toEqual([]);
  });

  it('refuses to create an analyzer in another region than the bucket’s', () => {
    const elsewhere = at(null, found([], { region: 'eu-west-1', analyzerArn: null }));
    const message =
      'Access Analyzer: Access Analyzer was read in eu-west-1, but the bucket is in us-east-1: an analyzer sees only its own region; run with --region us-east-1.';
    expect(() => step.plan(elsewhere, CREATE)).toThrow(AccessAnalyzerError);
    expect(() => step.plan(elsewhere, CREATE)).toThrow(message);
    expect(isOneLine(message)).toBe(true);
  });

  it('goes into the whole plan: strict adds it, baseline does not', () => {
    const ids = ['access-analyzer'] as const;
    const strict = buildPlan(NONE, 'strict', ids, {
      'access-analyzer': step.defaults(NONE, 'strict'),
    });
    expect(strict.changes.map((change) => change.id)).toEqual(['account.analyzer']);
    expect(strict.skipped).toEqual([]);
    const baseline = buildPlan(NONE, 'baseline', ids, {
      'access-analyzer': step.defaults(NONE, 'baseline'),
    });
    expect(baseline.changes).toEqual([]);
  });
});

describe('the findings table', () => {
  const PUBLIC = finding('public', { principal: { AWS: '*' }, isPublic: true });
  const ROLE = finding('role', {
    principal: { AWS: 'arn:aws:iam::111122223333:role/a-rather-long-role-name-for-data' },
    actions: ['s3:GetObject', 's3:ListBucket', 's3:PutObject', 's3:DeleteObject'],
    conditions: { 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f60718', 'aws:PrincipalOrgID': 'o-abc' },
  });
  const ACL = finding('acl', {
    principal: {
      CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
    },
    isPublic: true,
    sources: ['BUCKET_ACL'],
  });
  const AP = finding('ap', {
    principal: { AWS: '444455556666' },
    sources: ['S3_ACCESS_POINT'],
    accessPoints: [`arn:aws:s3:${REGION}:${ACCOUNT_ID}:accesspoint/s3h-my-bucket`],
  });
  const BROKEN = finding('broken', {
    principal: {},
    actions: [],
    sources: [],
    error: 'ACCESS_DENIED',
  });

  it('renders principal, public, actions and conditions, and the steps that fix each', () => {
    expect(findingsTable([PUBLIC, ROLE, ACL, AP, BROKEN])).toEqual([
      ' #  Principal                  Public Actions            Conditions',
      ' 1  * (anyone)                 yes    s3:GetObject       none',
      '    ↳ #1 fix: Block Public Access, Bucket policy (via bucket policy)',
      ' 2  111122223333:role/a-rathe… no     s3:GetObject +3    aws:SourceVpce=vp… +1',
      '    ↳ #2 fix: Bucket policy (via bucket policy)',
      ' 3  canonical user 79a59df900… yes    s3:GetObject       none',
      '    ↳ #3 fix: Block Public Access, Object Ownership (ACLs) (via bucket ACL)',
      ' 4  account 444455556666       no     s3:GetObject       none',
      '    ↳ #4 fix: Access point (via access point s3h-my-bucket)',
      ' 5  (not analysed)             ?      ?                  ?',
      '    ↳ #5 could not be analysed (ACCESS_DENIED): see the IAM console',
    ]);
  });

  it('every line fits 80 columns, is one line, distinct, and free of control characters', () => {
    const hostile = finding('x', {
      principal: { AWS: `arn:aws:iam::111122223333:role/${'r'.repeat(200)}\u001b[31m` },
      actions: Array.from({ length: 40 }, (_, n) => `s3:Action${n}`),
      conditions: { 'aws:SourceArn': `arn:aws:sns:${'x'.repeat(300)}\n` },
      sources: ['S3_ACCESS_POINT'],
      accessPoints: [`arn:aws:s3:${REGION}:${ACCOUNT_ID}:accesspoint/${'a'.repeat(50)}`],
    });
    const lines = findingsTable([PUBLIC, ROLE, ACL, AP, BROKEN, hostile]);
    for (const line of lines) {
      expect([...line].length).toBeLessThanOrEqual(TABLE_WIDTH);
      expect(isOneLine(line)).toBe(true);
      expect(line).not.toMatch(/\p{Cc}/u);
    }
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines[11]).toBe(
      ' 6  111122223333:role/rrrrrrr… no     s3:Action0 +39     aws:SourceArn=arn:aw…',
    );
    // The steps come first: a long access point name is what gets cut.
    expect(lines[12]).toMatch(/^ {4}↳ #6 fix: Access point \(via access point a+…$/);
  });

  it('numbers a later page from where it starts', () => {
    const lines = findingsTable([PUBLIC, ROLE, ACL, AP, BROKEN], 4, 4);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^ 5 {2}\(not analysed\)/);
  });

  it.each<[string, AccessFinding, string[]]>([
    ['public through the bucket policy', PUBLIC, ['public-access-block', 'bucket-policy']],
    ['cross-account through the bucket policy', ROLE, ['bucket-policy']],
    ['public through an ACL grant', ACL, ['public-access-block', 'object-ownership']],
    [
      'an ACL grant to another account',
      finding('x', { sources: ['BUCKET_ACL'] }),
      ['object-ownership'],
    ],
    ['through the bucket’s access point', AP, ['access-point']],
    [
      'public through an access point',
      finding('x', { isPublic: true, sources: ['S3_ACCESS_POINT'] }),
      ['public-access-block', 'access-point'],
    ],
    [
      'through another account’s access point (the bucket policy delegates to it)',
      finding('x', { sources: ['S3_ACCESS_POINT_ACCOUNT'] }),
      ['bucket-policy'],
    ],
    ['no source reported', finding('x', { sources: [] }), ['bucket-policy']],
  ])('links a finding %s to its steps', (_name, item, expected) => {
    expect(fixSteps(item)).toEqual(expected);
    for (const id of fixSteps(item)) expect(STEP_ORDER).toContain(id);
  });

  it.each<[Record<string, string>, string]>([
    [{ AWS: '*' }, '* (anyone)'],
    [{ AWS: '111122223333' }, 'account 111122223333'],
    [{ AWS: 'arn:aws:iam::111122223333:root' }, 'account 111122223333'],
    [{ AWS: 'arn:aws:iam::111122223333:user/ops' }, '111122223333:user/ops'],
    [{ Service: 'logging.s3.amazonaws.com' }, 'logging.s3.amazonaws.com'],
    [{ Federated: 'cognito-identity.amazonaws.com' }, 'cognito-identity.amazonaws.com'],
    [{ CanonicalUser: 'abc' }, 'canonical user abc'],
    [
      { AWS: '111122223333', Service: 'logs.amazonaws.com' },
      'account 111122223333, logs.amazonaws.com',
    ],
    [{}, 'unknown'],
  ])('describes principal %j as %s', (principal, text) => {
    expect(describePrincipal(principal)).toBe(text);
  });

  it('fits lists with a count of the rest, and cuts what cannot fit', () => {
    expect(fitList([], 10, 'none')).toBe('none');
    expect(fitList(['a', 'b'], 10, 'none')).toBe('a, b');
    expect(fitList(['s3:GetObject', 's3:PutObject'], 16, 'none')).toBe('s3:GetObject +1');
    expect(fitList(['s3:GetObjectVersion', 's3:PutObject'], 10, 'none')).toBe('s3:Get… +1');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});

describe('access-analyzer step: what it shows', () => {
  it('steps aside where Access Analyzer is not available, and says so', () => {
    const fields = step.fields(NOT_AVAILABLE, KEEP);
    expect(notes(fields)).toEqual([
      'warning: IAM Access Analyzer is not available at this endpoint: this step reviews nothing and changes nothing.',
    ]);
    expect(inputs(fields)).toEqual([]);
  });

  it('a denial names the action', () => {
    const fields = step.fields(at(undefined, undefined, { 'account.analyzer': DENIED }), KEEP);
    expect(notes(fields)).toEqual([
      'warning: Access denied: access-analyzer:ListAnalyzers: this step reviews nothing and changes nothing.',
    ]);
  });

  it('offers to create an analyzer where there is none; a new one has no findings yet', () => {
    const off = step.fields(NONE, KEEP);
    expect(off[0]).toEqual({
      kind: 'toggle',
      key: 'createAnalyzer',
      label: 'Create an account analyzer',
      help: 's3-harden-account in us-east-1: finds who outside the account can reach the bucket.',
      now: 'none',
    });
    expect(notes(off)).toEqual([
      'warning: No external-access analyzer in us-east-1: nothing reports who outside the account can reach this bucket.',
    ]);
    expect(notes(step.fields(NONE, CREATE))).toEqual([
      'info: A new analyzer has no findings yet: they appear after it has scanned the account; run s3-harden again to review them.',
    ]);
  });

  it.each<[string, Posture, string[]]>([
    [
      'no findings',
      at(ACTIVE, found([])),
      [
        'info: Analyzer corp (account, us-east-1): no active findings; it sees no access to the bucket from outside the account.',
      ],
    ],
    [
      'an organization analyzer',
      at({ ...ACTIVE, name: 'org', type: 'ORGANIZATION' }, found([])),
      [
        'info: Analyzer org (organization, us-east-1): no active findings; it sees no access to the bucket from outside the organization.',
      ],
    ],
    [
      'findings denied',
      at(ACTIVE, undefined, { 'bucket.findings': 'Access denied: access-analyzer:ListFindings.' }),
      [
        'warning: Analyzer corp (account, us-east-1): findings not read: Access denied: access-analyzer:ListFindings.',
      ],
    ],
    [
      'a bucket the plan creates',
      at(ACTIVE, null),
      [
        'info: Analyzer corp (account, us-east-1): the bucket does not exist yet, so there are no findings to review.',
      ],
    ],
    [
      'an analyzer being created',
      at({ ...ACTIVE, status: 'CREATING' }, found([], { analyzerArn: ARN })),
      [
        'info: Analyzer corp (account) is being created: findings appear after it has scanned; run s3-harden again to review them.',
      ],
    ],
    [
      'an analyzer that failed',
      at(
        { ...ACTIVE, status: 'FAILED', statusReason: 'SERVICE_LINKED_ROLE_CREATION_FAILED' },
        found([]),
      ),
      [
        'warning: Analyzer corp (account) is FAILED (SERVICE_LINKED_ROLE_CREATION_FAILED): it reports no findings; fix or delete it in the IAM console.',
      ],
    ],
    [
      'Access Analyzer asked in another region',
      at(
        { ...ACTIVE, arn: 'arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/corp' },
        found([], { region: 'eu-west-1' }),
      ),
      [
        'warning: Access Analyzer was read in eu-west-1, but the bucket is in us-east-1: an analyzer sees only its own region; run with --region us-east-1.',
      ],
    ],
  ])('with %s', (_name, posture, expected) => {
    const fields = step.fields(posture, KEEP);
    expect(notes(fields)).toEqual(expected);
    expect(inputs(fields)).toEqual([]);
    for (const text of expected) expect(isOneLine(text)).toBe(true);
  });

  it('lists the findings under a summary that counts the public ones', () => {
    const fields = step.fields(
      at(ACTIVE, found([finding('a', { isPublic: true, principal: { AWS: '*' } }), finding('b')])),
      KEEP,
    );
    expect(notes(fields)).toEqual([
      'warning: Analyzer corp (account, us-east-1): 2 active findings, 1 public.',
      'info:  #  Principal                  Public Actions            Conditions',
      'info:  1  * (anyone)                 yes    s3:GetObject       none',
      'info:     ↳ #1 fix: Block Public Access, Bucket policy (via bucket policy)',
      'info:  2  account 111122223333       no     s3:GetObject       none',
      'info:     ↳ #2 fix: Bucket policy (via bucket policy)',
      'info: A finding clears once its access is removed and the analyzer has rescanned.',
    ]);
    expect(inputs(fields)).toEqual([]);
  });

  it('pages through more findings than fit the screen', () => {
    const many = Array.from({ length: 9 }, (_, n) => finding(`f-${n}`));
    const posture = at(ACTIVE, found(many));
    const first = step.fields(posture, KEEP);
    expect(first[1]).toEqual({
      kind: 'choice',
      key: 'findingsPage',
      label: 'Findings',
      help: 'Access from outside the account; ←→ shows the others.',
      options: [
        { value: '1', label: '1–4 of 9' },
        { value: '2', label: '5–8 of 9' },
        { value: '3', label: '9 of 9' },
      ],
    });
    // Summary, page choice, header and two lines per finding.
    expect(first).toHaveLength(3 + 2 * FINDINGS_PER_PAGE);
    const last = notes(step.fields(posture, { ...KEEP, findingsPage: '3' }));
    expect(last.slice(1)).toEqual([
      'info:  #  Principal                  Public Actions            Conditions',
      'info:  9  account 111122223333       no     s3:GetObject       none',
      'info:     ↳ #9 fix: Bucket policy (via bucket policy)',
    ]);
    // A page past the end shows the last one.
    expect(notes(step.fields(posture, { ...KEEP, findingsPage: '7' }))).toEqual(last);
  });

  it('says when there are more findings than were read', () => {
    const many = Array.from({ length: MAX_FINDINGS }, (_, n) => finding(`f-${n}`));
    const [summary] = notes(step.fields(at(ACTIVE, found(many, { truncated: true })), KEEP));
    expect(summary).toBe(
      'info: Analyzer corp (account, us-east-1): over 50 active findings (the first 50 here, the rest in the IAM console).',
    );
  });
});

describe('start-up bundle: the Access Analyzer SDK', () => {
  interface Output {
    imports: { path: string; kind: string; external?: boolean }[];
    inputs: Record<string, unknown>;
  }
  const meta = () =>
    JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'dist', 'meta.json'), 'utf8'),
    ) as { outputs: Record<string, Output> };
  const isAccessAnalyzer = (input: string) =>
    input.includes('node_modules/@aws-sdk/client-accessanalyzer/');

  it('sits in a chunk of its own, reached only by the deferred client’s dynamic import', () => {
    const { outputs } = meta();
    const chunkFor = (input: string) => {
      const found = Object.entries(outputs).find(
        ([name, output]) => name.endsWith('.js') && input in output.inputs,
      );
      if (!found) throw new Error(`no chunk contains ${input} (run npm run build)`);
      return found[0];
    };
    const staticFiles = (start: string) => {
      const seen = new Set<string>();
      const pending = [start];
      while (pending.length > 0) {
        const file = pending.pop() as string;
        if (seen.has(file)) continue;
        seen.add(file);
        for (const entry of outputs[file]?.imports ?? []) {
          if (entry.kind === 'import-statement' && !entry.external) pending.push(entry.path);
        }
      }
      return [...seen].flatMap((file) => Object.keys(outputs[file]?.inputs ?? {}));
    };
    for (const start of [
      'dist/cli.js',
      chunkFor('src/screens/render-wizard.tsx'),
      chunkFor('src/aws/session.ts'),
    ]) {
      expect(staticFiles(start).filter(isAccessAnalyzer)).toEqual([]);
    }
    const chunk = chunkFor('src/aws/access-analyzer.ts');
    expect(staticFiles(chunk).some(isAccessAnalyzer)).toBe(true);
    const importers = Object.entries(outputs).filter(([, output]) =>
      output.imports.some((entry) => entry.path === chunk),
    );
    expect(importers.map(([name]) => name)).toEqual([chunkFor('src/aws/clients.ts')]);
    expect(
      importers.flatMap(([, output]) =>
        output.imports.filter((entry) => entry.path === chunk).map((entry) => entry.kind),
      ),
    ).toEqual(['dynamic-import']);
  });
});
