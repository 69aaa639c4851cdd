/**
 * The bucket-policy step's VPC endpoint listing against the emulator: S3
 * endpoints created with raw EC2 calls are listed from DescribeVpcEndpoints
 * (other services and regions left out), shown beside the typed IDs, and a
 * denied listing falls back to typing without skipping the step.
 */
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DescribeRouteTablesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import type { VpcEndpointList } from '../../src/plan/resources/vpc-endpoints.js';
import { type BucketPolicyAnswers, bucketPolicyStep } from '../../src/steps/bucket-policy.js';
import type { Field } from '../../src/steps/form.js';
import { buildPlan, defaultAnswers, readsFor, unavailableReason } from '../../src/steps/index.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';

const READS = readsFor(['bucket-policy']);

const notes = (fields: Field[]) =>
  fields.flatMap((field) => (field.kind === 'note' ? [`${field.tone}: ${field.text}`] : []));

function ec2(region: string): EC2Client {
  return new EC2Client({ region, endpoint: emulatorUrl() });
}

/** A VPC with one S3 endpoint of the given type in `region`; returns the endpoint and VPC IDs. */
async function s3Endpoint(
  client: EC2Client,
  region: string,
  type: 'Gateway' | 'Interface',
  service = `com.amazonaws.${region}.s3`,
): Promise<{ id: string; vpcId: string }> {
  const vpc = await client.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc?.VpcId as string;
  let placement: { RouteTableIds?: string[]; SubnetIds?: string[] };
  if (type === 'Gateway') {
    const tables = await client.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
    );
    placement = {
      RouteTableIds: (tables.RouteTables ?? []).map((table) => table.RouteTableId as string),
    };
  } else {
    const subnet = await client.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24' }),
    );
    placement = { SubnetIds: [subnet.Subnet?.SubnetId as string] };
  }
  const created = await client.send(
    new CreateVpcEndpointCommand({
      VpcId: vpcId,
      ServiceName: service,
      VpcEndpointType: type,
      ...placement,
    }),
  );
  return { id: created.VpcEndpoint?.VpcEndpointId as string, vpcId };
}

