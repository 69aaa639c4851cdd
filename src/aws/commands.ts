/**
 * Maps a serialisable ApiCall onto the SDK command that performs it. Only the
 * operations in the plan catalogue are here; anything else is refused.
 */
import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import {
  DeletePublicAccessBlockCommand as DeleteAccountPublicAccessBlockCommand,
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand,
} from '@aws-sdk/client-s3-control';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { ApiCall } from '../plan/types.js';
import type { Clients } from './clients.js';

// Each SDK command class takes its own input type; the plan catalogue has
// already validated the input, so the map stores them under one loose type.
type CommandClass = new (input: never) => unknown;

const COMMANDS: Record<string, Record<string, CommandClass>> = {
  s3: {
    ListBuckets: ListBucketsCommand,
    HeadBucket: HeadBucketCommand,
    GetPublicAccessBlock: GetPublicAccessBlockCommand,
    PutPublicAccessBlock: PutPublicAccessBlockCommand,
    DeletePublicAccessBlock: DeletePublicAccessBlockCommand,
  },
  s3control: {
    GetPublicAccessBlock: GetAccountPublicAccessBlockCommand,
    PutPublicAccessBlock: PutAccountPublicAccessBlockCommand,
    DeletePublicAccessBlock: DeleteAccountPublicAccessBlockCommand,
  },
  sts: {
    GetCallerIdentity: GetCallerIdentityCommand,
  },
};

interface Sender {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

export function hasCommand(call: Pick<ApiCall, 'service' | 'operation'>): boolean {
  return Boolean(COMMANDS[call.service]?.[call.operation]);
}

/** Sends one call through the matching client; the raw SDK error propagates. */
export async function send(clients: Clients, call: ApiCall): Promise<Record<string, unknown>> {
  const Command = COMMANDS[call.service]?.[call.operation];
  const client = (clients as unknown as Record<string, Sender | undefined>)[call.service];
  if (!Command || !client) {
    throw new Error(
      `${call.service}:${call.operation} is not supported by this version of s3-harden`,
    );
  }
  const output = (await client.send(new Command(structuredClone(call.input) as never))) as Record<
    string,
    unknown
  >;
  const { $metadata: _metadata, ...rest } = output;
  return rest;
}
