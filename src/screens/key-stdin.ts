/**
 * The stdin Ink reads: the terminal's, one key per read. A read that carries
 * several keys (./keys.ts splits them) is handed on one key at a time, and
 * each key after the first waits until React has drawn what the one before
 * changed. Ink calls a `useInput` handler from the last render, so keys
 * handed on in one go would each see the same stale state: three Downs in
 * a select list moved one row, and a paste's Enter submitted the field as it
 * was before the paste. Once here, every screen, list and text field
 * (ink-select-input and ink-text-input too) gets its keys one by one.
 *
 * It forwards what Ink's App uses of stdin (isTTY, setRawMode, setEncoding,
 * ref/unref, `readable` + read()); not `data` listeners or unshift, which
 * only Ink's opt-in kitty keyboard detection uses.
 */
import { EventEmitter } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { createKeySplitter } from './keys.js';

/** What is read of the terminal's stdin (process.stdin, or a test's). */
export interface KeySource {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  ref(): unknown;
  unref(): unknown;
  read(): string | Buffer | null;
  on(event: 'readable', listener: () => void): unknown;
  off(event: 'readable', listener: () => void): unknown;
}

/**
 * Event-loop turns between two keys of one read. Ink's handlers re-attach in
 * React's passive effects, which run a turn after the render; a screen that
 * a key opens may take one more (its own effects), so three, like the
 * screen tests' settle. About a millisecond each.
 */
const TURNS_BETWEEN_KEYS = 3;

async function turns(count: number): Promise<void> {
  for (let turn = 0; turn < count; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
}

class KeyByKeyStdin extends EventEmitter {
  private readonly splitter = createKeySplitter();
  private readonly decoder = new StringDecoder('utf8');
  private readonly queue: string[] = [];
  /** The key the current `readable` event offers; read() hands it out once. */
  private offered: string | null = null;
  private delivering = false;
  private listening = false;

  constructor(private readonly source: KeySource) {
    super();
    // Read the terminal only while Ink listens (it stops when no input hook is mounted).
    this.on('newListener', (event: string) => {
      if (event === 'readable' && !this.listening) {
        this.listening = true;
        this.source.on('readable', this.onReadable);
        // Keys read before Ink stopped listening are its once it listens again.
        if (this.queue.length > 0) queueMicrotask(() => void this.deliver());
      }
    });
    this.on('removeListener', (event: string) => {
      if (event === 'readable' && this.listening && this.listenerCount('readable') === 0) {
        this.listening = false;
        this.source.off('readable', this.onReadable);
      }
    });
  }

  get isTTY(): boolean {
    return this.source.isTTY === true;
  }

  setRawMode(mode: boolean): this {
    this.source.setRawMode?.(mode);
    return this;
  }

  setEncoding(encoding: BufferEncoding): this {
    this.source.setEncoding(encoding);
    return this;
  }

  ref(): this {
    this.source.ref();
    return this;
  }

  unref(): this {
    this.source.unref();
    return this;
  }

  read(): string | null {
    const key = this.offered;
    this.offered = null;
    return key;
  }

  private readonly onReadable = () => {
    for (let chunk = this.source.read(); chunk !== null; chunk = this.source.read()) {
      const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
      this.queue.push(...this.splitter.push(text));
    }
    void this.deliver();
  };

  /** Offers the queued keys one per `readable`, the first at once. */
  private async deliver(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (;;) {
        if (this.queue.length === 0 && this.splitter.pending) {
          // The rest of a cut-off sequence may be in the next read; if not, ESC was pressed alone.
          await turns(1);
          if (this.queue.length === 0) this.queue.push(...this.splitter.flush());
        }
        if (!this.listening) return;
        const key = this.queue.shift();
        if (key === undefined) return;
        this.offered = key;
        this.emit('readable');
        this.offered = null;
        // Also before a key of the next read: one that arrives right after
        // (a paste following a held Backspace) must not see the state from
        // before this key, either.
        await turns(TURNS_BETWEEN_KEYS);
      }
    } finally {
      this.delivering = false;
    }
  }
}

/** `source` as Ink's stdin, one key per read. */
export function keyByKeyStdin(source: KeySource): NodeJS.ReadStream {
  return new KeyByKeyStdin(source) as unknown as NodeJS.ReadStream;
}
