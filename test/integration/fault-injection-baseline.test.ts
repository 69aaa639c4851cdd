/**
 * Fault injection into a `baseline` apply: every request position faulted
 * (the matrix and what each run must end in: ../helpers/fault-matrix.ts).
 */
import { faultMatrix } from '../helpers/fault-matrix.js';

faultMatrix(['baseline']);
