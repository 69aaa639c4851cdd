/**
 * Renders a screen the way the wizard is mounted in a terminal
 * (src/screens/render-wizard.tsx: one key per read), not the way
 * ink-testing-library does (its stdin goes straight to Ink). `stdin.write`
 * is one terminal read: a burst of keys written at once arrives as a held
 * key, a paste or an SSH packet would. The result works with the helpers of
 * ./ink.ts (waitFor, frame, press).
 */
import { EventEmitter } from 'node:events';
import { render } from 'ink';
import type { ReactElement } from 'react';
import { wizardRenderOptions } from '../../src/screens/render-wizard.js';

/** A terminal's stdin: each write is one read. */
class TerminalStdin extends EventEmitter {
  readonly isTTY = true;
  private readonly reads: string[] = [];
  write = (data: string) => {
    this.reads.push(data);
    this.emit('readable');
  };
  read = () => this.reads.shift() ?? null;
  setEncoding() {}
  setRawMode() {}
  ref() {}
  unref() {}
}

class Screen extends EventEmitter {
  frames: string[] = [];
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  write = (frame: string) => {
    this.frames.push(frame);
  };
  lastFrame = () => this.frames.at(-1);
}

export function renderInTerminal(tree: ReactElement, size = { columns: 100, rows: 24 }) {
  const stdout = new Screen(size.columns, size.rows);
  const stderr = new Screen(size.columns, size.rows);
  const stdin = new TerminalStdin();
  const instance = render(
    tree,
    wizardRenderOptions(stdin, {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
      debug: true,
      patchConsole: false,
    }),
  );
  return {
    stdin,
    lastFrame: stdout.lastFrame,
    unmount: () => instance.unmount(),
    waitUntilExit: () => instance.waitUntilExit(),
  };
}
