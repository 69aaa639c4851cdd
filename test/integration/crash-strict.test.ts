/**
 * Crash safety of the `strict` preset (a KMS key, its alias and rotation,
 * default encryption with that key, the account's Block Public Access, the
 * bucket policy…): the built CLI's `apply` is killed with SIGKILL at seeded
 * random points while it writes; in every other run the first `rollback` is
 * killed too, while it undoes; then `rollback` runs to completion. Every run
 * must end exactly as before — every resource the plan reads — with no key
 * of the plan left alive and no alias left on a deleted key. The bucket and
 * plan file are reused: each run ends restored, so the plan holds again.
 *
 * STRICT_KILLS (apply kills, default 40) and CRASH_SEED widen it
 * (scripts/crash-stress.mjs runs it with more).
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { differences, kmsOrphans, kmsState, planBucket } from '../helpers/crash-check.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, setAccountPublicAccessBlock } from '../helpers/fixtures.js';
import { killedRun } from '../helpers/killed-run.js';
import { seededRandom } from '../helpers/random.js';

const KILLS = Number(process.env.STRICT_KILLS ?? 40);
const SEED = Number(process.env.CRASH_SEED ?? 20261204);

describe('SIGKILL during a strict apply, and during its rollback', () => {
  let session: AwsSession;
  let dir: string;
  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
    dir = mkdtempSync(join(tmpdir(), 's3-harden-crash-strict-'));
    await setAccountPublicAccessBlock(null);
  });
  afterAll(() => session.close());

  it(`restores exactly after ${KILLS} kills of apply and ${Math.ceil(KILLS / 2)} of rollback (seed ${SEED})`, {
    timeout: 120_000 + KILLS * 10_000,
  }, async () => {
    const bucket = uniqueBucket('crash-strict');
    await createBucket(bucket);
    const planned = await planBucket(
      session,
      emulatorUrl(),
      bucket,
      'strict',
      join(dir, 'plan.json'),
    );
    const priorAliases = new Set((await kmsState(emulatorUrl())).aliases.map((a) => a.name));
    const before = await planned.snapshot();
    const endpoint = ['--endpoint-url', emulatorUrl()];
    const stateFor = (run: number) => {
      const state = join(dir, `run-${run}`);
      mkdirSync(join(state, 'journals'), { recursive: true });
      return state;
    };
    const journalOf = (state: string) => {
      const [name] = readdirSync(join(state, 'journals'));
      return name ? join(state, 'journals', name) : undefined;
    };

    // Unkilled: how long the writes take (from the journal's first entry) and a rollback's undo.
    const probeState = stateFor(0);
    const probe = await killedRun(['apply', planned.file, '--yes', ...endpoint], {
      env: { S3_HARDEN_STATE_DIR: probeState },
      watchDir: join(probeState, 'journals'),
      delay: 1e9,
    });
    expect(probe.code, probe.stdout + probe.stderr).toBe(0);
    // The window kill points are drawn from; narrowed when a run finishes before its kill (the probe ran slower).
    let writesMs = probe.ms - (probe.triggeredMs ?? 0);
    const probeRollback = await killedRun(
      ['rollback', journalOf(probeState) as string, '--yes', ...endpoint],
      { env: { S3_HARDEN_STATE_DIR: probeState }, after: '… checking', delay: 1e9 },
    );
    expect(probeRollback.code, probeRollback.stdout).toBe(0);
    let undoMs = probeRollback.ms - (probeRollback.triggeredMs ?? 0);
    expect(differences(before, await planned.snapshot())).toEqual([]);

    const random = seededRandom(SEED);
    const figures = {
      seed: SEED,
      writesMs: Math.round(writesMs),
      undoMs: Math.round(undoMs),
      runs: 0,
      applyKills: 0,
      rollbackKills: 0,
      finishedBeforeKill: 0,
      restorations: 0,
      failures: [] as string[],
    };
    for (
      let run = 1;
      (figures.applyKills < KILLS || figures.rollbackKills < Math.ceil(KILLS / 2)) &&
      run <= KILLS * 3;
      run += 1
    ) {
      const state = stateFor(run);
      const env = { S3_HARDEN_STATE_DIR: state };
      // Within the first 90% of the writes: a kill after the last one kills nothing.
      const delay = Math.round(random() * writesMs * 0.9);
      const applied = await killedRun(['apply', planned.file, '--yes', ...endpoint], {
        env,
        watchDir: join(state, 'journals'),
        delay,
      });
      figures.runs += 1;
      const where = `run ${run} (apply killed ${delay} ms into its writes)`;
      if (applied.signal === 'SIGKILL') figures.applyKills += 1;
      else {
        figures.finishedBeforeKill += 1;
        writesMs = Math.max(100, Math.min(writesMs, delay) * 0.8);
        if (applied.code !== 0) {
          figures.failures.push(`${where}: apply exit ${applied.code}: ${applied.stderr}`);
        }
      }
      const journal = journalOf(state);
      if (journal) {
        // Kill the rollback too, somewhere in its undo, until half as many rollbacks are killed.
        if (figures.rollbackKills < Math.ceil(KILLS / 2)) {
          const killAt = Math.round(random() * undoMs);
          const first = await killedRun(['rollback', journal, '--yes', ...endpoint], {
            env,
            after: '… checking',
            delay: killAt,
          });
          if (first.signal === 'SIGKILL') figures.rollbackKills += 1;
          else undoMs = Math.max(100, Math.min(undoMs, killAt) * 0.8);
          if (first.signal !== 'SIGKILL' && first.code !== 0) {
            figures.failures.push(`${where}: first rollback exit ${first.code}: ${first.stdout}`);
          }
        }
        const rolled = await killedRun(['rollback', journal, '--yes', ...endpoint], { env });
        if (rolled.code !== 0) {
          figures.failures.push(
            `${where}: rollback exit ${rolled.code}: ${rolled.stdout}${rolled.stderr}`,
          );
        }
      }
      const changed = differences(before, await planned.snapshot());
      const orphans = await kmsOrphans(emulatorUrl(), planned.planId, null, priorAliases);
      if (changed.length > 0)
        figures.failures.push(`${where}: not restored: ${changed.join(', ')}`);
      if (orphans.length > 0) figures.failures.push(`${where}: ${orphans.join('; ')}`);
      if (changed.length === 0 && orphans.length === 0) figures.restorations += 1;
      // Not as before: the plan no longer holds, later runs would only repeat it.
      if (changed.length > 0) break;
    }
    console.log(JSON.stringify({ ...figures, failures: figures.failures.length }));
    if (process.env.CRASH_REPORT) writeFileSync(process.env.CRASH_REPORT, JSON.stringify(figures));
    expect(figures.failures).toEqual([]);
    expect(figures.applyKills).toBeGreaterThanOrEqual(KILLS);
    expect(figures.rollbackKills).toBeGreaterThanOrEqual(Math.ceil(KILLS / 2));
  });
});
