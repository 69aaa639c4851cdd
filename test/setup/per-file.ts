/**
 * Runs before every test file: a hermetic environment (dummy credentials, no
 * user profile or config files, a private state directory) and an emptied
 * emulator for this worker.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll } from 'vitest';
import { resetEmulator } from '../../scripts/emulator.mjs';
import { emulatorUrl } from '../helpers/emulator.js';
import { collectActWarnings } from './act-warnings.js';

for (const name of Object.keys(process.env)) {
  if (name.startsWith('AWS_')) delete process.env[name];
}
Object.assign(process.env, {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/nonexistent/s3-harden-test-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/s3-harden-test-credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  S3_HARDEN_STATE_DIR: mkdtempSync(join(tmpdir(), 's3-harden-state-')),
});
// The default timeouts (src/aws/timeouts.ts); a test that wants others passes them.
delete process.env.S3_HARDEN_TIMEOUT_MS;
delete process.env.NO_COLOR;
delete process.env.FORCE_COLOR;
delete process.env.CI;

beforeAll(async () => {
  await resetEmulator(emulatorUrl());
});

// A React act(...) warning fails the test that printed it.
const act = collectActWarnings();
afterEach(() => {
  const [first] = act.warnings.splice(0);
  if (first) throw new Error(`React printed an act(...) warning: ${first.split('\n')[0]}`);
});
