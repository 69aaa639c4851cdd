/**
 * `audit --cis-version`: the CIS numbers of the benchmark version asked for,
 * in the JSON (with `cisVersion`), the text and `--fail-on`; the newest by
 * default; an unknown version refused in one line before any AWS call.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';

interface Report {
  readonly cisVersion: string;
  readonly controls: readonly { readonly id: string; readonly cis?: string }[];
}

describe('audit --cis-version', () => {
  it('numbers the controls as the version asked for, the newest by default', async () => {
    const bucket = uniqueBucket('cis-version');
    await createBucket(bucket);
    const endpoint = ['--endpoint-url', emulatorUrl()];
    const cisOf = (report: Report, id: string) =>
      report.controls.find((control) => control.id === id)?.cis;

    const newest = JSON.parse(
      (await runCli(['audit', '--bucket', bucket, '--json', ...endpoint])).stdout,
    ) as Report;
    expect(newest.cisVersion).toBe('7.0.0');
    expect(cisOf(newest, 'tls')).toBe('3.1.1');

    const v5 = JSON.parse(
      (await runCli(['audit', '--bucket', bucket, '--json', '--cis-version', '5.0', ...endpoint]))
        .stdout,
    ) as Report;
    expect(v5.cisVersion).toBe('5.0.0');
    expect(cisOf(v5, 'tls')).toBe('2.1.1');
    expect(cisOf(v5, 'access-analyzer')).toBe('1.19');

    const text = await runCli(['audit', '--bucket', bucket, '--cis-version', '3', ...endpoint]);
    expect(text.stdout).toContain('S3.5 · CIS 2.1.1');
    expect(text.stdout).toContain('CIS IDs: Foundations Benchmark v3.0.0');

    // A fresh bucket has no HTTPS-only policy: v5.0.0's 2.1.1 trips, exit 2.
    const tripped = await runCli([
      'audit',
      '--bucket',
      bucket,
      '--cis-version',
      '5.0.0',
      '--fail-on',
      '2.1.1',
      ...endpoint,
    ]);
    expect(tripped.code).toBe(2);
    expect(tripped.stderr).toContain('TLS (S3.5)');
  });

  it('refuses a version it does not know, in one line', async () => {
    const result = await runCli(['audit', '--all', '--cis-version', '4.0']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(
      '"4.0" is not a CIS version s3-harden knows (7.0.0, 6.0.0, 5.0.0, 3.0.0)',
    );
  });
});
