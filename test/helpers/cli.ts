/**
 * Runs the built CLI (dist/, built by `pretest`) as a user would, with the
 * hermetic test environment and this worker's emulator.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 's3-harden.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** What a spawned process printed (its piped streams; '' for one not piped) and its exit code. */
export function collect(child: ChildProcess): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; deadline?: number } = {},
): Promise<CliResult> {
  return collect(
    spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      cwd: options.cwd ?? process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
      // With a deadline, a run that blocks is killed (code null) and fails its test instead of hanging it.
      ...(options.deadline ? { timeout: options.deadline, killSignal: 'SIGKILL' as const } : {}),
    }),
  );
}

/** `s3-harden plan` for one bucket against `endpoint`, saved to `file`; `args` add flags. */
export function planToFile(
  bucket: string,
  file: string,
  endpoint: string,
  args: readonly string[] = [],
): Promise<CliResult> {
  return runCli(['plan', ...args, '--bucket', bucket, '--out', file, '--endpoint-url', endpoint]);
}
