/**
 * Maps a serialisable ApiCall onto the SDK command that performs it. Only the
 * operations of the known families are here; anything else is refused.
 */
import type { ApiCall } from '../plan/model/types.js';
import type { Clients } from './clients.js';
import { COMMANDS } from './families/index.js';

interface Sender {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

export function hasCommand(call: Pick<ApiCall, 'service' | 'operation'>): boolean {
  return Boolean(COMMANDS[call.service]?.[call.operation]);
}

/**
 * Writes that a retry would repeat rather than resume: each creates a new
 * resource with a new ID. They go through a client without retries.
 */
const SINGLE_ATTEMPT: Partial<Record<string, keyof Clients>> = {
  'kms:CreateKey': 'kmsSingleAttempt',
};

/** Sends one call through the matching client; the raw SDK error propagates. */
export async function send(clients: Clients, call: ApiCall): Promise<Record<string, unknown>> {
  const Command = COMMANDS[call.service]?.[call.operation];
  const name = SINGLE_ATTEMPT[`${call.service}:${call.operation}`] ?? call.service;
  const client = (clients as unknown as Record<string, Sender | undefined>)[name];
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
