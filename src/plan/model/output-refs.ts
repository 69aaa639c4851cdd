/**
 * Resolving OutputRef placeholders: a later call (or an undo) may need a value
 * only AWS knows once an earlier change has run, such as the ARN of a KMS key
 * the plan creates. Plans store the reference; the executor fills it in.
 */
import type { ApiCall, OutputRef } from './call.js';

export function isOutputRef(value: unknown): value is OutputRef {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const ref = (value as { fromOutput?: unknown }).fromOutput as
    | { change?: unknown; path?: unknown }
    | undefined;
  return (
    Object.keys(value).length === 1 &&
    typeof ref === 'object' &&
    ref !== null &&
    typeof ref.change === 'string' &&
    typeof ref.path === 'string'
  );
}

export function outputRef(change: string, path: string): OutputRef {
  return { fromOutput: { change, path } };
}

/** What creates each referenced output, as the review names it (not its change id). */
const CREATOR: Record<string, string> = {
  'kms.key': 'the new KMS key',
  'kms.alias': 'the new KMS alias',
  'account.analyzer': 'the new IAM Access Analyzer analyzer',
  'bucket.macieJob': 'the new Macie job',
};

/** How the review shows a value known only once an earlier change has run: "<the new KMS key's Arn, once created>". */
export function describeRef(ref: OutputRef): string {
  const { change, path } = ref.fromOutput;
  const field = path.split('.').at(-1) ?? path;
  return `<${CREATOR[change] ?? change}'s ${field}, once created>`;
}

function pick(output: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], output);
}

/** Every OutputRef inside a value, for validation and for what the journal must keep. */
export function collectRefs(value: unknown, into: OutputRef[] = []): OutputRef[] {
  if (isOutputRef(value)) into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectRefs(item, into);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) collectRefs(item, into);
  return into;
}

/** A copy of `value` with every OutputRef in it replaced by what `replace` makes of it. */
export function mapRefs(value: unknown, replace: (ref: OutputRef) => unknown): unknown {
  if (isOutputRef(value)) return replace(value);
  if (Array.isArray(value)) return value.map((item) => mapRefs(item, replace));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, mapRefs(inner, replace)]),
    );
  }
  return value;
}

/** `value` with every OutputRef replaced by the output it names; throws when one has not run. */
export function resolveValueRefs(value: unknown, outputs: ReadonlyMap<string, unknown>): unknown {
  return mapRefs(value, (ref) => {
    const { change, path } = ref.fromOutput;
    if (!outputs.has(change)) throw new Error(`needs the output of ${change}, which has not run`);
    const resolved = pick(outputs.get(change), path);
    if (resolved === undefined) throw new Error(`the output of ${change} has no ${path}`);
    return resolved;
  });
}

export function resolveRefs(call: ApiCall, outputs: ReadonlyMap<string, unknown>): ApiCall {
  return { ...call, input: resolveValueRefs(call.input, outputs) as Record<string, unknown> };
}

/** Only the output fields that some call refers to: what the journal keeps. */
export function referencedOutput(
  changeId: string,
  output: unknown,
  calls: readonly (ApiCall | null)[],
): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const call of calls) {
    for (const ref of collectRefs(call?.input)) {
      if (ref.fromOutput.change === changeId)
        kept[ref.fromOutput.path] = pick(output, ref.fromOutput.path);
    }
  }
  return kept;
}
