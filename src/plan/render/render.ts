/**
 * Renders the diff model as plan-style lines: a pure function from model to
 * lines tagged with a semantic kind, so Ink can colour them and `plan` can
 * print them. Symbols carry the meaning; colour only repeats it.
 */

import { type ChangeSymbol, diffPlan, type FieldDiffKind, type PlanCounts } from '../model/diff.js';
import type { Change, Plan } from '../model/types.js';
import { RESOURCES } from '../resources/index.js';
import type { ResourceSpec } from '../resources/spec.js';
import { type CliContext, cliScript } from './cli-equivalent.js';
import { documentDiff } from './document-diff.js';
import { escapeControl } from './sanitise.js';

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

/**
 * For a resource reviewed as one document (its spec has `document`, e.g. a
 * bucket policy): the whole document before and after as a line diff, every
 * line shown, "-" removed, "+" added. Null for field-by-field resources.
 */
export function documentLines(change: Change): Line[] | null {
  const spec = RESOURCES[change.resource] as ResourceSpec<unknown> | undefined;
  if (!spec?.document) return null;
  const before = change.before === null ? null : spec.document(change.before);
  const after = change.after === null ? null : spec.document(change.after);
  const lines: Line[] = [];
  if (before === null) lines.push({ kind: 'plain', text: '    (none before)' });
  for (const line of documentDiff(before, after)) {
    if (line.kind === 'same') lines.push({ kind: 'plain', text: `      ${line.text}` });
    else lines.push({ kind: line.kind, text: `    ${SYMBOL[line.kind]} ${line.text}` });
  }
  if (after === null) lines.push({ kind: 'plain', text: '    (none after)' });
  return lines;
}

/**
 * The plan as lines. Every line is escaped (./sanitise.ts): a plan file's
 * titles, skipped reasons and values cannot drive the terminal or the wizard.
 */
export function renderPlan(plan: Plan): Line[] {
  return planLines(plan).map((line) => ({ ...line, text: escapeControl(line.text) }));
}

function planLines(plan: Plan): Line[] {
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
    const whole = documentLines(change);
    if (whole) lines.push(...whole);
    const width = Math.max(...entry.fields.map((field) => field.path.length), 0);
    for (const field of whole ? [] : entry.fields) {
      const name = field.path.padEnd(width);
      const value =
        field.kind === 'change'
          ? `${formatValue(field.before)} -> ${formatValue(field.after)}`
          : formatValue(field.kind === 'add' ? field.after : field.before);
      lines.push({ kind: field.kind, text: `    ${SYMBOL[field.kind]} ${name}  ${value}` });
    }
    if (!whole && entry.fields.length === 0) {
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
  for (const command of cliScript(plan.changes, context)) {
    lines.push({ kind: 'command', text: `  ${escapeControl(command)}` });
  }
  return lines;
}

export function linesToText(lines: readonly Line[]): string {
  return lines.map((line) => line.text).join('\n');
}
