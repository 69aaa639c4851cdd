/**
 * A log bucket the plan created, undone after logs were delivered into it.
 * The emulator delivers server access logs at once, so this is what happens
 * on every rollback of such a plan: S3 refuses DeleteBucket (BucketNotEmpty).
 * The bucket is kept and reported with `aws s3 rb --force`, the rest of the
 * rollback proceeds, the journal gets its end (a second rollback writes
 * nothing; `apply` to the bucket is not blocked), and the exit code is 3.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal, readJournal } from '../../src/plan/apply/journal.js';
import { parsePlan } from '../../src/plan/files/plan-file.js';
import { outcomeLines } from '../../src/plan/render/outcome.js';
import { planToFile, runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients } from '../helpers/fixtures.js';

const STEPS = ['--only', 'logging,versioning'];

describe('a created log bucket that has received logs', () => {
  let session: AwsSession;
  let dir: string;
  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
    dir = mkdtempSync(join(tmpdir(), 's3-harden-kept-'));
  });
  afterAll(() => session.close());

  const journalsDir = () => join(process.env.S3_HARDEN_STATE_DIR as string, 'journals');
  const journalOf = (bucket: string) => {
    const name = readdirSync(journalsDir()).find((file) => file.includes(`-${bucket}-`));
    if (!name) throw new Error(`no journal for ${bucket}`);
    return join(journalsDir(), name);
  };
  const exists = async (bucket: string) =>
    (await session.observe(bucket, ['bucket.exists'])).values['bucket.exists'] !== null;
  const objectCount = async (bucket: string) =>
    (await rawClients().s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount ?? 0;
  /** What `aws s3 rb --force` does: empty the bucket, then delete it. */
  const removeByHand = async (bucket: string) => {
    const { s3 } = rawClients();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (listed.Contents ?? []).map((object) => ({ Key: object.Key as string }));
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  };
  const plan = async (bucket: string) => {
    const file = join(dir, `${bucket}.json`);
    const planned = await planToFile(bucket, file, emulatorUrl(), STEPS);
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain(`Create log bucket ${bucket}-logs`);
    return file;
  };

  it('s3-harden rollback keeps it with the rb command, restores the rest, closes the journal', async () => {
    const bucket = uniqueBucket('kept');
    const logs = `${bucket}-logs`;
    await createBucket(bucket);
    const file = await plan(bucket);
    const applied = await runCli(['apply', file, '--yes', '--endpoint-url', emulatorUrl()]);
    expect(applied.code).toBe(0);
    expect(await objectCount(logs)).toBeGreaterThan(0);
    // As if the process died after its last write: the journal has no end.
    const journal = journalOf(bucket);
    const lines = readFileSync(journal, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({ type: 'end' });
    writeFileSync(journal, `${lines.slice(0, -1).join('\n')}\n`);
    const other = join(dir, `${bucket}-pab.json`);
    const planned = await planToFile(bucket, other, emulatorUrl(), [
      '--only',
      'public-access-block',
    ]);
    expect(planned.code).toBe(2);
    const refused = await runCli(['apply', other, '--yes', '--endpoint-url', emulatorUrl()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('did not finish');

    const first = await runCli(['rollback', journal, '--yes', '--endpoint-url', emulatorUrl()]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(3);
    const remove = `aws s3 rb s3://${logs} --force --region us-east-1 --endpoint-url ${emulatorUrl()}`;
    expect(first.stdout).toContain(
      `! Create log bucket ${logs}: kept: it has received objects since it was created — once you have checked its objects, remove it: ${remove}`,
    );
    expect(first.stdout).not.toContain('‼');
    expect(first.stdout).not.toContain('delete-bucket');
    expect(first.stdout).toContain('↶ Server access logging: rolled back');
    expect(first.stdout).toContain('↶ Versioning: rolled back');
    expect(first.stdout).toContain('Nothing is left to retry.');
    expect(await exists(logs)).toBe(true);
    const after = await session.observe(bucket, ['bucket.logging']);
    expect(after.values['bucket.logging']).toBeNull();

    // The journal is finished: a second run writes nothing and says the same.
    const entries = () => readJournal(journal);
    expect(entries().filter((entry) => entry.type === 'kept')).toHaveLength(1);
    expect(entries().at(-1)).toMatchObject({ type: 'end', outcome: 'rolled-back-except-kept' });
    const second = await runCli(['rollback', journal, '--yes', '--endpoint-url', emulatorUrl()]);
    expect(second.code).toBe(3);
    expect(second.stdout).toContain(`! Create log bucket ${logs}: kept:`);
    expect(second.stdout).not.toContain('↶');
    expect(entries().filter((entry) => entry.type === 'kept')).toHaveLength(1);
    expect(entries().some((entry) => entry.type === 'rollback-failed')).toBe(false);

    // apply to the bucket is no longer blocked by the journal.
    const unblocked = await runCli(['apply', other, '--yes', '--endpoint-url', emulatorUrl()]);
    expect(unblocked.stderr).toBe('');
    expect(unblocked.code).toBe(0);

    // Once removed by hand, everything the journal recorded reads as before: exit 0.
    await removeByHand(logs);
    const third = await runCli(['rollback', journal, '--yes', '--endpoint-url', emulatorUrl()]);
    expect(third.stdout).toContain(`= Create log bucket ${logs}: already as before`);
    expect(third.stdout).toContain('is as it was before.');
    expect(third.code).toBe(0);
  });

  it('apply that fails after logs arrived keeps it, rolls back the rest; rollback then writes nothing', async () => {
    const bucket = uniqueBucket('kept-apply');
    const logs = `${bucket}-logs`;
    await createBucket(bucket);
    const file = join(dir, `${bucket}.json`);
    const planned = await planToFile(bucket, file, emulatorUrl(), [
      '--only',
      'versioning,logging,account-public-access-block',
    ]);
    expect(planned.code).toBe(2);
    const parsed = parsePlan(readFileSync(file, 'utf8'));
    expect(parsed.changes.at(-1)?.id).toBe('account.publicAccessBlock');
    // The account's change after logging is on: apply overlaps independent
    // writes, and a log is delivered only once logging is on.
    const saved = {
      ...parsed,
      changes: parsed.changes.map((change) =>
        change.id === 'account.publicAccessBlock'
          ? { ...change, dependsOn: [...change.dependsOn, 'bucket.logging'] }
          : change,
      ),
    };
    const journal = openJournal(saved.target, journalsDir());
    const outcome = await executePlan(saved, {
      run: async (call) => {
        if (call.service === 's3control') {
          // Someone uses the bucket while logging is on (a log is delivered); then the last change fails.
          await session.read(saved.target, 'bucket.versioning');
          throw new Error('injected fault');
        }
        return session.execute(call);
      },
      read: (resource, identity) => session.read(saved.target, resource, identity),
      journal,
      cli: { region: 'us-east-1', endpoint: emulatorUrl() },
    });
    journal.close();
    expect(outcome.status).toBe('rollback-incomplete');
    const text = outcomeLines(outcome)
      .map((line) => line.text)
      .join('\n');
    expect(text).toContain(
      `! Create log bucket ${logs}: kept: it has received objects since it was created`,
    );
    expect(text).toContain(`remove it: aws s3 rb s3://${logs} --force`);
    expect(text).toContain('↶ Server access logging: rolled back');
    expect(text).toContain('↶ Versioning: rolled back');
    expect(text).not.toContain('ROLLBACK FAILED');
    expect(await exists(logs)).toBe(true);
    expect(readJournal(journal.path).at(-1)).toMatchObject({
      type: 'end',
      outcome: 'rolled-back-except-kept',
    });

    const rolled = await runCli([
      'rollback',
      journal.path,
      '--yes',
      '--endpoint-url',
      emulatorUrl(),
    ]);
    expect(rolled.code).toBe(3);
    expect(rolled.stdout).toContain(`! Create log bucket ${logs}: kept:`);
    expect(rolled.stdout).not.toContain('↶');
    expect(readJournal(journal.path).filter((entry) => entry.type === 'kept')).toHaveLength(1);
  });
});
