/**
 * The SDK clients retry in adaptive mode (a client-side rate limiter once
 * S3 answers SlowDown), unless AWS_RETRY_MODE says otherwise; AWS_MAX_ATTEMPTS
 * still sets the attempts. src/aws/clients.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClients, destroyClients } from '../../src/aws/clients.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The SDK reads its settings from process.env itself, so the test sets them there. */
async function strategyOf(env: Record<string, string>) {
  vi.stubEnv('AWS_RETRY_MODE', undefined);
  vi.stubEnv('AWS_MAX_ATTEMPTS', undefined);
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const clients = createClients({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1' });
  try {
    const strategy = (await clients.s3.config.retryStrategy()) as { mode?: string };
    const attempts = await clients.s3.config.maxAttempts();
    return { mode: strategy.mode, attempts };
  } finally {
    destroyClients(clients);
  }
}

describe('retry mode', () => {
  it('is adaptive by default, with the SDK default of 3 attempts', async () => {
    expect(await strategyOf({})).toEqual({ mode: 'adaptive', attempts: 3 });
  });

  it('AWS_RETRY_MODE and AWS_MAX_ATTEMPTS still win', async () => {
    expect(await strategyOf({ AWS_RETRY_MODE: 'standard', AWS_MAX_ATTEMPTS: '7' })).toEqual({
      mode: 'standard',
      attempts: 7,
    });
  });
});
