/**
 * Starts one local AWS emulator per test worker on free loopback ports, so
 * test files in different workers never share account-level settings, and
 * stops them when the run ends.
 */
import type { TestProject } from 'vitest/node';
import { type Emulator, ensureCheckov, startEmulator } from '../../scripts/emulator.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorUrls: string[];
  }
}

const WORKERS = 2;

export default async function setup(project: TestProject) {
  // The Terraform tests run Checkov; a fresh clone gets it here, as it gets the emulator.
  ensureCheckov();
  const emulators: Emulator[] = await Promise.all(
    Array.from({ length: WORKERS }, () => startEmulator()),
  );
  project.provide(
    'emulatorUrls',
    emulators.map((emulator) => emulator.url),
  );
  return async () => {
    await Promise.all(emulators.map((emulator) => emulator.stop()));
  };
}
