/**
 * Crash safety: the built CLI is killed with SIGKILL at a random moment of
 * `apply` (a seeded PRNG picks a delay between 0 and the measured duration of
 * a full apply — for three runs in four, of its writes, counted from the moment
 * its journal appears), then `s3-harden rollback` must restore the exact prior state
 * every time. CRASH_RUNS / CRASH_SEED / CRASH_REPORT let
 * scripts/crash-stress.mjs run hundreds of cycles with the same code.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { readJournal } from '../../src/plan/apply/journal.js';
import { serializePlan } from '../../src/plan/files/plan-file.js';
import type { Posture, ResourceKey } from '../../src/plan/model/types.js';
import { satisfies } from '../../src/plan/resources/index.js';
import { buildPlan, defaultAnswers, readsFor, relatedBucketFor } from '../../src/steps/index.js';
import type { StepId } from '../../src/steps/types.js';
import { BIN, runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';
import { seededRandom } from '../helpers/random.js';

const RUNS = Number(process.env.CRASH_RUNS ?? 20);
const SEED = Number(process.env.CRASH_SEED ?? 20261128);
const STEPS: StepId[] = [
  'public-access-block',
  'versioning',
  'encryption',
  'object-ownership',
  'logging',
  'bucket-policy',
];
const READS = readsFor(STEPS);

interface Killed {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly ms: number;
  /** Wall-clock time of the spawn, to compare with journal timestamps. */
  readonly startedAt: number;
  readonly stderr: string;
}

/**
 * Runs `apply --yes`, killing it with SIGKILL `delay` ms after the spawn, or
 * after its journal appears in `journals` (a directory watch, not a sleep);
 * never when `delay` is undefined.
 */
function applyKilledAfter(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  delay?: number,
  journals?: string,
) {
  return new Promise<Killed>((resolve, reject) => {
    const started = performance.now();
    const startedAt = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer ??= setTimeout(() => child.kill('SIGKILL'), delay);
    };
    const watcher = delay !== undefined && journals ? watch(journals, arm) : undefined;
    if (delay !== undefined && !journals) arm();
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      watcher?.close();
      resolve({ code, signal, ms: performance.now() - started, startedAt, stderr });
    });
  });
}

