/**
 * Fault injection: the built CLI applies a saved `strict` and a saved
 * `baseline` plan through a loopback proxy (../helpers/fault-proxy.ts) that
 * faults one request — every position of an unfaulted apply, with each of
 * five kinds: HTTP 500, 403 AccessDenied, a reset connection, a request that
 * never answers (S3_HARDEN_TIMEOUT_MS makes the client give up), and an
 * answer lost after the write ran. After every run the live state is what
 * the run reported: applied (every change reads as planned), rolled back or
 * refused (exactly as before); and after `s3-harden rollback` of its journal
 * it is exactly as before, with no KMS key of the plan left alive and no
 * alias left on a deleted key.
 *
 * The bucket and its plan file are reused from run to run (each run ends
 * restored, so the plan holds again). By default every position is faulted
 * once, the kind rotating through the five (each kind on every fifth
 * position); FAULT_MATRIX=full faults every position with every kind
 * (scripts/fault-matrix.mjs). FAULT_AT=a-b replays positions, FAULT_KINDS
 * picks kinds, FAULT_LOG appends a line per run, FAULT_REPORT writes the
 * figures.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { collectRefs } from '../../src/plan/model/output-refs.js';
import { satisfies } from '../../src/plan/resources/index.js';
import { runCli } from './cli.js';
import {
  differences,
  keyInUse,
  kmsOrphans,
  kmsState,
  type PlannedBucket,
  planBucket,
  type Values,
} from './crash-check.js';
import { emulatorUrl, uniqueBucket } from './emulator.js';
import { FAULT_KINDS, type FaultKind, type FaultProxy, faultProxy } from './fault-proxy.js';
import { createBucket, setAccountPublicAccessBlock } from './fixtures.js';

/**
 * FAULT_MATRIX=full: every position with every kind. Otherwise every position
 * once, its kind rotating through the five (position p gets kind p mod 5, so
 * each kind lands on every fifth position); the full matrix is
 * scripts/fault-matrix.mjs. The strict plan has over a hundred positions, so
 * `npm test` faults every fourth of them and every third of the baseline's
 * (and always the last; FAULT_STRIDE=1 for all). Both strides are prime to
 * the five kinds, so every kind still lands on every stretch of the plan, and
 * the suite stays within its ten minutes (these two files were half of its
 * time at strides 3 and 2).
 */
const FULL = process.env.FAULT_MATRIX === 'full';
const KINDS: readonly FaultKind[] = process.env.FAULT_KINDS
  ? (process.env.FAULT_KINDS.split(',') as FaultKind[])
  : FAULT_KINDS;
const PRESETS = (process.env.FAULT_PRESETS ?? 'strict,baseline').split(',') as (
  | 'strict'
  | 'baseline'
)[];
/** The client gives up on a hung request after this long (each of its attempts). */
const TIMEOUT_MS = '1000';

interface Figures {
  preset: string;
  requests: number;
  runs: number;
  byKind: Record<string, number>;
  outcomes: Record<string, number>;
  rollbacks: number;
  failures: string[];
  ms: number;
}

