/**
 * `s3-harden plan`: a dry run. Reads the bucket, proposes the preset's
 * settings, prints the diff, the IAM Access Analyzer findings on the policies
 * it would write and the equivalent AWS CLI commands, and optionally saves a
 * plan file. Makes no write.
 *
 * Exit codes: 0 nothing to change, 2 changes to apply, 1 when the checks find
 * an error in a policy (apply would refuse the plan, so a CI check fails
 * here, not at apply time). Security warnings, warnings and suggestions, and
 * checks that were skipped (an endpoint without Access Analyzer, a denial),
 * leave the code as it was. A Deny that would lock the caller out
 * (../plan/policy/lockout.ts) is also exit 1, unless --allow-lockout.
 *
 * Several buckets make a fleet plan (./fleet-plan.ts), which plans each
 * bucket with the functions exported here.
 */
import type { ConnectionOptions } from '../aws/clients.js';
import { type AwsSession, connect } from '../aws/index.js';
import { observeBucket } from '../flow/observe.js';
import type { CisVersion } from '../plan/audit/cis.js';
import type { Exception } from '../plan/exceptions/exceptions.js';
import { PlanFileError, planFileObject, savedPlanText } from '../plan/files/plan-file.js';
import { UnsafeFileError, writeRegularFile } from '../plan/files/safe-file.js';
import { diffPlan } from '../plan/model/diff.js';
import { planDigest, shortDigest } from '../plan/model/digest.js';
import type { Plan, Posture, Preset } from '../plan/model/types.js';
import { iamPolicyForPlan, renderIamPolicy } from '../plan/policy/iam-policy.js';
import {
  callerContext,
  type LockoutFinding,
  lockoutLines,
  lockoutRefusal,
  planLockout,
} from '../plan/policy/lockout.js';
import {
  blocksApply,
  errorsLine,
  type PolicyValidation,
  renderValidation,
} from '../plan/policy/validation.js';
import type { CliContext } from '../plan/render/cli-equivalent.js';
import { cliScriptFile } from '../plan/render/cli-script-file.js';
import { withDigest } from '../plan/render/digest-line.js';
import { type Line, renderCliCommands, renderPlan } from '../plan/render/render.js';
import { escapeControl, jsonText } from '../plan/render/sanitise.js';
import { wrapLines } from '../plan/render/wrap-text.js';
import { exceptionLines } from '../steps/excepted-lines.js';
import { accountBpaWarnings, keptControls } from '../steps/excepted-steps.js';
import {
  buildPlan,
  type DefaultChoices,
  defaultAnswers,
  stepsForPreset,
  unattendedAnswers,
} from '../steps/index.js';
import type { NewBucketAnswers } from '../steps/new-bucket.js';
import type { StepId } from '../steps/types.js';
import { TOOL } from '../version.js';
import { CommandError, EXIT, type ExitCode } from './exit-codes.js';
import { exceptedStepsFor, exceptionsJson, stderrWarn } from './plan-exceptions.js';
import { writeTerraform } from './plan-terraform.js';
import { colourEnabled, formatLines } from './style.js';

export interface PlanCommandOptions {
  readonly bucket: string;
  readonly preset: Preset;
  readonly skip: readonly StepId[];
  /** When set, only these steps. */
  readonly only?: readonly StepId[];
  readonly out?: string;
  /** With --out: write through a symbolic link (or to a FIFO or device) there. */
  readonly force?: boolean;
  readonly json: boolean;
  /** Print the IAM policy applying the plan needs instead of the diff. */
  readonly iamPolicy?: boolean;
  /** Print the plan as a bash script of AWS CLI commands instead of the diff (--cli). */
  readonly cliScript?: boolean;
  /** Print (or, with `out` a directory, write there) the hardened state as Terraform. */
  readonly terraform?: boolean;
  readonly connection: ConnectionOptions;
  /** Create the bucket first (it must not exist yet). */
  readonly create?: { readonly objectLock: boolean };
  /** The caller's context for the lockout check: their public IP, their VPC endpoint. */
  readonly sourceIp?: string;
  readonly vpce?: string;
  /** Plan even when a Deny would lock the caller out. */
  readonly allowLockout?: boolean;
  /** Intended exceptions (the exceptions file); the bucket's tags add its own. */
  readonly exceptions?: readonly Exception[];
  /** Whose CIS numbers the tags' control names are in (--cis-version). */
  readonly cisVersion?: CisVersion;
  /** The day exceptions are judged on (tests); default now. */
  readonly now?: Date;
  /** One log bucket for the access logs (--log-bucket), under a prefix per bucket. */
  readonly logBucket?: string;
  /** --restrict-vpce: the bucket policy denies requests from outside these endpoints. */
  readonly restrictVpce?: readonly string[];
}

/** The defaults the command line changed (--log-bucket, --restrict-vpce). */
export function choicesOf(
  options: Pick<PlanCommandOptions, 'logBucket' | 'restrictVpce'>,
): DefaultChoices {
  return {
    ...(options.logBucket ? { logBucket: options.logBucket } : {}),
    ...(options.restrictVpce?.length ? { vpceIds: options.restrictVpce } : {}),
  };
}

