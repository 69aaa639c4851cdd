/**
 * The exceptions on `plan` and fleet plans: a bucket's own (the exceptions
 * file's that name it, and its tags'), the steps they hold back, and how
 * the plan says so. The tags are one read per bucket, before the posture
 * read, since they decide which steps (and so which reads) there are.
 */

import type { AwsSession } from '../aws/index.js';
import { bucketExceptions } from '../flow/bucket-exceptions.js';
import type { CisVersion } from '../plan/audit/cis.js';
import type { Exception } from '../plan/exceptions/exceptions.js';
import { escapeControl } from '../plan/render/sanitise.js';
import type { ExceptedPlan } from '../steps/excepted-steps.js';
import { STEPS } from '../steps/index.js';
import type { StepId } from '../steps/types.js';

export interface PlanExceptions {
  readonly exceptions: readonly Exception[];
  readonly now: Date;
  readonly warn: (line: string) => void;
  /** Whose CIS numbers the tags' control names are in (--cis-version). */
  readonly cisVersion?: CisVersion;
}

export const stderrWarn = (line: string) => process.stderr.write(`${escapeControl(line)}\n`);

/**
 * The steps to plan for `bucket` once its exceptions hold back theirs; what
 * its tags say (tags not honoured, a stack or Terraform owning it) is
 * warned as it is read.
 */
export async function exceptedStepsFor(
  session: AwsSession,
  bucket: string,
  stepIds: readonly StepId[],
  context: PlanExceptions,
  readTags = true,
): Promise<ExceptedPlan> {
  const { warnings, ...excepted } = await bucketExceptions(
    session,
    bucket,
    stepIds,
    context,
    readTags,
  );
  for (const warning of warnings) context.warn(`! ${warning}`);
  return excepted;
}

/** The same, for --json. */
export function exceptionsJson(excepted: ExceptedPlan, warnings: readonly string[]) {
  return {
    leftAsIs: excepted.leftAsIs.map((entry) => ({
      step: STEPS[entry.step].title,
      control: entry.control,
      reason: entry.reason,
    })),
    kept: excepted.kept.map((entry) => ({
      step: STEPS[entry.step].title,
      control: entry.control,
      reason: entry.reason,
    })),
    expired: excepted.expired,
    warnings,
  };
}
