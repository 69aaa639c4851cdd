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
import { createBucket } from '../helpers/fixtures.js';

const LOG_DELIVERY_RULES_OUT = new Set(['logging', 'encryption-kms', 'object-lock']);

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

  it.each(['baseline', 'strict'])(
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
      const applied = await runCli(['apply', file, '--yes', '--json', ...endpoint()]);
      expect(applied.code, applied.stderr).toBe(0);

      const source = await statuses(bucket);
      const target = await statuses(logs);
      const fixedOnSource = [...source].filter(([, status]) => status === 'pass').map(([id]) => id);
      const failingOnTarget = fixedOnSource.filter(
        (id) => target.get(id) === 'fail' && !LOG_DELIVERY_RULES_OUT.has(id),
      );
      expect(failingOnTarget).toEqual([]);
      // What hardening the target means, control by control.
      for (const id of ['bpa-bucket', 'acls-disabled', 'encryption', 'tls', 'versioning']) {
        expect([id, target.get(id)]).toEqual([id, 'pass']);
      }
    },
  );
});
