/**
 * The saved plan file: versioned JSON, validated on load before anything else
 * happens, so a malformed, foreign or tampered file never reaches AWS.
 */
import * as z from 'zod';
import { apiCallSchema, callProblem, describePath, targetSchema } from '../model/call-guard.js';
import { deepEqual } from '../model/diff.js';
import { collectRefs } from '../model/output-refs.js';
import {
  type ApiCall,
  type Plan,
  type PostureValues,
  PRESETS,
  type ResourceKey,
} from '../model/types.js';
import { escapeControl } from '../render/sanitise.js';
import { RESOURCE_KEYS, resourceSchema, writeCall } from '../resources/index.js';
import { weakening } from './weakening.js';

export const PLAN_FORMAT = 's3-harden-plan';
/**
 * 2: the plan records what produced it (`provenance`), and apply derives it
 * again from that; a version-1 file cannot be checked so, and is refused.
 */
export const PLAN_VERSION = 2;
/** Plans are a few kilobytes; anything this large is not one of ours. */
export const MAX_PLAN_BYTES = 5 * 1024 * 1024;

/** The terminal filter (../render/sanitise.ts), here too for the modules that quote a file. */
export { escapeControl };

/** Longer than any message of ours: the rest would be text from the file itself. */
const MAX_MESSAGE = 400;

export class PlanFileError extends Error {
  override name = 'PlanFileError';
  constructor(message: string) {
    const line = escapeControl(message);
    super(line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line);
  }
}

/** Text a plan file shows the operator: no control characters (no escape sequences into the review). */
export const displayText = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^\P{Cc}*$/u, 'must not contain control characters');

const json = z.unknown();

const resourceKey = z.enum(RESOURCE_KEYS as [ResourceKey, ...ResourceKey[]]);

const changeSchema = z.strictObject({
  id: displayText(200).min(1),
  step: displayText(100).min(1),
  title: displayText(200).min(1),
  resource: resourceKey,
  action: z.enum(['create', 'update', 'delete']),
  call: apiCallSchema,
  before: json,
  after: json,
  undo: apiCallSchema.nullable(),
  dependsOn: z.array(displayText(200)).max(100),
  warnings: z.array(displayText(2000)).max(100),
});

/** Resource values read from AWS, each checked against its resource's schema. */
const valuesSchema = z.partialRecord(resourceKey, json).superRefine((observed, context) => {
  for (const [key, value] of Object.entries(observed)) {
    const result = resourceSchema(key as ResourceKey).safeParse(value);
    if (!result.success) {
      // What in the value is wrong (a KMS key ID that is not canonical, say), not where: one short line.
      const detail = result.error.issues[0]?.message.slice(0, 100);
      context.addIssue({
        code: 'custom',
        path: [key],
        message: `not a valid ${key} value${detail ? ` (${detail})` : ''}`,
      });
    }
  }
});

/** The reading a plan was built from (RecordedPosture). */
const recordedPostureSchema = targetSchema.extend({
  observedAt: z.iso.datetime(),
  principalArn: displayText(2048),
  values: valuesSchema,
  unreadable: z.partialRecord(resourceKey, z.string().max(2000)),
});

/** buildPlan's inputs; the answers are checked by deriving the plan from them again. */
const buildProvenanceSchema = z.strictObject({
  preset: z.enum(PRESETS),
  steps: z.array(displayText(100)).max(50),
  answers: z.record(z.string().max(100), json),
  create: json.optional(),
  posture: recordedPostureSchema,
});

const provenanceSchema = z.union([
  buildProvenanceSchema,
  z.strictObject({ accountFrom: z.array(buildProvenanceSchema).min(1).max(20) }),
]);

const planFileSchema = z.strictObject({
  format: z.literal(PLAN_FORMAT),
  version: z.literal(PLAN_VERSION),
  // Absent in files written before plans had ids.
  id: z.uuid().optional(),
  createdAt: z.iso.datetime(),
  createdBy: displayText(200),
  target: targetSchema,
  preset: z.enum(PRESETS),
  observed: valuesSchema,
  provenance: provenanceSchema,
  changes: z.array(changeSchema).max(500),
  skipped: z
    .array(z.strictObject({ step: z.string().max(200), reason: z.string().max(2000) }))
    .max(100),
});

export type PlanFile = z.infer<typeof planFileSchema>;

/** Thrown instead of saving a plan that holds a one-time MFA code. */
export const MFA_NOT_SAVED = 'MFA delete is applied only in the wizard: the code is one-time';

