/**
 * One terminal read, split into the keys a user pressed (src/screens/keys.ts),
 * and the stdin that hands them to Ink one per read (src/screens/key-stdin.ts).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { keyByKeyStdin } from '../../src/screens/key-stdin.js';
import { createKeySplitter, splitKeys } from '../../src/screens/keys.js';

const ESC = '\u001B';
const UP = `${ESC}[A`;
const DOWN = `${ESC}[B`;
const LEFT = `${ESC}[D`;
const BS = '\u007F';

describe('splitKeys', () => {
  it('splits repeated control keys: two Backspaces are two keys', () => {
    expect(splitKeys(`${BS}${BS}`)).toEqual({ keys: [BS, BS], pending: '' });
    expect(splitKeys('\b\b\u0003').keys).toEqual(['\b', '\b', '\u0003']);
  });

  it('splits several escape sequences in one read', () => {
    expect(splitKeys(`${DOWN}${DOWN}${DOWN}`).keys).toEqual([DOWN, DOWN, DOWN]);
    // PgUp, PgDn, Home, End (two spellings), Delete, SS3 arrows, F5 in the legacy form.
    const keys = [
      `${ESC}[5~`,
      `${ESC}[6~`,
      `${ESC}[H`,
      `${ESC}[F`,
      `${ESC}[1~`,
      `${ESC}[4~`,
      `${ESC}[3~`,
      `${ESC}OA`,
      `${ESC}[[E`,
      `${ESC}[1;5C`,
    ];
    expect(splitKeys(keys.join('')).keys).toEqual(keys);
  });

  it('keeps meta + arrow and meta + key whole, and ESC ESC as two Escapes', () => {
    expect(splitKeys(`${ESC}${UP}${ESC}b`).keys).toEqual([`${ESC}${UP}`, `${ESC}b`]);
    expect(splitKeys(`${ESC}${ESC}x`).keys).toEqual([ESC, `${ESC}x`]);
  });

  it('keeps printable text whole between other keys', () => {
    expect(splitKeys(`abc${LEFT}${LEFT}de${BS}f`).keys).toEqual(['abc', LEFT, LEFT, 'de', BS, 'f']);
    expect(splitKeys('my-bucket-ü-😀').keys).toEqual(['my-bucket-ü-😀']);
  });

  it('a paste: a trailing line break is Enter; one inside the text is a space', () => {
    expect(splitKeys('my-bucket\r').keys).toEqual(['my-bucket', '\r']);
    expect(splitKeys('my-bucket\n').keys).toEqual(['my-bucket', '\r']);
    expect(splitKeys('my-bucket\r\n').keys).toEqual(['my-bucket', '\r']);
    expect(splitKeys('arn:a\r\narn:b\rarn:c\n').keys).toEqual(['arn:a arn:b arn:c', '\r']);
    expect(splitKeys('10.0.0.0/8\t192.168.0.0/16').keys).toEqual(['10.0.0.0/8 192.168.0.0/16']);
    // Enter first, then text: Enter stays Enter.
    expect(splitKeys('\rabc').keys).toEqual(['\r', 'abc']);
    expect(splitKeys('\r\r').keys).toEqual(['\r', '\r']);
    expect(splitKeys('\t\t').keys).toEqual(['\t', '\t']);
  });

  it('holds a sequence the read cut off, and completes it with the next read', () => {
    expect(splitKeys(`a${ESC}`)).toEqual({ keys: ['a'], pending: ESC });
    expect(splitKeys(`${DOWN}${ESC}[`)).toEqual({ keys: [DOWN], pending: `${ESC}[` });
    const splitter = createKeySplitter();
    expect(splitter.push(`${DOWN}${ESC}[`)).toEqual([DOWN]);
    expect(splitter.pending).toBe(true);
    expect(splitter.push('Bx')).toEqual([DOWN, 'x']);
    expect(splitter.pending).toBe(false);
  });

  it('flush: a lone ESC left pending is the Escape key', () => {
    const splitter = createKeySplitter();
    expect(splitter.push(ESC)).toEqual([]);
    expect(splitter.flush()).toEqual([ESC]);
    expect(splitter.push(`${ESC}${ESC}`)).toEqual([]);
    expect(splitter.flush()).toEqual([ESC, ESC]);
    expect(splitter.flush()).toEqual([]);
  });
});

/** A stdin like a terminal's: write() is one read. */
class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  private data: string | null = null;
  write(data: string) {
    this.data = data;
    this.emit('readable');
  }
  read() {
    const { data } = this;
    this.data = null;
    return data;
  }
  setEncoding() {}
  setRawMode() {}
  ref() {}
  unref() {}
}

/** Reads the wrapped stdin the way Ink's App does, until `count` reads came. */
function readLikeInk(stdin: NodeJS.ReadStream, count: number): Promise<string[][]> {
  const reads: string[][] = [];
  return new Promise((resolve) => {
    stdin.addListener('readable', () => {
      const chunks: string[] = [];
      for (let chunk = stdin.read(); chunk !== null; chunk = stdin.read()) chunks.push(chunk);
      reads.push(chunks);
      if (reads.length === count) resolve(reads);
    });
  });
}

describe('keyByKeyStdin', () => {
  it('hands a read of several keys on one key per read, in order', async () => {
    const terminal = new FakeTerminal();
    const stdin = keyByKeyStdin(terminal);
    const reads = readLikeInk(stdin, 5);
    terminal.write(`${BS}${BS}${DOWN}name\r`);
    expect(await reads).toEqual([[BS], [BS], [DOWN], ['name'], ['\r']]);
  });

  it('offers the first key at once, and each next one a turn later', async () => {
    const terminal = new FakeTerminal();
    const stdin = keyByKeyStdin(terminal);
    const seen: string[] = [];
    stdin.addListener('readable', () => {
      const key = stdin.read();
      if (key) seen.push(key);
    });
    terminal.write(`${DOWN}${DOWN}`);
    expect(seen).toEqual([DOWN]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([DOWN]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual([DOWN, DOWN]);
  });

  it('an ESC alone becomes Escape when no more of a sequence comes', async () => {
    const terminal = new FakeTerminal();
    const stdin = keyByKeyStdin(terminal);
    const reads = readLikeInk(stdin, 2);
    terminal.write(`a${ESC}`);
    expect(await reads).toEqual([['a'], [ESC]]);
  });

  it('joins a sequence cut across two reads', async () => {
    const terminal = new FakeTerminal();
    const stdin = keyByKeyStdin(terminal);
    const reads = readLikeInk(stdin, 1);
    terminal.write(`${ESC}[`);
    terminal.write('B');
    expect(await reads).toEqual([[DOWN]]);
  });

  it('reads the terminal only while someone listens', () => {
    const terminal = new FakeTerminal();
    const stdin = keyByKeyStdin(terminal);
    expect(terminal.listenerCount('readable')).toBe(0);
    const listener = () => stdin.read();
    stdin.addListener('readable', listener);
    expect(terminal.listenerCount('readable')).toBe(1);
    stdin.removeListener('readable', listener);
    expect(terminal.listenerCount('readable')).toBe(0);
    expect(stdin.isTTY).toBe(true);
  });
});
