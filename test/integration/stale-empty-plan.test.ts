/**
 * A saved plan with nothing to change still carries what it judged right:
 * applied after someone changed the bucket by hand, it is stale (exit 1,
 * the drift named), not "No changes. The bucket already matches."
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeletePublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients, setAccountPublicAccessBlock } from '../helpers/fixtures.js';

const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const ONLY = ['--only', 'public-access-block'];

describe('an empty saved plan applied after a manual change', () => {
  let dir: string;
  const endpoint = () => ['--endpoint-url', emulatorUrl()];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-empty-'));
    await setAccountPublicAccessBlock(null);
  });

  it('is stale, names what changed, exit 1; unchanged, it applies nothing, exit 0', async () => {
    const bucket = uniqueBucket('empty-stale');
    await createBucket(bucket, { publicAccessBlock: ALL_ON });
    const file = join(dir, 'plan.json');
    const planned = await runCli([
      'plan',
      ...ONLY,
      '--bucket',
      bucket,
      '--out',
      file,
      ...endpoint(),
    ]);
    expect(planned.code, planned.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.changes).toEqual([]);
    // What the plan judged already right travels with it.
    expect(saved.observed['bucket.publicAccessBlock']).toEqual(ALL_ON);

    const untouched = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(untouched.code, untouched.stderr).toBe(0);
    expect(untouched.stdout).toContain('No changes. The bucket already matches.');

    await rawClients().s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
    const stale = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(stale.code).toBe(1);
    expect(stale.stderr.trim()).toBe(
      's3-harden: the plan is stale: Block Public Access (bucket) changed since the plan. Make a new plan with s3-harden plan.',
    );
    expect(stale.stdout).not.toContain('already matches');
  });
});
