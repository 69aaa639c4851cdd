import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Server,
  type Socket,
} from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { requestHandlerOptions, resolveTimeouts, SettingError } from '../../src/aws/timeouts.js';

describe('resolveTimeouts', () => {
  it.each<[string | undefined, { connectMs: number; answerMs: number }]>([
    [undefined, { connectMs: 5000, answerMs: 30_000 }],
    ['', { connectMs: 5000, answerMs: 30_000 }],
    ['300', { connectMs: 300, answerMs: 300 }],
    [' 120000 ', { connectMs: 5000, answerMs: 120_000 }],
  ])('S3_HARDEN_TIMEOUT_MS=%s', (value, expected) => {
    expect(resolveTimeouts(value === undefined ? {} : { S3_HARDEN_TIMEOUT_MS: value })).toEqual(
      expected,
    );
  });

  it.each(['0', '-5', '1.5', '30s', '86400001'])('refuses %s in one line', (value) => {
    const refuse = () => resolveTimeouts({ S3_HARDEN_TIMEOUT_MS: value });
    expect(refuse).toThrow(SettingError);
    expect(refuse).toThrow(
      `S3_HARDEN_TIMEOUT_MS must be a whole number of milliseconds from 1 to 86400000, not "${value}".`,
    );
  });
});

describe('the connect limit of the clients’ agents', () => {
  const servers: { server: Server; sockets: Set<Socket> }[] = [];
  async function listen(server: Server): Promise<number> {
    const sockets = new Set<Socket>();
    server.on('connection', (socket: Socket) => sockets.add(socket));
    servers.push({ server, sockets });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }
  afterEach(async () => {
    for (const { server, sockets } of servers.splice(0)) {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('does not count the wait for a free socket: a busy client is not a dead endpoint', async () => {
    const port = await listen(
      createHttpServer((_request, response) => {
        setTimeout(() => response.end('ok'), 100);
      }),
    );
    // One socket, four requests: the last waits ~300 ms in the queue, far past
    // the 50 ms connect limit (the SDK handler's own connectionTimeout would
    // count that wait and fail it).
    const { httpAgent } = requestHandlerOptions(
      { connectMs: 50, answerMs: 5000 },
      { keepAlive: true, maxSockets: 1 },
    );
    const get = () =>
      new Promise<string>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port, agent: httpAgent }, (response) => {
          let body = '';
          response.on('data', (chunk) => {
            body += chunk;
          });
          response.on('end', () => resolve(body));
        })
          .on('error', reject)
          .end();
      });
    try {
      expect(await Promise.all([get(), get(), get(), get()])).toEqual(['ok', 'ok', 'ok', 'ok']);
    } finally {
      httpAgent.destroy();
    }
  });

  it('fails an https:// connection whose TLS handshake never comes', async () => {
    const port = await listen(createTcpServer(() => {}));
    const { httpsAgent } = requestHandlerOptions({ connectMs: 100, answerMs: 5000 });
    const started = Date.now();
    const error = await new Promise<unknown>((resolve) => {
      httpsRequest({ host: '127.0.0.1', port, agent: httpsAgent }, () => resolve(undefined))
        .on('error', resolve)
        .end();
    });
    httpsAgent.destroy();
    expect(error).toMatchObject({ code: 'ETIMEDOUT', phase: 'connect', timeoutMs: 100 });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
