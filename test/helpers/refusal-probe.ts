/**
 * For the tests that prove bad input is refused before any API call: a
 * loopback endpoint that counts the requests it gets, and `apply` run in
 * process with nothing left to stop it but its own checks.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { runApply } from '../../src/commands/apply.js';

export interface CountingEndpoint {
  /** Pass as --endpoint-url, or as the connection's endpoint. */
  readonly url: string;
  /** Requests received so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * Counts every request and fails it with a 500, unless `answer` returns an
 * XML body for it (by the request's body): that is sent with a 200.
 */
export async function countingEndpoint(
  answer: (body: string) => string | undefined = () => undefined,
): Promise<CountingEndpoint> {
  let requests = 0;
  const server = createServer((request, response) => {
    // Counted on arrival: a request that never finishes still counts.
    requests += 1;
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const xml = answer(body);
      if (xml === undefined) response.writeHead(500).end();
      else response.writeHead(200, { 'content-type': 'text/xml' }).end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * `apply FILE --yes` with every override (irreversible changes, security
 * warnings) against `endpoint`, output discarded: what is left to see is
 * whether it throws, and whether a request went out.
 */
export function applyUnattended(file: string, endpoint: string): ReturnType<typeof runApply> {
  const discard = new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  }) as unknown as typeof process.stdout;
  return runApply(
    {
      file,
      yes: true,
      allowIrreversible: true,
      allowSecurityWarnings: true,
      connection: { endpoint },
    },
    discard,
  );
}
