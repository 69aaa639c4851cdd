/**
 * The AWS half of the S3 VPC endpoint listing: DescribeVpcEndpoints, all
 * pages, filtered to S3's gateway and interface endpoints in the session's
 * region. The EC2 SDK is not imported here: the command is deferred (see
 * DeferredCommand in ../clients.ts), so the module loads only when this
 * resource is read.
 */

import type { Target } from '../../plan/model/types.js';
import {
  normaliseVpcEndpoints,
  S3_ENDPOINT_TYPES,
  s3ServiceName,
  type VpcEndpointList,
} from '../../plan/resources/vpc-endpoints.js';
import { deferredCommand } from '../clients.js';
import type { AwsFamily, ReadSend } from './family.js';

/** Items per page (EC2 allows 5 to 1000). */
const PAGE_SIZE = 1000;
/** A runaway paginator stops here: far more endpoints than an account may have. */
const MAX_PAGES = 100;

export async function listS3Endpoints(target: Target, send: ReadSend): Promise<VpcEndpointList> {
  const items: unknown[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const output = await send({
      service: 'ec2',
      operation: 'DescribeVpcEndpoints',
      input: {
        Filters: [
          { Name: 'service-name', Values: [s3ServiceName(target.region)] },
          { Name: 'vpc-endpoint-type', Values: [...S3_ENDPOINT_TYPES] },
        ],
        MaxResults: PAGE_SIZE,
        ...(token ? { NextToken: token } : {}),
      },
    });
    items.push(...((output.VpcEndpoints as unknown[] | undefined) ?? []));
    token =
      typeof output.NextToken === 'string' && output.NextToken !== ''
        ? output.NextToken
        : undefined;
    if (!token || seen.has(token)) break;
    seen.add(token);
  }
  return normaliseVpcEndpoints(target.region, items);
}

export const vpcEndpointsAws: AwsFamily = {
  commands: {
    ec2: { DescribeVpcEndpoints: deferredCommand('DescribeVpcEndpoints') },
  },
  readers: {
    'account.vpcEndpoints': { query: listS3Endpoints },
  },
};
