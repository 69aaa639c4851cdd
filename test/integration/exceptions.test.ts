/**
 * Intended exceptions through the built CLI: an excepted control shows as
 * "excepted (reason)" and does not trip --fail-on; an expired one does; a
 * bucket tag excepts a control too; a bad file is one line, exit 1.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutBucketTaggingCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients, setAccountPublicAccessBlock } from '../helpers/fixtures.js';

const endpoint = () => ['--endpoint-url', emulatorUrl()];

/** A directory holding `.s3-harden.json` with these exceptions. */
function exceptionsDir(exceptions: readonly Record<string, unknown>[]): string {
  const dir = mkdtempSync(join(tmpdir(), 's3h-exceptions-'));
  writeFileSync(join(dir, '.s3-harden.json'), JSON.stringify({ version: 1, exceptions }));
  return dir;
}

interface Result {
  readonly id: string;
  readonly status: string;
  readonly exception?: { readonly reason: string; readonly expired: boolean };
}

function resultOf(stdout: string, id: string): Result | undefined {
  const report = JSON.parse(stdout) as { buckets: { results: Result[] }[] };
  return report.buckets[0]?.results.find((result) => result.id === id);
}

describe('exceptions', () => {
  it('an excepted control shows as excepted and does not trip --fail-on; an expired one does', async () => {
    const bucket = uniqueBucket('site-exc');
    await createBucket(bucket);
    const base = ['audit', '--bucket', bucket, '--fail-on', 'S3.8', ...endpoint()];

    // Without an exception: Block Public Access (bucket) is off, --fail-on S3.8 trips.
    const plain = await runCli(base, { cwd: exceptionsDir([]) });
    expect(plain.code).toBe(2);

    const honoured = exceptionsDir([
      { bucket: 'site-*', controls: ['S3.8'], reason: 'public website', expires: '2999-12-31' },
    ]);
    const text = await runCli(base, { cwd: honoured });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('excepted (public website), until 2999-12-31');
    const json = await runCli([...base, '--json'], { cwd: honoured });
    expect(json.code).toBe(0);
    expect(resultOf(json.stdout, 'bpa-bucket')).toMatchObject({
      status: 'fail',
      exception: { reason: 'public website', expired: false },
    });
    const sarif = JSON.parse(
      (await runCli([...base, '--format', 'sarif'], { cwd: honoured })).stdout,
    ) as { runs: { results: { ruleId: string; suppressions?: unknown[] }[] }[] };
    const finding = sarif.runs[0]?.results.find((result) => result.ruleId === 'bpa-bucket');
    expect(finding?.suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: 'excepted (public website), until 2999-12-31',
      },
    ]);

    const expired = await runCli(base, {
      cwd: exceptionsDir([
        { bucket, controls: ['bpa-bucket'], reason: 'public website', expires: '2020-01-31' },
      ]),
    });
    expect(expired.code).toBe(2);
    expect(expired.stdout).toContain('exception expired 2020-01-31 (public website)');
  });

  it('--exceptions FILE: a bad file is one line naming it, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 's3h-exceptions-'));
    const file = join(dir, 'exceptions.json');
    writeFileSync(
      file,
      JSON.stringify({ version: 1, exceptions: [{ bucket: 'a', controls: ['S3.8'] }] }),
    );
    const result = await runCli(['audit', '--all', '--exceptions', file, ...endpoint()]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`exceptions file ${file}: exceptions[0].reason`);
  });

  it.each([
    ['/dev/zero', 'exceptions file: cannot read /dev/zero: a character device, not a regular file'],
    ['missing', 'exceptions file: cannot read DIR/missing.json: no such file'],
    [
      'huge',
      'exceptions file: DIR/huge.json: file is 1048577 bytes; an exceptions file is at most 1048576',
    ],
  ])('--exceptions %s: one line, exit 1, no report', async (kind, line) => {
    const dir = mkdtempSync(join(tmpdir(), 's3h-exceptions-'));
    if (kind === 'huge') writeFileSync(join(dir, 'huge.json'), ' '.repeat(1024 * 1024 + 1));
    const file = kind === '/dev/zero' ? kind : join(dir, `${kind}.json`);
    const result = await runCli(['audit', '--all', '--exceptions', file, ...endpoint()]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`s3-harden: ${line.replace('DIR', dir)}\n`);
  });

  it('a bucket tag s3-harden:exception:<CONTROL> excepts that control', async () => {
    const bucket = uniqueBucket('tag-exc');
    await createBucket(bucket);
    await rawClients().s3.send(
      new PutBucketTaggingCommand({
        Bucket: bucket,
        Tagging: { TagSet: [{ Key: 's3-harden:exception:S3.8', Value: 'public website' }] },
      }),
    );
    const result = await runCli(
      ['audit', '--bucket', bucket, '--fail-on', 'S3.8', '--json', ...endpoint()],
      { cwd: exceptionsDir([]) },
    );
    expect(result.code).toBe(0);
    expect(resultOf(result.stdout, 'bpa-bucket')?.exception).toMatchObject({
      reason: 'public website',
      expired: false,
    });
  });

  it('a plan on a bucket tagged as Terraform-managed says the next terraform apply reverts it', async () => {
    const bucket = uniqueBucket('tf-owned');
    await createBucket(bucket);
    await rawClients().s3.send(
      new PutBucketTaggingCommand({
        Bucket: bucket,
        Tagging: { TagSet: [{ Key: 'ManagedBy', Value: 'terraform' }] },
      }),
    );
    const result = await runCli(
      ['plan', '--bucket', bucket, '--preset', 'baseline', ...endpoint()],
      {
        cwd: exceptionsDir([]),
      },
    );
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      `! ${bucket} looks managed by Terraform (tag ManagedBy=terraform): the next terraform apply reverts these changes`,
    );
  });

  it('a plan leaves the excepted step out, says so, and warns what account Block Public Access does to it', async () => {
    const bucket = uniqueBucket('site-plan');
    await createBucket(bucket);
    await setAccountPublicAccessBlock(null);
    const cwd = exceptionsDir([
      { bucket: 'site-*', controls: ['S3.8'], reason: 'public website', expires: '2999-12-31' },
    ]);
    const args = ['plan', '--bucket', bucket, '--preset', 'baseline', ...endpoint()];
    const plain = await runCli([...args, '--json'], { cwd: exceptionsDir([]) });
    const ids = (stdout: string) =>
      (JSON.parse(stdout) as { changes: { id: string }[] }).changes.map((change) => change.id);
    expect(ids(plain.stdout)).toContain('bucket.publicAccessBlock');

    const excepted = await runCli([...args, '--json'], { cwd });
    expect(excepted.code, excepted.stderr).toBe(2);
    expect(ids(excepted.stdout)).not.toContain('bucket.publicAccessBlock');
    // Everything else is still planned.
    expect(ids(excepted.stdout)).toEqual(
      ids(plain.stdout).filter((id) => id !== 'bucket.publicAccessBlock'),
    );
    const text = await runCli(args, { cwd });
    expect(text.stdout.replace(/\s+/g, ' ')).toContain(
      'left as is: excepted (public website), until 2999-12-31',
    );
    expect(ids(excepted.stdout)).toContain('account.publicAccessBlock');
    expect(text.stdout.replace(/\s+/g, ' ')).toContain(
      `${bucket} stops being public when this applies. To keep serving it, put CloudFront in front with Origin Access Control`,
    );
    // Not an access point: S3 applies the account's block to requests through one too.
    expect(text.stdout.replace(/\s+/g, ' ')).toContain('an S3 access point is no way round');
  });

  it('tag exceptions read the CIS numbers --cis-version names, on audit and plan alike', async () => {
    const bucket = uniqueBucket('cis-tag');
    await createBucket(bucket);
    // CIS 2.1.4 is Block Public Access in CIS v5.0; v6.0 renumbered it 3.1.4.
    await rawClients().s3.send(
      new PutBucketTaggingCommand({
        Bucket: bucket,
        Tagging: { TagSet: [{ Key: 's3-harden:exception:2.1.4', Value: 'public website' }] },
      }),
    );
    const cwd = exceptionsDir([]);
    const audit = ['audit', '--bucket', bucket, '--json', ...endpoint()];
    const v5 = await runCli([...audit, '--cis-version', '5'], { cwd });
    expect(resultOf(v5.stdout, 'bpa-bucket')?.exception).toMatchObject({
      reason: 'public website',
    });
    // In the newest numbering 2.1.4 names no control: said, not honoured, never the run's error.
    const newest = await runCli(audit, { cwd });
    expect(newest.code).toBe(0);
    expect(resultOf(newest.stdout, 'bpa-bucket')?.exception).toBeUndefined();
    expect(newest.stderr).toContain('not honoured');

    const plan = [
      'plan',
      '--bucket',
      bucket,
      '--preset',
      'baseline',
      '--only',
      'public-access-block',
    ];
    const planned = await runCli([...plan, '--cis-version', '5.0', ...endpoint()], { cwd });
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout.replace(/\s+/g, ' ')).toContain(
      'Skipped Block Public Access (bucket): left as is: excepted (public website)',
    );
    const unhonoured = await runCli([...plan, ...endpoint()], { cwd });
    expect(unhonoured.code).toBe(2);
    expect(unhonoured.stderr).toContain('not honoured');

    const bad = await runCli([...plan, '--cis-version', '4', ...endpoint()], { cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('"4" is not a CIS version s3-harden knows');
  });

  it('excepting KMS keeps the algorithm but still blocks SSE-C; the saved plan applies as planned', async () => {
    const bucket = uniqueBucket('sse-s3-exc');
    await createBucket(bucket);
    const cwd = exceptionsDir([
      { bucket, controls: ['encryption-kms'], reason: 'SSE-S3 by policy' },
    ]);
    const out = join(cwd, 'plan.json');
    const args = ['plan', '--bucket', bucket, '--preset', 'strict', '--only', 'encryption'];
    const planned = await runCli([...args, '--out', out, ...endpoint()], { cwd });
    expect(planned.code, planned.stderr).toBe(2);
    const text = planned.stdout.replace(/\s+/g, ' ');
    expect(text).not.toContain('kms:CreateKey');
    expect(text).toContain('+ SSEAlgorithm: AES256');
    expect(text).toContain('+ BlockedEncryptionTypes: SSE-C');
    expect(text).toContain(
      'Default encryption with KMS (Default encryption step): kept as it is: excepted (SSE-S3 by policy)',
    );
    const applied = await runCli(['apply', out, '--yes', ...endpoint()], { cwd });
    expect(applied.code, applied.stderr).toBe(0);

    // The other way round: the SSE-C block excepted, strict still moves to KMS.
    const other = uniqueBucket('sse-c-exc');
    await createBucket(other);
    const kept = await runCli(
      [
        'plan',
        '--bucket',
        other,
        '--preset',
        'strict',
        '--only',
        'encryption',
        '--json',
        ...endpoint(),
      ],
      {
        cwd: exceptionsDir([
          { bucket: other, controls: ['sse-c-blocked'], reason: 'legacy uploader' },
        ]),
      },
    );
    const changes = (JSON.parse(kept.stdout) as { changes: { id: string; after: unknown }[] })
      .changes;
    expect(changes.map((change) => change.id)).toContain('kms.key');
    const encryption = changes.find((change) => change.id === 'bucket.encryption');
    expect(JSON.stringify(encryption)).toContain('aws:kms');
    expect(JSON.stringify(encryption)).not.toContain('BlockedEncryptionTypes');
  });
});
