import { useEffect, useState } from 'react';

export type AsyncState<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly value: T }
  | { readonly status: 'error'; readonly message: string };

/**
 * Runs `load` whenever its identity changes (callers memoise it with
 * useCallback); a result that arrives after a newer load started is dropped.
 */
export function useAsync<T>(load: (() => Promise<T>) | null): AsyncState<T> {
  // The state remembers which load produced it, so a new load reads as
  // "loading" in the very render that starts it, never as the old result.
  const [held, setHeld] = useState<{ load: typeof load; state: AsyncState<T> }>({
    load: null,
    state: { status: 'loading' },
  });
  useEffect(() => {
    if (!load) return;
    let current = true;
    const settle = (state: AsyncState<T>) => {
      if (current) setHeld({ load, state });
    };
    load().then(
      (value) => settle({ status: 'ready', value }),
      (error: unknown) =>
        settle({
          status: 'error',
          message: error instanceof Error ? error.message : String(error),
        }),
    );
    return () => {
      current = false;
    };
  }, [load]);
  return load && held.load !== load ? { status: 'loading' } : held.state;
}