/** The plan as the file holds it (also each section of a fleet plan file). */
export function planFileObject(plan: Plan, createdBy: string): PlanFile {
  // An MFA parameter ("serial code") is a one-time secret: never at rest.
  const hasMfa = (change: Plan['changes'][number]) =>
    'MFA' in change.call.input || 'MFA' in (change.undo?.input ?? {});
  if (plan.changes.some(hasMfa)) {
    throw new PlanFileError(MFA_NOT_SAVED);
  }
  return {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    ...(plan.id ? { id: plan.id } : {}),
    createdAt: plan.createdAt,
    createdBy,
    target: plan.target,
    preset: plan.preset,
    observed: plan.observed,
    changes: plan.changes.map((change) => ({
      ...change,
      dependsOn: [...change.dependsOn],
      warnings: [...change.warnings],
    })),
    skipped: [...plan.skipped],
    provenance: provenanceOf(plan),
  };
}

/** A plan without provenance (hand-built) cannot be saved: apply could not check it. */
function provenanceOf(plan: Plan): PlanFile['provenance'] {
  if (!plan.provenance)
    throw new PlanFileError('the plan records no provenance; it cannot be saved');
  return plan.provenance as PlanFile['provenance'];
}

export function serializePlan(plan: Plan, createdBy: string): string {
  return `${JSON.stringify(planFileObject(plan, createdBy), null, 2)}\n`;
}

/**
 * The plan file's text as it is saved: checked with the loader `apply` uses,
 * so a plan whose file apply would refuse (a value read from AWS that the
 * schema does not accept) throws PlanFileError instead of being written.
 */
export function savedPlanText(plan: Plan, createdBy: string): string {
  const text = serializePlan(plan, createdBy);
  try {
    parsePlan(text);
  } catch (error) {
    if (error instanceof PlanFileError) throw new PlanFileError(unloadable(error));
    throw error;
  }
  return text;
}

/** Why a plan file about to be written would not load, in one line. */
export function unloadable(error: PlanFileError): string {
  return `apply would refuse it: ${error.message}`;
}

function checkCall(call: ApiCall, plan: PlanFile, where: string): void {
  const problem = callProblem(call, plan.target, 'plan');
  if (problem) throw new PlanFileError(`${where}${problem.at}${problem.text}`);
}

/** Every OutputRef in a call must name a change that has run by then. */
function checkRefs(call: ApiCall, ran: ReadonlySet<string>, where: string): void {
  for (const ref of collectRefs(call.input)) {
    if (!ran.has(ref.fromOutput.change)) {
      throw new PlanFileError(
        `${where} uses the output of ${ref.fromOutput.change}, which does not run before it`,
      );
    }
  }
}

/**
 * The executor runs changes in file order: each must come after every change
 * it depends on (a dependency already satisfied is not listed at all).
 */
function checkOrder(
  change: PlanFile['changes'][number],
  changes: PlanFile['changes'],
  ran: ReadonlySet<string>,
  where: string,
): void {
  for (const id of change.dependsOn) {
    if (ran.has(id)) continue;
    const position =
      id === change.id
        ? 'is itself'
        : changes.some((other) => other.id === id)
          ? 'comes after it'
          : 'is not in the plan';
    throw new PlanFileError(`${where}: depends on ${id}, which ${position}`);
  }
}

/** The call that writes `value`; a read-only resource has none. */
function expectedWrite(resource: ResourceKey, plan: PlanFile, value: unknown, where: string) {
  try {
    return writeCall(resource, plan.target, value);
  } catch (error) {
    throw new PlanFileError(`${where}: ${(error as Error).message}`);
  }
}

/** Plans nest a policy document's conditions about a dozen levels deep. */
export const MAX_PLAN_DEPTH = 64;

/** The deepest nesting of JSON arrays and objects in `text` (brackets in strings ignored). */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) max = Math.max(max, ++depth);
    else if (char === 0x5d || char === 0x7d) depth--;
  }
  return max;
}

/** `data` as `schema` reads it; the first problem as a PlanFileError naming where it is. */
export function schemaCheck<T>(schema: z.ZodType<T>, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new PlanFileError(
    `${describePath(issue?.path ?? []) || 'plan'}: ${issue?.message ?? 'invalid'}`,
  );
}

/** A file's size in bytes and deepest nesting, measured before it is parsed. */
export interface FileMeasure {
  readonly bytes: number;
  readonly depth: number;
}

