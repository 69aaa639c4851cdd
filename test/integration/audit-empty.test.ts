/**
 * `s3-harden audit --all` on an account without buckets (this file's emulator
 * is emptied before it runs): the account-level Block Public Access is still
 * reported, as text and as JSON, and --fail-on counts it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { auditReportSchema } from '../../src/plan/audit/schema.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl } from '../helpers/emulator.js';
import { ACCOUNT, setAccountPublicAccessBlock } from '../helpers/fixtures.js';

const endpoint = () => ['--endpoint-url', emulatorUrl()];

describe('audit --all on an account with no buckets', () => {
  afterAll(async () => {
    await setAccountPublicAccessBlock(null);
  });

  it('reports the account-level control on its own, and exits 0', async () => {
    const { code, stdout, stderr } = await runCli(['audit', '--all', ...endpoint()]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toEqual([
      'No buckets to audit.',
      '',
      `Account ${ACCOUNT} (account-level controls)`,
      '  ✗ Block Public Access (account)  S3.1 · CIS 3.1.4',
      '      no account-level Block Public Access configuration',
      '',
      '0 buckets: 1 failing result, 0 unknown, 0 passing.',
    ]);

    const json = await runCli(['audit', '--all', '--json', ...endpoint()]);
    expect(json.code).toBe(0);
    const report = auditReportSchema.parse(JSON.parse(json.stdout));
    expect(report.buckets).toEqual([]);
    expect(report.account).toEqual({
      results: [
        {
          id: 'bpa-account',
          status: 'fail',
          detail: 'no account-level Block Public Access configuration',
        },
      ],
    });
    expect(report.summary).toMatchObject({ buckets: 0, errors: 0, fail: 1, pass: 0 });
    expect(report.stats.calls).toEqual({
      's3:ListBuckets': 1,
      's3control:GetPublicAccessBlock': 1,
      'sts:GetCallerIdentity': 1,
    });
  });

  it('--fail-on counts it: 2.1.4 trips, a bucket-level control does not', async () => {
    const cis = await runCli(['audit', '--all', '--fail-on', '3.1.4', ...endpoint()]);
    expect(cis.code).toBe(2);
    expect(cis.stderr).toBe(
      's3-harden: audit --fail-on: 1 failing result on the account: BPA-A (S3.1)\n',
    );
    const bucketOnly = await runCli(['audit', '--all', '--fail-on', 'S3.8', ...endpoint()]);
    expect(bucketOnly.code).toBe(0);
    expect(bucketOnly.stderr).toBe('');
  });

  it('passes once the account blocks public access', async () => {
    await setAccountPublicAccessBlock({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const { code, stdout } = await runCli(['audit', '--all', '--fail-on', 'fail', ...endpoint()]);
    expect(code).toBe(0);
    expect(stdout).toContain('  ✓ Block Public Access (account)  S3.1 · CIS 3.1.4\n');
    expect(stdout).toContain('      all four settings on\n');
  });

  it('--match that matches nothing is an error, as for plan', async () => {
    const { code, stdout, stderr } = await runCli(['audit', '--match', 'prod-*', ...endpoint()]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('s3-harden: no bucket matches prod-* (of 0 in the account)\n');
  });
});
