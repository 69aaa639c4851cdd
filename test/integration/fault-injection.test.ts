/**
 * Fault injection into a `strict` apply: every request position faulted with
 * a 500, a 403, a reset, a hang and a lost answer (the matrix and what each
 * run must end in: ../helpers/fault-matrix.ts). The `baseline` plan's runs
 * are ./fault-injection-baseline.test.ts, so the two share the workers.
 */
import { faultMatrix } from '../helpers/fault-matrix.js';

faultMatrix(['strict']);
