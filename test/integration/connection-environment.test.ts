/**
 * The connection settings the built CLI takes from the environment
 * (AWS_ENDPOINT_URL, AWS_REGION, AWS_DEFAULT_REGION) when no flag overrides
 * them: an unusable one is one line on stderr naming the variable, exit 1,
 * before any request; an empty region variable counts as unset. A web server
 * on 127.0.0.1 answering 404 pages stands in for the endpoint and notes the
 * region each request was signed for.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** The run's stderr as its one line, after checking there is only one and nothing on stdout. */
function oneLine(result: { stdout: string; stderr: string }): string {
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  return lines[0] as string;
}

let server: Server;
let endpoint: string;
/** The region in each request's SigV4 credential scope. */
let signedFor: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(request.headers.authorization ?? '');
    signedFor.push(scope?.[1] ?? '(unsigned)');
    request.resume();
    response.writeHead(404, { 'content-type': 'text/html' });
    response.end('<html><body><h1>Not Found</h1></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  signedFor = [];
});

const notSts = (where: string) =>
  `s3-harden: ${where} does not answer like AWS STS (HTTP 404): check --endpoint-url.`;

describe('AWS_ENDPOINT_URL', () => {
  it.each([
    ['audit --all', ['audit', '--all']],
    ['plan', ['plan', '--bucket', 'some-bucket']],
    ['apply', ['apply', 'plan.json', '--yes']],
    ['rollback', ['rollback', '--bucket', 'some-bucket', '--yes']],
    ['the wizard', []],
    ['the wizard with a bucket', ['--bucket', 'some-bucket']],
  ])('that is not a URL is named by %s, in one line', async (_label, args) => {
    const result = await runCli(args, { env: { AWS_ENDPOINT_URL: 'notaurl' } });
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe(
      's3-harden: AWS_ENDPOINT_URL "notaurl" is not a URL (e.g. http://127.0.0.1:5000).',
    );
  });

  it('that is not http:// or https:// is named', async () => {
    const result = await runCli(['audit', '--all'], { env: { AWS_ENDPOINT_URL: 'ftp://x' } });
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe(
      's3-harden: AWS_ENDPOINT_URL "ftp://x" must be an http:// or https:// URL.',
    );
  });

  it('with a user name and password is refused without printing them, before any request', async () => {
    const url = endpoint.replace('//', '//admin:hunter2@');
    const result = await runCli(['audit', '--all'], { env: { AWS_ENDPOINT_URL: url } });
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe(
      `s3-harden: AWS_ENDPOINT_URL must not carry a user name or password (http://…@${endpoint.slice(7)}): AWS signs requests with your credentials; pass those with --profile or the environment.`,
    );
    expect(signedFor).toEqual([]);
  });

  it('is not looked at when --endpoint-url is given', async () => {
    const result = await runCli(['audit', '--all', '--endpoint-url', endpoint], {
      env: { AWS_ENDPOINT_URL: 'notaurl' },
    });
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe(notSts(endpoint));
  });
});

describe('AWS_REGION', () => {
  it('empty is unset: with an endpoint, the emulators’ us-east-1', async () => {
    const result = await runCli(['audit', '--all', '--endpoint-url', endpoint], {
      env: { AWS_REGION: '' },
    });
    expect(oneLine(result)).toBe(notSts(endpoint));
    expect(new Set(signedFor)).toEqual(new Set(['us-east-1']));
  });

  it('empty is unset: AWS_DEFAULT_REGION is used', async () => {
    const result = await runCli(['plan', '--bucket', 'some-bucket', '--endpoint-url', endpoint], {
      env: { AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-west-2' },
    });
    expect(oneLine(result)).toBe(notSts(endpoint));
    expect(new Set(signedFor)).toEqual(new Set(['eu-west-2']));
  });

  it('empty is unset: the profile’s region is used (the SDK would take "")', async () => {
    const dir = mkdtempSync(join(tmpdir(), 's3-harden-region-'));
    const config = join(dir, 'config');
    // The profile names the endpoint too (the SDK reads endpoint_url): the
    // request shows which region it was signed for.
    writeFileSync(config, `[default]\nregion = eu-west-3\nendpoint_url = ${endpoint}\n`);
    const result = await runCli(['audit', '--bucket', 'some-bucket'], {
      env: { AWS_REGION: '', AWS_CONFIG_FILE: config },
    });
    expect(oneLine(result)).toBe(notSts('The AWS endpoint'));
    expect(new Set(signedFor)).toEqual(new Set(['eu-west-3']));
  });

  it('empty, with no region anywhere, is no region', async () => {
    const result = await runCli(['audit', '--bucket', 'some-bucket'], { env: { AWS_REGION: '' } });
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe('s3-harden: No AWS region set: pass --region or set AWS_REGION.');
  });

  it.each([
    ['AWS_REGION', { AWS_REGION: 'eu west' }, 'eu west'],
    ['AWS_DEFAULT_REGION', { AWS_REGION: '', AWS_DEFAULT_REGION: 'eu_west!' }, 'eu_west!'],
  ])('%s that no endpoint would take is named, before any request', async (name, env, value) => {
    const result = await runCli(['audit', '--all', '--endpoint-url', endpoint], { env });
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe(
      `s3-harden: ${name} "${value}" is not an AWS region name (e.g. eu-west-1).`,
    );
    expect(signedFor).toEqual([]);
  });

  it('is not looked at when --region is given', async () => {
    const result = await runCli(
      ['audit', '--all', '--endpoint-url', endpoint, '--region', 'ap-south-1'],
      { env: { AWS_REGION: 'eu west' } },
    );
    expect(oneLine(result)).toBe(notSts(endpoint));
    expect(new Set(signedFor)).toEqual(new Set(['ap-south-1']));
  });
});
