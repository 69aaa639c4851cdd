/**
 * Two operators at once on one bucket (one state directory, as on one
 * machine): two `apply` of the same plan, and an `apply` while a `rollback`
 * of the same bucket runs. When their writes overlap, one refuses and names
 * the holder of the bucket's lock; whatever the timing, no run reports
 * success while the live state says otherwise.
 *
 * Each kind is run twice pinned (the first run's first write is held by a
 * proxy until the second has answered: the lock is certainly held) and in
 * ten free races (both spawned together).
 */
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { collectRefs } from '../../src/plan/model/output-refs.js';
import type { ResourceKey } from '../../src/plan/model/types.js';
import { satisfies } from '../../src/plan/resources/index.js';
import { type CliResult, planToFile, runCli } from '../helpers/cli.js';
import {
  differences,
  type PlannedBucket,
  planBucket,
  type Values,
} from '../helpers/crash-check.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';
import { holdingProxy } from '../helpers/holding-proxy.js';
import { killedRun } from '../helpers/killed-run.js';

const ROUNDS = Number(process.env.RACE_ROUNDS ?? 10);
const LOCKED = /another s3-harden \((apply|rollback), pid (\d+)/;

interface Ran {
  readonly result: CliResult;
  readonly status: string;
  readonly pid?: number;
}

function statusOf(result: CliResult): string {
  try {
    return (JSON.parse(result.stdout) as { status: string }).status;
  } catch {
    return LOCKED.test(result.stderr) ? 'locked' : `exit ${result.code}`;
  }
}

describe('two operators on one bucket', () => {
  let session: AwsSession;
  let dir: string;
  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
    dir = mkdtempSync(join(tmpdir(), 's3-harden-race-'));
  });
  afterAll(() => session.close());

  const wrong = (planned: Pick<PlannedBucket, 'changes'>, live: Values) =>
    planned.changes
      .filter((change) => collectRefs(change.after).length === 0)
      .filter((change) => !satisfies(change.resource, change.after, live[change.resource]))
      .map((change) => change.id);
  const journals = (state: string) => {
    try {
      return readdirSync(join(state, 'journals'))
        .sort()
        .map((name) => join(state, 'journals', name));
    } catch {
      return [];
    }
  };
  /** Rolls back every journal of `state`, newest first: the bucket as it was. */
  const undoAll = async (state: string) => {
    for (const journal of journals(state).reverse()) {
      const rolled = await runCli(['rollback', journal, '--yes', '--endpoint-url', emulatorUrl()], {
        env: { S3_HARDEN_STATE_DIR: state },
      });
      expect(rolled.code, rolled.stdout + rolled.stderr).toBe(0);
    }
  };
  /** Spawns the CLI; with `proxy`, through it; resolves with its result, its status and pid. */
  const start = (args: string[], state: string, endpoint = emulatorUrl()) => {
    const run = killedRun([...args, '--endpoint-url', endpoint], {
      env: { S3_HARDEN_STATE_DIR: state },
    });
    return run.then(
      (result): Ran => ({
        result: { code: result.code, stdout: result.stdout, stderr: result.stderr },
        status: statusOf(result),
      }),
    );
  };
  const apply = (file: string) => ['apply', file, '--yes', '--json'];

  it(`two applies of the same plan: one refuses while the other writes (2 pinned + ${ROUNDS} races)`, {
    timeout: 60_000 + ROUNDS * 20_000,
  }, async () => {
    const bucket = uniqueBucket('race-apply');
    await createBucket(bucket);
    const planned = await planBucket(
      session,
      emulatorUrl(),
      bucket,
      'baseline',
      join(dir, `${bucket}.json`),
    );
    const before = await planned.snapshot();
    const tally = { refused: 0, serial: 0, rounds: 0 };
    for (let round = 0; round < ROUNDS + 2; round += 1) {
      const state = join(dir, `${bucket}-${round}`);
      mkdirSync(state, { recursive: true });
      let runs: Ran[];
      if (round < 2) {
        // Pinned: the first apply's first write waits until the second has answered.
        const proxy = holdingProxy(emulatorUrl(), (method) => method === 'PUT');
        await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
        const port = (proxy.server.address() as AddressInfo).port;
        const first = start(apply(planned.file), state, `http://127.0.0.1:${port}`);
        await proxy.seen;
        const second = await start(apply(planned.file), state);
        proxy.release();
        runs = [await first, second];
        proxy.server.close();
        expect(second.status, second.result.stderr).toBe('locked');
        expect(second.result.stderr).toMatch(/another s3-harden \(apply, pid \d+/);
        expect(second.result.code).not.toBe(0);
      } else {
        runs = await Promise.all([
          start(apply(planned.file), state),
          start(apply(planned.file), state),
        ]);
      }
      tally.rounds += 1;
      const live = await planned.snapshot();
      const statuses = runs.map((run) => run.status);
      if (statuses.includes('locked')) tally.refused += 1;
      else tally.serial += 1;
      const where = `round ${round}: ${statuses.join(' + ')}`;
      // Success reported: the live state is the plan's.
      if (statuses.some((status) => status === 'applied' || status === 'already-applied')) {
        expect(wrong(planned, live), where).toEqual([]);
      } else {
        expect(differences(before, live), where).toEqual([]);
      }
      // Exactly one of them wrote it; the other refused, found it done, or found it changed.
      expect(
        statuses.filter((status) => status === 'applied'),
        where,
      ).toHaveLength(1);
      for (const run of runs) {
        expect(['applied', 'already-applied', 'locked', 'stale', 'rolled-back'], where).toContain(
          run.status,
        );
        if (run.status !== 'applied' && run.status !== 'already-applied') {
          expect(run.result.code, where).not.toBe(0);
        }
      }
      await undoAll(state);
      expect(differences(before, await planned.snapshot()), `${where}, undone`).toEqual([]);
    }
    console.log(JSON.stringify({ twoApplies: tally }));
    expect(tally.rounds).toBe(ROUNDS + 2);
  });

  it(`apply while a rollback of the same bucket runs: one refuses, neither is contradicted (2 pinned + ${ROUNDS} races)`, {
    timeout: 60_000 + ROUNDS * 25_000,
  }, async () => {
    const bucket = uniqueBucket('race-rollback');
    await createBucket(bucket);
    // Q turns versioning on; P (planned once Q is applied) does the rest of baseline.
    const q = join(dir, `${bucket}-q.json`);
    const planned = await planToFile(bucket, q, emulatorUrl(), ['--only', 'versioning']);
    expect([0, 2], planned.stdout + planned.stderr).toContain(planned.code);
    const base = join(dir, `${bucket}-base`);
    mkdirSync(base, { recursive: true });
    const original = await runCli(['apply', q, '--yes', '--endpoint-url', emulatorUrl()], {
      env: { S3_HARDEN_STATE_DIR: base },
    });
    expect(original.code, original.stderr).toBe(0);
    const p = await planBucket(
      session,
      emulatorUrl(),
      bucket,
      'baseline',
      join(dir, `${bucket}-p.json`),
    );
    const versioningOff = p.changes.every((change) => change.resource !== 'bucket.versioning');
    expect(versioningOff).toBe(true);
    await undoAll(base);
    const before = await p.snapshot();
    const versioning = (values: Values) => values['bucket.versioning' as ResourceKey];
    const tally = { refused: 0, serial: 0, rounds: 0 };
    for (let round = 0; round < ROUNDS + 2; round += 1) {
      const state = join(dir, `${bucket}-${round}`);
      mkdirSync(state, { recursive: true });
      // Q applied: its journal is what the rollback undoes.
      const applied = await runCli(['apply', q, '--yes', '--endpoint-url', emulatorUrl()], {
        env: { S3_HARDEN_STATE_DIR: state },
      });
      expect(applied.code, applied.stderr).toBe(0);
      const [journal] = journals(state);
      const rollback = ['rollback', journal as string, '--yes'];
      let runs: Ran[];
      if (round < 2) {
        // Pinned: one holds its first write until the other has answered; the rollback first, then the apply first.
        const proxy = holdingProxy(emulatorUrl(), (method) => method === 'PUT');
        await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
        const via = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
        const [held, other] = round === 0 ? [rollback, apply(p.file)] : [apply(p.file), rollback];
        const first = start(held, state, via);
        await proxy.seen;
        const second = await start(other, state);
        proxy.release();
        runs = round === 0 ? [await first, second] : [second, await first];
        proxy.server.close();
        const refused = round === 0 ? runs[1] : runs[0];
        expect(refused?.result.stderr, refused?.result.stdout).toMatch(
          round === 0
            ? /another s3-harden \(rollback, pid \d+/
            : /another s3-harden \(apply, pid \d+/,
        );
        expect(refused?.result.code).not.toBe(0);
      } else {
        runs = await Promise.all([start(rollback, state), start(apply(p.file), state)]);
      }
      tally.rounds += 1;
      const [undone, appliedP] = runs as [Ran, Ran];
      const rollbackStatus =
        undone.result.code === 0
          ? 'restored'
          : LOCKED.test(undone.result.stdout + undone.result.stderr)
            ? 'locked'
            : `exit ${undone.result.code}`;
      const where = `round ${round}: rollback ${rollbackStatus}, apply ${appliedP.status}`;
      if (rollbackStatus === 'locked' || appliedP.status === 'locked') tally.refused += 1;
      else tally.serial += 1;
      const live = await p.snapshot();
      // Each success reported holds: the rollback restored versioning, the apply wrote the rest.
      if (rollbackStatus === 'restored')
        expect(versioning(live), where).toEqual(versioning(before));
      else expect(rollbackStatus, where).toBe('locked');
      if (appliedP.status === 'applied') expect(wrong(p, live), where).toEqual([]);
      else {
        expect(['locked', 'stale'], `${where}: ${appliedP.result.stderr}`).toContain(
          appliedP.status,
        );
        expect(
          differences(before, { ...live, 'bucket.versioning': versioning(before) } as Values),
          where,
        ).toEqual([]);
      }
      await undoAll(state);
      expect(differences(before, await p.snapshot()), `${where}, undone`).toEqual([]);
    }
    console.log(JSON.stringify({ applyAndRollback: tally }));
  });
});
