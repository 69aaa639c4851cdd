/**
 * The exceptions on `plan` and fleet plans: a bucket's own (the exceptions
 * file's that name it, and its tags'), the steps they hold back, and how
 * the plan says so. The tags are one read per bucket, before the posture
 * read, since they decide which steps (and so which reads) there are.
 */

import type { AwsSession } from '../aws/index.js';
import type { Exception } from '../plan/exceptions/exceptions.js';
import { ownershipSign } from '../plan/exceptions/ownership.js';
import type { Line } from '../plan/render/render.js';
import { escapeControl } from '../plan/render/sanitise.js';
import { type ExceptedPlan, exceptSteps } from '../steps/excepted-steps.js';
import { STEPS } from '../steps/index.js';
import type { StepId } from '../steps/types.js';
import { readBucketTagExceptions } from './tag-exceptions.js';

export interface PlanExceptions {
  readonly exceptions: readonly Exception[];
  readonly now: Date;
  readonly warn: (line: string) => void;
}

export const stderrWarn = (line: string) => process.stderr.write(`${escapeControl(line)}\n`);

/** The bucket's tag exceptions, and what its tags say of who owns it. */
async function tagged(
  session: AwsSession,
  bucket: string,
  context: PlanExceptions,
): Promise<Exception[]> {
  const { tags, exceptions } = await readBucketTagExceptions(session, bucket, context.warn);
  // The same read says whether a stack or Terraform owns the bucket.
  const owner = ownershipSign(bucket, tags);
  if (owner) context.warn(`! ${owner}`);
  return exceptions;
}

/** The steps to plan for `bucket` once its exceptions hold back theirs. */
export async function exceptedStepsFor(
  session: AwsSession,
  bucket: string,
  stepIds: readonly StepId[],
  context: PlanExceptions,
  readTags = true,
): Promise<ExceptedPlan> {
  const own = readTags ? await tagged(session, bucket, context) : [];
  return exceptSteps(stepIds, bucket, [...context.exceptions, ...own], context.now);
}

/** "Left as is Block Public Access (bucket): excepted (…)", the expired ones, and the warnings. */
export function exceptionLines(
  excepted: ExceptedPlan,
  warnings: readonly string[],
  /** In a fleet: whose steps they are. */
  bucket?: string,
): Line[] {
  const on = bucket ? ` on ${bucket}` : '';
  return [
    ...excepted.leftAsIs.map(
      (entry): Line => ({
        kind: 'note',
        text: `Skipped ${STEPS[entry.step].title}${on}: ${entry.reason}`,
      }),
    ),
    ...excepted.expired.map(
      (text): Line => ({ kind: 'warning', text: `Exception expired: ${text}` }),
    ),
    ...warnings.map((text): Line => ({ kind: 'warning', text: `! ${text}` })),
  ];
}

/** The same, for --json. */
export function exceptionsJson(excepted: ExceptedPlan, warnings: readonly string[]) {
  return {
    leftAsIs: excepted.leftAsIs.map((entry) => ({
      step: STEPS[entry.step].title,
      control: entry.control,
      reason: entry.reason,
    })),
    expired: excepted.expired,
    warnings,
  };
}
