/**
 * Files that are not what they claim, through the built CLI: `apply` and
 * `rollback` read only regular files, check the size on the open descriptor
 * and never read past the limit, so a device, a FIFO, a directory, a socket
 * or a 1 GB file each get one line and exit 1, at once and without a single
 * request to AWS (the endpoint is a loopback server that counts them). An
 * empty journal, or a file that is not one, is an error too. `plan --out`
 * does not write through a symbolic link unless --force.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createSocketServer, type Server as SocketServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAnyPlan } from '../../src/plan/files/fleet-file.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';

/** runCli, killed if it has not ended by `deadline` ms (code null then). */
function runBounded(args: readonly string[], deadline = 15_000): Promise<CliResult> {
  return runCli(args, { deadline });
}

describe('files that are not regular files, or too large', () => {
  let server: Server;
  let socketServer: SocketServer;
  let requests = 0;
  let endpoint: string;
  let dir: string;
  const paths: Record<string, string> = {};

  beforeAll(async () => {
    server = createServer((_request, response) => {
      requests += 1;
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 's3-harden-unsafe-files-'));
    paths.fifo = join(dir, 'plan.fifo');
    execFileSync('mkfifo', [paths.fifo]);
    paths.directory = join(dir, 'a-directory');
    mkdirSync(paths.directory);
    // Sparse: 1 GB by its size, no disk used, created at once.
    paths.huge = join(dir, 'huge.json');
    writeFileSync(paths.huge, '');
    truncateSync(paths.huge, 1024 ** 3);
    paths.socket = join(dir, 'plan.sock');
    socketServer = createSocketServer();
    await new Promise<void>((resolve) => socketServer.listen(paths.socket, resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => socketServer.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const KINDS: [string, () => string, RegExp][] = [
    [
      '/dev/zero',
      () => '/dev/zero',
      /cannot read \/dev\/zero: a character device, not a regular file$/,
    ],
    [
      '/dev/urandom',
      () => '/dev/urandom',
      /cannot read \/dev\/urandom: a character device, not a regular file$/,
    ],
    [
      '/dev/null',
      () => '/dev/null',
      /cannot read \/dev\/null: a character device, not a regular file$/,
    ],
    [
      'a FIFO',
      () => paths.fifo as string,
      /plan\.fifo: a named pipe \(FIFO\), not a regular file$/,
    ],
    [
      'a directory',
      () => paths.directory as string,
      /a-directory: a directory, not a regular file$/,
    ],
    ['a socket', () => paths.socket as string, /plan\.sock: a socket, not a regular file$/],
    ['a sparse 1 GB file', () => paths.huge as string, /huge\.json: file is 1073741824 bytes; /],
  ];

  const refused = (result: CliResult, message: RegExp) => {
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.endsWith('\n')).toBe(true);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr.trimEnd()).toMatch(/^s3-harden: /);
    expect(result.stderr.trimEnd()).toMatch(message);
    expect(requests).toBe(0);
  };

  it.each(KINDS)('apply %s: one line, exit 1, no API call', async (_name, path, message) => {
    refused(await runBounded(['apply', path(), '--yes', '--endpoint-url', endpoint]), message);
  });

  it.each(KINDS)('rollback %s: one line, exit 1, no API call', async (_name, path, message) => {
    refused(await runBounded(['rollback', path(), '--yes', '--endpoint-url', endpoint]), message);
  });

  it('the size limits are named: a plan file (even a fleet plan) and a journal', async () => {
    const apply = await runBounded([
      'apply',
      paths.huge as string,
      '--yes',
      '--endpoint-url',
      endpoint,
    ]);
    expect(apply.stderr).toMatch(/; a plan file, even a fleet plan, is at most 70778880\n$/);
    const rollback = await runBounded(['rollback', paths.huge as string, '--yes']);
    expect(rollback.stderr).toMatch(/; an s3-harden journal is at most 10485760\n$/);
  });

  it.each([
    ['an empty file', '', /journal\.jsonl: empty, not an s3-harden journal$/],
    ['only blank lines', '\n\n', /journal\.jsonl: empty, not an s3-harden journal$/],
    [
      'a text file',
      'hello, world\n',
      /journal\.jsonl: not an s3-harden journal \(no complete entry\)$/,
    ],
    [
      'the start of a plan file',
      '{"format": "s3-harden-plan", "version": 1, ',
      /journal\.jsonl: not an s3-harden journal \(no complete entry\)$/,
    ],
  ])('rollback of %s: one line, exit 1 (not "nothing to do")', async (_name, content, message) => {
    const file = join(dir, 'journal.jsonl');
    writeFileSync(file, content);
    refused(await runBounded(['rollback', file, '--yes', '--endpoint-url', endpoint]), message);
  });
});

describe('plan --out and symbolic links', () => {
  let dir: string;
  let bucket: string;
  const endpoint = () => ['--endpoint-url', emulatorUrl()];
  const ONLY = ['--only', 'public-access-block'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-out-link-'));
    bucket = uniqueBucket('out-link');
    await createBucket(bucket);
  });

  it('refuses to write through a symbolic link, in one line after the plan; --force writes through it', async () => {
    const target = join(dir, 'target.json');
    const link = join(dir, 'link.json');
    symlinkSync(target, link);
    const refusedRun = await runCli([
      'plan',
      ...ONLY,
      '--bucket',
      bucket,
      '--out',
      link,
      ...endpoint(),
    ]);
    expect(refusedRun.code).toBe(1);
    expect(refusedRun.stderr).toBe(
      `s3-harden: cannot write ${link}: it is a symbolic link; not following it (--force writes through it)\n`,
    );
    expect(refusedRun.stdout).toContain('Block Public Access (bucket)');
    expect(refusedRun.stdout).not.toContain('Saved the plan');
    expect(existsSync(target)).toBe(false);

    const forced = await runCli([
      'plan',
      ...ONLY,
      '--bucket',
      bucket,
      '--out',
      link,
      '--force',
      ...endpoint(),
    ]);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(2);
    expect(forced.stdout).toContain(`Saved the plan to ${link}.`);
    expect(parseAnyPlan(readFileSync(target, 'utf8')).kind).toBe('plan');
  });

  it('a regular file already there is replaced, as before', async () => {
    const file = join(dir, 'existing.json');
    writeFileSync(file, 'old');
    const result = await runCli([
      'plan',
      ...ONLY,
      '--bucket',
      bucket,
      '--out',
      file,
      ...endpoint(),
    ]);
    expect(result.code).toBe(2);
    expect(parseAnyPlan(readFileSync(file, 'utf8')).kind).toBe('plan');
  });

  it('a fleet plan refuses a symbolic link too; --force writes through it', async () => {
    const other = uniqueBucket('out-link-b');
    await createBucket(other);
    const target = join(dir, 'fleet-target.json');
    const link = join(dir, 'fleet-link.json');
    symlinkSync(target, link);
    const fleet = ['plan', ...ONLY, '--bucket', `${bucket},${other}`, '--out', link, ...endpoint()];
    const refusedRun = await runCli(fleet);
    expect(refusedRun.code).toBe(1);
    expect(refusedRun.stderr).toBe(
      `s3-harden: cannot write ${link}: it is a symbolic link; not following it (--force writes through it)\n`,
    );
    expect(existsSync(target)).toBe(false);
    const forced = await runCli([...fleet, '--force']);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(2);
    expect(parseAnyPlan(readFileSync(target, 'utf8')).kind).toBe('fleet');
  });

  it('a FIFO as --out is refused at once instead of waiting for a reader', async () => {
    const fifo = join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const result = await runBounded([
      'plan',
      ...ONLY,
      '--bucket',
      bucket,
      '--out',
      fifo,
      ...endpoint(),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `s3-harden: cannot write ${fifo}: it is a named pipe (FIFO) with no reader\n`,
    );
  });
});
