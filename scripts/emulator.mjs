#!/usr/bin/env node
// The local AWS emulator for tests, the demo and the benchmarks: moto in
// server mode, pinned in scripts/emulator-requirements.txt and installed into
// the project's own virtualenv (.venv). Usage:
//   node scripts/emulator.mjs setup          install (or confirm) the pinned emulator, and Checkov for the tests
//   node scripts/emulator.mjs start [PORT]   run it on 127.0.0.1 until Ctrl+C
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const VENV = join(ROOT, '.venv');
const REQUIREMENTS = join(ROOT, 'scripts', 'emulator-requirements.txt');
const MOTO_SERVER = join(VENV, 'bin', 'moto_server');
const PYTHON = join(VENV, 'bin', 'python');
/** moto's server with the gaps s3-harden's tests need closed (see the file). */
const SERVER = join(ROOT, 'scripts', 'emulator-server.py');

/** Whether the virtualenv at `venv` was made at that path (pyvenv.cfg's command names it). */
export function sameVenvHome(venv) {
  const config = join(venv, 'pyvenv.cfg');
  if (!existsSync(config)) return false;
  const command = /^command = .* -m venv (.+)$/m.exec(readFileSync(config, 'utf8'))?.[1]?.trim();
  // Older Pythons do not record the command: trust the directory.
  return command === undefined || command === venv;
}

function requirementsHash(requirements) {
  return createHash('sha256').update(readFileSync(requirements)).digest('hex');
}

function run(command, args, what) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error || result.status !== 0) {
    throw new Error(`${what} failed (${result.error?.message ?? `exit ${result.status}`})`);
  }
}

/**
 * What a virtualenv's stamp says: the requirements it holds and where it was
 * made. A virtualenv does not survive a move (its scripts name the path it
 * was made at), so one made elsewhere — a copied checkout, a worktree's
 * link — is made again rather than failing with "required file not found".
 */
export function venvStamp(requirementsDigest, venv) {
  return `${requirementsDigest} ${venv}`;
}

/** Installs `requirements` into the virtualenv `venv` unless that exact set is already there, made there. */
export function ensureVenv({ venv, requirements, binary, what, log }) {
  const stamp = join(venv, '.s3-harden-requirements.sha256');
  const wanted = venvStamp(requirementsHash(requirements), venv);
  if (existsSync(binary) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === wanted)
    return;
  log(`s3-harden: installing ${what} into ${venv.slice(ROOT.length + 1)} — once, about a minute…`);
  const python = process.env.PYTHON ?? 'python3';
  // Made elsewhere (or half made): its scripts point at another path.
  if (existsSync(venv) && !sameVenvHome(venv)) rmSync(venv, { recursive: true, force: true });
  if (!existsSync(join(venv, 'bin', 'python')))
    run(python, ['-m', 'venv', venv], `${python} -m venv ${venv}`);
  run(
    join(venv, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', '-r', requirements],
    `pip install of ${what}`,
  );
  writeFileSync(stamp, `${wanted}\n`);
}

/** Installs the pinned emulator into .venv unless that exact set is already there. */
export function ensureEmulator({ log = console.error } = {}) {
  ensureVenv({
    venv: VENV,
    requirements: REQUIREMENTS,
    binary: MOTO_SERVER,
    what: 'the local AWS emulator (moto, pinned)',
    log,
  });
}

/** Checkov, for the tests of the Terraform output: its own virtualenv inside .venv. */
export const CHECKOV = join(VENV, 'checkov', 'bin', 'checkov');

export function ensureCheckov({ log = console.error } = {}) {
  ensureVenv({
    venv: join(VENV, 'checkov'),
    requirements: join(ROOT, 'scripts', 'checkov-requirements.txt'),
    binary: CHECKOV,
    what: 'Checkov (pinned, for the Terraform tests)',
    log,
  });
}

/** A free TCP port on the loopback interface. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the emulator exited early (code ${child.exitCode})`);
    try {
      const response = await fetch(`${url}/moto-api/data.json`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the emulator did not answer at ${url} within ${timeoutMs} ms`);
}

/** Starts moto on 127.0.0.1 (a free port unless one is given); resolves once it answers. */
export async function startEmulator({ port, timeoutMs = 30_000 } = {}) {
  ensureEmulator();
  const chosen = port ?? (await freePort());
  const url = `http://127.0.0.1:${chosen}`;
  const child = spawn(PYTHON, [SERVER, '-H', '127.0.0.1', '-p', String(chosen)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  try {
    await waitUntilReady(url, child, timeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n${stderr}`);
  }
  return {
    url,
    port: chosen,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Wipes every resource in the emulator. */
export async function resetEmulator(url) {
  const response = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`emulator reset failed: HTTP ${response.status}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [command, portArg] = process.argv.slice(2);
  try {
    if (command === 'setup') {
      ensureEmulator();
      ensureCheckov();
      console.error(
        's3-harden: the local AWS emulator (and Checkov, for the tests) are installed in .venv',
      );
    } else if (command === 'start') {
      const emulator = await startEmulator(portArg ? { port: Number(portArg) } : {});
      console.log(`emulator listening on ${emulator.url} (Ctrl+C stops it)`);
      const stop = () => emulator.stop().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    } else {
      console.error('usage: node scripts/emulator.mjs setup | start [PORT]');
      process.exit(1);
    }
  } catch (error) {
    console.error(`s3-harden: ${error.message}`);
    process.exit(1);
  }
}
