#!/usr/bin/env node
// `npm run demo`: the wizard against a local AWS emulator with sample buckets
// in different states. No AWS account, no network beyond 127.0.0.1.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startEmulator } from './emulator.mjs';
import { seedDemo } from './seed-demo.mjs';

// The SDK's Node 20 notice would land in the middle of the demo's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const emulator = await startEmulator();
const env = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'demo',
  AWS_SECRET_ACCESS_KEY: 'demo',
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL: emulator.url,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  // Journals of demo runs stay inside the project (git-ignored), unless the
  // caller keeps them elsewhere (the demo's own end-to-end test does).
  S3_HARDEN_STATE_DIR: process.env.S3_HARDEN_STATE_DIR || join(ROOT, '.s3-harden-state'),
  // The wizard says its buckets are gone when the demo quits.
  S3_HARDEN_DEMO: '1',
};
delete env.AWS_PROFILE;
mkdirSync(env.S3_HARDEN_STATE_DIR, { recursive: true });

try {
  const buckets = await seedDemo(emulator.url);
  console.log(`Local AWS emulator at ${emulator.url} with sample buckets:`);
  for (const bucket of buckets) console.log(`  ${bucket.name.padEnd(22)} ${bucket.state}`);
  console.log('');
} catch (error) {
  await emulator.stop();
  console.error(`s3-harden demo: could not seed the emulator: ${error.message}`);
  process.exit(1);
}

// The wizard owns the terminal; Ctrl+C reaches it as a key (raw mode), and
// this script waits for it to finish before stopping the emulator.
process.on('SIGINT', () => {});
const child = spawn(
  process.execPath,
  [join(ROOT, 'bin', 's3-harden.js'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env,
  },
);
child.on('exit', async (code, signal) => {
  await emulator.stop();
  console.log(`\nThe emulator has stopped; its buckets are gone. Re-run with: npm run demo`);
  process.exit(code ?? (signal ? 1 : 0));
});
