/**
 * Renders the diff model as plan-style lines: a pure function from model to
 * lines tagged with a semantic kind, so Ink can colour them and `plan` can
 * print them. Symbols carry the meaning; colour only repeats it.
 */
import { type CliContext, cliCommand } from './cli-equivalent.js';
import { type ChangeSymbol, diffPlan, type FieldDiffKind, type PlanCounts } from './diff.js';
import type { Plan } from './types.js';

export type LineKind =
  | 'heading'
  | 'add'
  | 'change'
  | 'remove'
  | 'irreversible'
  | 'warning'
  | 'note'
  | 'command'
  | 'summary'
  | 'plain';

export interface Line {
  readonly kind: LineKind;
  readonly text: string;
}

const SYMBOL: Record<ChangeSymbol | FieldDiffKind, string> = {
  add: '+',
  change: '~',
  remove: '-',
  irreversible: '!',
};

const LEGEND: Record<ChangeSymbol, string> = {
  add: '+ add',
  change: '~ change',
  remove: '- remove',
  irreversible: '! irreversible',
};

/** A value as a reviewer reads it: absent, JSON scalars, compact JSON otherwise. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '(absent)';
  return JSON.stringify(value);
}

export function summaryLine(counts: PlanCounts): string {
  return (
    `Plan: ${counts.add} to add, ${counts.change} to change, ${counts.remove} to remove` +
    ` (${counts.irreversible} irreversible).`
  );
}

export const NO_CHANGES = 'No changes. The bucket already matches.';

export function renderPlan(plan: Plan): Line[] {
  const diff = diffPlan(plan);
  const { bucket, accountId, region } = plan.target;
  const lines: Line[] = [];
  for (const skipped of plan.skipped) {
    lines.push({ kind: 'note', text: `Skipped ${skipped.step}: ${skipped.reason}` });
  }
  if (diff.changes.length === 0) {
    lines.push({ kind: 'summary', text: NO_CHANGES });
    return lines;
  }
  lines.push({
    kind: 'heading',
    text: `Changes to bucket ${bucket} (account ${accountId}, ${region}):`,
  });
  const used = new Set(diff.changes.map((entry) => entry.symbol));
  lines.push({
    kind: 'plain',
    text: `Symbols: ${[...used].map((symbol) => LEGEND[symbol]).join('  ')}`,
  });
  for (const entry of diff.changes) {
    const { change } = entry;
    lines.push({ kind: 'plain', text: '' });
    const operation = `${change.call.service}:${change.call.operation}`;
    lines.push({
      kind: entry.symbol,
      text: `${SYMBOL[entry.symbol]} ${change.title}  (${operation})`,
    });
    const width = Math.max(...entry.fields.map((field) => field.path.length), 0);
    for (const field of entry.fields) {
      const name = field.path.padEnd(width);
      const value =
        field.kind === 'change'
          ? `${formatValue(field.before)} -> ${formatValue(field.after)}`
          : formatValue(field.kind === 'add' ? field.after : field.before);
      lines.push({ kind: field.kind, text: `    ${SYMBOL[field.kind]} ${name}  ${value}` });
    }
    if (entry.fields.length === 0) {
      lines.push({
        kind: 'plain',
        text: `    ${formatValue(change.before)} -> ${formatValue(change.after)}`,
      });
    }
    if (entry.irreversible) {
      lines.push({ kind: 'irreversible', text: '    ! cannot be undone by s3-harden' });
    }
    for (const warning of change.warnings) {
      lines.push({ kind: 'warning', text: `    warning: ${warning}` });
    }
  }
  lines.push({ kind: 'plain', text: '' });
  lines.push({ kind: 'summary', text: summaryLine(diff.counts) });
  return lines;
}

/** The AWS CLI commands that would make the same changes, in order. */
export function renderCliCommands(plan: Plan, context: CliContext = {}): Line[] {
  if (plan.changes.length === 0) return [];
  const lines: Line[] = [{ kind: 'heading', text: 'Equivalent AWS CLI commands:' }];
  for (const change of plan.changes) {
    lines.push({ kind: 'command', text: `  ${cliCommand(change.call, context)}` });
  }
  return lines;
}

export function linesToText(lines: readonly Line[]): string {
  return lines.map((line) => line.text).join('\n');
}
