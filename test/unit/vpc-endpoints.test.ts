/**
 * The account's S3 VPC endpoints: normalised from DescribeVpcEndpoints (all
 * pages), read-only, sent through the deferred EC2 client (the SDK module is
 * loaded only by the first call), and listed beside the bucket-policy step's
 * endpoint IDs.
 */
import { DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createClients, DeferredCommand, destroyClients } from '../../src/aws/clients.js';
import { send } from '../../src/aws/commands.js';
import { normaliseError } from '../../src/aws/errors.js';
import type { ReadSend } from '../../src/aws/families/family.js';
import { READERS } from '../../src/aws/families/index.js';
import { parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import { findOperation, iamActionFor } from '../../src/plan/model/operations.js';
import type { ApiCall, Posture, PostureValues } from '../../src/plan/model/types.js';
import { RESOURCE_KEYS, resourceSchema, writeCall } from '../../src/plan/resources/index.js';
import { UnwritableValueError } from '../../src/plan/resources/unwritable.js';
import {
  normaliseVpcEndpoints,
  type VpcEndpointList,
  type VpcEndpointSummary,
} from '../../src/plan/resources/vpc-endpoints.js';
import {
  type BucketPolicyAnswers,
  bucketPolicyStep as step,
  vpcEndpointNotes,
} from '../../src/steps/bucket-policy.js';
import type { Field } from '../../src/steps/form.js';
import { buildPlan, readsFor, unavailableReason } from '../../src/steps/index.js';
import { isOneLine, posture as postureOf, REGION, TARGET } from './support.js';

const SERVICE = `com.amazonaws.${REGION}.s3`;
const GATEWAY = 'vpce-0a1b2c3d4e5f60718';
const INTERFACE = 'vpce-0f0e0d0c0b0a09080';
const PENDING = 'vpce-11112222';
const DENIED = 'Access denied: ec2:DescribeVpcEndpoints.';

const item = (id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  VpcEndpointId: id,
  VpcId: 'vpc-0123456789abcdef0',
  VpcEndpointType: 'Gateway',
  State: 'available',
  ServiceName: SERVICE,
  ...overrides,
});

const endpoint = (id: string, overrides: Partial<VpcEndpointSummary> = {}): VpcEndpointSummary => ({
  id,
  vpcId: 'vpc-0123456789abcdef0',
  type: 'Gateway',
  state: 'available',
  ...overrides,
});

const NOTHING: BucketPolicyAnswers = {
  httpsOnly: true,
  minimumTls12: true,
  vpceOnly: false,
  vpceIds: '',
  sourceCidrs: '',
  uploadEncryption: 'off',
  kmsKeyArn: '',
  readOnlyRoles: '',
  crossAccounts: '',
};
const vpce = (ids: string): BucketPolicyAnswers => ({ ...NOTHING, vpceOnly: true, vpceIds: ids });

const at = (
  endpoints: VpcEndpointList | undefined,
  unreadable: Posture['unreadable'] = {},
): Posture =>
  postureOf(
    {
      'bucket.policy': null,
      ...(endpoints ? { 'account.vpcEndpoints': endpoints } : {}),
    } as Partial<PostureValues>,
    unreadable,
  );

const LISTED: VpcEndpointList = {
  region: REGION,
  endpoints: [
    endpoint(GATEWAY),
    endpoint(INTERFACE, { vpcId: 'vpc-0fedcba9876543210', type: 'Interface' }),
  ],
};

const notes = (fields: Field[]) =>
  fields.flatMap((field) => (field.kind === 'note' ? [`${field.tone}: ${field.text}`] : []));

