/**
 * Validating a document against a JSON Schema vendored in the repository,
 * with Python's jsonschema from the emulator's virtualenv (`.venv`, which
 * moto's server extras install): the complaints, one per line, empty when
 * the document is valid. The schema itself is checked against its draft.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const PYTHON = join(ROOT, '.venv', 'bin', 'python');

export function schemaProblems(
  schemaPath: string,
  document: string,
  draft: 'Draft4Validator' | 'Draft7Validator' | 'Draft202012Validator' = 'Draft202012Validator',
): string {
  const check = [
    'import json, sys',
    `from jsonschema import ${draft} as Validator`,
    `schema = json.load(open(${JSON.stringify(schemaPath)}))`,
    'Validator.check_schema(schema)',
    'errors = Validator(schema).iter_errors(json.load(sys.stdin))',
    'print(\'\\n\'.join(f"{list(e.path)}: {e.message}" for e in errors))',
  ].join('\n');
  const result = spawnSync(PYTHON, ['-c', check], { input: document, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
}
