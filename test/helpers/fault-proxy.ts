/**
 * A loopback proxy in front of the emulator that numbers every request it
 * receives (1, 2, …, in order of arrival) and faults request number `at`
 * with one of five kinds; every other request is forwarded untouched:
 *
 * - `500`:   answers HTTP 500 InternalError without forwarding
 * - `403`:   answers AccessDenied without forwarding (JSON for KMS, XML otherwise)
 * - `reset`: destroys the connection without forwarding
 * - `hang`:  never answers (the client's timeout, or a kill, ends it)
 * - `lost`:  forwards it (the write runs), then destroys the connection
 *            instead of returning the answer
 *
 * Models test/helpers/holding-proxy.ts.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAULT_KINDS = ['500', '403', 'reset', 'hang', 'lost'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  readonly at: number;
  readonly kind: FaultKind;
}

export interface SeenRequest {
  readonly n: number;
  readonly method: string;
  readonly url: string;
  /** The operation: X-Amz-Target for JSON services (KMS), else method and path. */
  readonly operation: string;
  /** The request's body, as text (a JSON service's input). */
  readonly body: string;
}

export interface FaultProxy {
  readonly url: string;
  /** Faults request `fault.at` of the count that starts now (null: forward everything). */
  arm(fault: Fault | null): void;
  /** Requests since the last `arm`. */
  readonly count: number;
  /** Requests since the last `arm`, in order of arrival. */
  readonly seen: readonly SeenRequest[];
  /** The request the armed fault hit, once it has. */
  readonly faulted: SeenRequest | undefined;
  close(): Promise<void>;
}

function operationOf(incoming: IncomingMessage): string {
  const target = incoming.headers['x-amz-target'];
  if (typeof target === 'string') return target.replace(/^.*\./, '');
  const url = incoming.url ?? '';
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1).split('&')[0] : '';
  return `${incoming.method} ${url.split('?')[0]?.split('/').length ?? 0}${query ? ` ?${query}` : ''}`;
}

function deny(incoming: IncomingMessage, outgoing: ServerResponse): void {
  if (typeof incoming.headers['x-amz-target'] === 'string') {
    outgoing.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
    outgoing.end(
      JSON.stringify({
        __type: 'AccessDeniedException',
        message: 'fault proxy: access denied',
      }),
    );
    return;
  }
  outgoing.writeHead(403, { 'content-type': 'application/xml' });
  outgoing.end(
    '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>fault proxy: access denied</Message><RequestId>fault</RequestId></Error>',
  );
}

function internalError(incoming: IncomingMessage, outgoing: ServerResponse): void {
  if (typeof incoming.headers['x-amz-target'] === 'string') {
    outgoing.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
    outgoing.end(JSON.stringify({ __type: 'KMSInternalException', message: 'fault proxy' }));
    return;
  }
  outgoing.writeHead(500, { 'content-type': 'application/xml' });
  outgoing.end(
    '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>fault proxy: internal error</Message><RequestId>fault</RequestId></Error>',
  );
}

/** Starts the proxy on a free loopback port in front of `target`. */
export async function faultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let fault: Fault | null = null;
  let seen: SeenRequest[] = [];
  let faulted: SeenRequest | undefined;
  // Hung requests, answered (with a reset) when the proxy closes.
  const hung = new Set<IncomingMessage>();
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const entry: SeenRequest = {
        n: seen.length + 1,
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        operation: operationOf(incoming),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      const kind = fault && fault.at === entry.n ? fault.kind : null;
      if (kind) faulted = entry;
      if (kind === '500') return internalError(incoming, outgoing);
      if (kind === '403') return deny(incoming, outgoing);
      if (kind === 'reset') {
        incoming.socket.destroy();
        return;
      }
      if (kind === 'hang') {
        hung.add(incoming);
        incoming.socket.once('close', () => hung.delete(incoming));
        return;
      }
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          if (kind === 'lost') {
            // The write has run upstream; its answer never reaches the client.
            answer.resume();
            answer.on('end', () => incoming.socket.destroy());
            return;
          }
          outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', () => incoming.socket.destroy());
      forwarded.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    arm(next) {
      fault = next;
      seen = [];
      faulted = undefined;
    },
    get count() {
      return seen.length;
    },
    get seen() {
      return seen;
    },
    get faulted() {
      return faulted;
    },
    close() {
      for (const incoming of hung) incoming.socket.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
