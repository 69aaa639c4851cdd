/**
 * The account's S3 VPC endpoints, read-only: what the bucket-policy step
 * lists beside its "only through VPC endpoints" field, so the operator can
 * check the vpce- IDs typed there. Read with EC2 DescribeVpcEndpoints,
 * filtered to the S3 service of one region (gateway and interface endpoints);
 * unreadable when that is denied, and the step then falls back to typing.
 * s3-harden never writes it.
 */
import * as z from 'zod';
import type { ResourceFamily } from './spec.js';
import { UnwritableValueError } from './unwritable.js';

/** The endpoint types S3 offers. */
export const S3_ENDPOINT_TYPES = ['Gateway', 'Interface'] as const;

/** One VPC endpoint for S3, as the wizard lists it. */
export interface VpcEndpointSummary {
  /** vpce-… */
  readonly id: string;
  /** vpc-… */
  readonly vpcId: string;
  /** Gateway or Interface. */
  readonly type: string;
  /** As EC2 reports it: available, pending, pendingAcceptance, deleting, deleted, rejected, failed, expired… */
  readonly state: string;
}

/** The S3 endpoints of one region. */
export interface VpcEndpointList {
  /** The region whose S3 service they reach (com.amazonaws.<region>.s3). */
  readonly region: string;
  /** Sorted by id. */
  readonly endpoints: readonly VpcEndpointSummary[];
}

export interface VpcEndpointValues {
  /**
   * Read-only: the S3 VPC endpoints in the session's region. Never absent;
   * unreadable when ec2:DescribeVpcEndpoints is denied.
   */
  'account.vpcEndpoints': VpcEndpointList;
}

/** The service name of S3's VPC endpoints in `region`. */
export function s3ServiceName(region: string): string {
  return `com.amazonaws.${region}.s3`;
}

/** States in which requests can no longer come through an endpoint. */
const GONE = new Set(['deleting', 'deleted', 'rejected', 'failed', 'expired']);

/** True when requests cannot come through an endpoint in this state. */
export function isGoneState(state: string): boolean {
  return GONE.has(state.toLowerCase());
}

/**
 * The plain value from DescribeVpcEndpoints' items (all pages together): only
 * gateway and interface endpoints of S3 in `region` (even if the service
 * ignored the filters), each once, sorted by id.
 */
export function normaliseVpcEndpoints(region: string, items: readonly unknown[]): VpcEndpointList {
  const service = s3ServiceName(region);
  const byId = new Map<string, VpcEndpointSummary>();
  for (const item of items) {
    const raw = (item ?? {}) as {
      VpcEndpointId?: unknown;
      VpcId?: unknown;
      VpcEndpointType?: unknown;
      State?: unknown;
      ServiceName?: unknown;
    };
    const type = typeof raw.VpcEndpointType === 'string' ? raw.VpcEndpointType : '';
    if (typeof raw.VpcEndpointId !== 'string' || raw.VpcEndpointId === '') continue;
    if (raw.ServiceName !== undefined && raw.ServiceName !== service) continue;
    if (!(S3_ENDPOINT_TYPES as readonly string[]).includes(type)) continue;
    byId.set(raw.VpcEndpointId, {
      id: raw.VpcEndpointId,
      vpcId: typeof raw.VpcId === 'string' ? raw.VpcId : '',
      type,
      state: typeof raw.State === 'string' && raw.State !== '' ? raw.State : 'unknown',
    });
  }
  const endpoints = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { region, endpoints };
}

export const vpcEndpointSummarySchema = z.strictObject({
  id: z.string().min(1).max(64),
  vpcId: z.string().max(64),
  type: z.string().max(64),
  state: z.string().max(64),
});

export const vpcEndpointListSchema = z.strictObject({
  region: z.string().min(1).max(64),
  endpoints: z.array(vpcEndpointSummarySchema).max(10_000),
});

export const vpcEndpointsFamily: ResourceFamily<VpcEndpointValues> = {
  resources: {
    'account.vpcEndpoints': {
      readOnly: true,
      label: 'S3 VPC endpoints (account)',
      reads: ['ec2:DescribeVpcEndpoints'],
      scope: 'account',
      schema: vpcEndpointListSchema,
      write: () => {
        throw new UnwritableValueError(
          'S3 VPC endpoints (account) is read-only: a plan never changes it',
        );
      },
    },
  },
  operations: [
    {
      service: 'ec2',
      operation: 'DescribeVpcEndpoints',
      iamAction: 'ec2:DescribeVpcEndpoints',
      kind: 'read',
      scope: 'none',
    },
  ],
};
