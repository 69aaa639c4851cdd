/**
 * The layers, enforced: React and Ink only in src/screens; the AWS SDK only
 * in src/aws; src/plan and src/steps import neither, nor the flow, the
 * screens or the commands above them; the flow (src/flow) drives AWS through
 * the session's interface only (type imports) and knows no screen or command.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

interface Import {
  readonly file: string;
  readonly specifier: string;
  readonly typeOnly: boolean;
}

/** Every static and dynamic import of the source, with the folder it resolves to. */
function imports(): Import[] {
  const found: Import[] = [];
  const pattern =
    /(?:^|\n)\s*(import\s+type\b|import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const path of files(SRC)) {
    const text = readFileSync(path, 'utf8');
    for (const match of text.matchAll(pattern)) {
      const specifier = match[2] ?? match[3] ?? '';
      found.push({
        file: relative(ROOT, path),
        specifier,
        typeOnly: match[1] === 'import type',
      });
    }
  }
  return found;
}

/** The src/ folder a relative import lands in ("plan", "aws"…), or the package name. */
function landsIn(entry: Import): string {
  if (!entry.specifier.startsWith('.')) return entry.specifier;
  const target = relative(SRC, join(ROOT, entry.file, '..', entry.specifier));
  return target.split('/')[0] ?? '';
}

const folderOf = (file: string) => relative('src', file).split('/')[0] ?? '';

function violations(rule: (entry: Import, from: string, to: string) => boolean): string[] {
  return imports()
    .filter((entry) => rule(entry, folderOf(entry.file), landsIn(entry)))
    .map((entry) => `${entry.file} imports ${entry.specifier}`);
}

describe('layering', () => {
  it('finds the imports it judges', () => {
    expect(imports().length).toBeGreaterThan(300);
  });

  it('React and Ink only in src/screens', () => {
    expect(
      violations(
        (_entry, from, to) => from !== 'screens' && /^(react|ink|ink-[\w-]+)(\/|$)/.test(to),
      ),
    ).toEqual([]);
  });

  it('the AWS SDK only in src/aws', () => {
    expect(violations((_entry, from, to) => from !== 'aws' && to.startsWith('@aws-sdk/'))).toEqual(
      [],
    );
  });

  it('src/plan and src/steps import no flow, screen or command', () => {
    expect(
      violations(
        (_entry, from, to) =>
          (from === 'plan' || from === 'steps') &&
          ['flow', 'screens', 'commands', 'aws'].includes(to),
      ),
    ).toEqual([]);
  });

  it('src/flow knows no screen or command, and AWS only through the session interface', () => {
    expect(
      violations(
        (entry, from, to) =>
          from === 'flow' &&
          (['screens', 'commands'].includes(to) || (to === 'aws' && !entry.typeOnly)),
      ),
    ).toEqual([]);
  });

  it('src/screens reach AWS through hooks and the flow, never the commands', () => {
    expect(violations((_entry, from, to) => from === 'screens' && to === 'commands')).toEqual([]);
  });
});

describe('module size', () => {
  it('keeps source files near 400 lines or under, or says at the top why one file is better', () => {
    const unexplained = files(SRC).flatMap((path) => {
      const text = readFileSync(path, 'utf8');
      const lines = text.split('\n').length;
      const header = /^\/\*\*[\s\S]*?\*\//.exec(text)?.[0] ?? '';
      return lines > 420 && !/Why one file/.test(header)
        ? [`${relative(ROOT, path)}: ${lines}`]
        : [];
    });
    expect(unexplained).toEqual([]);
  });
});

describe('registries', () => {
  it('the steps in the registry are the ids the command line knows, in the same order', async () => {
    const { STEPS } = await import('../../src/steps/index.js');
    const { STEP_ORDER } = await import('../../src/steps/ids.js');
    expect(Object.keys(STEPS)).toEqual([...STEP_ORDER]);
    for (const [id, step] of Object.entries(STEPS)) expect(step.id).toBe(id);
  });

  it("every resource that no write can produce is marked read-only (an empty plan's snapshot leaves it out)", async () => {
    const { RESOURCES, isWritable } = await import('../../src/plan/resources/index.js');
    const target = { accountId: '123456789012', region: 'us-east-1', bucket: 'b', logBucket: 'l' };
    for (const [resource, spec] of Object.entries(RESOURCES)) {
      let writes = false;
      for (const value of [null, {}]) {
        try {
          (spec as { write: (t: unknown, v: unknown) => unknown }).write(target, value);
          writes = true;
        } catch (error) {
          if ((error as Error).name !== 'UnwritableValueError') writes = true;
        }
      }
      expect([resource, isWritable(resource as never)]).toEqual([resource, writes]);
    }
  });

  it("each audit control's Security Hub and CIS IDs are named by the step that writes what it reads", async () => {
    const { STEPS } = await import('../../src/steps/index.js');
    const { CONTROLS } = await import('../../src/plan/audit/controls.js');
    for (const control of CONTROLS) {
      const owners = Object.values(STEPS).filter((step) =>
        control.resources.some((resource) =>
          [...step.reads, ...(step.optionalReads ?? [])].includes(resource as never),
        ),
      );
      const named = owners.flatMap((step) => step.controls).join(' | ');
      const cis = control.cisEveryRegion ? undefined : control.cis;
      for (const id of [control.fsbp, cis].filter(Boolean))
        expect([control.id, named]).toEqual([control.id, expect.stringContaining(` ${id}`)]);
    }
  });
});
