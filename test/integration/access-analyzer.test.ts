/**
 * IAM Access Analyzer against real endpoints and at the SDK boundary:
 *
 * - the local emulator (moto) does not implement Access Analyzer: it answers
 *   every call with an HTML "500 Internal Server Error" page. The reads fail
 *   soft with "not available at this endpoint", the step steps aside, and a
 *   strict plan for every step still works;
 * - small local HTTP servers answer as other endpoints do (LocalStack's 501,
 *   MinIO's XML, Access Analyzer's own JSON errors): which answers mean "no
 *   such service here", detected once per client and never retried;
 * - with aws-sdk-client-mock in place of Access Analyzer (S3 and STS still
 *   the emulator): the exact request inputs, the error shapes (access
 *   denied, throttling, validation, conflict), and apply, verify and rollback
 *   of the analyzer s3-harden creates.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessAnalyzerClient,
  AccessDeniedException,
  ConflictException,
  CreateAnalyzerCommand,
  DeleteAnalyzerCommand,
  GetFindingV2Command,
  ListAnalyzersCommand,
  ListFindingsV2Command,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-accessanalyzer';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClients, destroyClients } from '../../src/aws/clients.js';
import { send } from '../../src/aws/commands.js';
import { AwsError, normaliseError } from '../../src/aws/errors.js';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { runPlan } from '../../src/commands/plan.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import type { ApiCall, Posture } from '../../src/plan/model/types.js';
import {
  ANALYZER_NAME,
  type BucketFindings,
  NOT_AVAILABLE_MESSAGE,
} from '../../src/plan/resources/access-analyzer.js';
import { accessAnalyzerStep as step } from '../../src/steps/access-analyzer.js';
import { buildPlan, optionalReadsFor, readsFor } from '../../src/steps/index.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { ACCOUNT, createBucket } from '../helpers/fixtures.js';

const STEP_IDS = ['access-analyzer'] as const;
const READS = readsFor([...STEP_IDS]);
const OPTIONAL = { optional: optionalReadsFor([...STEP_IDS]) };
const REGION = 'us-east-1';
const ARN = `arn:aws:access-analyzer:${REGION}:${ACCOUNT}:analyzer/corp`;
const CREATED_ARN = `arn:aws:access-analyzer:${REGION}:${ACCOUNT}:analyzer/${ANALYZER_NAME}`;
const NOW = new Date('2026-11-01T00:00:00Z');

const notes = (posture: Posture, create = false) =>
  step
    .fields(posture, { createAnalyzer: create, findingsPage: '1' })
    .flatMap((field) => (field.kind === 'note' ? [`${field.tone}: ${field.text}`] : []));

describe('IAM Access Analyzer at the local emulator, which does not implement it', () => {
  let session: AwsSession;
  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => session.close());

  it('reads fail soft as "not available", once for both; the step says so and plans nothing', async () => {
    const bucket = uniqueBucket('aa-moto');
    await createBucket(bucket);
    const posture = await session.observe(bucket, READS, OPTIONAL);
    expect(posture.unreadable).toEqual({
      'account.analyzer': NOT_AVAILABLE_MESSAGE,
      'bucket.findings': NOT_AVAILABLE_MESSAGE,
    });
    expect(posture.values).toEqual({});
    // The two reads share one ListAnalyzers; no findings are asked for.
    expect(session.callCounts()).toMatchObject({ 'accessanalyzer:ListAnalyzers': 1 });
    expect(session.callCounts()['accessanalyzer:ListFindingsV2']).toBeUndefined();

    expect(notes(posture)).toEqual([
      'warning: IAM Access Analyzer is not available at this endpoint: this step reviews nothing and changes nothing.',
    ]);
    expect(step.defaults(posture, 'strict').createAnalyzer).toBe(false);
    // Even asked to create one, nothing is planned where nothing is known.
    const plan = buildPlan(posture, 'strict', [...STEP_IDS], {
      'access-analyzer': { createAnalyzer: true },
    });
    expect(plan.changes).toEqual([]);
  });

  it('a required read would fail the observe: the step must read it optionally', async () => {
    const bucket = uniqueBucket('aa-moto-required');
    await createBucket(bucket);
    const error = await session.observe(bucket, ['account.analyzer']).catch((caught) => caught);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).kind).toBe('not-available');
  });

  it('a strict plan for every step works, with no Access Analyzer change', async () => {
    const bucket = uniqueBucket('aa-moto-plan');
    await createBucket(bucket);
    const chunks: string[] = [];
    const stdout = {
      write: (text: string) => chunks.push(text) > 0,
    } as unknown as Parameters<typeof runPlan>[1];
    const code = await runPlan(
      { bucket, preset: 'strict', skip: [], json: true, connection: { endpoint: emulatorUrl() } },
      stdout,
    );
    expect(code).toBe(2);
    const json = JSON.parse(chunks.join('')) as {
      plan: { changes: { call: ApiCall }[]; skipped: unknown[] };
    };
    expect(json.plan.changes.length).toBeGreaterThan(0);
    expect(json.plan.changes.some((change) => change.call.service === 'accessanalyzer')).toBe(
      false,
    );
  });
});

/** A local endpoint that answers every request the same way, counting them. */
async function fakeEndpoint(
  status: number,
  headers: Record<string, string>,
  body: string,
): Promise<{ url: string; requests: IncomingMessage[]; server: Server }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    request.resume();
    request.on('end', () => {
      response.writeHead(status, headers);
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, server };
}

