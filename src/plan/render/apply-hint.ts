/**
 * The "apply later" command the wizard shows after saving a plan: the way
 * the operator runs s3-harden from where they are (../../commands/invocation.ts),
 * the file, and the connection the review used.
 */
import { type CliContext, shellQuote } from './cli-equivalent.js';
import { escapeControl } from './sanitise.js';

export function applyLaterCommand(invocation: string, path: string, cli: CliContext = {}): string {
  const parts = [invocation, 'apply', shellQuote(path)];
  if (cli.profile) parts.push('--profile', shellQuote(cli.profile));
  if (cli.region) parts.push('--region', shellQuote(cli.region));
  if (cli.endpoint) parts.push('--endpoint-url', shellQuote(cli.endpoint));
  return escapeControl(parts.join(' '));
}

/** Said under the command in the demo: the plan names buckets that live only in its emulator. */
export const DEMO_GONE =
  'Demo: the emulator and its buckets are gone when the demo quits; this plan applies only while it runs.';