export function measureFile(text: string): FileMeasure {
  return { bytes: Buffer.byteLength(text, 'utf8'), depth: nestingDepth(text) };
}

/**
 * JSON.parse within limits, for plan and fleet plan files (`what` names the
 * kind in the messages). Size and nesting are refused before parsing: deep
 * nesting would overflow the stack of the checks that follow.
 */
export function parseBoundedJson(
  text: string,
  limits: { readonly bytes: number; readonly depth: number; readonly what: string },
  measured: FileMeasure = measureFile(text),
): unknown {
  if (measured.bytes > limits.bytes) {
    throw new PlanFileError(
      `file is ${measured.bytes} bytes; ${limits.what} is at most ${limits.bytes}`,
    );
  }
  if (measured.depth > limits.depth) {
    throw new PlanFileError(`nested more than ${limits.depth} levels deep; not a plan file`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(`not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

/** Parses and validates a plan file's text; throws PlanFileError with one line. */
export function parsePlan(text: string): Plan {
  return validatePlanObject(
    parseBoundedJson(text, { bytes: MAX_PLAN_BYTES, depth: MAX_PLAN_DEPTH, what: 'a plan file' }),
  );
}

/**
 * Validates a plan file's parsed JSON: every check `parsePlan` makes after
 * parsing (each section of a fleet plan file goes through it too).
 */
export function validatePlanObject(data: unknown): Plan {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new PlanFileError('not an s3-harden plan file (expected a JSON object)');
  }
  const header = data as { format?: unknown; version?: unknown };
  if (header.format !== PLAN_FORMAT)
    throw new PlanFileError('not an s3-harden plan file (format field missing or wrong)');
  if (header.version === undefined) throw new PlanFileError('the plan file has no version field');
  if (header.version === 1) {
    throw new PlanFileError(
      'plan file version 1 was written by an older s3-harden and records no provenance, so it cannot be checked against what produced it: make a new plan',
    );
  }
  if (header.version !== PLAN_VERSION) {
    throw new PlanFileError(
      `plan file version ${JSON.stringify(header.version)} is not supported (this s3-harden reads version ${PLAN_VERSION})`,
    );
  }
  const file = schemaCheck(planFileSchema, data);
  const ids = new Set<string>();
  file.changes.forEach((change, index) => {
    const where = `changes[${index}]`;
    if (ids.has(change.id)) throw new PlanFileError(`${where}: duplicate change id ${change.id}`);
    // A call may use the output of changes applied before it; its undo, its own too.
    checkRefs(change.call, ids, `${where}.call`);
    checkOrder(change, file.changes, ids, where);
    ids.add(change.id);
    if (change.undo) checkRefs(change.undo, ids, `${where}.undo`);
    checkCall(change.call, file, `${where}.call`);
    if (change.undo) checkCall(change.undo, file, `${where}.undo`);
    if (
      !(change.resource in file.observed) ||
      !deepEqual(file.observed[change.resource], change.before)
    ) {
      throw new PlanFileError(
        `${where}: its before-state does not match observed.${change.resource}`,
      );
    }
    if (!resourceSchema(change.resource).safeParse(change.after).success) {
      throw new PlanFileError(`${where}.after: not a valid ${change.resource} value`);
    }
    const weakens = weakening(change);
    if (weakens) {
      throw new PlanFileError(
        `${where} ${weakens} (${change.resource}): a plan file never weakens a bucket (the wizard asks for that in so many words)`,
      );
    }
    // What the review shows (before → after) must be exactly what apply and undo do.
    if (!deepEqual(change.call, expectedWrite(change.resource, file, change.after, where))) {
      throw new PlanFileError(
        `${where}.call does not write the after-state shown for ${change.resource}`,
      );
    }
    if (
      change.undo &&
      !deepEqual(change.undo, expectedWrite(change.resource, file, change.before, where))
    ) {
      throw new PlanFileError(
        `${where}.undo does not restore the before-state of ${change.resource}`,
      );
    }
  });
  return {
    ...(file.id ? { id: file.id } : {}),
    target: file.target,
    preset: file.preset,
    createdAt: file.createdAt,
    // Each observed value was checked against its resource schema above.
    observed: file.observed as Partial<PostureValues>,
    changes: file.changes,
    skipped: file.skipped,
    provenance: file.provenance as Plan['provenance'] & object,
  };
}
