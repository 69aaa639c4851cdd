/**
 * A seeded random-number generator for the tests that draw their cases at
 * random (mutated plan files, generated policies, kill points during apply):
 * the same seed draws the same cases on every run, so a failure replays.
 */

/** A draw in [0, 1), like Math.random. */
export type Random = () => number;

/** mulberry32: tiny and fast, and plenty for picking test cases. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One of `items`, drawn with one call of `random`. */
export const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;
