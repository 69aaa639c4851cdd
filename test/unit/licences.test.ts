/**
 * What ships stays permissively licensed. The policy simulator the suite
 * judges policies with (@cloud-copilot/iam-simulate, and its
 * @cloud-copilot/iam-policy and iam-utils) is AGPL-3.0: a devDependency,
 * imported under test/ only, never from src/, never in dist/. Every runtime
 * dependency is MIT, Apache-2.0, BSD or ISC.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const PERMISSIVE = /^(MIT|Apache-2\.0|BSD-2-Clause|BSD-3-Clause|0BSD|ISC)$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('licences', () => {
  it('no file under src/ imports a @cloud-copilot package', () => {
    const importing = files(join(ROOT, 'src')).filter((file) =>
      /@cloud-copilot\//.test(readFileSync(file, 'utf8')),
    );
    expect(importing.map((file) => relative(ROOT, file))).toEqual([]);
  });

  it('dist/ holds no trace of the simulator', () => {
    const meta = join(ROOT, 'dist', 'meta.json');
    expect(existsSync(meta), 'dist/ is built by `npm test` (pretest)').toBe(true);
    // What this build wrote (older chunks linger a few minutes for running CLIs).
    const outputs = Object.keys(JSON.parse(readFileSync(meta, 'utf8')).outputs as object);
    expect(outputs.length).toBeGreaterThan(3);
    const tainted = outputs.filter((output) =>
      /cloud-copilot|iam-simulate/.test(readFileSync(join(ROOT, output), 'utf8')),
    );
    expect(tainted).toEqual([]);
  });

  it('the @cloud-copilot packages are devDependencies only: `npm ls --omit=dev` shows neither', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(
      Object.keys(manifest.dependencies).filter((name) => name.includes('cloud-copilot')),
    ).toEqual([]);
    expect(manifest.devDependencies['@cloud-copilot/iam-simulate']).toMatch(/^\d+\.\d+\.\d+$/);
    const runtime = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(runtime).not.toMatch(/cloud-copilot/);
  });

  it('every runtime dependency is MIT, Apache-2.0, BSD or ISC', () => {
    const paths = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((path) => path.includes('node_modules'));
    expect(paths.length).toBeGreaterThan(20);
    const other = paths
      .map((path) => JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')))
      // An SPDX choice ("MIT OR CC0-1.0") is fine when one of its options is.
      .filter(
        (manifest) =>
          !String(manifest.license)
            .replace(/[()]/g, '')
            .split(' OR ')
            .some((option) => PERMISSIVE.test(option.trim())),
      )
      .map((manifest) => `${manifest.name}: ${manifest.license}`);
    expect(other).toEqual([]);
  });
});