export function faultMatrix(presets: readonly ('strict' | 'baseline')[]): void {
  describe('a fault at any request of apply ends reported and restorable', () => {
    let session: AwsSession;
    let dir: string;
    let priorAliases: Set<string>;
    const reports: Figures[] = [];

    beforeAll(async () => {
      session = await connect({ endpoint: emulatorUrl() });
      dir = mkdtempSync(join(tmpdir(), 's3-harden-faults-'));
      await setAccountPublicAccessBlock(null);
      priorAliases = new Set((await kmsState(emulatorUrl())).aliases.map((alias) => alias.name));
    });
    afterAll(() => {
      session.close();
      // One file per preset (FAULT_REPORT-strict.json): the presets run in separate workers.
      for (const figures of reports) {
        if (process.env.FAULT_REPORT) {
          const file = `${process.env.FAULT_REPORT}-${figures.preset}.json`;
          writeFileSync(file, JSON.stringify([figures]));
        }
      }
    });

    /** Whether every change of the plan reads as planned (references: the key, checked by KMS). */
    const appliedAsPlanned = (planned: PlannedBucket, live: Values) =>
      planned.changes
        .filter((change) => collectRefs(change.after).length === 0)
        .filter((change) => !satisfies(change.resource, change.after, live[change.resource]))
        .map((change) => change.id);

    /** One faulted apply, what it reported checked against the live state, then rollback. */
    const faultedRun = async (
      planned: PlannedBucket,
      proxy: FaultProxy,
      before: Values,
      kind: FaultKind,
      at: number,
      run: number,
      figures: Figures,
    ) => {
      const where = `${figures.preset} ${kind} at request ${at}`;
      const state = join(dir, `${planned.bucket}-${run}`);
      mkdirSync(state, { recursive: true });
      const env = { S3_HARDEN_STATE_DIR: state, S3_HARDEN_TIMEOUT_MS: TIMEOUT_MS };
      proxy.arm({ at, kind });
      const applied = await runCli(
        ['apply', planned.file, '--yes', '--json', '--endpoint-url', proxy.url],
        { env, deadline: 60_000 },
      );
      const hit = proxy.faulted ? ` (${proxy.faulted.operation})` : ' (not reached)';
      proxy.arm(null);
      let status = 'error';
      try {
        status = (JSON.parse(applied.stdout) as { status: string }).status;
      } catch {
        // No JSON: refused before applying (a failed connect or read), or killed.
        status = applied.code === null ? 'killed' : 'error';
      }
      figures.outcomes[status] = (figures.outcomes[status] ?? 0) + 1;
      if (process.env.FAULT_LOG) {
        writeFileSync(
          process.env.FAULT_LOG,
          `${where}${hit}: ${status} exit ${applied.code}: ${applied.stderr.trim().split('\n').at(-1)}\n`,
          { flag: 'a' },
        );
      }
      const live = await planned.snapshot();
      const kms = await kmsState(emulatorUrl());
      const fail = (text: string) => figures.failures.push(`${where}${hit}: ${text}`);
      if (status === 'applied' || status === 'unverified') {
        const missing = appliedAsPlanned(planned, live);
        if (status === 'applied' && applied.code !== 0) fail(`applied, exit ${applied.code}`);
        if (missing.length > 0)
          fail(`reported ${status}, but not as planned: ${missing.join(', ')}`);
      } else if (status !== 'rollback-incomplete' && status !== 'killed') {
        // Rolled back, stale, refused, or an error before the first write: as before.
        const changed = differences(before, live);
        if (changed.length > 0) {
          fail(`reported ${status} (exit ${applied.code}), but changed: ${changed.join(', ')}`);
        }
        if (applied.code === 0) fail(`reported ${status} with exit 0`);
      }
      // A run that claims a final state (applied, rolled back, refused) leaves no
      // key of the plan alive but the one the bucket uses; a partial one (its
      // rollback incomplete, reported) or a killed one is judged after rollback.
      if (status !== 'rollback-incomplete' && status !== 'killed') {
        const orphans = await kmsOrphans(
          emulatorUrl(),
          planned.planId,
          keyInUse(live, kms.keys),
          priorAliases,
        );
        if (orphans.length > 0) fail(`after apply (${status}): ${orphans.join('; ')}`);
      }
      const journals = (() => {
        try {
          return readdirSync(join(state, 'journals')).map((name) => join(state, 'journals', name));
        } catch {
          return [];
        }
      })();
      // Reported and verified as before, with nothing of the plan alive: nothing to roll back.
      const settled =
        status !== 'applied' &&
        status !== 'unverified' &&
        status !== 'rollback-incomplete' &&
        status !== 'killed' &&
        differences(before, live).length === 0;
      for (const journal of settled ? [] : journals) {
        figures.rollbacks += 1;
        const rolled = await runCli(
          ['rollback', journal, '--yes', '--endpoint-url', emulatorUrl()],
          {
            env,
            deadline: 60_000,
          },
        );
        if (rolled.code !== 0)
          fail(`rollback exit ${rolled.code}: ${rolled.stdout}${rolled.stderr}`);
      }
      const restored = await planned.snapshot();
      const changed = differences(before, restored);
      if (changed.length > 0) fail(`not restored: ${changed.join(', ')}`);
      const left = await kmsOrphans(emulatorUrl(), planned.planId, null, priorAliases);
      if (left.length > 0) fail(`after rollback: ${left.join('; ')}`);
      if (figures.failures.length > 0 && changed.length > 0) {
        // The bucket is no longer the plan's starting point: later runs would only echo this.
        throw new Error(figures.failures.join('\n'));
      }
    };

    for (const preset of presets.filter((preset) => PRESETS.includes(preset))) {
      it(`${preset}: every request position × ${KINDS.join(', ')}`, {
        // The full matrix is hundreds of runs; the default is one per position.
        timeout: FULL ? 7_200_000 : 900_000,
      }, async () => {
        const started = performance.now();
        const bucket = uniqueBucket(`faults-${preset}`);
        await createBucket(bucket);
        const planned = await planBucket(
          session,
          emulatorUrl(),
          bucket,
          preset,
          join(dir, `${bucket}.json`),
        );
        expect(planned.changes.length).toBeGreaterThan(3);
        const before = await planned.snapshot();
        const proxy = await faultProxy(emulatorUrl());
        const figures: Figures = {
          preset,
          requests: 0,
          runs: 0,
          byKind: {},
          outcomes: {},
          rollbacks: 0,
          failures: [],
          ms: 0,
        };
        try {
          // How many requests an unfaulted apply makes: the positions to fault.
          proxy.arm(null);
          const state = join(dir, `${bucket}-probe`);
          const probe = await runCli(
            ['apply', planned.file, '--yes', '--endpoint-url', proxy.url],
            {
              env: { S3_HARDEN_STATE_DIR: state },
            },
          );
          expect(probe.code, probe.stdout + probe.stderr).toBe(0);
          figures.requests = proxy.count;
          if (process.env.FAULT_LOG) {
            const list = proxy.seen.map((seen) => `${seen.n} ${seen.operation}`).join('\n');
            writeFileSync(process.env.FAULT_LOG, `${list}\n`, { flag: 'a' });
          }
          const [journal] = readdirSync(join(state, 'journals'));
          const undone = await runCli(
            [
              'rollback',
              join(state, 'journals', journal as string),
              '--yes',
              '--endpoint-url',
              emulatorUrl(),
            ],
            { env: { S3_HARDEN_STATE_DIR: state } },
          );
          expect(undone.code, undone.stdout + undone.stderr).toBe(0);
          expect(differences(before, await planned.snapshot())).toEqual([]);

          const runs: [FaultKind, number][] = [];
          // FAULT_AT=a-b: only these positions (to replay one).
          const [from, to] = (process.env.FAULT_AT ?? `1-${figures.requests}`)
            .split('-')
            .map(Number);
          const last = to ?? from ?? figures.requests;
          const stride =
            FULL || process.env.FAULT_AT
              ? 1
              : Number(process.env.FAULT_STRIDE ?? (preset === 'strict' ? 4 : 3));
          for (let at = from ?? 1; at <= last; at += 1) {
            if ((at - (from ?? 1)) % stride !== 0 && at !== last) continue;
            if (FULL) for (const kind of KINDS) runs.push([kind, at]);
            else runs.push([KINDS[at % KINDS.length] as FaultKind, at]);
          }
          for (const [run, [kind, at]] of runs.entries()) {
            await faultedRun(planned, proxy, before, kind, at, run, figures);
            figures.runs += 1;
            figures.byKind[kind] = (figures.byKind[kind] ?? 0) + 1;
            if (process.env.FAULT_LOG)
              writeFileSync(process.env.FAULT_LOG, `${JSON.stringify(figures)}\n`, { flag: 'a' });
          }
        } finally {
          await proxy.close();
          figures.ms = Math.round(performance.now() - started);
          reports.push(figures);
          console.log(JSON.stringify({ ...figures, failures: figures.failures.length }));
        }
        expect(figures.failures).toEqual([]);
      });
    }
  });
}
