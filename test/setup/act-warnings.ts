/**
 * React's act(...) warnings mean a state update escaped the test's control
 * (a frame asserted before the update it depends on): the per-file setup
 * fails the test that printed one.
 */

/** Whether a console.error message is React's act(...) warning. */
export function isActWarning(text: string): boolean {
  return /not wrapped in act\(|wrap (?:it|tests) (?:in|with) act\(|act\(\.\.\.\) is not supported/i.test(
    text,
  );
}

/** Collects act(...) warnings printed through console.error, still printing them. */
export function collectActWarnings(target: Pick<Console, 'error'> = console): {
  readonly warnings: string[];
  restore(): void;
} {
  const warnings: string[] = [];
  const original = target.error;
  target.error = (...args: unknown[]) => {
    const text = args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' ');
    if (isActWarning(text)) warnings.push(text);
    original.apply(target, args);
  };
  return {
    warnings,
    restore: () => {
      target.error = original;
    },
  };
}
