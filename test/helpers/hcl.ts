/**
 * Parses Terraform files with python-hcl2 (pinned in
 * scripts/emulator-requirements.txt, installed in .venv), and reads its
 * values back: python-hcl2 keeps a string's quotes and escapes, and writes a
 * reference as "${…}".
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const PYTHON = resolve(import.meta.dirname, '..', '..', '.venv', 'bin', 'python');

export type HclJson = Record<string, unknown>;

export function parseHcl(file: string): HclJson {
  const result = spawnSync(
    PYTHON,
    ['-c', 'import hcl2,json,sys; print(json.dumps(hcl2.load(open(sys.argv[1]))))', file],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`python-hcl2 refused ${file}: ${result.stderr}`);
  return JSON.parse(result.stdout) as HclJson;
}

/** An HCL quoted literal as python-hcl2 returns it, back to the string it says. */
export function hclValue(literal: unknown): string {
  if (typeof literal !== 'string' || !literal.startsWith('"') || !literal.endsWith('"')) {
    throw new Error(`not a quoted HCL string: ${JSON.stringify(literal)}`);
  }
  // A heredoc: literal but for its template escapes.
  const heredoc = /^"<<EOT\n([\s\S]*)\nEOT"$/.exec(literal);
  if (heredoc) return (heredoc[1] as string).replace(/([$%])\1\{/g, '$1{');
  return literal
    .slice(1, -1)
    .replace(/\\(u[0-9a-fA-F]{4}|.)|\$\$\{|%%\{/g, (match, code: string | undefined) => {
      if (match === '$${') return '${';
      if (match === '%%{') return '%{';
      if (code === 'n') return '\n';
      if (code === 'r') return '\r';
      if (code === 't') return '\t';
      if (code?.startsWith('u')) return String.fromCharCode(Number.parseInt(code.slice(1), 16));
      return code ?? match;
    });
}

/** Each `resource "type" "name"` block's body, by "type.name". */
export function hclResources(parsed: HclJson): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const entry of (parsed.resource as Record<string, Record<string, unknown>>[]) ?? []) {
    for (const [type, byName] of Object.entries(entry)) {
      for (const [name, body] of Object.entries(byName as Record<string, unknown>)) {
        out[`${hclValue(type)}.${hclValue(name)}`] = body as Record<string, unknown>;
      }
    }
  }
  return out;
}

/** Each import block's target ("${type.name}" unwrapped) and its id. */
export function hclImports(parsed: HclJson): Record<string, string> {
  const out: Record<string, string> = {};
  for (const block of (parsed.import as { to: string; id: unknown }[]) ?? []) {
    out[block.to.replace(/^\$\{(.*)\}$/, '$1')] = hclValue(block.id);
  }
  return out;
}
