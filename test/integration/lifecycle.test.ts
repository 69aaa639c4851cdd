/**
 * The lifecycle step against the emulator: its rule joins whatever
 * configuration the bucket has by rule ID. Fifty random foreign
 * configurations (filters by prefix, tag, size and And; expirations by days,
 * date and delete marker; transitions; noncurrent actions; disabled rules)
 * each come back exactly as read after apply, a second plan proposes
 * nothing, and the undo call restores the configuration read before, or
 * removes it when there was none. Then once through the built CLI: plan,
 * apply, rollback from the journal.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PutBucketLifecycleConfigurationCommand,
  type LifecycleRule as SdkRule,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import type { ApiCall, Plan } from '../../src/plan/model/types.js';
import type { LifecycleConfiguration } from '../../src/plan/resources/lifecycle.js';
import { buildPlan } from '../../src/steps/index.js';
import { lifecycleStep } from '../../src/steps/lifecycle.js';
import { NONCURRENT_RULE_ID } from '../../src/steps/lifecycle-rules.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients } from '../helpers/fixtures.js';
import { pick, type Random, seededRandom } from '../helpers/random.js';

const int = (random: Random, min: number, max: number) =>
  min + Math.floor(random() * (max - min + 1));

/** A rule S3 accepts, drawn at random; `n` keeps IDs unique. */
function randomRule(random: Random, n: number): SdkRule {
  const tagged = random() < 0.4;
  const tags = Array.from({ length: int(random, 1, 2) }, (_, i) => ({
    Key: `k${i}`,
    Value: `v${int(random, 0, 9)}`,
  }));
  const filter = tagged
    ? random() < 0.5 && tags.length === 1
      ? { Tag: tags[0] }
      : { And: { Prefix: `p${n}/`, Tags: tags } }
    : pick(random, [
        {},
        { Prefix: `logs-${n}/` },
        { ObjectSizeGreaterThan: int(random, 1, 10_000) },
        { And: { Prefix: `s${n}/`, ObjectSizeGreaterThan: 100, ObjectSizeLessThan: 100_000 } },
      ]);
  const rule: SdkRule = {
    ID: `foreign-${n}-${int(random, 0, 999)}`,
    Status: random() < 0.8 ? 'Enabled' : 'Disabled',
    Filter: filter,
  };
  const actions = int(random, 1, 3);
  for (let i = 0; i < actions; i += 1) {
    const kind = pick(random, ['expire-days', 'expire-date', 'transition', 'noncurrent', 'nct']);
    if (kind === 'expire-days') rule.Expiration = { Days: int(random, 100, 3650) };
    if (kind === 'expire-date') rule.Expiration = { Date: new Date('2030-01-01T00:00:00.000Z') };
    if (kind === 'transition')
      rule.Transitions = [{ Days: int(random, 30, 90), StorageClass: 'STANDARD_IA' }];
    if (kind === 'noncurrent')
      rule.NoncurrentVersionExpiration = {
        NoncurrentDays: int(random, 1, 365),
        ...(random() < 0.5 ? { NewerNoncurrentVersions: int(random, 1, 5) } : {}),
      };
    if (kind === 'nct')
      rule.NoncurrentVersionTransitions = [
        { NoncurrentDays: int(random, 30, 60), StorageClass: 'GLACIER' },
      ];
  }
  if (!tagged && random() < 0.4) {
    rule.AbortIncompleteMultipartUpload = { DaysAfterInitiation: int(random, 1, 30) };
  }
  if (!tagged && random() < 0.2 && !rule.Expiration) {
    rule.Expiration = { ExpiredObjectDeleteMarker: true };
  }
  return rule;
}

