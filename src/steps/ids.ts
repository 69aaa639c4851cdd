/**
 * The steps' IDs in wizard order, with no dependencies: the command line
 * checks --skip and --only before any step (or its schemas) loads.
 */
import type { StepId } from './types.js';

/** Wizard order. */
export const STEP_ORDER: readonly StepId[] = [
  'public-access-block',
  'encryption',
  'object-ownership',
  'versioning',
  'object-lock',
  'logging',
  'bucket-policy',
  'access-point',
  'access-analyzer',
  'macie',
  'account-public-access-block',
];
