// Peak memory (maximum resident set size) of `s3-harden audit --all` over a
// large fleet. Measured by a small Python parent: after the audit exits,
// getrusage(RUSAGE_CHILDREN).ru_maxrss is the largest RSS any waited-for
// child reached — the audit's node process — with nothing of the bench's own
// memory mixed in. Works wherever python3 does (no /usr/bin/time needed).
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { readAuditReport } from './audit-vs-cli.mjs';

const RUSAGE_WRAPPER = `
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
# Linux reports KiB, macOS bytes.
print(peak * (1 if sys.platform == 'darwin' else 1024), file=sys.stderr)
sys.exit(code)
`;

/**
 * Runs `argv` under the wrapper; resolves with { ms, code, stdout, stderr,
 * maxRssBytes }. The wrapper's own line is the last line of stderr.
 */
export function runMeasuringMemory(argv, { env, cwd }) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.env.PYTHON ?? 'python3', ['-c', RUSAGE_WRAPPER, ...argv], {
      env,
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = Buffer.concat(stderr).toString('utf8').trimEnd().split('\n');
      const maxRssBytes = Number(lines.pop());
      if (!Number.isFinite(maxRssBytes)) return reject(new Error('no max RSS from python3'));
      resolve({
        ms: performance.now() - start,
        code: code ?? 1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: lines.join('\n'),
        maxRssBytes,
      });
    });
  });
}

/** Audits the whole (already seeded) fleet once and reports its peak memory. */
export async function auditPeakMemory({ argv, env, cwd, buckets }) {
  const result = await runMeasuringMemory(argv, { env, cwd });
  const report = readAuditReport(result, buckets);
  return { buckets, maxRssBytes: result.maxRssBytes, ms: result.ms, ...report };
}
