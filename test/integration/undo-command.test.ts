/**
 * `apply` names its journal and prints the exact command that undoes it, on
 * success and on failure; the printed command, run as printed, restores the
 * bucket. With --json both are fields of the JSON and stdout holds nothing else.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import type { Posture } from '../../src/plan/model/types.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { faultProxy } from '../helpers/fault-proxy.js';
import { createBucket, setAccountPublicAccessBlock } from '../helpers/fixtures.js';

const BOTH = ['bucket.publicAccessBlock', 'account.publicAccessBlock'] as const;
const PAB_ONLY = ['--only', 'public-access-block,account-public-access-block'];

/** The command after `label: ` on its own line of `output`, split as a shell would (no quotes needed here). */
function printed(output: string, label: string): string[] {
  const line = output.split('\n').find((text) => text.startsWith(`${label}: s3-harden rollback `));
  expect(line, output).toBeDefined();
  return (line as string).slice(label.length + 2).split(' ');
}

describe('apply prints its journal and the undo command', () => {
  let session: AwsSession;
  let dir: string;
  const snapshot = async (bucket: string): Promise<Posture['values']> =>
    (await session.observe(bucket, [...BOTH])).values;

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => session.close());
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-undo-command-'));
    await setAccountPublicAccessBlock(null);
  });

  async function planned(label: string) {
    const bucket = uniqueBucket(label);
    await createBucket(bucket);
    const file = join(dir, `${bucket}.json`);
    const plan = await runCli([
      'plan',
      ...PAB_ONLY,
      '--bucket',
      bucket,
      '--out',
      file,
      '--endpoint-url',
      emulatorUrl(),
    ]);
    expect(plan.code).toBe(2);
    return { bucket, file, before: await snapshot(bucket) };
  }

  it('after a successful apply, the printed command run as printed puts the bucket back', async () => {
    const { bucket, file, before } = await planned('undo-ok');
    const applied = await runCli(['apply', file, '--yes', '--endpoint-url', emulatorUrl()]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(await snapshot(bucket)).not.toEqual(before);
    const journal = /^Journal: (.+)$/m.exec(applied.stdout)?.[1] as string;
    const [command, ...args] = printed(applied.stdout, 'Undo');
    expect([command, ...args]).toEqual([
      's3-harden',
      'rollback',
      journal,
      '--endpoint-url',
      emulatorUrl(),
    ]);
    const undone = await runCli([...args, '--yes']);
    expect(undone.code, undone.stdout + undone.stderr).toBe(0);
    expect(undone.stdout).toContain('is as it was before.');
    expect(await snapshot(bucket)).toEqual(before);
  });

  it('after a failed apply, the journal and the command that undoes what is left', async () => {
    const proxy = await faultProxy(emulatorUrl());
    try {
      // Where the account-wide write falls among the requests of an apply like this one.
      const probe = await planned('undo-probe');
      proxy.arm(null);
      expect((await runCli(['apply', probe.file, '--yes', '--endpoint-url', proxy.url])).code).toBe(
        0,
      );
      const at = proxy.seen.find(
        (seen) => seen.method === 'PUT' && seen.url.includes('configuration/publicAccessBlock'),
      )?.n;
      expect(at).toBeDefined();

      await setAccountPublicAccessBlock(null);
      const { bucket, file, before } = await planned('undo-fail');
      proxy.arm({ at: at as number, kind: '403' });
      const failed = await runCli(['apply', file, '--yes', '--endpoint-url', proxy.url]);
      expect(failed.code, failed.stdout + failed.stderr).toBe(1);
      expect(failed.stdout).toContain(
        'Apply failed; 1 change rolled back. The bucket is as it was.',
      );
      const journal = /^Journal: (.+)$/m.exec(failed.stdout)?.[1];
      expect(journal).toMatch(/\.jsonl$/);
      expect(printed(failed.stdout, 'Undo what is left')).toEqual([
        's3-harden',
        'rollback',
        journal,
        '--endpoint-url',
        proxy.url,
      ]);
      expect(await snapshot(bucket)).toEqual(before);
    } finally {
      await proxy.close();
    }
  });

  it('--json: the journal and the undo command are fields, and stdout is the JSON alone', async () => {
    const { file } = await planned('undo-json');
    const applied = await runCli([
      'apply',
      file,
      '--yes',
      '--json',
      '--endpoint-url',
      emulatorUrl(),
    ]);
    expect(applied.code).toBe(0);
    const json = JSON.parse(applied.stdout);
    expect(json.journal).toMatch(/\.jsonl$/);
    expect(json.undo).toBe(`s3-harden rollback ${json.journal} --endpoint-url ${emulatorUrl()}`);
    // Nothing but the JSON on stdout: what a person reads went to stderr.
    expect(applied.stdout).not.toContain('Undo:');
    expect(applied.stderr).toContain(`Journal: ${json.journal}`);
  });
});
