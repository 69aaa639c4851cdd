/**
 * The review's AWS CLI equivalents as a file to run with bash: `set -euo
 * pipefail`, then each change's command (from cliScript, so outputs a later
 * command needs are captured in shell variables) under a comment naming it.
 */
import type { Plan } from '../model/types.js';
import { type CliContext, cliScript } from './cli-equivalent.js';
import { escapeControl } from './sanitise.js';

export function cliScriptFile(plan: Plan, context: CliContext = {}): string {
  const { bucket, accountId, region } = plan.target;
  const commands = cliScript(plan.changes, context);
  const lines = [
    '#!/usr/bin/env bash',
    `# s3-harden: the plan for bucket ${bucket} (account ${accountId}, ${region}) as AWS CLI commands.`,
    '# Run with: bash FILE. Unlike s3-harden apply, it keeps no journal and undoes nothing on failure.',
    'set -euo pipefail',
  ];
  plan.changes.forEach((change, index) => {
    lines.push(
      '',
      `# ${change.id}: ${change.title}`.replace(/[\r\n]+/g, ' '),
      commands[index] as string,
    );
  });
  return `${lines.map(escapeControl).join('\n')}\n`;
}
