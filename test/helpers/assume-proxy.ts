/**
 * A loopback proxy in front of the emulator that records every STS
 * AssumeRole it sees (its form fields) and refuses, with STS's own
 * AccessDenied, those whose RoleArn names a denied account; everything else
 * is forwarded untouched. The emulator lets any role be assumed, so this is
 * how a test has an account whose role cannot be.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AssumeProxy {
  readonly url: string;
  /** The AssumeRole requests seen, as their form fields. */
  readonly assumed: readonly Record<string, string>[];
  close(): Promise<void>;
}

const DENIED = (arn: string) =>
  `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/test is not authorized to perform: sts:AssumeRole on resource: ${arn}</Message></Error><RequestId>s3-harden-test</RequestId></ErrorResponse>`;

const LIST_DENIED = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>User is not authorized to perform: s3:ListAllMyBuckets</Message><RequestId>s3-harden-test</RequestId></Error>`;

/**
 * `deniedAccounts`: AssumeRole of a role there is refused. `denyMemberListing`:
 * ListBuckets signed by any other key than the caller's ("testing"), i.e.
 * by an assumed role, is refused too.
 */
export async function assumeProxy(
  target: string,
  deniedAccounts: readonly string[],
  options: { readonly denyMemberListing?: boolean } = {},
): Promise<AssumeProxy> {
  const upstream = new URL(target);
  const assumed: Record<string, string>[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      if (form.Action === 'AssumeRole') {
        assumed.push(form);
        const arn = form.RoleArn ?? '';
        if (deniedAccounts.some((id) => arn.includes(`::${id}:`))) {
          outgoing.writeHead(403, { 'content-type': 'text/xml' });
          outgoing.end(DENIED(arn));
          return;
        }
      }
      const signedBy = /Credential=([^/]+)\//.exec(incoming.headers.authorization ?? '')?.[1];
      const listing = incoming.method === 'GET' && /^\/(\?|$)/.test(incoming.url ?? '');
      if (options.denyMemberListing && listing && signedBy !== 'testing') {
        outgoing.writeHead(403, { 'content-type': 'application/xml' });
        outgoing.end(LIST_DENIED);
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
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    assumed,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
