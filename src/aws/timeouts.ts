/**
 * How long a request may wait on the network. The SDK's own default is to
 * wait forever: an endpoint that accepts the connection and never answers
 * hung `audit` (and would hang `apply` between two journal entries). Every
 * client gets two limits, each per attempt (the SDK's standard retry mode
 * tries a timed-out call 3 times):
 *
 * - connect: the socket (for https://, the TLS handshake too) must be up
 *   within 5 s. Counted from when the socket is created, not from when the
 *   request was queued: a large audit queues hundreds of reads behind the
 *   client's 50 sockets, and the handler's own `connectionTimeout` counts that
 *   wait too, so it would fail healthy reads on a slow link.
 * - answer: once connected, 30 s without a byte fails the request (the
 *   handler's `socketTimeout`, an inactivity timer that stays armed through
 *   the response body).
 *
 * S3_HARDEN_TIMEOUT_MS sets the answer limit (and the connect limit, when
 * lower than 5 s): tests lower it, operators on a slow link raise it.
 */
import { type AgentOptions, Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type RequestOptions } from 'node:https';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export const TIMEOUT_ENV = 'S3_HARDEN_TIMEOUT_MS';
const DEFAULT_ANSWER_MS = 30_000;
const MAX_CONNECT_MS = 5_000;
/** Past this, Node's timers fire at once (they hold 32 bits): a day is plenty. */
const LONGEST_MS = 86_400_000;

export interface Timeouts {
  readonly connectMs: number;
  readonly answerMs: number;
}

/** A setting s3-harden reads from the environment is not usable. */
export class SettingError extends Error {
  override name = 'SettingError';
}

export function resolveTimeouts(env: NodeJS.ProcessEnv = process.env): Timeouts {
  const raw = env[TIMEOUT_ENV]?.trim();
  if (!raw) return { connectMs: MAX_CONNECT_MS, answerMs: DEFAULT_ANSWER_MS };
  const answerMs = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(answerMs >= 1 && answerMs <= LONGEST_MS)) {
    throw new SettingError(
      `${TIMEOUT_ENV} must be a whole number of milliseconds from 1 to ${LONGEST_MS}, not "${raw}".`,
    );
  }
  return { connectMs: Math.min(MAX_CONNECT_MS, answerMs), answerMs };
}

/** What the connect limit rejects with; errors.ts reads `timeoutMs` and `phase`. */
function connectTimeoutError(ms: number): Error {
  return Object.assign(new Error(`no connection within ${ms} ms`), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
    phase: 'connect',
    timeoutMs: ms,
  });
}

/** Destroys `socket` unless it is up (`upEvent`) within `ms` of its creation. */
function limitConnect<T extends Duplex | null | undefined>(
  socket: T,
  ms: number,
  upEvent: string,
): T {
  if (!(socket instanceof Socket)) return socket;
  const timer = setTimeout(() => socket.destroy(connectTimeoutError(ms)), ms);
  const clear = () => clearTimeout(timer);
  socket.once(upEvent, clear);
  socket.once('close', clear);
  return socket;
}

/** The SDK's own agent settings (keep-alive, 50 sockets), kept when we supply the agents. */
const AGENT_OPTIONS: AgentOptions = { keepAlive: true, maxSockets: 50 };

class ConnectLimitedHttpAgent extends HttpAgent {
  constructor(
    private readonly connectMs: number,
    options: AgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: Parameters<HttpAgent['createConnection']>[0],
    callback?: Parameters<HttpAgent['createConnection']>[1],
  ) {
    return limitConnect(super.createConnection(options, callback), this.connectMs, 'connect');
  }
}

class ConnectLimitedHttpsAgent extends HttpsAgent {
  constructor(
    private readonly connectMs: number,
    options: AgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: RequestOptions,
    callback?: Parameters<HttpsAgent['createConnection']>[1],
  ) {
    // Up means the TLS handshake is done: a server that accepts TCP and never
    // speaks TLS is a connect failure, not a silent answer.
    return limitConnect(super.createConnection(options, callback), this.connectMs, 'secureConnect');
  }
}

/**
 * The `requestHandler` options of one client (NodeHttpHandler's): fresh agents
 * each time, since destroying a client destroys its agents.
 */
export function requestHandlerOptions(
  timeouts: Timeouts,
  agentOptions: AgentOptions = AGENT_OPTIONS,
) {
  return {
    httpAgent: new ConnectLimitedHttpAgent(timeouts.connectMs, agentOptions),
    httpsAgent: new ConnectLimitedHttpsAgent(timeouts.connectMs, agentOptions),
    socketTimeout: timeouts.answerMs,
  };
}
