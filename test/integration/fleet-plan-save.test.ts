/**
 * What `plan --out` writes, and the edges of `plan --all`, through the built
 * CLI against the emulator: an account with no bucket is nothing to do (exit
 * 0); a bucket whose plan apply's loader would refuse (a log bucket whose
 * default-encryption key ID the emulator kept though it is not canonical) is
 * skipped in a fleet with one line, so the file still loads, and a single
 * plan refuses to write it; every line of a fleet's text fits 80 columns,
 * 63-character bucket names included.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAnyPlan } from '../../src/plan/files/fleet-file.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients } from '../helpers/fixtures.js';

const endpoint = () => ['--endpoint-url', emulatorUrl()];

describe('what plan --out writes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-plan-save-'));
  });

  // First in the file: the emulator is reset for each file, so the account has no bucket yet.
  it('--all on an account with no bucket: one line, exit 0; the empty fleet file applies as nothing to do', async () => {
    const file = join(dir, 'empty.json');
    const result = await runCli(['plan', '--all', '--out', file, ...endpoint()]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `No buckets in account 123456789012 to plan: nothing to do. Saved an empty fleet plan to ${file}.\n`,
    );
    const saved = parseAnyPlan(readFileSync(file, 'utf8'));
    expect(saved.kind === 'fleet' && saved.fleet.sections).toEqual([]);
    const applied = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('No changes.');

    const json = await runCli(['plan', '--all', '--json', ...endpoint()]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ sections: [], skipped: [], account: null });
    // A glob that matches nothing is still a mistake worth exit 1.
    const match = await runCli(['plan', '--match', 'logs-*', ...endpoint()]);
    expect(match.code).toBe(1);
    expect(match.stderr).toBe('s3-harden: no bucket matches logs-* (of 0 in the account)\n');
  });

  it('a bucket whose plan a file could not hold is skipped in the fleet; a single plan refuses to save it', async () => {
    const odd = uniqueBucket('odd-kms');
    const good = uniqueBucket('good');
    await createBucket(odd);
    await createBucket(good);
    // The default log target of `odd` is `odd-logs`: KMS-encrypted with a key ID AWS would
    // never return, which the emulator keeps and the plan file's schema refuses.
    await createBucket(`${odd}-logs`);
    await rawClients().s3.send(
      new PutBucketEncryptionCommand({
        Bucket: `${odd}-logs`,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: 'key/abcd',
              },
            },
          ],
        },
      }),
    );
    const fleetFile = join(dir, 'fleet.json');
    const fleet = await runCli([
      'plan',
      '--bucket',
      `${odd},${good}`,
      '--out',
      fleetFile,
      ...endpoint(),
    ]);
    expect(fleet.stderr).toBe('');
    expect(fleet.code).toBe(2);
    // The reason, wrapped within 80 columns under the bucket's name.
    const summary = fleet.stdout.slice(fleet.stdout.indexOf('Fleet plan for account'));
    expect(summary).toContain(
      [
        `    ${odd}: apply would refuse it:`,
        '      observed.logTarget.encryption: not a valid logTarget.encryption value (not',
        '      a KMS key ARN, alias or key ID)',
      ].join('\n'),
    );
    expect(fleet.stdout).toContain(`Saved the fleet plan to ${fleetFile}.`);
    // What was written is what apply reads: the good bucket planned, the odd one skipped.
    const saved = parseAnyPlan(readFileSync(fleetFile, 'utf8'));
    expect(saved.kind).toBe('fleet');
    if (saved.kind !== 'fleet') return;
    expect(saved.fleet.sections.map((plan) => plan.target.bucket)).toEqual([good]);
    expect(saved.fleet.skipped.map((entry) => entry.bucket)).toEqual([odd]);

    const singleFile = join(dir, 'single.json');
    const single = await runCli(['plan', '--bucket', odd, '--out', singleFile, ...endpoint()]);
    expect(single.code).toBe(1);
    expect(single.stderr).toBe(
      `s3-harden: did not write ${singleFile}: apply would refuse it: observed.logTarget.encryption: not a valid logTarget.encryption value (not a KMS key ARN, alias or key ID)\n`,
    );
    expect(existsSync(singleFile)).toBe(false);
    // The dry run itself is still shown; only the file is refused.
    expect(single.stdout).toContain(`Changes to bucket ${odd}`);
    expect(single.stdout).not.toContain('Saved the plan');
  });

  it('every line of a fleet plan fits 80 columns, 62- and 63-character bucket names included', async () => {
    const base = uniqueBucket('w');
    const names = [62, 63].map((length) => `${base}-${'x'.repeat(63)}`.slice(0, length));
    for (const name of names) await createBucket(name);
    const result = await runCli([
      'plan',
      '--bucket',
      names.join(','),
      '--only',
      'public-access-block,versioning',
      ...endpoint(),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(2);
    const lines = result.stdout.split('\n');
    expect(lines).toContain(`── Bucket ${names[0]}: ${'─'.repeat(6)}`);
    expect(lines).toContain(`── Bucket ${names[1]}: ${'─'.repeat(5)}`);
    expect(lines).toContain('   2 changes');
    expect(lines).toContain('Changes to the bucket (account 123456789012, us-east-1):');
    // The lines a long name lengthens, other than documents and commands to copy whole.
    const summary = lines.slice(
      lines.indexOf('Fleet plan for account 123456789012 (us-east-1), preset baseline:'),
    );
    const named = lines.filter((line) => /^(── | {3}\d|Changes to)/.test(line));
    expect(named).toHaveLength(6);
    for (const line of [...named, ...summary]) expect(line.length, line).toBeLessThanOrEqual(80);
  });
});
