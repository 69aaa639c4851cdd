import { inject } from 'vitest';

/** This worker's emulator (global-setup.ts starts one per worker). */
export function emulatorUrl(): string {
  const urls = inject('emulatorUrls');
  const worker = Number(process.env.VITEST_POOL_ID ?? '1');
  const url = urls[(worker - 1) % urls.length];
  if (!url) throw new Error('no emulator was started by the global setup');
  return url;
}

let counter = 0;
/** A bucket name unique to this test run. */
export function uniqueBucket(label: string): string {
  counter += 1;
  return `${label}-${process.pid}-${counter}-${Date.now().toString(36)}`.slice(0, 63);
}
