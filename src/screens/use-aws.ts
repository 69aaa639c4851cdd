/**
 * Hooks through which screens read AWS: each calls src/aws via the injected
 * session and exposes loading / ready / error.
 */
import { useCallback } from 'react';
import type { AwsSession, ObserveOptions } from '../aws/session.js';
import type { Posture, ResourceKey } from '../plan/types.js';
import { useServices } from './services.js';
import { type AsyncState, useAsync } from './use-async.js';

export function useSession(): AsyncState<AwsSession> {
  return useAsync(useServices().connect);
}

export function useBuckets(session: AwsSession | undefined): AsyncState<string[]> {
  const load = useCallback(() => (session as AwsSession).listBuckets(), [session]);
  return useAsync(session ? load : null);
}

export function usePosture(
  session: AwsSession | undefined,
  bucket: string | undefined,
  resources: readonly ResourceKey[],
  options: ObserveOptions,
): AsyncState<Posture> {
  const load = useCallback(
    () => (session as AwsSession).observe(bucket as string, resources, options),
    [session, bucket, resources, options],
  );
  return useAsync(session && bucket ? load : null);
}
