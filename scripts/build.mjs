#!/usr/bin/env node
// Bundles the CLI into dist/ so start-up reads a few files, not thousands.
// Code splitting keeps Ink (wizard) and the AWS SDK (after the first frame)
// in chunks loaded only when used. dist/meta.json records the module graph;
// test/unit/startup-bundle.test.ts checks the SDK stays out of the start-up path.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
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
    // Bundled CommonJS dependencies still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __s3hCreateRequire } from 'node:module'; const require = __s3hCreateRequire(import.meta.url);",
    },
    plugins: [manifestVersionOnly, inlineSchemaKeys, inkWithoutDevMode],
    logLevel: 'warning',
  };
}

/**
 * The AWS SDK's generated schemas name object keys by constants
 * (`{ [_xN]: _vPC }`). A computed key may run code, so esbuild keeps every
 * statement that has one: the whole schema of a service, 1 MB for EC2, of
 * which s3-harden sends one operation. Each key here is a string constant
 * declared at the top of the same file, so writing the string itself in its
 * place changes nothing at run time, and lets the bundler drop the shapes
 * no command uses.
 */
const inlineSchemaKeys = {
  name: 'inline-sdk-schema-keys',
  setup(build) {
    build.onLoad(
      {
        filter:
          /[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](?:.*[\\/])?schemas[\\/]schemas_\d+\.js$/,
      },
      (args) => {
        const text = readFileSync(args.path, 'utf8');
        const constants = new Map();
        for (const match of text.matchAll(/^const (_\w+) = ("(?:[^"\\]|\\.)*");$/gm)) {
          constants.set(match[1], match[2]);
        }
        const contents = text.replace(/\[(_\w+)\]:/g, (key, name) =>
          constants.has(name) ? `${constants.get(name)}:` : key,
        );
        return { contents, loader: 'js' };
      },
    );
  },
};

/**
 * Ink has a development mode, on when DEV=true is in the environment: it
 * connects to React DevTools (`await import('./devtools.js')`, which needs
 * react-devtools-core and ws, a 117 kB chunk) and reads its own package.json
 * beside the module, which in a bundle is not there. s3-harden ships
 * neither, so DEV=true crashed the wizard. Here Ink's mode switch is off
 * whatever the environment, and its devtools module is an empty one, left
 * out of dist/.
 */
const inkWithoutDevMode = {
  name: 'ink-without-dev-mode',
  setup(build) {
    const inkBuild = /[\\/]node_modules[\\/]ink[\\/]build$/;
    build.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) =>
      inkBuild.test(args.resolveDir)
        ? { path: join(ROOT, 'scripts', 'empty-module.mjs') }
        : undefined,
    );
    build.onLoad({ filter: /[\\/]node_modules[\\/]ink[\\/]build[\\/]utils\.js$/ }, () => ({
      contents: 'export const isDev = () => false;',
      loader: 'js',
    }));
  },
};

/**
 * The project's manifest enters the bundle as its version alone: src/version.ts
 * reads it, and the rest (the dev-only dependency list among it) is no business of dist/.
 */
const manifestVersionOnly = {
  name: 'manifest-version-only',
  setup(build) {
    const manifest = join(ROOT, 'package.json');
    build.onLoad({ filter: /[\\/]package\.json$/ }, (args) => {
      if (args.path !== manifest) return undefined;
      const { version } = JSON.parse(readFileSync(manifest, 'utf8'));
      return { contents: JSON.stringify({ version }), loader: 'json' };
    });
  },
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outdir = join(ROOT, 'dist');
  const result = await build(bundleOptions({ cli: 'src/cli.ts' }, outdir));
  writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  pruneStaleChunks(outdir, result.metafile);
  console.error('s3-harden: built dist/');
}

/**
 * Removes chunks the new build no longer references, once they are a few
 * minutes old. dist/ is not wiped before a build: a CLI already running
 * (a test, a second terminal) loads its deferred chunks later, and would
 * fail if they vanished under it. Chunk names carry a content hash, so an
 * old chunk never shadows a new one.
 */
function pruneStaleChunks(outdir, metafile) {
  const current = new Set(
    Object.keys(metafile.outputs).map((output) => relative(outdir, join(ROOT, output))),
  );
  const cutoff = Date.now() - 10 * 60 * 1000;
  const chunks = join(outdir, 'chunks');
  for (const name of readdirSync(chunks)) {
    const file = join(chunks, name);
    if (!current.has(join('chunks', name)) && statSync(file).mtimeMs < cutoff) {
      rmSync(file, { force: true });
    }
  }
}
