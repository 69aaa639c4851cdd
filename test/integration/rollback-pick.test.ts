/**
 * `rollback` as an operator reaches for it: without a path it lists the
 * journals to choose from (no terminal here: the list and exit 1), `--bucket`
 * takes that bucket's latest, the undo is shown as a diff first, and an
 * account-wide change a later apply relies on is kept unless asked for.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, setAccountPublicAccessBlock } from '../helpers/fixtures.js';

const PAB_ONLY = ['--only', 'public-access-block,account-public-access-block'];
const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

describe('rollback: finding the journal, and account-wide changes', () => {
  let session: AwsSession;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const cli = (args: readonly string[]) =>
    runCli([...args, '--endpoint-url', emulatorUrl()], { env });
  const read = async (bucket: string) =>
    (await session.observe(bucket, ['bucket.publicAccessBlock', 'account.publicAccessBlock']))
      .values;

  /** Plans and applies the Block Public Access steps; the journal apply names. */
  async function harden(bucket: string): Promise<string> {
    const file = join(dir, `${bucket}.json`);
    const plan = await cli(['plan', ...PAB_ONLY, '--bucket', bucket, '--out', file]);
    expect(plan.code, plan.stderr).toBe(2);
    const applied = await cli(['apply', file, '--yes']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    return /^Journal: (.+)$/m.exec(applied.stdout)?.[1] as string;
  }

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => session.close());
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-rollback-pick-'));
    env = { S3_HARDEN_STATE_DIR: join(dir, 'state') };
    await setAccountPublicAccessBlock(null);
  });

  it('without a path and no terminal: lists the journals (bucket, changes, path) and exits 1 having undone nothing', async () => {
    const first = uniqueBucket('pick-a');
    const second = uniqueBucket('pick-b');
    await createBucket(first);
    await createBucket(second);
    const journalA = await harden(first);
    const journalB = await harden(second);
    const listed = await cli(['rollback']);
    expect(listed.code).toBe(1);
    const out = listed.stdout;
    expect(out).toContain('Unfinished and recent applies');
    // Newest first, each with its path on a line of its own.
    expect(out.indexOf(second)).toBeLessThan(out.indexOf(first));
    expect(out).toContain(journalA);
    expect(out).toContain(journalB);
    expect(listed.stderr.trim().split('\n')).toHaveLength(1);
    expect(listed.stderr).toContain('--bucket');
    expect((await read(first))['bucket.publicAccessBlock']).toEqual(ALL_ON);
  });

  it('with no journals at all: one line, exit 1', async () => {
    const none = await cli(['rollback']);
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toContain('nothing to roll back');
  });

  it('--bucket takes the latest journal of that bucket; a bucket without one is one line, exit 1', async () => {
    const bucket = uniqueBucket('pick-latest');
    await createBucket(bucket);
    const before = await read(bucket);
    const journal = await harden(bucket);
    const undone = await cli(['rollback', '--bucket', bucket, '--yes', '--include-account']);
    expect(undone.code, undone.stdout + undone.stderr).toBe(0);
    expect(undone.stdout).toContain(`Journal: ${journal}`);
    expect(undone.stdout).toContain(`Changes to undo for bucket ${bucket}`);
    expect(await read(bucket)).toEqual(before);

    const missing = await cli(['rollback', '--bucket', uniqueBucket('never'), '--yes']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('no journal for bucket');
  });

  it('keeps account Block Public Access that a later apply relies on, says why, and prints the command that undoes it too', async () => {
    const first = uniqueBucket('rely-a');
    const second = uniqueBucket('rely-b');
    await createBucket(first);
    await createBucket(second);
    const bucketBefore = (await read(first))['bucket.publicAccessBlock'];
    // The first apply turns account BPA on; the second finds it on and counts on it.
    const journalA = await harden(first);
    await harden(second);
    expect((await read(first))['account.publicAccessBlock']).toEqual(ALL_ON);

    const undone = await cli(['rollback', journalA, '--yes']);
    expect(undone.code, undone.stdout + undone.stderr).toBe(0);
    const out = undone.stdout;
    // The preview, before anything is undone: the account-wide change is marked.
    const preview = out.slice(0, out.indexOf('… checking'));
    expect(preview).toContain(`Changes to undo for bucket ${first}`);
    expect(preview).toContain('! account-wide: affects every bucket in account');
    expect(preview).toContain(`! relied on by ${second} (apply of `);
    expect(preview).toContain('read it as this apply left it');
    expect(out).toContain('Kept as they are (account-wide):');
    const again = /^To undo them later: s3-harden (.+)$/m.exec(out)?.[1];
    expect(again).toBe(`rollback ${journalA} --include-account --endpoint-url ${emulatorUrl()}`);

    const after = await read(first);
    expect(after['bucket.publicAccessBlock']).toEqual(bucketBefore);
    expect(after['account.publicAccessBlock']).toEqual(ALL_ON);
    // The second bucket's own hardening is untouched.
    expect((await read(second))['bucket.publicAccessBlock']).toEqual(ALL_ON);

    // The printed command, run as printed, undoes the account-wide change too.
    const all = await runCli([...(again as string).split(' '), '--yes'], { env });
    expect(all.code, all.stdout + all.stderr).toBe(0);
    expect((await read(first))['account.publicAccessBlock']).not.toEqual(ALL_ON);
  });

  it('undoes account Block Public Access with --yes when no later apply relies on it', async () => {
    const bucket = uniqueBucket('rely-none');
    await createBucket(bucket);
    const before = await read(bucket);
    const journal = await harden(bucket);
    const undone = await cli(['rollback', journal, '--yes']);
    expect(undone.code, undone.stdout + undone.stderr).toBe(0);
    expect(undone.stdout).toContain('! account-wide: affects every bucket in account');
    expect(undone.stdout).not.toContain('relied on by');
    expect(undone.stdout).not.toContain('Kept as they are');
    expect(await read(bucket)).toEqual(before);
  });
});
