/**
 * The built CLI's entry: a plain wizard start reaches the wizard without the
 * argument parser, anything else gets the full program's one-line errors,
 * and a reader that goes away does not crash the process with a stack trace.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';

describe('the CLI entry', () => {
  it('takes a plain wizard start to the wizard (which then refuses a pipe), flags checked', async () => {
    const result = await runCli(['--region', 'eu-west-1', '--preset', 'strict']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      's3-harden: the wizard needs an interactive terminal. In scripts and CI use: s3-harden plan --bucket B --out plan.json, then s3-harden apply plan.json --yes\n',
    );
  });

  it.each([
    [
      ['--preset', 'paranoid'],
      /--preset <name>.*'paranoid' is invalid\. Allowed choices are baseline, strict, worm, custom\./,
    ],
    [['--region', 'moon-1'], /"moon-1" is not an AWS region name/],
    [['--bucket', 'Bad_Name'], /"Bad_Name": a bucket name may contain only/],
    [['--yes'], /unknown option '--yes'/],
  ])('gives %j one line from the full program and exit 1', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it.each([[[]], [['plan', '--bucket', 'my-bucket']], [['audit', '--all']]])(
    'refuses an endpoint URL with a password (%j), without printing it',
    async (command) => {
      const result = await runCli([
        ...command,
        '--endpoint-url',
        'http://admin:hunter2@127.0.0.1:5000',
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).not.toContain('hunter2');
      expect(result.stderr).toBe(
        "s3-harden: option '--endpoint-url <url>' argument 'http://…@127.0.0.1:5000' is invalid. the endpoint URL must not carry a user name or password (http://…@127.0.0.1:5000): AWS signs requests with your credentials; pass those with --profile or the environment.\n",
      );
    },
  );

  it('carries connection flags given before the command to it (the default credentials would be another account)', async () => {
    const before = await runCli([
      '--profile',
      'no-such-profile',
      'audit',
      '--all',
      '--endpoint-url',
      'http://127.0.0.1:1',
    ]);
    const after = await runCli([
      'audit',
      '--all',
      '--profile',
      'no-such-profile',
      '--endpoint-url',
      'http://127.0.0.1:1',
    ]);
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/no-such-profile/);
    expect(before.stderr).toBe(after.stderr);
  });

  it.each([
    [
      ['--bucket', 'my-bucket', 'plan'],
      "s3-harden: --bucket before the command is the wizard's flag; put it after the command: s3-harden plan --bucket …\n",
    ],
    [
      ['--profile', 'a', 'rollback', '--profile', 'b'],
      's3-harden: --profile is given twice, before and after "rollback", with different values; give it once.\n',
    ],
    [
      ['plan', '--bucket', 'my-bucket', '--out', ''],
      "s3-harden: option '--out <file>' argument '' is invalid. It must name a file.\n",
    ],
    [
      ['plan', '--bucket', 'my-bucket', '--out', 'plan\n.json'],
      "s3-harden: option '--out <file>' argument 'plan\\u000a.json' is invalid. A file name with a control character (a newline, a tab…) is refused.\n",
    ],
    [
      ['plan', '--bucket', 'my-bucket', '--only', 'encryption,versioning', '--skip', 'encryption'],
      's3-harden: --only and --skip both name encryption: name each step in one of them.\n',
    ],
    [
      ['--profile', 'prod', 'plann', '--bucket', 'my-bucket'],
      "s3-harden: unknown command 'plann' (commands: plan, apply, rollback, audit, help).\n",
    ],
    [['audit', '--al'], "s3-harden: unknown option '--al' (Did you mean --all?)\n"],
  ])('refuses %j in one line, exit 1, before anything runs', async (args, line) => {
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(line);
  });

  it('`help` and `help <command>` show the same help as --help, in 80 columns', async () => {
    const root = await runCli(['help']);
    expect(root.code).toBe(0);
    expect(root.stdout).toBe((await runCli(['--help'])).stdout);
    expect(root.stdout).toContain('Exit codes:\n  0  done, or nothing to change\n');
    const plan = await runCli(['help', 'plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toBe((await runCli(['plan', '--help'])).stdout);
    expect(plan.stdout).toMatch(/^Usage: s3-harden plan /);
    for (const line of root.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('exits quietly when its reader goes away (`s3-harden --help | head -0`)', async () => {
    const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Closed before the help is written: the write fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
