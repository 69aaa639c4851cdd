#!/usr/bin/env node
// Writes the audit report's JSON Schema (schema/audit-report.schema.json)
// from its zod schema (src/plan/audit/schema.ts, converted by
// auditJsonSchema in src/plan/audit/json-schema.ts), bundled with esbuild so
// plain Node can run the TypeScript. `--check` writes
// nothing and exits 1 when the committed file is stale.
// test/unit/audit-json-schema.test.ts fails on a stale file too.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { build } from 'esbuild';
import { ROOT } from './emulator.mjs';

const bundled = await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/plan/audit/json-schema.ts'],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'node',
  logLevel: 'warning',
});
const source = bundled.outputFiles[0].text;
const module = await import(
  `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`
);
const path = join(ROOT, module.AUDIT_JSON_SCHEMA_PATH);
const text = `${JSON.stringify(module.auditJsonSchema(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  // Compared as JSON, not as text: biome may lay the file out its own way.
  let committed;
  try {
    committed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {}
  if (!isDeepStrictEqual(committed, JSON.parse(text))) {
    console.error(`${module.AUDIT_JSON_SCHEMA_PATH} is stale: run npm run schema`);
    process.exit(1);
  }
  console.log(`${module.AUDIT_JSON_SCHEMA_PATH} is up to date`);
} else {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  // Laid out as `biome check .` wants it.
  spawnSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', path], {
    stdio: 'ignore',
  });
  console.log(`wrote ${module.AUDIT_JSON_SCHEMA_PATH}`);
}