describe('which answers mean "no Access Analyzer at this endpoint"', () => {
  const LIST: ApiCall = { service: 'accessanalyzer', operation: 'ListAnalyzers', input: {} };
  let server: Server | undefined;
  let clients: ReturnType<typeof createClients> | undefined;
  afterEach(async () => {
    if (clients) destroyClients(clients);
    if (server) await new Promise((resolve) => server?.close(resolve));
    clients = undefined;
    server = undefined;
  });

  const sendTo = async (url: string, call: ApiCall) => {
    clients ??= createClients({ endpoint: url, region: REGION });
    return send(clients, call).catch((error: unknown) =>
      Promise.reject(normaliseError(error, { call, endpoint: url })),
    );
  };

  it.each<[string, number, Record<string, string>, string]>([
    [
      'an HTML error page (the emulator)',
      500,
      { 'content-type': 'text/html; charset=utf-8' },
      '<!doctype html>\n<title>500 Internal Server Error</title>',
    ],
    [
      'a 501 (LocalStack without the service)',
      501,
      { 'content-type': 'application/json' },
      '{"__type":"InternalFailure","message":"API for service accessanalyzer not yet implemented"}',
    ],
    [
      'an S3-style XML error (MinIO)',
      403,
      { 'content-type': 'application/xml' },
      '<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>',
    ],
    ['a bare 404', 404, { 'content-type': 'text/plain' }, 'Not Found'],
  ])('%s: one request, no retry, and none after it', async (_name, status, headers, body) => {
    const fake = await fakeEndpoint(status, headers, body);
    server = fake.server;
    const first = await sendTo(fake.url, LIST).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(AwsError);
    expect((first as AwsError).kind).toBe('not-available');
    expect((first as AwsError).message).toBe(NOT_AVAILABLE_MESSAGE);
    // Remembered: the next calls fail the same way without reaching the endpoint.
    const second = await sendTo(fake.url, {
      service: 'accessanalyzer',
      operation: 'ListFindingsV2',
      input: { analyzerArn: ARN },
    }).catch((error: unknown) => error);
    expect((second as AwsError).message).toBe(NOT_AVAILABLE_MESSAGE);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.url).toBe('/analyzer');
  });

  it('Access Analyzer’s own JSON denial is a denial, and is not remembered', async () => {
    const fake = await fakeEndpoint(
      403,
      { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' },
      '{"message":"User is not authorized to perform: access-analyzer:ListAnalyzers"}',
    );
    server = fake.server;
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = (await sendTo(fake.url, LIST).catch((caught: unknown) => caught)) as AwsError;
      expect(error.kind).toBe('access-denied');
      expect(error.message).toBe('Access denied: access-analyzer:ListAnalyzers.');
    }
    expect(fake.requests).toHaveLength(2);
  });

  it('Access Analyzer’s own 404 (no such analyzer) is its error, not "not available"', async () => {
    const fake = await fakeEndpoint(
      404,
      { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' },
      '{"message":"Analyzer s3-harden-account not found","resourceId":"s3-harden-account","resourceType":"AWS::AccessAnalyzer::Analyzer"}',
    );
    server = fake.server;
    const error = (await sendTo(fake.url, {
      service: 'accessanalyzer',
      operation: 'DeleteAnalyzer',
      input: { analyzerName: ANALYZER_NAME },
    }).catch((caught: unknown) => caught)) as AwsError;
    expect(error.kind).toBe('service');
    expect(error.code).toBe('ResourceNotFoundException');
    expect(error.message).toBe(
      'accessanalyzer:DeleteAnalyzer failed: ResourceNotFoundException (Analyzer s3-harden-account not found)',
    );
  });
});