describe('account.vpcEndpoints: normalisation', () => {
  it('keeps S3 gateway and interface endpoints of the region, each once, sorted by id', () => {
    const value = normaliseVpcEndpoints(REGION, [
      item(INTERFACE, { VpcEndpointType: 'Interface', VpcId: 'vpc-0fedcba9876543210' }),
      item(GATEWAY),
      item(GATEWAY),
      item('vpce-99999999', { ServiceName: 'com.amazonaws.us-east-1.dynamodb' }),
      item('vpce-88888888', { ServiceName: 'com.amazonaws.eu-west-1.s3' }),
      item('vpce-77777777', { VpcEndpointType: 'GatewayLoadBalancer' }),
      item('', {}),
      { VpcId: 'vpc-1' },
      null,
    ]);
    expect(value).toEqual(LISTED);
    expect(resourceSchema('account.vpcEndpoints').safeParse(value).success).toBe(true);
  });

  it('fills what EC2 left out: no VPC, no state, no service name (the filter already applied)', () => {
    expect(
      normaliseVpcEndpoints(REGION, [
        { VpcEndpointId: PENDING, VpcEndpointType: 'Interface', State: 'pendingAcceptance' },
        { VpcEndpointId: GATEWAY, VpcEndpointType: 'Gateway' },
      ]),
    ).toEqual({
      region: REGION,
      endpoints: [
        endpoint(GATEWAY, { vpcId: '', state: 'unknown' }),
        endpoint(PENDING, { vpcId: '', type: 'Interface', state: 'pendingAcceptance' }),
      ],
    });
  });

  it('an empty listing is a value, not absence', () => {
    expect(normaliseVpcEndpoints('eu-west-1', [])).toEqual({ region: 'eu-west-1', endpoints: [] });
  });
});

describe('account.vpcEndpoints: the resource and its operation', () => {
  it('is read-only: no call writes it', () => {
    expect(RESOURCE_KEYS).toContain('account.vpcEndpoints');
    expect(() => writeCall('account.vpcEndpoints', TARGET, LISTED)).toThrow(UnwritableValueError);
    expect(() => writeCall('account.vpcEndpoints', TARGET, LISTED)).toThrow(
      'S3 VPC endpoints (account) is read-only: a plan never changes it',
    );
  });

  it('names ec2:DescribeVpcEndpoints as a read in the catalogue', () => {
    const call = { service: 'ec2', operation: 'DescribeVpcEndpoints' } as const;
    expect(iamActionFor(call)).toBe('ec2:DescribeVpcEndpoints');
    expect(findOperation('ec2', 'DescribeVpcEndpoints')?.kind).toBe('read');
  });

  it('a plan file may not name it: EC2 is read, never written', () => {
    const plan = buildPlan(at(LISTED), 'strict', ['bucket-policy'], {
      'bucket-policy': vpce(GATEWAY),
    });
    const file = JSON.parse(serializePlan(plan, 'test'));
    file.changes[0].call = { service: 'ec2', operation: 'DescribeVpcEndpoints', input: {} };
    expect(() => parsePlan(JSON.stringify(file))).toThrow(
      'changes[0].call: ec2:DescribeVpcEndpoints is not an operation s3-harden applies',
    );
  });

  it('a denial names the action', () => {
    const error = normaliseError(
      Object.assign(new Error('You are not authorized to perform this operation.'), {
        name: 'UnauthorizedOperation',
        $metadata: { httpStatusCode: 403 },
      }),
      { call: { service: 'ec2', operation: 'DescribeVpcEndpoints', input: {} } },
    );
    expect(error.kind).toBe('access-denied');
    expect(error.message).toBe(DENIED);
  });
});

describe('account.vpcEndpoints: the reader', () => {
  const read = (send: ReadSend) => {
    const reader = READERS['account.vpcEndpoints'];
    if (!('query' in reader)) throw new Error('not a query reader');
    return reader.query(TARGET, send);
  };

  it('asks for S3 gateway and interface endpoints of the region and follows every page', async () => {
    const calls: ApiCall[] = [];
    const pages: Record<string, Record<string, unknown>> = {
      first: { VpcEndpoints: [item(INTERFACE, { VpcEndpointType: 'Interface' })], NextToken: 't1' },
      t1: { VpcEndpoints: [], NextToken: 't2' },
      t2: { VpcEndpoints: [item(GATEWAY)] },
    };
    const send: ReadSend = async (call) => {
      calls.push(call);
      return pages[(call.input.NextToken as string | undefined) ?? 'first'] ?? {};
    };
    const value = (await read(send)) as VpcEndpointList;
    expect(value.endpoints.map((listed) => listed.id)).toEqual([GATEWAY, INTERFACE]);
    expect(calls).toHaveLength(3);
    expect(calls[0]).toEqual({
      service: 'ec2',
      operation: 'DescribeVpcEndpoints',
      input: {
        Filters: [
          { Name: 'service-name', Values: [SERVICE] },
          { Name: 'vpc-endpoint-type', Values: ['Gateway', 'Interface'] },
        ],
        MaxResults: 1000,
      },
    });
    expect(calls.map((call) => call.input.NextToken)).toEqual([undefined, 't1', 't2']);
  });

  it('stops when a page hands back a token it already followed', async () => {
    let count = 0;
    const send: ReadSend = async () => {
      count += 1;
      return { VpcEndpoints: [item(GATEWAY)], NextToken: 'again' };
    };
    expect(((await read(send)) as VpcEndpointList).endpoints).toHaveLength(1);
    expect(count).toBe(2);
  });
});

