/** Process exit codes, documented in the README: the commands' and the wizard's. */
export const EXIT = {
  /** Success; for `plan`, nothing to change. */
  ok: 0,
  /** Bad input, an AWS error, a stale plan, or an apply that failed and was fully rolled back. */
  error: 1,
  /** `plan`: there are changes to apply; `audit --fail-on`: what it names was found. */
  changes: 2,
  /** An apply failed and at least one change could not be rolled back: act by hand (commands printed). */
  rollbackIncomplete: 3,
  /** `audit --accounts`: some accounts could not be audited (their role not assumed, their buckets not listed); the report says which. */
  accountsIncomplete: 4,
  /** Interrupted before anything was written. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
