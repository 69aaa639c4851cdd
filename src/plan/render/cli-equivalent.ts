/**
 * The AWS CLI command equivalent to an ApiCall, so an operator can review a
 * plan in familiar terms or finish a failed rollback by hand.
 */
import type { ApiCall } from '../model/call.js';

const CLI_SERVICE: Record<string, string> = {
  s3: 's3api',
  s3control: 's3control',
  sts: 'sts',
  kms: 'kms',
  macie2: 'macie2',
  accessanalyzer: 'accessanalyzer',
};

export interface CliContext {
  readonly region?: string;
  readonly endpoint?: string;
  readonly profile?: string;
}

/** PascalCase → kebab-case, keeping acronyms together: "PutPublicAccessBlock" → "put-public-access-block". */
export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** Quote for a POSIX shell: bare when safe, single-quoted otherwise. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function argument(key: string, value: unknown): string[] {
  const flag = `--${kebab(key)}`;
  if (typeof value === 'boolean') return [value ? flag : `--no-${kebab(key)}`];
  if (typeof value === 'string' || typeof value === 'number')
    return [flag, shellQuote(String(value))];
  return [flag, shellQuote(JSON.stringify(value))];
}

export function cliCommand(call: ApiCall, context: CliContext = {}): string {
  const parts = ['aws', CLI_SERVICE[call.service] ?? call.service, kebab(call.operation)];
  for (const [key, value] of Object.entries(call.input)) {
    if (value === undefined) continue;
    parts.push(...argument(key, value));
  }
  if (context.profile) parts.push('--profile', shellQuote(context.profile));
  if (context.region) parts.push('--region', shellQuote(context.region));
  if (context.endpoint) parts.push('--endpoint-url', shellQuote(context.endpoint));
  return parts.join(' ');
}

/** An expansion to put where a placeholder stands in a command: `$(…)` or `$NAME`. */
export interface ShellExpansion {
  readonly placeholder: string;
  /** The expansion, unquoted: `$KMS_KEY_ID` or `$(aws … --output text)`. */
  readonly expansion: string;
}

/**
 * Puts each expansion in place of its placeholder (a bare word the quoting
 * leaves alone) in a command built by cliCommand: outside quotes as
 * "EXPANSION", inside a single-quoted argument (a JSON value) by closing the
 * quotes around "EXPANSION", so the shell expands it either way.
 */
export function expandPlaceholders(command: string, expansions: readonly ShellExpansion[]): string {
  let result = '';
  let quoted = false;
  // Longest first: no placeholder is taken for the start of a longer one.
  const byLength = [...expansions].sort((a, b) => b.placeholder.length - a.placeholder.length);
  for (let index = 0; index < command.length; ) {
    const found = byLength.find((item) => command.startsWith(item.placeholder, index));
    if (found) {
      result += quoted ? `'"${found.expansion}"'` : `"${found.expansion}"`;
      index += found.placeholder.length;
      continue;
    }
    const char = command[index] as string;
    if (char === "'") quoted = !quoted;
    result += char;
    index += 1;
  }
  return result;
}

/** `kms.key` + `KeyMetadata.KeyId` → `KMS_KEY_KEYID`. */
function variableName(change: string, path: string): string {
  const last = path.split('.').at(-1) ?? path;
  return `${change}_${last}`.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

/**
 * The plan's calls as a script the AWS CLI can run in order: a call whose
 * output a later call names (a created key's ID) keeps it in a shell
 * variable (`KMS_KEY_KEYID=$(aws kms create-key … --query … --output text)`),
 * and the later call uses "$KMS_KEY_KEYID" — never an unresolved reference.
 */
export function cliScript(
  steps: readonly { readonly id: string; readonly call: ApiCall }[],
  context: CliContext = {},
): string[] {
  // Which output paths of each change the later calls refer to, in first-use order.
  const wanted = new Map<string, string[]>();
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) collect(item);
    else if (typeof value === 'object' && value !== null) {
      const ref = (value as { fromOutput?: { change?: unknown; path?: unknown } }).fromOutput;
      if (ref && typeof ref.change === 'string' && typeof ref.path === 'string') {
        const paths = wanted.get(ref.change) ?? [];
        if (!paths.includes(ref.path)) paths.push(ref.path);
        wanted.set(ref.change, paths);
        return;
      }
      for (const inner of Object.values(value)) collect(inner);
    }
  };
  for (const step of steps) collect(step.call.input);
  const placeholders: ShellExpansion[] = [];
  const substitute = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(substitute);
    if (typeof value === 'object' && value !== null) {
      const ref = (value as { fromOutput?: { change?: unknown; path?: unknown } }).fromOutput;
      if (ref && typeof ref.change === 'string' && typeof ref.path === 'string') {
        const name = variableName(ref.change, ref.path);
        const placeholder = `S3HARDENVAR${name}`;
        if (!placeholders.some((item) => item.placeholder === placeholder)) {
          placeholders.push({ placeholder, expansion: `$${name}` });
        }
        return placeholder;
      }
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => [key, substitute(inner)]),
      );
    }
    return value;
  };
  return steps.map((step) => {
    const command = expandPlaceholders(
      cliCommand(
        { ...step.call, input: substitute(step.call.input) as Record<string, unknown> },
        context,
      ),
      placeholders,
    );
    const paths = wanted.get(step.id);
    if (!paths || paths.length === 0) return command;
    const names = paths.map((path) => variableName(step.id, path));
    const query = paths.length === 1 ? paths[0] : `[${paths.join(', ')}]`;
    const captured = `${command} --query ${shellQuote(query as string)} --output text`;
    if (names.length === 1) return `${names[0]}=$(${captured})`;
    // Several fields: one call, its tab-separated answer split into the variables.
    // Assigned first, so `set -e` stops the script when the call fails (`set -- $(…)` would not).
    const output = `${step.id}_OUTPUT`.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
    return `${output}=$(${captured}); read -r ${names.join(' ')} <<< "$${output}"`;
  });
}
