// One child process, timed from spawn to exit, its output collected. Every
// timed command of the benchmark (s3-harden or the AWS CLI) goes through this,
// so both sides pay the same for process creation and pipes.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/**
 * Runs argv[0] with argv[1..] and resolves once it has exited:
 * { ms, code, stdout, stderr }. Never rejects on a non-zero exit (the caller
 * knows which codes are answers); rejects only if the program cannot start.
 */
export function timedRun(argv, { env, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const [command, ...args] = argv;
    const start = performance.now();
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({
        ms: performance.now() - start,
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}
