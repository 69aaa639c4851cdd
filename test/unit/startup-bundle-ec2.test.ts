/**
 * The EC2 SDK (large; only the bucket-policy step's endpoint listing uses it)
 * is neither on the start-up path nor in the chunk connect() loads: it sits
 * in a chunk of its own, reached only by the dynamic import in the deferred
 * EC2 client (src/aws/clients.ts), i.e. when the endpoints are read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Output {
  imports: { path: string; kind: string; external?: boolean }[];
  inputs: Record<string, unknown>;
  entryPoint?: string;
}

const meta = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'dist', 'meta.json'), 'utf8'),
) as { outputs: Record<string, Output> };

function staticFiles(start: string): string[] {
  const seen = new Set<string>();
  const pending = [start];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const entry of meta.outputs[file]?.imports ?? []) {
      if (entry.kind === 'import-statement' && !entry.external) pending.push(entry.path);
    }
  }
  return [...seen];
}

const inputsOf = (files: readonly string[]) =>
  files.flatMap((file) => Object.keys(meta.outputs[file]?.inputs ?? {}));

function chunkFor(input: string): string {
  const found = Object.entries(meta.outputs).find(
    ([name, output]) => name.endsWith('.js') && input in output.inputs,
  );
  if (!found) throw new Error(`no chunk contains ${input}`);
  return found[0];
}

const isEc2 = (input: string) =>
  input.includes('node_modules/@aws-sdk/client-ec2/') ||
  input.includes('node_modules/@aws-sdk/middleware-sdk-ec2/');

describe('start-up bundle: the EC2 SDK', () => {
  it('is not loaded by the CLI, the wizard’s first frame, or connect()', () => {
    for (const start of [
      'dist/cli.js',
      chunkFor('src/screens/render-wizard.tsx'),
      chunkFor('src/aws/session.ts'),
    ]) {
      expect(inputsOf(staticFiles(start)).filter(isEc2)).toEqual([]);
    }
  });

  it('arrives only through the dynamic import in the deferred EC2 client', () => {
    const ec2Chunk = chunkFor('src/aws/ec2.ts');
    expect(inputsOf(staticFiles(ec2Chunk)).some(isEc2)).toBe(true);
    const importers = Object.entries(meta.outputs).filter(([, output]) =>
      output.imports.some((entry) => entry.path === ec2Chunk),
    );
    expect(importers.map(([name]) => name)).toEqual([chunkFor('src/aws/clients.ts')]);
    expect(
      importers.flatMap(([, output]) =>
        output.imports.filter((entry) => entry.path === ec2Chunk).map((entry) => entry.kind),
      ),
    ).toEqual(['dynamic-import']);
  });
});
