#!/usr/bin/env node
// Bundles the CLI into dist/ so start-up reads a few files, not thousands.
// Code splitting keeps Ink (wizard) and the AWS SDK (after the first frame)
// in chunks loaded only when used. dist/meta.json records the module graph;
// test/unit/startup-bundle.test.ts checks the SDK stays out of the start-up path.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ROOT } from './emulator.mjs';

/** The esbuild options for a start-up-fast Node bundle; bench/ builds its baseline with the same. */
export function bundleOptions(entryPoints, outdir) {
  return {
    absWorkingDir: ROOT,
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    minifySyntax: true,
    sourcemap: 'linked',
    metafile: true,
    legalComments: 'none',
    chunkNames: 'chunks/[name]-[hash]',
    define: { 'process.env.NODE_ENV': '"production"' },
    // Ink imports react-devtools-core only for its dev tools; never at run time here.
    alias: { 'react-devtools-core': './scripts/empty-module.mjs' },
    // Bundled CommonJS dependencies still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __s3hCreateRequire } from 'node:module'; const require = __s3hCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outdir = join(ROOT, 'dist');
  rmSync(outdir, { recursive: true, force: true });
  const result = await build(bundleOptions({ cli: 'src/cli.ts' }, outdir));
  writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  console.error('s3-harden: built dist/');
}
