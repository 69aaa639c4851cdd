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
