/**
 * Hooks through which screens read AWS: each calls src/aws via the injected
 * session and exposes loading / ready / error.
 */
import { useCallback } from 'react';
import type { AwsSession, ObserveOptions } from '../aws/session.js';
import type { Posture, ResourceKey } from '../plan/model/types.js';
import { useServices } from './services.js';
import { type AsyncState, useAsync } from './use-async.js';

export function useSession(): AsyncState<AwsSession> {
  return useAsync(useServices().connect);
}

export function useBuckets(session: AwsSession | undefined): AsyncState<string[]> {
  const load = useCallback(() => (session as AwsSession).listBuckets(), [session]);
  return useAsync(session ? load : null);
}

/**
 * The bucket's posture for these steps; when a step needs another bucket read
 * for its default answers (the access-log target), that is read too.
 */
export function usePosture(
  session: AwsSession | undefined,
  bucket: string | undefined,
  resources: readonly ResourceKey[],
  options: ObserveOptions,
  related?: (posture: Posture) => string | undefined,
): AsyncState<Posture> {
  const load = useCallback(async () => {
    const live = session as AwsSession;
    const posture = await live.observe(bucket as string, resources, options);
    const other = related?.(posture);
    return other && other !== posture.bucket ? live.observeLogTarget(posture, other) : posture;
  }, [session, bucket, resources, options, related]);
  return useAsync(session && bucket ? load : null);
}
