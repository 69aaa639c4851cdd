/**
 * The whole `strict` plan (every step the emulator supports) against a fresh
 * bucket: applied, every setting reads back; and for every position k, a
 * fault injected at change k leaves bucket and account exactly as before.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import type { Plan, ResourceKey } from '../../src/plan/model/types.js';
import { withDigest } from '../../src/plan/render/digest-line.js';
import { linesToText, renderCliCommands, renderPlan } from '../../src/plan/render/render.js';
import { RESOURCES, satisfies } from '../../src/plan/resources/index.js';
import {
  buildPlan,
  defaultAnswers,
  optionalReadsFor,
  readsFor,
  relatedBucketFor,
  stepsForPreset,
} from '../../src/steps/index.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, setAccountPublicAccessBlock } from '../helpers/fixtures.js';

const STEPS = stepsForPreset('strict');
const READS = readsFor(STEPS);
// As the wizard and `plan` read: services the emulator lacks (Macie) only skip their step.
const OPTIONAL = { optional: optionalReadsFor(STEPS) };
// What a rollback must restore exactly: every writable resource of the bucket
// and the account. (A KMS key the plan created is scheduled for deletion by
// its undo, which the plan marks as irreversible for the waiting period.)
const COMPARED = READS.filter((resource) => !resource.startsWith('account.kms'));

describe('the strict preset end to end', () => {
  let session: AwsSession;
  let dir: string;
  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
    dir = mkdtempSync(join(tmpdir(), 's3-harden-strict-'));
  });
  afterAll(() => session.close());

  const planFor = async (bucket: string): Promise<Plan> => {
    let posture = await session.observe(bucket, READS, OPTIONAL);
    // As `plan` and the wizard do: read the access-log target the defaults name.
    const logBucket = relatedBucketFor(STEPS, defaultAnswers(posture, 'strict', STEPS));
    if (logBucket) posture = await session.observeLogTarget(posture, logBucket);
    return buildPlan(posture, 'strict', STEPS, defaultAnswers(posture, 'strict', STEPS));
  };
  const snapshot = async (bucket: string) =>
    (await session.observe(bucket, COMPARED, OPTIONAL)).values;

  it('applies every change and a fresh observe shows each setting in place', async () => {
    const bucket = uniqueBucket('strict');
    await createBucket(bucket);
    await setAccountPublicAccessBlock(null);
    const plan = await planFor(bucket);
    expect(plan.changes.length).toBeGreaterThan(1);
    const journal = openJournal(plan.target, join(dir, 'journals'));
    const outcome = await executePlan(plan, {
      run: (call) => session.execute(call),
      read: (resource, identity) => session.read(plan.target, resource, identity),
      journal,
    });
    journal.close();
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('applied');
    const after = await session.observe(bucket, READS, OPTIONAL);
    for (const change of plan.changes) {
      if (
        RESOURCES[change.resource].scope === 'bucket' ||
        change.resource.startsWith('account.public')
      ) {
        expect(
          satisfies(change.resource, change.after, after.values[change.resource as ResourceKey]),
          change.id,
        ).toBe(true);
      }
    }
    // Planning again finds nothing left to do.
    expect(
      (await planFor(bucket)).changes.filter((change) => change.resource !== 'account.kmsKeys'),
    ).toEqual([]);
  });

  it('a fault at any change k restores the exact prior state', async () => {
    await setAccountPublicAccessBlock(null);
    const probe = uniqueBucket('strict-probe');
    await createBucket(probe);
    await createBucket(`${probe}-logs`);
    const count = (await planFor(probe)).changes.length;
    for (let k = 1; k <= count; k++) {
      const bucket = uniqueBucket(`strict-k${k}`);
      await createBucket(bucket);
      // An existing log bucket: a log bucket the plan creates may already hold
      // delivered logs at rollback time, and S3 deletes only empty buckets.
      await createBucket(`${bucket}-logs`);
      const before = await snapshot(bucket);
      const plan = await planFor(bucket);
      let calls = 0;
      const journal = openJournal(plan.target, join(dir, 'journals'));
      const outcome = await executePlan(plan, {
        run: async (call) => {
          calls += 1;
          if (calls === k) throw new Error(`injected fault at change ${k}`);
          return session.execute(call);
        },
        read: (resource, identity) => session.read(plan.target, resource, identity),
        journal,
      });
      journal.close();
      expect(
        outcome.status,
        `k=${k}: ${outcome.results.map((r) => `${r.change.id}:${r.status}:${r.error ?? ''}`).join(', ')}`,
      ).toBe('rolled-back');
      // Exactly as before, as S3 can express it: a bucket that never had
      // versioning comes back Suspended, which `satisfies` accepts.
      const after = await snapshot(bucket);
      for (const resource of COMPARED) {
        // What this endpoint cannot read (Macie) stays unread; nothing to compare.
        if (!(resource in before)) {
          expect(resource in after, `k=${k} ${resource} became readable`).toBe(false);
          continue;
        }
        expect(
          satisfies(resource, before[resource], after[resource]),
          `k=${k} ${resource}: ${JSON.stringify(before[resource])} -> ${JSON.stringify(after[resource])}`,
        ).toBe(true);
      }
    }
    // One apply and rollback per change position: the slowest test in the suite.
  }, 90_000);

  it('`plan --preset strict` prints the diff the wizard shows for the same defaults', async () => {
    const bucket = uniqueBucket('strict-same');
    await createBucket(bucket);
    const result = await runCli([
      'plan',
      '--bucket',
      bucket,
      '--preset',
      'strict',
      '--endpoint-url',
      emulatorUrl(),
    ]);
    const plan = await planFor(bucket);
    const expected = [
      linesToText(withDigest(renderPlan(plan), plan)),
      '',
      // The policies it writes cannot be checked here: the emulator has no Access Analyzer.
      'Policy checks skipped: IAM Access Analyzer is not available at this endpoint',
      '',
      linesToText(renderCliCommands(plan, { region: plan.target.region, endpoint: emulatorUrl() })),
    ].join('\n');
    expect(result.stderr).toBe('');
    // Each plan has its own id (the created key's tag), hence its own digest: the same text otherwise.
    const id = /s3-harden:plan: ([0-9a-f-]{36})/.exec(result.stdout)?.[1] as string;
    const digest = /^Plan digest: (sha256:[0-9a-f]{16})$/m.exec(result.stdout)?.[1] as string;
    const own = /^Plan digest: (sha256:[0-9a-f]{16})$/m.exec(
      linesToText(withDigest(renderPlan(plan), plan)),
    )?.[1] as string;
    expect(result.stdout.trimEnd()).toBe(
      expected
        .trimEnd()
        .replaceAll(plan.id as string, id)
        .replace(own, digest),
    );
  });
});
