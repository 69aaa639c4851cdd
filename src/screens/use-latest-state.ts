/**
 * State whose newest value a key handler can read at once. Ink calls a
 * `useInput` handler from the last render; keys typed faster than the screen
 * redraws would each see the same stale value, and all but one keystroke
 * would be lost. The ref is updated on every set, before React re-renders.
 */
import { useRef, useState } from 'react';

export function useLatestState<T>(initial: T): [T, { readonly current: T }, (next: T) => void] {
  const [value, setValue] = useState(initial);
  const latest = useRef(initial);
  const set = (next: T) => {
    latest.current = next;
    setValue(next);
  };
  return [value, latest, set];
}
