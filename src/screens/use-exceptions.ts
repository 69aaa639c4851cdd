/**
 * The exceptions file, loaded once after the first frame (its schema is not
 * needed to draw the wizard): a bad file ends the wizard with its one line,
 * as `plan` and `audit` refuse it, before the operator answers anything.
 */
import { useMemo } from 'react';
import { useServices } from './services.js';
import { useAsync } from './use-async.js';

/** Why the exceptions file cannot be used, or undefined (none, loading, or fine). */
export function useExceptionsProblem(): string | undefined {
  const { exceptions } = useServices();
  const load = useMemo(() => (exceptions ? () => exceptions() : null), [exceptions]);
  const loaded = useAsync(load);
  return loaded.status === 'error' ? loaded.message : undefined;
}