describe('the lifecycle step against the emulator', () => {
  let session: AwsSession;
  const journals = mkdtempSync(join(tmpdir(), 's3-harden-lifecycle-'));
  const read = async (bucket: string) =>
    (await session.observe(bucket, ['bucket.lifecycle'])).values['bucket.lifecycle'];
  const planFor = async (bucket: string): Promise<Plan> => {
    const posture = await session.observe(bucket, ['bucket.lifecycle']);
    return buildPlan(posture, 'baseline', ['lifecycle'], {
      lifecycle: lifecycleStep.defaults(posture, 'baseline'),
    });
  };
  const apply = async (plan: Plan) => {
    const journal = openJournal(plan.target, journals);
    try {
      return await executePlan(plan, {
        run: (call: ApiCall) => session.execute(call),
        read: (resource, identity) => session.read(plan.target, resource, identity),
        journal,
      });
    } finally {
      journal.close();
    }
  };

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => session.close());

  it('keeps 50 random foreign configurations intact, is idempotent, and undoes exactly', async () => {
    const random = seededRandom(1414);
    const { s3 } = rawClients();
    for (let round = 0; round < 50; round += 1) {
      const bucket = uniqueBucket(`lc-${round}`);
      await createBucket(bucket);
      const count = int(random, 0, 4);
      if (count > 0) {
        await s3.send(
          new PutBucketLifecycleConfigurationCommand({
            Bucket: bucket,
            LifecycleConfiguration: {
              Rules: Array.from({ length: count }, (_, n) => randomRule(random, n)),
            },
          }),
        );
      }
      const before = await read(bucket);
      expect(before === null ? 0 : before?.Rules.length, `round ${round}`).toBe(count);
      const plan = await planFor(bucket);
      expect(
        plan.changes.map((change) => change.id),
        `round ${round}`,
      ).toEqual(['bucket.lifecycle']);
      const outcome = await apply(plan);
      expect(outcome.status, `round ${round}`).toBe('applied');
      expect(outcome.results[0]?.verified, `round ${round}`).toBe(true);

      const after = (await read(bucket)) as LifecycleConfiguration;
      const foreign = after.Rules.filter((rule) => rule.ID !== NONCURRENT_RULE_ID);
      expect(foreign, `round ${round}: foreign rules as read`).toEqual(before?.Rules ?? []);
      expect(after.Rules.filter((rule) => rule.ID === NONCURRENT_RULE_ID)).toHaveLength(1);
      expect((await planFor(bucket)).changes, `round ${round}: plan after apply`).toEqual([]);

      await session.execute(plan.changes[0]?.undo as ApiCall);
      expect(await read(bucket), `round ${round}: undo`).toEqual(before);
    }
  }, 120_000);

  it('plan, apply and rollback through the CLI restore the configuration', async () => {
    const bucket = uniqueBucket('lc-cli');
    await createBucket(bucket);
    const { s3 } = rawClients();
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: 'archive',
              Status: 'Enabled',
              Filter: { Prefix: 'a/' },
              Expiration: { Days: 400 },
            },
          ],
        },
      }),
    );
    const before = await read(bucket);
    const dir = mkdtempSync(join(tmpdir(), 's3-harden-lifecycle-cli-'));
    const file = join(dir, 'plan.json');
    const endpoint = ['--endpoint-url', emulatorUrl()];
    const planned = await runCli([
      'plan',
      '--bucket',
      bucket,
      '--only',
      'lifecycle',
      '--out',
      file,
      ...endpoint,
    ]);
    expect(planned.code, planned.stderr).toBe(2);
    expect(planned.stdout).toContain('keeps the 1 other rule exactly as they are');
    const env = { S3_HARDEN_STATE_DIR: dir };
    const applied = await runCli(['apply', file, '--yes', ...endpoint], { env });
    expect(applied.code, applied.stderr).toBe(0);
    expect((await read(bucket))?.Rules).toHaveLength(2);
    const [journal] = readdirSync(join(dir, 'journals'));
    const rolled = await runCli(
      ['rollback', join(dir, 'journals', journal as string), '--yes', ...endpoint],
      {
        env,
      },
    );
    expect(rolled.code, rolled.stdout + rolled.stderr).toBe(0);
    expect(await read(bucket)).toEqual(before);
  });
});
