/**
 * The first frame never waits for the AWS SDK: in the built bundle, neither
 * the entry nor the wizard's chunk reaches the SDK through static imports;
 * it arrives only through the dynamic import in src/commands/wizard.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Metafile {
  outputs: Record<
    string,
    {
      imports: { path: string; kind: string; external?: boolean }[];
      inputs: Record<string, unknown>;
      entryPoint?: string;
    }
  >;
}

const meta = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'dist', 'meta.json'), 'utf8'),
) as Metafile;

/** Every input module loaded, through static imports only, when `start` loads. */
function staticInputs(start: string): string[] {
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
  return [...seen].flatMap((file) => Object.keys(meta.outputs[file]?.inputs ?? {}));
}

function chunkFor(input: string): string {
  const found = Object.entries(meta.outputs).find(
    ([name, output]) =>
      name.endsWith('.js') && (output.entryPoint === input || input in output.inputs),
  );
  if (!found) throw new Error(`no chunk contains ${input}`);
  return found[0];
}

/** The schema library: the plan model's, needed once a plan is built, not to start. */
const isZod = (input: string) => input.includes('node_modules/zod/');

const isSdk = (input: string) =>
  input.includes('node_modules/@aws-sdk/') || input.includes('node_modules/@smithy/');

describe('start-up bundle', () => {
  it('loads neither Ink nor the SDK for --help and --version', () => {
    const inputs = staticInputs('dist/cli.js');
    expect(inputs.filter(isSdk)).toEqual([]);
    expect(inputs.filter((input) => input.includes('node_modules/ink/'))).toEqual([]);
    // Flags are checked (steps, IPs, bucket names) without loading the plan model.
    expect(inputs.filter(isZod)).toEqual([]);
  });

  it('starts the wizard without the argument parser: commander loads for commands and --help only', () => {
    const isCommander = (input: string) => input.includes('node_modules/commander/');
    expect(staticInputs('dist/cli.js').filter(isCommander)).toEqual([]);
    expect(staticInputs(chunkFor('src/commands/wizard.ts')).filter(isCommander)).toEqual([]);
    expect(staticInputs(chunkFor('src/commands/program.ts')).some(isCommander)).toBe(true);
  });

  it('draws the wizard’s first frame without the SDK', () => {
    const wizard = staticInputs(chunkFor('src/screens/render-wizard.tsx'));
    expect(wizard.some((input) => input.includes('node_modules/ink/'))).toBe(true);
    expect(wizard.filter(isSdk)).toEqual([]);
    // The app and its steps load right after the first frame (React.lazy).
    expect(wizard.filter(isZod)).toEqual([]);
    expect(wizard.filter((input) => input === 'src/screens/app.tsx')).toEqual([]);
    const wizardCommand = staticInputs(chunkFor('src/commands/wizard.ts'));
    expect(wizardCommand.filter(isZod)).toEqual([]);
  });

  it('ships no React DevTools: Ink’s development mode is built out (DEV=true is a no-op)', () => {
    const shipped = Object.values(meta.outputs).flatMap((output) => Object.keys(output.inputs));
    expect(
      shipped.filter((input) =>
        /node_modules\/(ws|react-devtools-core)\/|ink\/build\/devtools/.test(input),
      ),
    ).toEqual([]);
  });

  it('keeps the SDK in the chunk loaded by connect()', () => {
    expect(staticInputs(chunkFor('src/aws/session.ts')).some(isSdk)).toBe(true);
  });
});