describe('the deferred EC2 client at the SDK boundary', () => {
  const ec2 = mockClient(EC2Client);
  const clients = createClients({ region: REGION, endpoint: 'http://127.0.0.1:9' });
  afterEach(() => ec2.reset());
  afterAll(() => {
    ec2.restore();
    destroyClients(clients);
  });

  it('loads the EC2 module only when the first EC2 call is sent, and sends exactly the input', async () => {
    expect(clients.ec2.loaded).toBe(false);
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [item(GATEWAY)] });
    const call: ApiCall = {
      service: 'ec2',
      operation: 'DescribeVpcEndpoints',
      input: { Filters: [{ Name: 'service-name', Values: [SERVICE] }], MaxResults: 1000 },
    };
    const output = await send(clients, call);
    expect(clients.ec2.loaded).toBe(true);
    expect(output.VpcEndpoints).toEqual([item(GATEWAY)]);
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)[0]?.args[0].input).toEqual(call.input);
  });

  it('refuses an EC2 operation it has no command for', async () => {
    await expect(clients.ec2.send(new DeferredCommand('TerminateInstances', {}))).rejects.toThrow(
      'ec2:TerminateInstances is not supported by this version of s3-harden',
    );
  });

  it('a denied DescribeVpcEndpoints reaches the caller as the SDK error', async () => {
    ec2.on(DescribeVpcEndpointsCommand).rejects(
      Object.assign(new Error('You are not authorized to perform this operation.'), {
        name: 'UnauthorizedOperation',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const call: ApiCall = { service: 'ec2', operation: 'DescribeVpcEndpoints', input: {} };
    const error = await send(clients, call).catch((caught: unknown) => caught);
    expect(normaliseError(error, { call }).message).toBe(DENIED);
  });

  it('a client closed before its first call never loads the module', () => {
    const other = createClients({ region: REGION, endpoint: 'http://127.0.0.1:9' });
    destroyClients(other);
    expect(other.ec2.loaded).toBe(false);
  });
});

describe('bucket-policy step: the listed endpoints', () => {
  it('reads the endpoints optionally: the step still plans when they cannot be listed', () => {
    expect(step.optionalReads).toEqual(['account.vpcEndpoints', 'bucket.replication']);
    expect(readsFor(['bucket-policy'])).toEqual([
      'bucket.policy',
      'account.vpcEndpoints',
      'bucket.replication',
    ]);
    const denied = at(undefined, { 'account.vpcEndpoints': DENIED });
    expect(unavailableReason('bucket-policy', denied)).toBeNull();
    const plan = buildPlan(denied, 'strict', ['bucket-policy'], {
      'bucket-policy': vpce(GATEWAY),
    });
    expect(plan.skipped).toEqual([]);
    expect(JSON.stringify(plan.changes[0]?.after)).toContain(GATEWAY);
  });

  it('lists them under the endpoint IDs, only while the restriction is on', () => {
    const fields = step.fields(at(LISTED), vpce(GATEWAY));
    const index = fields.findIndex((field) => field.kind === 'text' && field.key === 'vpceIds');
    expect(fields[index + 1]).toEqual({
      kind: 'note',
      tone: 'info',
      text: `S3 endpoints in us-east-1: ${GATEWAY} (vpc-0123456789abcdef0, Gateway), ${INTERFACE} (vpc-0fedcba9876543210, Interface)`,
    });
    expect(notes(step.fields(at(LISTED), NOTHING))).toEqual([]);
  });

  it.each<[string, VpcEndpointList | undefined, Posture['unreadable'], string, string[]]>([
    [
      'listed IDs only: nothing to warn about',
      LISTED,
      {},
      `${INTERFACE}, ${GATEWAY}`,
      [
        `info: S3 endpoints in us-east-1: ${GATEWAY} (vpc-0123456789abcdef0, Gateway), ${INTERFACE} (vpc-0fedcba9876543210, Interface)`,
      ],
    ],
    [
      'an ID that is not listed: a warning, not an error',
      LISTED,
      {},
      `${GATEWAY}, vpce-12345678`,
      [
        `info: S3 endpoints in us-east-1: ${GATEWAY} (vpc-0123456789abcdef0, Gateway), ${INTERFACE} (vpc-0fedcba9876543210, Interface)`,
        'warning: vpce-12345678 is not among the S3 endpoints listed in us-east-1: check it (endpoints of other accounts or regions are not listed).',
      ],
    ],
    [
      'several unlisted IDs are named together; a malformed one is left to validation',
      LISTED,
      {},
      'vpce-12345678 vpce-87654321 vpce-12',
      [
        `info: S3 endpoints in us-east-1: ${GATEWAY} (vpc-0123456789abcdef0, Gateway), ${INTERFACE} (vpc-0fedcba9876543210, Interface)`,
        'warning: vpce-12345678 and vpce-87654321 are not among the S3 endpoints listed in us-east-1: check them (endpoints of other accounts or regions are not listed).',
      ],
    ],
    [
      'an endpoint that is not available says its state; a deleted one is warned about',
      {
        region: REGION,
        endpoints: [
          endpoint(GATEWAY, { state: 'deleted' }),
          endpoint(PENDING, { type: 'Interface', state: 'pendingAcceptance' }),
        ],
      },
      {},
      GATEWAY,
      [
        `info: S3 endpoints in us-east-1: ${GATEWAY} (vpc-0123456789abcdef0, Gateway, deleted), ${PENDING} (vpc-0123456789abcdef0, Interface, pendingAcceptance)`,
        `warning: ${GATEWAY} is deleted: no request can come through it.`,
      ],
    ],
    [
      'none in the region',
      { region: REGION, endpoints: [] },
      {},
      GATEWAY,
      [
        'warning: No S3 endpoints in us-east-1 in this account: create one first, or give endpoints of another account.',
      ],
    ],
    [
      'listing denied: type the IDs',
      undefined,
      { 'account.vpcEndpoints': DENIED },
      GATEWAY,
      [`warning: S3 endpoints not listed (${DENIED}); type the vpce- IDs.`],
    ],
    [
      'listed in another region than the bucket’s: no ID is judged',
      { region: 'eu-west-1', endpoints: [endpoint(GATEWAY)] },
      {},
      'vpce-12345678',
      [
        'warning: S3 endpoints were listed in eu-west-1, but the bucket is in us-east-1: run with --region us-east-1 to list its endpoints.',
      ],
    ],
    ['not read at all: no note', undefined, {}, 'vpce-12345678', []],
  ])('%s', (_name, listed, unreadable, ids, expected) => {
    const posture = at(listed, unreadable);
    expect(notes(vpcEndpointNotes(posture, vpce(ids)))).toEqual(expected);
    expect(notes(step.fields(posture, vpce(ids)))).toEqual(expected);
    for (const text of expected) expect(isOneLine(text)).toBe(true);
  });

  it('an unlisted ID is no validation error: the plan restricts to it', () => {
    const answers = vpce(`${GATEWAY}, vpce-12345678`);
    expect(step.validate(answers)).toEqual([]);
    const [change] = step.plan(at(LISTED), answers);
    expect(JSON.stringify(change?.after)).toContain('vpce-12345678');
  });

  it('names six endpoints, then how many more', () => {
    const many: VpcEndpointList = {
      region: REGION,
      endpoints: Array.from({ length: 9 }, (_, n) => endpoint(`vpce-0000000${n}`)),
    };
    const [note] = vpcEndpointNotes(at(many), vpce('vpce-00000000'));
    expect(note).toMatchObject({ kind: 'note', tone: 'info' });
    const text = (note as { text: string }).text;
    expect(text).toContain('vpce-00000005 (vpc-0123456789abcdef0, Gateway), and 3 more');
    expect(text).not.toContain('vpce-00000006');
  });
});
