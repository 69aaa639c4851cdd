/**
 * Hooks through which screens read AWS: each calls src/aws via the injected
 * session and exposes loading / ready / error. The wizard's own reads and
 * writes are effects of its state (use-wizard-effects.ts).
 */
import { useCallback } from 'react';
import type { AwsSession } from '../aws/session.js';
import { useServices } from './services.js';
import { type AsyncState, useAsync } from './use-async.js';

export function useSession(): AsyncState<AwsSession> {
  return useAsync(useServices().connect);
}

export function useBuckets(session: AwsSession | undefined): AsyncState<string[]> {
  const load = useCallback(() => (session as AwsSession).listBuckets(), [session]);
  return useAsync(session ? load : null);
}
