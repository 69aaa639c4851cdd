/**
 * Hardening a bucket never leaves a weaker one beside it (issue 14): after
 * `apply` of a preset on an open bucket, the tool's own `audit` of the log
 * bucket that apply created fails no control the preset fixed on the source
 * bucket — except those log delivery itself rules out, each named here:
 *
 * - logging: a bucket cannot log into itself, and logging the log bucket
 *   into another would only start a chain;
 * - encryption-kms: S3 delivers access logs only into SSE-S3 buckets;
 * - object-lock: log delivery cannot write to a bucket with Object Lock.
 *
 * Through the built CLI, against the emulator; then rollback restores both.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { ACCOUNT, createBucket } from '../helpers/fixtures.js';

const LOG_DELIVERY_RULES_OUT = new Set(['logging', 'encryption-kms', 'object-lock']);
/**
 * s3-harden's CloudTrail bucket (strict, worm) leaves these, each said in
 * the README: its access logs would need a log bucket of its own (logging);
 * its data events would log every delivery into it (data-events); and
 * s3-harden gives it neither a KMS key (CloudTrail would need its own key
 * policy grant) nor Object Lock (encryption-kms, object-lock): known limits.
 */
const TRAIL_BUCKET_RULES_OUT = new Set([...LOG_DELIVERY_RULES_OUT, 'data-events']);

interface Report {
  readonly buckets: readonly {
    readonly bucket: string;
    readonly results: readonly { readonly id: string; readonly status: string }[];
  }[];
}

describe('the log bucket a plan creates is hardened like the bucket', () => {
  let dir: string;
  const endpoint = () => ['--endpoint-url', emulatorUrl()];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-log-audit-'));
  });

  async function statuses(bucket: string): Promise<Map<string, string>> {
    const audited = await runCli(['audit', '--bucket', bucket, '--json', ...endpoint()]);
    const report = JSON.parse(audited.stdout) as Report;
    const results = report.buckets.find((entry) => entry.bucket === bucket)?.results ?? [];
    return new Map(results.map((result) => [result.id, result.status]));
  }

  it.each(['baseline', 'strict', 'worm'])(
    '%s: no control the preset fixes fails on the log bucket',
    async (preset) => {
      const bucket = uniqueBucket(`la-${preset}`);
      const logs = `${bucket}-logs`;
      await createBucket(bucket);
      const file = join(dir, `${bucket}.json`);
      const planned = await runCli([
        'plan',
        '--preset',
        preset,
        '--bucket',
        bucket,
        '--out',
        file,
        ...endpoint(),
      ]);
      expect(planned.code, planned.stderr).toBe(2);
      expect(planned.stdout).toContain(`Create log bucket ${logs}`);
      const irreversible = preset === 'worm' ? ['--allow-irreversible'] : [];
      const applied = await runCli([
        'apply',
        file,
        '--yes',
        '--json',
        ...irreversible,
        ...endpoint(),
      ]);
      expect(applied.code, applied.stderr).toBe(0);

      // `audit --all` lists every bucket the plan touched or created.
      const everyBucket = await runCli(['audit', '--all', '--json', ...endpoint()]);
      const listed = (JSON.parse(everyBucket.stdout) as Report).buckets.map(
        (entry) => entry.bucket,
      );
      expect(listed).toEqual(expect.arrayContaining([bucket, logs]));

      const source = await statuses(bucket);
      const target = await statuses(logs);
      const fixedOnSource = [...source].filter(([, status]) => status === 'pass').map(([id]) => id);
      const failingOnTarget = fixedOnSource.filter(
        (id) => target.get(id) === 'fail' && !LOG_DELIVERY_RULES_OUT.has(id),
      );
      expect(failingOnTarget).toEqual([]);
      if (preset === 'worm') expect(source.get('object-lock')).toBe('pass');
      if (preset !== 'baseline') {
        // strict and worm also log data events into s3-harden's trail bucket.
        const trailBucket = `s3-harden-trail-${ACCOUNT}-us-east-1`;
        expect(listed).toContain(trailBucket);
        const trail = await statuses(trailBucket);
        expect(
          fixedOnSource.filter((id) => trail.get(id) === 'fail' && !TRAIL_BUCKET_RULES_OUT.has(id)),
        ).toEqual([]);
      }
      // What hardening the target means, control by control.
      for (const id of ['bpa-bucket', 'acls-disabled', 'encryption', 'tls', 'versioning']) {
        expect([id, target.get(id)]).toEqual([id, 'pass']);
      }
    },
  );

  it('a fleet plan with --log-bucket creates one shared log bucket, each bucket under its own prefix', async () => {
    const buckets = [1, 2, 3].map((n) => uniqueBucket(`shared-${n}`));
    const shared = uniqueBucket('shared-logs');
    for (const bucket of buckets) await createBucket(bucket);
    const file = join(dir, `${shared}.json`);
    const planned = await runCli([
      'plan',
      '--bucket',
      buckets.join(','),
      '--log-bucket',
      shared,
      '--out',
      file,
      ...endpoint(),
    ]);
    expect(planned.code, planned.stderr).toBe(2);
    expect(planned.stdout.split(`Create log bucket ${shared}`)).toHaveLength(2);
    for (const bucket of buckets) {
      expect(planned.stdout).toContain(`"s3-access-logs/${bucket}/"`);
    }
    const applied = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    // Every bucket the plan touched or created is in the account's audit.
    const audited = await runCli(['audit', '--all', '--json', ...endpoint()]);
    const report = JSON.parse(audited.stdout) as Report;
    const listed = new Set(report.buckets.map((entry) => entry.bucket));
    for (const bucket of [...buckets, shared]) expect(listed.has(bucket), bucket).toBe(true);
    const source = await statuses(buckets[0] as string);
    const target = await statuses(shared);
    const fixedOnSource = [...source].filter(([, status]) => status === 'pass').map(([id]) => id);
    expect(
      fixedOnSource.filter((id) => target.get(id) === 'fail' && !LOG_DELIVERY_RULES_OUT.has(id)),
    ).toEqual([]);
    expect(target.get('lifecycle')).toBe('pass');

    // A re-run proposes nothing for the sources, and no log bucket for the shared one.
    const again = await runCli([
      'plan',
      '--bucket',
      [...buckets, shared].join(','),
      '--log-bucket',
      shared,
      '--json',
      ...endpoint(),
    ]);
    const fleet = JSON.parse(again.stdout) as {
      sections: { bucket: string; plan: { changes: { id: string }[] } }[];
    };
    for (const section of fleet.sections) {
      if (section.bucket !== shared)
        expect([section.bucket, section.plan.changes]).toEqual([section.bucket, []]);
      else
        expect(section.plan.changes.map((change) => change.id)).not.toContain('logTarget.exists');
    }
  });
});
