/**
 * How the operator runs s3-harden from where they are, for the commands the
 * tool prints ("apply later: …"): installed globally, `s3-harden`; as a
 * project's dependency, `npx s3-harden`; from a clone (the script is not
 * inside any node_modules), `node <path to bin/s3-harden.js>` relative to
 * the working directory.
 */
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Where npm puts global packages for this Node: `<prefix>/lib/node_modules` (`<prefix>/node_modules` on Windows). */
function globalRoots(env: NodeJS.ProcessEnv, execPath: string): string[] {
  const prefixes = [env.npm_config_prefix, env.PREFIX, dirname(dirname(execPath))].filter(
    (prefix): prefix is string => typeof prefix === 'string' && prefix !== '',
  );
  return prefixes.flatMap((prefix) => [
    real(join(prefix, 'lib', 'node_modules')) + sep,
    real(join(prefix, 'node_modules')) + sep,
  ]);
}

export function invocation(
  script: string | undefined = process.argv[1],
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
  execPath = process.execPath,
): string {
  if (!script) return 's3-harden';
  const path = real(script);
  if (!path.includes(`${sep}node_modules${sep}`)) {
    const shown = relative(cwd, path);
    const arg = shown && !shown.startsWith('..') && !isAbsolute(shown) ? shown : path;
    return `node ${/^[\w./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`}`;
  }
  return globalRoots(env, execPath).some((root) => path.startsWith(root))
    ? 's3-harden'
    : 'npx s3-harden';
}
