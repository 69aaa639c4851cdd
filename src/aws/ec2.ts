/**
 * The EC2 SDK, loaded only on first use (the S3 VPC endpoint listing): the
 * client is large, and most runs never need it. Nothing but the lazy client
 * in clients.ts imports this module, and only with a dynamic import(), so the
 * bundle keeps it in a chunk of its own. Named imports let the bundler keep
 * just these commands of the package.
 */
import { DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';

export { EC2Client };

/** The EC2 commands s3-harden sends, by operation name. */
export const EC2_COMMANDS: Readonly<Record<string, new (input: never) => unknown>> = {
  DescribeVpcEndpoints: DescribeVpcEndpointsCommand,
};