describe('a crash at any point of apply is rolled back exactly', () => {
  let session: AwsSession;
  let dir: string;
  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
    dir = mkdtempSync(join(tmpdir(), 's3-harden-crash-'));
  });
  afterAll(() => session.close());

  /** A fresh bucket (its log bucket exists already) and a saved plan of several changes. */
  const prepare = async (label: string) => {
    const bucket = uniqueBucket(label);
    await createBucket(bucket);
    let posture: Posture = await session.observe(bucket, READS);
    const answers = defaultAnswers(posture, 'baseline', STEPS);
    const logBucket = relatedBucketFor(STEPS, answers);
    if (!logBucket) throw new Error('the logging step names no log bucket');
    // Created beforehand: logs delivered before a rollback would keep a created one.
    await createBucket(logBucket);
    posture = await session.observeLogTarget(await session.observe(bucket, READS), logBucket);
    const plan = buildPlan(posture, 'baseline', STEPS, defaultAnswers(posture, 'baseline', STEPS));
    const runDir = join(dir, bucket);
    const journalDir = join(runDir, 'journals');
    mkdirSync(journalDir, { recursive: true });
    const file = join(runDir, 'plan.json');
    writeFileSync(file, serializePlan(plan, 'crash test'));
    const snapshot = async () =>
      (await session.observeLogTarget(await session.observe(bucket, READS), logBucket)).values;
    return {
      plan,
      file,
      env: { S3_HARDEN_STATE_DIR: runDir },
      journalDir,
      journals: () => {
        try {
          return readdirSync(join(runDir, 'journals')).map((name) =>
            join(runDir, 'journals', name),
          );
        } catch {
          return [];
        }
      },
      snapshot,
    };
  };

  const differences = (before: Posture['values'], after: Posture['values']) =>
    (Object.keys(before) as ResourceKey[]).filter(
      (key) => !satisfies(key, before[key], after[key]),
    );

  it(`survives SIGKILL at ${RUNS} random points (seed ${SEED})`, {
    timeout: 60_000 + RUNS * 5_000,
  }, async () => {
    // How long a full apply takes here: the range the kill points are drawn from.
    const probe = await prepare('crash-probe');
    expect(probe.plan.changes.length).toBeGreaterThanOrEqual(6);
    const full = await applyKilledAfter(
      ['apply', probe.file, '--yes', '--endpoint-url', emulatorUrl()],
      probe.env,
    );
    expect(full.code).toBe(0);
    // Most of that is start-up and reads; the journal's begin entry tells when writes start.
    const probeJournal = readJournal(probe.journals()[0] as string);
    const offset = (at: string | undefined) =>
      Math.min(Math.max(0, Date.parse(at ?? '') - full.startedAt), full.ms);
    const writesStart = offset(probeJournal[0]?.at);
    const writesEnd = offset(probeJournal.find((entry) => entry.type === 'end')?.at);

    // Seeded, so every run of the suite kills at the same points.
    const random = seededRandom(SEED);
    const figures = {
      seed: SEED,
      runs: 0,
      fullApplyMs: Math.round(full.ms),
      writesMs: [writesStart, writesEnd],
      killed: 0,
      killedBeforeJournal: 0,
      killedMidApply: 0,
      finishedBeforeKill: 0,
      changesUndone: 0,
      restorations: 0,
      failures: [] as string[],
    };
    for (let run = 0; run < RUNS; run += 1) {
      // A quarter of the kill points anywhere in [0, full apply]; the rest while it writes.
      const anywhere = random() < 0.25 || Number.isNaN(writesStart + writesEnd);
      const delay = Math.round(random() * (anywhere ? full.ms : writesEnd - writesStart));
      const cycle = await prepare('crash');
      const before = await cycle.snapshot();
      const result = await applyKilledAfter(
        ['apply', cycle.file, '--yes', '--endpoint-url', emulatorUrl()],
        cycle.env,
        delay,
        anywhere ? undefined : cycle.journalDir,
      );
      figures.runs += 1;
      if (result.signal === 'SIGKILL') figures.killed += 1;
      else {
        figures.finishedBeforeKill += 1;
        // Not killed: it must have finished its apply.
        if (result.code !== 0)
          figures.failures.push(`run ${run}: apply exit ${result.code}: ${result.stderr.trim()}`);
      }
      const journals = cycle.journals();
      const where = `run ${run} (kill ${delay} ms after ${anywhere ? 'the start' : 'the journal appeared'})`;
      if (journals.length === 0) {
        figures.killedBeforeJournal += 1;
      } else {
        const entries = readJournal(journals[0] as string);
        if (!entries.some((entry) => entry.type === 'end')) figures.killedMidApply += 1;
        const rolled = await runCli(
          ['rollback', journals[0] as string, '--yes', '--endpoint-url', emulatorUrl()],
          { env: cycle.env },
        );
        figures.changesUndone += rolled.stdout.split('\n').filter((l) => l.startsWith('↶')).length;
        if (rolled.code !== 0) {
          figures.failures.push(
            `${where}: rollback exit ${rolled.code}: ${rolled.stdout}${rolled.stderr}`,
          );
          continue;
        }
      }
      const changed = differences(before, await cycle.snapshot());
      if (changed.length > 0)
        figures.failures.push(`${where}: not restored: ${changed.join(', ')}`);
      else figures.restorations += 1;
    }
    if (process.env.CRASH_REPORT) writeFileSync(process.env.CRASH_REPORT, JSON.stringify(figures));
    expect(figures.failures).toEqual([]);
    expect(figures.restorations).toBe(RUNS);
    // The kill points must actually land inside apply, not only before or after it.
    if (RUNS >= 20) expect(figures.killedMidApply).toBeGreaterThan(0);
  });
});
