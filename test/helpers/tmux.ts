/**
 * A real pseudo-terminal for end-to-end tests: tmux on a private socket, a
 * window of 80×24 unless told (60×20 for the narrow tests), keys in with
 * send-keys, the screen out with capture-pane.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V']).status === 0;
}

/**
 * Whether the tmux tests can run: CI installs tmux (.ci/run), so there a
 * missing tmux fails loudly; elsewhere the tests skip with a reason.
 */
export function tmuxAvailable(): boolean {
  const available = hasTmux();
  if (!available && process.env.CI)
    throw new Error('tmux is required for the end-to-end tests in CI');
  return available;
}

/** What the built CLI runs with in a test terminal: the emulator's credentials, no profile, a private state directory. */
export function cliEnvironment(
  stateDir = mkdtempSync(join(tmpdir(), 's3-harden-e2e-state-')),
): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    S3_HARDEN_STATE_DIR: stateDir,
    TERM: 'xterm-256color',
  };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export class TmuxTerminal {
  private readonly socket = `s3h-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    command: readonly string[],
    env: Record<string, string>,
    cwd: string,
    size: { readonly columns: number; readonly rows: number } = { columns: 80, rows: 24 },
  ) {
    const assignments = Object.entries(env).map(([key, value]) => `${key}=${shellQuote(value)}`);
    // After the program exits, print its exit code and keep the pane open to read it.
    const script = `cd ${shellQuote(cwd)} && env ${assignments.join(' ')} ${command.map(shellQuote).join(' ')}; echo "[exited $?]"; sleep 600`;
    this.tmux(
      'new-session',
      '-d',
      '-s',
      'e2e',
      '-x',
      String(size.columns),
      '-y',
      String(size.rows),
      script,
    );
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], {
      encoding: 'utf8',
    });
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', 'e2e');
  }

  /** Sends tmux key names (Enter, Escape, Down, C-c) or literal text. */
  send(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'e2e', ...keys);
  }

  /** The screen and everything scrolled off above it. */
  history(): string {
    return this.tmux('capture-pane', '-p', '-S', '-', '-t', 'e2e');
  }

  /** Pastes `text` as a terminal paste does: one write of all of it (tmux's paste buffer). */
  paste(text: string): void {
    this.tmux('set-buffer', '--', text);
    this.tmux('paste-buffer', '-d', '-t', 'e2e');
  }

  async waitFor(
    expected: string | RegExp | ((screen: string) => boolean),
    timeoutMs = 15_000,
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const matches = (text: string) =>
      typeof expected === 'string'
        ? text.includes(expected)
        : expected instanceof RegExp
          ? expected.test(text)
          : expected(text);
    for (;;) {
      const text = this.screen();
      if (matches(text)) return text;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${String(expected)}; screen:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}
