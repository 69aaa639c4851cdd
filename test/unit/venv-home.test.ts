/**
 * A virtualenv made at another path (a copied checkout, a worktree's link to
 * .venv) is made again by the setup instead of failing with "required file
 * not found": its scripts name the path it was made at.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sameVenvHome, venvStamp } from '../../scripts/emulator.mjs';

function venvAt(command?: string): string {
  const venv = mkdtempSync(join(tmpdir(), 's3h-venv-'));
  const lines = ['home = /usr/bin', 'version = 3.11.7', ...(command ? [command] : [])];
  writeFileSync(join(venv, 'pyvenv.cfg'), `${lines.join('\n')}\n`);
  return venv;
}

describe('the setup knows a virtualenv made elsewhere', () => {
  it('made here: kept', () => {
    const venv = venvAt();
    writeFileSync(
      join(venv, 'pyvenv.cfg'),
      `home = /usr/bin\ncommand = /usr/bin/python3 -m venv ${venv}\n`,
    );
    expect(sameVenvHome(venv)).toBe(true);
  });

  it('made at another path: made again', () => {
    expect(sameVenvHome(venvAt('command = /usr/bin/python3 -m venv /elsewhere/.venv'))).toBe(false);
  });

  it('no pyvenv.cfg at all (half made): made again; no command recorded: kept', () => {
    expect(sameVenvHome(mkdtempSync(join(tmpdir(), 's3h-venv-')))).toBe(false);
    expect(sameVenvHome(venvAt())).toBe(true);
  });

  it('the stamp names the requirements and the path, so a copy elsewhere does not match', () => {
    expect(venvStamp('abc', '/work/a/.venv')).not.toBe(venvStamp('abc', '/work/b/.venv'));
  });
});
