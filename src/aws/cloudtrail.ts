/**
 * The CloudTrail SDK, loaded only on first use (the CloudTrail data events
 * step's reads and writes, the audit's data events control): nothing but the
 * lazy client in clients.ts imports this module, and only with a dynamic
 * import(), so the bundle keeps it in a chunk of its own and the first frame
 * never waits for it. Named imports let the bundler keep just these commands.
 */
import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';

export { CloudTrailClient };

/** The CloudTrail commands s3-harden sends, by operation name. */
export const CLOUDTRAIL_COMMANDS: Readonly<Record<string, new (input: never) => unknown>> = {
  DescribeTrails: DescribeTrailsCommand,
  GetTrail: GetTrailCommand,
  GetTrailStatus: GetTrailStatusCommand,
  GetEventSelectors: GetEventSelectorsCommand,
  PutEventSelectors: PutEventSelectorsCommand,
  CreateTrail: CreateTrailCommand,
  DeleteTrail: DeleteTrailCommand,
  StartLogging: StartLoggingCommand,
  StopLogging: StopLoggingCommand,
};
