/**
 * Ctrl+C during `apply plan.json` once the last write is done (while the
 * changes are read back), through the built CLI: nothing is rolled back, the
 * plan ends applied and verified, and the line printed at the Ctrl+C says so
 * rather than promising a rollback. Deterministic: a loopback proxy holds the
 * first read after the last write until the CLI has been interrupted.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { planToFile } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';
import { holdingProxy, interruptedRun } from '../helpers/holding-proxy.js';

describe('Ctrl+C after the last write of an apply', () => {
  let session: AwsSession;
  let proxy: ReturnType<typeof holdingProxy>;
  let dir: string;
  const bucket = uniqueBucket('late-cancel');
  let lastWriteSeen = false;

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
    dir = mkdtempSync(join(tmpdir(), 's3-harden-apply-interrupt-'));
    // Versioning is the plan's last write; the first request after it is the read back.
    proxy = holdingProxy(emulatorUrl(), (method, url) => {
      if (lastWriteSeen) return true;
      if (method === 'PUT' && new RegExp(`^/${bucket}/?\\?versioning`).test(url)) {
        lastWriteSeen = true;
      }
      return false;
    });
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    session.close();
    proxy.release();
    await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
  });

  it('keeps everything applied, verifies it, and says so when Ctrl+C is pressed', async () => {
    await createBucket(bucket);
    const file = join(dir, 'plan.json');
    const planned = await planToFile(bucket, file, emulatorUrl(), [
      '--only',
      'public-access-block,versioning',
    ]);
    expect(planned.code).toBe(2);

    // The read back after the last write waits: interrupt, wait until heard, let it go.
    const { code, stdout, stderr } = await interruptedRun(proxy, ['apply', file, '--yes']);

    expect(stderr).toBe('');
    expect(stdout).toContain(
      'Cancelling: the last change is already applied, so nothing is rolled back.\nNothing more will be written; reading the changes back…',
    );
    expect(stdout).not.toContain('rolling back what was applied');
    expect(stdout).not.toContain('↶');
    expect(stdout).toContain('Apply complete: 2 changes applied and verified.');
    expect(code).toBe(0);
    const live = await session.observe(bucket, ['bucket.publicAccessBlock', 'bucket.versioning']);
    expect(live.values['bucket.versioning']).toMatchObject({ Status: 'Enabled' });
    expect(live.values['bucket.publicAccessBlock']).toMatchObject({ BlockPublicAcls: true });
  });
});
