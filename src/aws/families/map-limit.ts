/** Runs `work` over `items`, at most `limit` at a time, keeping their order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Runs `work` over `items`, at most `limit` at a time, and hands each result
 * to `emit` in the items' order as soon as it and every one before it are
 * done (the next emit waits for the last one's promise: a stream's
 * backpressure). No item starts more than `window` places past the oldest
 * not yet emitted, so at most `window` results are held, however many items
 * there are: a slow item holds the ones after it back, within the window.
 */
export async function forEachInOrder<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
  emit: (result: R) => void | Promise<void>,
  window: number = limit * 8,
): Promise<void> {
  const done = new Map<number, R>();
  let next = 0;
  let emitted = 0;
  let emitting = false;
  let failed = false;
  let waiting: (() => void)[] = [];
  const wake = () => {
    const woken = waiting;
    waiting = [];
    for (const resume of woken) resume();
  };
  const flush = async () => {
    if (emitting) return;
    emitting = true;
    try {
      while (done.has(emitted)) {
        const result = done.get(emitted) as R;
        done.delete(emitted);
        emitted += 1;
        await emit(result);
        wake();
      }
    } finally {
      emitting = false;
    }
  };
  const worker = async () => {
    try {
      while (next < items.length && !failed) {
        if (next - emitted >= Math.max(window, limit)) {
          await new Promise<void>((resume) => waiting.push(resume));
          continue;
        }
        const index = next++;
        done.set(index, await work(items[index] as T));
        await flush();
      }
    } catch (error) {
      failed = true;
      wake();
      throw error;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
