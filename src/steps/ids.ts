/**
 * The steps' IDs in wizard order, with no dependencies: the command line
 * checks --skip and --only before any step (or its schemas) loads.
 */
/** Wizard order. */
export const STEP_ORDER = [
  'public-access-block',
  'encryption',
  'object-ownership',
  'versioning',
  'object-lock',
  'lifecycle',
  'logging',
  'bucket-policy',
  'access-point',
  'access-analyzer',
  'macie',
  'cloudtrail',
  'account-public-access-block',
] as const;

/** A step's id. */
export type StepId = (typeof STEP_ORDER)[number];
