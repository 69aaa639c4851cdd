/**
 * Runs the built CLI and kills it with SIGKILL: `delay` ms after a trigger —
 * the spawn, a line on its stdout that contains `after`, or a file appearing
 * in a watched directory — never on a fixed sleep of the test's own.
 */
import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { BIN } from './cli.js';

export interface KilledRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** ms from spawn to exit. */
  readonly ms: number;
  /** ms from spawn to the trigger (undefined: it never came). */
  readonly triggeredMs?: number;
}

export interface KillOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Kill this long after the trigger; undefined: never kill. */
  readonly delay?: number;
  /** The trigger is the first stdout chunk containing this text. */
  readonly after?: string;
  /** The trigger is the first change in this directory. */
  readonly watchDir?: string;
}

export function killedRun(args: readonly string[], options: KillOptions = {}): Promise<KilledRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    let triggeredMs: number | undefined;
    const arm = () => {
      if (options.delay === undefined || timer) return;
      triggeredMs = performance.now() - started;
      timer = setTimeout(() => child.kill('SIGKILL'), options.delay);
    };
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (options.after !== undefined && stdout.includes(options.after)) arm();
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const watcher = options.watchDir ? watch(options.watchDir, arm) : undefined;
    if (options.after === undefined && !options.watchDir) arm();
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      watcher?.close();
      resolve({
        code,
        signal,
        stdout,
        stderr,
        ms: performance.now() - started,
        ...(triggeredMs !== undefined ? { triggeredMs } : {}),
      });
    });
  });
}