/** The machine view of a plan: the same diff, the policy checks, and the plan file itself. */
export function planToJson(
  plan: Plan,
  validation: PolicyValidation,
  lockout: readonly LockoutFinding[] = [],
) {
  const diff = diffPlan(plan);
  return {
    /** What `apply --expect-digest` takes to apply this plan and no other. */
    digest: shortDigest(planDigest(plan)),
    counts: diff.counts,
    lockout,
    changes: diff.changes.map((entry) => ({
      id: entry.change.id,
      title: entry.change.title,
      action: entry.change.action,
      irreversible: entry.irreversible,
      fields: entry.fields,
      warnings: entry.change.warnings,
    })),
    skipped: plan.skipped,
    validation: {
      checked: validation.checked,
      ...(validation.skippedReason ? { skippedReason: validation.skippedReason } : {}),
      policies: validation.policies,
      findings: validation.findings,
    },
    plan: planFileObject(plan, TOOL),
  };
}

/** The steps a plan covers: the preset's, less --skip, only --only. */
export function planStepIds(
  options: Pick<PlanCommandOptions, 'preset' | 'skip' | 'only'>,
): readonly StepId[] {
  if (options.preset === 'custom') {
    throw new CommandError(
      'the custom preset is chosen step by step in the wizard; use baseline, strict or worm here.',
    );
  }
  return stepsForPreset(options.preset).filter(
    (id) => !options.skip.includes(id) && (!options.only || options.only.includes(id)),
  );
}

/**
 * Reads what planning `bucket` needs (../flow/observe.ts): its resources
 * (the account's too), and the access-log target the preset's defaults name.
 */
export async function observeForPlan(
  session: AwsSession,
  bucket: string,
  preset: Preset,
  stepIds: readonly StepId[],
  create?: NewBucketAnswers,
  choices: DefaultChoices = {},
): Promise<Posture> {
  const posture = await observeBucket(session, {
    bucket,
    preset,
    steps: stepIds,
    ...(create ? { create } : {}),
    choices,
  });
  if (create && posture.values['bucket.exists'] !== null) {
    throw new CommandError(
      posture.unreadable['bucket.exists']
        ? `bucket ${bucket} cannot be created: the name is taken by another account`
        : `bucket ${bucket} already exists; plan without --create-bucket`,
    );
  }
  return posture;
}

/** The preset's plan for a posture, as `plan` proposes it (no question asked). */
export function planFromPosture(
  posture: Posture,
  preset: Preset,
  stepIds: readonly StepId[],
  now?: Date,
  create?: NewBucketAnswers,
  choices: DefaultChoices = {},
): Plan {
  // No question is asked: what only the operator can give (Object Lock's typed
  // confirmation) is asked by `apply` instead, or given by --allow-irreversible.
  const answers = unattendedAnswers(
    posture,
    stepIds,
    defaultAnswers(posture, preset, stepIds, choices),
  );
  return buildPlan(posture, preset, stepIds, answers, now, create);
}

/** The caller's context for the lockout check, from the session and the flags. */
export function lockoutContext(
  session: Pick<AwsSession, 'endpoint'>,
  principalArn: string,
  flags: Pick<PlanCommandOptions, 'sourceIp' | 'vpce'>,
) {
  return callerContext(principalArn, session.endpoint, {
    ...(flags.sourceIp ? { sourceIp: flags.sourceIp } : {}),
    ...(flags.vpce ? { sourceVpce: flags.vpce } : {}),
  });
}

/** The connection flags the plan used, for the AWS CLI commands (the region is each plan's). */
export function cliContextOf(session: Pick<AwsSession, 'endpoint' | 'profile'>): CliContext {
  return {
    ...(session.endpoint ? { endpoint: session.endpoint } : {}),
    ...(session.profile ? { profile: session.profile } : {}),
  };
}

/** A plan as `plan` prints it: the diff, the policy checks, the lockout guard, the AWS CLI commands. */
export function planText(
  plan: Plan,
  validation: PolicyValidation,
  lockout: readonly LockoutFinding[],
  session: Pick<AwsSession, 'endpoint' | 'profile'>,
  colour: boolean,
  lines: readonly Line[] = withDigest(renderPlan(plan), plan),
  width = 0,
): string {
  const toWidth = (block: readonly Line[]) => wrapLines(block, width);
  const cli = renderCliCommands(plan, { region: plan.target.region, ...cliContextOf(session) });
  let text = `${formatLines(toWidth(lines), colour)}\n`;
  const checks = renderValidation(validation);
  if (checks.length > 0) text += `\n${formatLines(toWidth(checks), colour)}\n`;
  const guard = lockoutLines(lockout);
  if (guard.length > 0) text += `\n${formatLines(toWidth(guard), colour)}\n`;
  if (cli.length > 0) text += `\n${formatLines(cli, colour)}\n`;
  return text;
}

/**
 * Writes a plan file; `text` makes its text, checked with apply's loader
 * (savedPlanText, savedFleetText): a file apply would refuse is not written.
 */
