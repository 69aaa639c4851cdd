/**
 * A loopback proxy in front of the emulator that holds one request until the
 * test releases it: what makes "Ctrl+C while this call is in flight" exact.
 */
import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BIN, type CliResult } from './cli.js';

/** One request as the proxy received it. */
export interface HeldSeen {
  readonly method: string;
  readonly url: string;
  /** X-Amz-Target of a JSON service's call (KMS), else empty. */
  readonly target: string;
  readonly body: string;
}

/**
 * Forwards to the emulator; the first request `hold` picks waits until
 * `release` is called. `requests` lists every request in order of arrival.
 */
export function holdingProxy(
  target: string,
  hold: (method: string, url: string, request: HeldSeen) => boolean,
) {
  const requests: HeldSeen[] = [];
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let holding: (() => void) | null = null;
  const seen = new Promise<void>((resolve) => {
    holding = resolve;
  });
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', async () => {
      const seenNow: HeldSeen = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        target: String(incoming.headers['x-amz-target'] ?? ''),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seenNow);
      if (holding && hold(seenNow.method, seenNow.url, seenNow)) {
        const found = holding;
        holding = null;
        found();
        await held;
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
          outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.end(Buffer.concat(chunks));
    });
  });
  return { server, seen, requests, release: () => release() };
}

/**
 * Runs the built CLI against the proxy, presses Ctrl+C (SIGINT) while the
 * held request waits, lets it go once the CLI has said "Cancelling:", and
 * returns what the run printed and its exit code.
 */
export async function interruptedRun(
  proxy: ReturnType<typeof holdingProxy>,
  args: readonly string[],
): Promise<CliResult> {
  const port = (proxy.server.address() as AddressInfo).port;
  const child = spawn(
    process.execPath,
    [BIN, ...args, '--endpoint-url', `http://127.0.0.1:${port}`],
    { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  const cancelled = new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('Cancelling:')) resolve();
    });
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await proxy.seen;
  child.kill('SIGINT');
  await cancelled;
  proxy.release();
  const code = await exited;
  return { code, stdout, stderr };
}
