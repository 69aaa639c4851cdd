/**
 * Cutting text to a width, the cut marked with …: pure, with no imports, so
 * the wizard's first frame (src/screens/header.tsx) can use it without
 * loading anything else.
 */

/** `value` cut to `width` characters, the cut marked with …. */
export function truncate(value: string, width: number): string {
  if (value.length <= width) return value;
  if (width <= 0) return '';
  return `${value.slice(0, width - 1)}…`;
}

/**
 * A bucket name cut in the middle, its end kept: buckets of one fleet often
 * share a prefix and differ at the end (`app-data-1`, `app-data-1-logs`), so
 * a cut end would make their rows identical.
 */
export function truncateMiddle(value: string, width: number): string {
  if (value.length <= width) return value;
  if (width < 8) return truncate(value, width);
  const tail = Math.min(Math.floor((width - 1) / 2), 12);
  return `${value.slice(0, width - 1 - tail)}…${value.slice(value.length - tail)}`;
}