export function writePlanFile(file: string, text: () => string, force = false): void {
  let content: string;
  try {
    content = text();
  } catch (error) {
    if (error instanceof PlanFileError) {
      throw new CommandError(`did not write ${file}: ${error.message}`);
    }
    throw error;
  }
  try {
    writeRegularFile(file, content, { mode: 0o644, force, forceFlag: '--force' });
  } catch (error) {
    if (error instanceof UnsafeFileError) throw new CommandError(error.message);
    throw error;
  }
}

/** writePlanFile, its refusal returned (to report after the plan is shown) instead of thrown. */
export function saveFile(file: string, text: () => string, force = false): CommandError | null {
  try {
    writePlanFile(file, text, force);
    return null;
  } catch (error) {
    if (error instanceof CommandError) return error;
    throw error;
  }
}

/** The terminal's width to wrap plan text to; 0 (no wrapping) for a pipe or a file. */
export function wrapWidth(stream: { readonly isTTY?: boolean; readonly columns?: number }): number {
  return stream.isTTY && stream.columns && stream.columns > 0 ? stream.columns : 0;
}

export async function runPlan(
  options: PlanCommandOptions,
  stdout = process.stdout,
): Promise<ExitCode> {
  const session = await connect(options.connection);
  try {
    const create = options.create
      ? { name: options.bucket, region: session.region, objectLock: options.create.objectLock }
      : undefined;
    // An excepted control's step is not planned (a bucket to create has no tags yet).
    const excepted = await exceptedStepsFor(
      session,
      options.bucket,
      planStepIds(options),
      {
        exceptions: options.exceptions ?? [],
        now: options.now ?? new Date(),
        warn: stderrWarn,
        ...(options.cisVersion ? { cisVersion: options.cisVersion } : {}),
      },
      !create,
    );
    const { stepIds } = excepted;
    const choices = { ...choicesOf(options), keep: keptControls(excepted) };
    const posture = await observeForPlan(
      session,
      options.bucket,
      options.preset,
      stepIds,
      create,
      choices,
    );
    const plan = planFromPosture(posture, options.preset, stepIds, undefined, create, choices);
    const validation = await session.validatePolicies(plan);
    const lockout = planLockout(plan, lockoutContext(session, posture.principalArn, options));
    const warnings = accountBpaWarnings(plan.changes, [
      { bucket: options.bucket, excepted: excepted.excepted },
    ]);
    const noted = exceptionLines(excepted, warnings);
    if (options.terraform) {
      // stdout is the HCL alone: what the exceptions left out goes to stderr.
      for (const line of noted) process.stderr.write(`${line.text}\n`);
      writeTerraform(plan, options.out, stdout);
      return planExit(plan, validation, lockout, options);
    }
    const saveError = options.out
      ? saveFile(options.out, () => savedPlanText(plan, TOOL), options.force)
      : null;
    if (options.iamPolicy) {
      stdout.write(renderIamPolicy(iamPolicyForPlan(plan), options.json));
    } else if (options.cliScript) {
      stdout.write(cliScriptFile(plan, cliContextOf(session)));
      // stdout is the script alone (`plan --cli > harden.sh`): the rest goes to stderr.
      if (options.out && !saveError) {
        process.stderr.write(`Saved the plan to ${escapeControl(options.out)}.\n`);
      }
    } else if (options.json) {
      const json = planToJson(plan, validation, lockout);
      stdout.write(
        `${jsonText(noted.length > 0 ? { ...json, exceptions: exceptionsJson(excepted, warnings) } : json)}\n`,
      );
    } else {
      stdout.write(
        planText(
          plan,
          validation,
          lockout,
          session,
          colourEnabled(stdout),
          // What the exceptions held back, next to the skipped steps, before the diff's end.
          [...withDigest(renderPlan(plan), plan), ...noted],
          wrapWidth(stdout),
        ),
      );
      if (options.out && !saveError) {
        const out = escapeControl(options.out);
        stdout.write(
          blocksApply(validation)
            ? `\nSaved the plan to ${out}; apply refuses it while its policies have errors.\n`
            : `\nSaved the plan to ${out}. Apply it with: s3-harden apply ${out}\n`,
        );
      }
    }
    // Shown after the plan itself, so the operator sees what could not be saved.
    if (saveError) throw saveError;
    return planExit(plan, validation, lockout, options);
  } finally {
    session.close();
  }
}

/** The exit of a plan shown: 1 for a policy error or a lockout, 2 for changes, 0 for none. */
function planExit(
  plan: Plan,
  validation: PolicyValidation,
  lockout: readonly LockoutFinding[],
  options: Pick<PlanCommandOptions, 'allowLockout'>,
): ExitCode {
  if (blocksApply(validation)) {
    throw new CommandError(`${errorsLine(validation)}; apply would refuse this plan.`);
  }
  if (lockout.length > 0 && !options.allowLockout) {
    throw new CommandError(
      `${lockoutRefusal(lockout)}; add --allow-lockout to plan it anyway, or exempt your principal in the wizard (e).`,
    );
  }
  return plan.changes.length > 0 ? EXIT.changes : EXIT.ok;
}
