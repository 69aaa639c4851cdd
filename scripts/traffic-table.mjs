#!/usr/bin/env node
/**
 * Prints the README's "What keeps working" tables, generated from the
 * traffic matrix's rows (test/policy/traffic.ts, the requests the policy
 * simulator judges in `npm test`). With --write, replaces the block between
 * the <!-- traffic-table --> markers; test/policy/readme-table.test.ts fails
 * when the README and the rows disagree.
 *
 *   node scripts/traffic-table.mjs [--write]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './emulator.mjs';

const bundle = await build({
  entryPoints: [join(ROOT, 'test', 'policy', 'traffic.ts')],
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
  logLevel: 'error',
});
const { trafficTables } = await import(
  `data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString('base64')}`
);
const tables = trafficTables();

if (!process.argv.includes('--write')) {
  process.stdout.write(tables);
} else {
  const file = join(ROOT, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const pattern = /<!-- traffic-table -->\n[\s\S]*?<!-- \/traffic-table -->/;
  if (!pattern.test(readme)) {
    process.stderr.write('README.md has no <!-- traffic-table --> block\n');
    process.exit(1);
  }
  writeFileSync(
    file,
    readme.replace(pattern, `<!-- traffic-table -->\n${tables}<!-- /traffic-table -->`),
  );
  process.stdout.write('Updated the traffic tables in README.md\n');
}