describe('S3 VPC endpoints listed from the emulator', () => {
  let session: AwsSession;
  let gateway: { id: string; vpcId: string };
  let iface: { id: string; vpcId: string };
  let elsewhere: { id: string; vpcId: string };
  const raw = ec2('us-east-1');

  beforeAll(async () => {
    gateway = await s3Endpoint(raw, 'us-east-1', 'Gateway');
    iface = await s3Endpoint(raw, 'us-east-1', 'Interface');
    // Neither is listed: another service, another region.
    await s3Endpoint(raw, 'us-east-1', 'Gateway', 'com.amazonaws.us-east-1.dynamodb');
    const west = ec2('eu-west-1');
    elsewhere = await s3Endpoint(west, 'eu-west-1', 'Gateway');
    west.destroy();
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => {
    raw.destroy();
    session.close();
  });

  it('reads the S3 gateway and interface endpoints of the region, sorted by id, in one call', async () => {
    const bucket = uniqueBucket('vpce-listed');
    await createBucket(bucket);
    const posture = await session.observe(bucket, READS);
    expect(posture.unreadable).toEqual({});
    const expected = [
      { id: gateway.id, vpcId: gateway.vpcId, type: 'Gateway', state: 'available' },
      { id: iface.id, vpcId: iface.vpcId, type: 'Interface', state: 'available' },
    ].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(posture.values['account.vpcEndpoints']).toEqual({
      region: 'us-east-1',
      endpoints: expected,
    } satisfies VpcEndpointList);
    expect(session.callCounts()['ec2:DescribeVpcEndpoints']).toBe(1);
  });

  it('shows them beside the typed IDs, and warns about one that is not among them', async () => {
    const bucket = uniqueBucket('vpce-typed');
    await createBucket(bucket);
    const posture = await session.observe(bucket, READS);
    const answers: BucketPolicyAnswers = {
      ...bucketPolicyStep.defaults(posture, 'strict'),
      vpceOnly: true,
      vpceIds: `${gateway.id}, ${elsewhere.id}`,
    };
    const shown = notes(bucketPolicyStep.fields(posture, answers));
    expect(shown).toContain(
      `warning: ${elsewhere.id} is not among the S3 endpoints listed in us-east-1: check it (endpoints of other accounts or regions are not listed).`,
    );
    const listing = shown.find((text) => text.startsWith('info: S3 endpoints in us-east-1: '));
    expect(listing).toContain(`${gateway.id} (${gateway.vpcId}, Gateway)`);
    expect(listing).toContain(`${iface.id} (${iface.vpcId}, Interface)`);
    expect(listing).not.toContain(elsewhere.id);
    // A warning, not an error: the plan restricts to both.
    expect(bucketPolicyStep.validate(answers)).toEqual([]);
    const plan = buildPlan(posture, 'strict', ['bucket-policy'], { 'bucket-policy': answers });
    expect(JSON.stringify(plan.changes[0]?.after)).toContain(elsewhere.id);
  });
});

describe('S3 VPC endpoints when listing them is denied', () => {
  let restore: () => void;
  let session: AwsSession;

  beforeAll(async () => {
    // Every EC2 client in this describe block: DescribeVpcEndpoints is denied.
    const mocked = mockClient(EC2Client);
    mocked.on(DescribeVpcEndpointsCommand).rejects(
      Object.assign(new Error('You are not authorized to perform this operation.'), {
        name: 'UnauthorizedOperation',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    restore = () => mocked.restore();
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => {
    restore();
    session.close();
  });

  it('marks the listing unreadable, keeps the step, and falls back to typed IDs', async () => {
    const bucket = uniqueBucket('vpce-denied');
    await createBucket(bucket);
    const posture = await session.observe(bucket, READS);
    expect(posture.unreadable).toEqual({
      'account.vpcEndpoints': 'Access denied: ec2:DescribeVpcEndpoints.',
    });
    expect(unavailableReason('bucket-policy', posture)).toBeNull();

    const answers: BucketPolicyAnswers = {
      ...defaultAnswers(posture, 'strict', ['bucket-policy'])['bucket-policy'],
      vpceOnly: true,
      vpceIds: 'vpce-0123456789abcdef0',
    } as BucketPolicyAnswers;
    const fields = bucketPolicyStep.fields(posture, answers);
    expect(fields.some((field) => field.kind === 'text' && field.key === 'vpceIds')).toBe(true);
    expect(notes(fields)).toContain(
      'warning: S3 endpoints not listed (Access denied: ec2:DescribeVpcEndpoints.); type the vpce- IDs.',
    );
    const plan = buildPlan(posture, 'strict', ['bucket-policy'], { 'bucket-policy': answers });
    expect(plan.skipped).toEqual([]);
    expect(JSON.stringify(plan.changes[0]?.after)).toContain('vpce-0123456789abcdef0');
  });
});

describe('an endpoint without EC2 (or KMS)', () => {
  let restore: () => void;
  let session: AwsSession;
  beforeAll(async () => {
    // What MinIO or LocalStack's free edition answer for a service they lack.
    const mocked = mockClient(EC2Client);
    mocked.on(DescribeVpcEndpointsCommand).rejects(
      Object.assign(new Error('not implemented'), {
        name: 'NotImplemented',
        $metadata: { httpStatusCode: 501 },
      }),
    );
    restore = () => mocked.restore();
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => {
    restore();
    session.close();
  });

  it('an optional listing that fails for any reason only makes its step fall back', async () => {
    const bucket = uniqueBucket('vpce-missing');
    await createBucket(bucket);
    await expect(session.observe(bucket, READS)).rejects.toThrow(/NotImplemented/);
    const posture = await session.observe(bucket, READS, { optional: ['account.vpcEndpoints'] });
    expect(posture.unreadable['account.vpcEndpoints']).toMatch(/NotImplemented/);
    expect(posture.values['bucket.policy']).toBeNull();
    expect(unavailableReason('bucket-policy', posture)).toBeNull();
  });
});
