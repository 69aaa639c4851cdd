#!/usr/bin/env node
// Time to first frame, in a real 80x24 pseudo-terminal, of
//   (a) the s3-harden wizard (first frame = its "s3-harden" header line),
//   (b) a bare Ink app with a select (bench/hello-ink.tsx), bundled like the CLI,
//   (c) `node -e "console.log('hello')"`, the floor no Node CLI can beat,
// measured in one run, interleaved (a, b, c, a, b, c…) so machine noise hits
// all three alike. `npm run bench` (bench/run.mjs) calls measureFirstFrame();
// `node bench/first-frame.mjs` runs this part alone (after `npm run build`).
// Env: BENCH_RUNS (default 15, min 15), BENCH_TIMEOUT_MS per run (default 20000).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleOptions } from '../scripts/build.mjs';
import { ROOT, startEmulator } from '../scripts/emulator.mjs';
import { median } from './format.mjs';

const WARMUP = 2;

// The PTY is driven by a small long-lived Python process (pty.forkpty) rather
// than util-linux `script -c 'stty cols 80 rows 24; exec …'`. Why: the timer
// then brackets only fork+exec of node itself. `script` puts its own start-up,
// a shell and a forked `stty` inside every measurement (~10 ms of extra, noisy
// time on this 2-core box, added to every variant and so shrinking the
// ratio). Setting the window size with one ioctl in the child before exec
// means Node sees 80x24 from its first instruction; with a size of 0x0 Ink
// would spawn a child to ask for the terminal size, which is exactly the bias
// a pipe instead of a PTY would cause. The driver is also the one that kills
// the child's process group (forkpty makes the child a session leader), so
// nothing survives a run. It times with perf_counter and reports JSON lines.
const PTY_DRIVER = String.raw`
import fcntl, json, os, pty, re, select, signal, struct, sys, termios, time
ANSI = re.compile(rb'\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])')
for line in sys.stdin:
    job = json.loads(line)
    marker = re.compile(job['marker'].encode(), re.M)
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: size the terminal, then become the command
        try:
            fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
            os.execvp(job['argv'][0], job['argv'])
        finally:
            os._exit(127)
    out, ms, deadline = b'', None, start + job['timeoutMs'] / 1000
    while ms is None and time.perf_counter() < deadline:
        if not select.select([fd], [], [], deadline - time.perf_counter())[0]:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
        # Strip escapes from the whole buffer: a chunk may end mid-sequence.
        if marker.search(ANSI.sub(b'', out)):
            ms = (time.perf_counter() - start) * 1000
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)
    tail = '' if ms else ANSI.sub(b'', out).decode(errors='replace')[-1500:]
    print(json.dumps({'ms': ms, 'output': tail}), flush=True)
`;

/** Builds bench/hello-ink.tsx with exactly the options of scripts/build.mjs, into `dir`. */
async function buildHello(dir) {
  // dist/ is ESM through the project's package.json; give the bundle the same.
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  await build(bundleOptions({ hello: 'bench/hello-ink.tsx' }, dir));
  return join(dir, 'hello.js');
}

/**
 * One environment for every variant, so none pays for env the others lack.
 * The SDK is loaded only after the first frame, but credentials and region keep
 * it from looking anywhere else if it gets that far; the endpoint is 127.0.0.1.
 */