describe('IAM Access Analyzer at the SDK boundary (S3 and STS: the emulator)', () => {
  let analyzer: AwsClientStub<AccessAnalyzerClient>;
  let session: AwsSession;
  beforeAll(async () => {
    analyzer = mockClient(AccessAnalyzerClient);
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterEach(() => analyzer.reset());
  afterAll(() => {
    analyzer.restore();
    session.close();
  });

  const activeAnalyzer = {
    arn: ARN,
    name: 'corp',
    type: 'ACCOUNT' as const,
    status: 'ACTIVE' as const,
    createdAt: NOW,
  };

  it('asks for the bucket’s active findings with exactly these inputs', async () => {
    const bucket = uniqueBucket('aa-sdk');
    await createBucket(bucket);
    analyzer.on(ListAnalyzersCommand).resolves({ analyzers: [activeAnalyzer] });
    analyzer
      .on(ListFindingsV2Command)
      .resolvesOnce({
        findings: [
          {
            id: 'f-public',
            resource: `arn:aws:s3:::${bucket}`,
            resourceType: 'AWS::S3::Bucket',
            resourceOwnerAccount: ACCOUNT,
            status: 'ACTIVE',
            analyzedAt: NOW,
            createdAt: NOW,
            updatedAt: NOW,
          },
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({ findings: [] });
    analyzer.on(GetFindingV2Command).resolves({
      id: 'f-public',
      resourceType: 'AWS::S3::Bucket',
      resourceOwnerAccount: ACCOUNT,
      status: 'ACTIVE',
      analyzedAt: NOW,
      createdAt: NOW,
      updatedAt: NOW,
      findingType: 'ExternalAccess',
      findingDetails: [
        {
          externalAccessDetails: {
            principal: { AWS: '*' },
            action: ['s3:GetObject'],
            condition: {},
            isPublic: true,
            sources: [{ type: 'POLICY' }],
          },
        },
      ],
    });

    const posture = await session.observe(bucket, READS, OPTIONAL);
    expect(posture.unreadable).toEqual({});
    expect(posture.values['account.analyzer']).toEqual({
      name: 'corp',
      arn: ARN,
      type: 'ACCOUNT',
      status: 'ACTIVE',
    });
    expect(posture.values['bucket.findings']).toEqual({
      region: REGION,
      analyzerArn: ARN,
      truncated: false,
      findings: [
        {
          id: 'f-public',
          principal: { AWS: '*' },
          actions: ['s3:GetObject'],
          conditions: {},
          isPublic: true,
          sources: ['POLICY'],
          accessPoints: [],
        },
      ],
    } satisfies BucketFindings);

    expect(analyzer.commandCalls(ListAnalyzersCommand).map((call) => call.args[0].input)).toEqual([
      {},
    ]);
    const filter = { resource: { eq: [`arn:aws:s3:::${bucket}`] }, status: { eq: ['ACTIVE'] } };
    expect(analyzer.commandCalls(ListFindingsV2Command).map((call) => call.args[0].input)).toEqual([
      { analyzerArn: ARN, filter, maxResults: 50 },
      { analyzerArn: ARN, filter, maxResults: 50, nextToken: 'page-2' },
    ]);
    expect(analyzer.commandCalls(GetFindingV2Command).map((call) => call.args[0].input)).toEqual([
      { analyzerArn: ARN, id: 'f-public' },
    ]);
    expect(notes(posture)[0]).toBe(
      'warning: Analyzer corp (account, us-east-1): 1 active finding, 1 public.',
    );
  });

  it.each<[string, () => Error, string]>([
    [
      'access denied',
      () =>
        new AccessDeniedException({
          message: 'User is not authorized to perform: access-analyzer:ListAnalyzers',
          $metadata: { httpStatusCode: 403 },
        }),
      'Access denied: access-analyzer:ListAnalyzers.',
    ],
    [
      'throttling',
      () =>
        new ThrottlingException({
          message: 'Rate exceeded',
          retryAfterSeconds: 1,
          $metadata: { httpStatusCode: 429 },
        }),
      'AWS is throttling requests (ThrottlingException); try again shortly.',
    ],
    [
      'a validation error',
      () =>
        new ValidationException({
          message: 'Invalid nextToken',
          reason: 'other',
          $metadata: { httpStatusCode: 400 },
        }),
      'accessanalyzer:ListAnalyzers failed: ValidationException (Invalid nextToken)',
    ],
  ])(
    'ListAnalyzers failing with %s: both reads unreadable with one line, the step aside',
    async (_name, error, message) => {
      const bucket = uniqueBucket('aa-sdk-err');
      await createBucket(bucket);
      analyzer.on(ListAnalyzersCommand).rejects(error());
      const posture = await session.observe(bucket, READS, OPTIONAL);
      expect(posture.unreadable).toEqual({
        'account.analyzer': message,
        'bucket.findings': message,
      });
      expect(notes(posture)).toEqual([
        `warning: ${message.replace(/\.$/, '')}: this step reviews nothing and changes nothing.`,
      ]);
      expect(step.plan(posture, { createAnalyzer: true })).toEqual([]);
    },
  );

  it('a denied ListFindingsV2 leaves the analyzer readable and names access-analyzer:ListFindings', async () => {
    const bucket = uniqueBucket('aa-sdk-findings');
    await createBucket(bucket);
    analyzer.on(ListAnalyzersCommand).resolves({ analyzers: [activeAnalyzer] });
    analyzer
      .on(ListFindingsV2Command)
      .rejects(new AccessDeniedException({ message: 'no', $metadata: { httpStatusCode: 403 } }));
    const posture = await session.observe(bucket, READS, OPTIONAL);
    expect(posture.values['account.analyzer']).toMatchObject({ name: 'corp' });
    expect(posture.unreadable).toEqual({
      'bucket.findings': 'Access denied: access-analyzer:ListFindings.',
    });
    expect(notes(posture)).toEqual([
      'warning: Analyzer corp (account, us-east-1): findings not read: Access denied: access-analyzer:ListFindings.',
    ]);
  });

  it.each<[string, () => Error, string, string]>([
    [
      'a validation error',
      () =>
        new ValidationException({
          message: 'analyzerName failed to satisfy constraint',
          reason: 'fieldValidationFailed',
          fieldList: [{ name: 'analyzerName', message: 'invalid' }],
          $metadata: { httpStatusCode: 400 },
        }),
      'service',
      'accessanalyzer:CreateAnalyzer failed: ValidationException (analyzerName failed to satisfy constraint)',
    ],
    [
      'a conflict (it exists already)',
      () =>
        new ConflictException({
          message: 'Analyzer s3-harden-account already exists',
          resourceId: ANALYZER_NAME,
          resourceType: 'AWS::AccessAnalyzer::Analyzer',
          $metadata: { httpStatusCode: 409 },
        }),
      'conflict',
      'ConflictException: Analyzer s3-harden-account already exists',
    ],
    [
      'the quota of account analyzers',
      () =>
        new ServiceQuotaExceededException({
          message: 'Only one analyzer of type ACCOUNT is allowed per account per region',
          resourceId: ANALYZER_NAME,
          resourceType: 'AWS::AccessAnalyzer::Analyzer',
          $metadata: { httpStatusCode: 402 },
        }),
      'service',
      'accessanalyzer:CreateAnalyzer failed: ServiceQuotaExceededException (Only one analyzer of type ACCOUNT is allowed per account per region)',
    ],
    [
      'access denied',
      () => new AccessDeniedException({ message: 'no', $metadata: { httpStatusCode: 403 } }),
      'access-denied',
      'Access denied: access-analyzer:CreateAnalyzer.',
    ],
  ])('CreateAnalyzer failing with %s: one line, once', async (_name, error, kind, message) => {
    analyzer.on(CreateAnalyzerCommand).rejects(error());
    const call: ApiCall = {
      service: 'accessanalyzer',
      operation: 'CreateAnalyzer',
      input: { analyzerName: ANALYZER_NAME, type: 'ACCOUNT' },
    };
    const failed = (await session.execute(call).catch((caught: unknown) => caught)) as AwsError;
    expect(failed.kind).toBe(kind);
    expect(failed.message).toBe(message);
    expect(analyzer.commandCalls(CreateAnalyzerCommand)).toHaveLength(1);
  });

  describe('creating the analyzer', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 's3-harden-aa-'));
    });

    /** Access Analyzer as state: the analyzers that exist, changed by create and delete. */
    const stateful = () => {
      let analyzers: { arn: string; name: string; type: 'ACCOUNT'; status: 'CREATING' }[] = [];
      analyzer.on(ListAnalyzersCommand).callsFake(async () => ({ analyzers }));
      analyzer.on(CreateAnalyzerCommand).callsFake(async (input: { analyzerName: string }) => {
        analyzers = [
          { arn: CREATED_ARN, name: input.analyzerName, type: 'ACCOUNT', status: 'CREATING' },
        ];
        return { arn: CREATED_ARN };
      });
      analyzer.on(DeleteAnalyzerCommand).callsFake(async () => {
        analyzers = [];
        return {};
      });
    };

    it('strict creates s3-harden-account; apply verifies it, still CREATING', async () => {
      const bucket = uniqueBucket('aa-apply');
      await createBucket(bucket);
      stateful();
      const posture = await session.observe(bucket, READS, OPTIONAL);
      expect(posture.values['account.analyzer']).toBeNull();
      const answers = step.defaults(posture, 'strict');
      expect(answers.createAnalyzer).toBe(true);
      const plan = buildPlan(posture, 'strict', [...STEP_IDS], { 'access-analyzer': answers });
      const outcome = await executePlan(plan, {
        run: (call) => session.execute(call),
        read: (resource, identity) => session.read(plan.target, resource, identity),
        journal: openJournal(plan.target, join(dir, 'journals')),
      });
      expect(outcome.status).toBe('applied');
      expect(outcome.results.map((result) => [result.status, result.verified])).toEqual([
        ['applied', true],
      ]);
      expect(
        analyzer.commandCalls(CreateAnalyzerCommand).map((call) => call.args[0].input),
      ).toEqual([{ analyzerName: 's3-harden-account', type: 'ACCOUNT' }]);
      expect(analyzer.commandCalls(DeleteAnalyzerCommand)).toHaveLength(0);

      // The next run finds it: nothing to create, and it is still scanning.
      const again = await session.observe(bucket, READS, OPTIONAL);
      expect(
        buildPlan(again, 'strict', [...STEP_IDS], {
          'access-analyzer': step.defaults(again, 'strict'),
        }).changes,
      ).toEqual([]);
      expect(notes(again)).toEqual([
        'info: Analyzer s3-harden-account (account) is being created: findings appear after it has scanned; run s3-harden again to review them.',
      ]);
    });

    it('a later failure rolls it back: DeleteAnalyzer of exactly that analyzer, read back as gone', async () => {
      const bucket = uniqueBucket('aa-rollback');
      await createBucket(bucket);
      stateful();
      const posture = await session.observe(
        bucket,
        [...READS, 'bucket.publicAccessBlock'],
        OPTIONAL,
      );
      const ids = ['public-access-block', 'access-analyzer'] as const;
      const plan = buildPlan(posture, 'strict', [...ids], {
        'public-access-block': {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
        'access-analyzer': { createAnalyzer: true },
      });
      // The analyzer goes first here; the bucket change after it fails.
      const order = plan.changes.map((change) => change.id);
      const analyzerFirst = {
        ...plan,
        changes: [...plan.changes].sort(
          (a, b) => Number(b.id === 'account.analyzer') - Number(a.id === 'account.analyzer'),
        ),
      };
      expect(order).toContain('account.analyzer');
      const outcome = await executePlan(analyzerFirst, {
        run: (call) =>
          call.operation === 'PutPublicAccessBlock'
            ? Promise.reject(new Error('injected failure'))
            : session.execute(call),
        read: (resource, identity) => session.read(plan.target, resource, identity),
        journal: openJournal(plan.target, join(dir, 'journals')),
      });
      expect(outcome.status).toBe('rolled-back');
      expect(outcome.results.map((result) => [result.change.id, result.status])).toEqual([
        ['account.analyzer', 'rolled-back'],
        ['bucket.publicAccessBlock', 'failed'],
      ]);
      expect(
        analyzer.commandCalls(DeleteAnalyzerCommand).map((call) => call.args[0].input),
      ).toEqual([{ analyzerName: 's3-harden-account' }]);
      expect(await session.read(plan.target, 'account.analyzer')).toBeNull();
    });
  });
});