function frameEnv() {
  const env = {
    ...process.env,
    TERM: process.env.TERM || 'xterm-256color',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  delete env.AWS_PROFILE;
  // Ink (is-in-ci) renders only the final frame when CI is set: no first frame to time.
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  return env;
}

/**
 * Measures the three variants against the emulator at `emulatorUrl` and
 * resolves with [{ name, median, min, max }] in the order wizard, bare Ink,
 * node floor (milliseconds). The bare-Ink bundle goes to a temporary
 * directory, not bench/.out: biome checks every file not under
 * dist/node_modules (it ignores .gitignore), so a bundle inside the project
 * would fail `npm run lint`. Same disk as dist/ here.
 */
export async function measureFirstFrame({
  emulatorUrl,
  runs = 15,
  timeoutMs = 20_000,
  log = console.error,
}) {
  if (!existsSync(join(ROOT, 'dist', 'cli.js')))
    throw new Error('dist/cli.js is missing; run `npm run bench` (it builds first).');
  const out = mkdtempSync(join(tmpdir(), 's3-harden-bench-'));
  let driver;
  try {
    const hello = await buildHello(out);
    // Markers are Python regexes, matched per line on ANSI-stripped output.
    // `(?!:)` keeps an error line such as "s3-harden: the wizard needs…" from counting.
    const node = process.execPath;
    const variants = [
      {
        name: 's3-harden wizard',
        argv: [node, join(ROOT, 'bin', 's3-harden.js'), '--endpoint-url', emulatorUrl],
        marker: '^s3-harden(?!:)',
      },
      { name: 'bare Ink + select', argv: [node, hello], marker: '^hello-ink' },
      { name: 'node -e (floor)', argv: [node, '-e', "console.log('hello')"], marker: '^hello' },
    ];

    driver = spawn(process.env.PYTHON ?? 'python3', ['-c', PTY_DRIVER], {
      cwd: ROOT,
      env: frameEnv(),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    driver.on('error', (error) => log(`bench: cannot run python3: ${error.message}`));
    const replies = createInterface({ input: driver.stdout })[Symbol.asyncIterator]();
    const measure = async (variant) => {
      driver.stdin.write(`${JSON.stringify({ ...variant, timeoutMs })}\n`);
      const { value, done } = await replies.next();
      if (done) throw new Error('the PTY driver (python3) exited');
      const { ms, output } = JSON.parse(value);
      if (ms == null) {
        throw new Error(
          `${variant.name}: no first frame within ${timeoutMs} ms. Screen:\n${output}`,
        );
      }
      return ms;
    };

    const times = variants.map(() => []);
    log(`bench: first frame, ${WARMUP} warm-up + ${runs} measured runs per variant, interleaved…`);
    for (let round = 0; round < WARMUP + runs; round++) {
      for (const [i, variant] of variants.entries()) {
        const ms = await measure(variant);
        if (round >= WARMUP) times[i].push(ms);
      }
    }
    return times.map((list, i) => {
      const sorted = [...list].sort((x, y) => x - y);
      return { name: variants[i].name, median: median(sorted), min: sorted[0], max: sorted.at(-1) };
    });
  } finally {
    driver?.stdin.end();
    rmSync(out, { recursive: true, force: true });
  }
}

/** The table and ratio line this part prints, alone or inside `npm run bench`. */
export function formatFirstFrame(stats, runs) {
  const fmt = (ms) => ms.toFixed(1).padStart(8);
  const lines = [
    `Time to first frame, 80x24 PTY, ${runs} runs each (node ${process.version})`,
    `${'variant'.padEnd(20)}  median ms    min ms    max ms`,
    ...stats.map(
      ({ name, median: m, min, max }) => `${name.padEnd(20)}${fmt(m)}  ${fmt(min)}  ${fmt(max)}`,
    ),
  ];
  const [wizard, ink, floor] = stats;
  const diff = wizard.median - ink.median;
  lines.push(
    `ratio s3-harden / bare Ink (medians): ${(wizard.median / ink.median).toFixed(2)}x` +
      ` (${diff >= 0 ? '+' : ''}${diff.toFixed(1)} ms); above the node floor:` +
      ` s3-harden ${(wizard.median - floor.median).toFixed(1)} ms,` +
      ` bare Ink ${(ink.median - floor.median).toFixed(1)} ms`,
  );
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const runs = Math.max(15, Number(process.env.BENCH_RUNS ?? 15));
  const timeoutMs = Number(process.env.BENCH_TIMEOUT_MS ?? 20_000);
  let emulator;
  try {
    emulator = await startEmulator();
    const stats = await measureFirstFrame({ emulatorUrl: emulator.url, runs, timeoutMs });
    console.log(`\n${formatFirstFrame(stats, runs)}`);
  } catch (error) {
    console.error(`bench: ${error.message}`);
    process.exitCode = 1;
  } finally {
    await emulator?.stop();
  }
}
