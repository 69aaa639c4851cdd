/**
 * Text for fleet plans: the heading of each section, the account section's
 * wording, and the summary that ends `plan` for many buckets. Pure, like
 * render.ts: lines tagged with a kind, coloured by the caller.
 */
import { diffPlan, type PlanCounts } from '../model/diff.js';
import type { Plan } from '../model/types.js';
import { type Line, summaryLine } from '../render/render.js';
import { accountSections, type FleetPlan } from './fleet.js';

const WIDTH = 80;

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** "── text ────" out to the width; the rule shrinks (or goes) for a long text. */
function ruled(text: string): Line {
  const room = WIDTH - text.length - 4;
  return { kind: 'heading', text: room > 0 ? `── ${text} ${'─'.repeat(room)}` : `── ${text}` };
}

/**
 * A section's heading: "── title: detail ───" on one line when it fits in
 * the width, else the detail on a line of its own (a bucket name is never cut).
 */
function headingLines(title: string, detail: string): Line[] {
  const text = `${title}: ${detail}`;
  return text.length + 3 <= WIDTH
    ? [ruled(text)]
    : [ruled(`${title}:`), { kind: 'heading', text: `   ${detail}` }];
}

/** "Bucket logs-a: 3 changes" (a rule above it keeps sections apart when scrolling). */
export function sectionHeading(plan: Plan): Line[] {
  return headingLines(`Bucket ${plan.target.bucket}`, plural(plan.changes.length, 'change'));
}

export function accountHeading(plan: Plan): Line[] {
  return headingLines(
    `Account ${plan.target.accountId} (${plan.target.region})`,
    `${plural(plan.changes.length, 'change')}, applied first`,
  );
}

/** The account section rendered as a plan: its heading names the account, not a bucket. */
export function accountPlanLines(plan: Plan, lines: readonly Line[]): Line[] {
  const { accountId, region } = plan.target;
  return lines.map((line) =>
    line.kind === 'heading' && line.text.startsWith('Changes to bucket ')
      ? { kind: 'heading', text: `Account-wide changes (account ${accountId}, ${region}):` }
      : line,
  );
}

/**
 * A bucket section rendered as a plan: a "Changes to bucket …" heading too
 * long for the width (a long bucket name) leaves the name to the section's
 * own heading, just above it.
 */
export function bucketPlanLines(plan: Plan, lines: readonly Line[]): Line[] {
  const { accountId, region } = plan.target;
  return lines.map((line) =>
    line.kind === 'heading' &&
    line.text.startsWith('Changes to bucket ') &&
    line.text.length > WIDTH
      ? { kind: 'heading', text: `Changes to the bucket (account ${accountId}, ${region}):` }
      : line,
  );
}

/** `names` joined with ", " and wrapped to the terminal width under `indent`. */
export function wrapList(names: readonly string[], indent: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (const [index, name] of names.entries()) {
    const item = index < names.length - 1 ? `${name},` : name;
    if (current && indent.length + current.length + 1 + item.length > WIDTH) {
      lines.push(`${indent}${current}`);
      current = item;
    } else current = current ? `${current} ${item}` : item;
  }
  if (current) lines.push(`${indent}${current}`);
  return lines;
}

/**
 * `text` wrapped at spaces to the terminal width: the first line under
 * `indent`, the others under `hanging` (two more spaces by default). A word
 * longer than the width (a path, a name) stays whole on its own line.
 */
export function wrapWords(text: string, indent: string, hanging = `${indent}  `): string[] {
  const lines: string[] = [];
  let current = indent;
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && current.length + 1 + word.length > WIDTH) {
      lines.push(current);
      current = `${hanging}${word}`;
    } else {
      current = empty ? `${current}${word}` : `${current} ${word}`;
    }
    empty = false;
  }
  lines.push(current);
  return lines;
}

function addCounts(total: PlanCounts, counts: PlanCounts): PlanCounts {
  return {
    add: total.add + counts.add,
    change: total.change + counts.change,
    remove: total.remove + counts.remove,
    irreversible: total.irreversible + counts.irreversible,
  };
}

/** The counts of every section together. */
export function fleetCounts(fleet: FleetPlan): PlanCounts {
  const plans = [...accountSections(fleet), ...fleet.sections];
  return plans.reduce<PlanCounts>((total, plan) => addCounts(total, diffPlan(plan).counts), {
    add: 0,
    change: 0,
    remove: 0,
    irreversible: 0,
  });
}

/** The regions the fleet's sections are in, in order of first appearance (the file's when none). */
export function fleetRegions(fleet: FleetPlan): string[] {
  const plans = [...accountSections(fleet), ...fleet.sections];
  const regions = [...new Set(plans.map((plan) => plan.target.region))];
  return regions.length > 0 ? regions : [fleet.region];
}

/** Buckets with changes, already compliant, skipped with reasons; then the fleet's totals. */
export function fleetSummaryLines(fleet: FleetPlan): Line[] {
  const changing = fleet.sections.filter((plan) => plan.changes.length > 0);
  const compliant = fleet.sections.filter((plan) => plan.changes.length === 0);
  const lines: Line[] = [
    {
      kind: 'heading',
      text: `Fleet plan for account ${fleet.accountId} (${fleetRegions(fleet).join(', ')}), preset ${fleet.preset}:`,
    },
  ];
  const accounts = accountSections(fleet);
  if (accounts.length > 0) {
    const total = accounts.reduce((sum, plan) => sum + plan.changes.length, 0);
    const where =
      accounts.length > 1 ? ` (in ${accounts.map((plan) => plan.target.region).join(', ')})` : '';
    lines.push({
      kind: 'plain',
      text: `  Account-wide: ${plural(total, 'change')}${where}, applied before the buckets.`,
    });
  }
  if (changing.length > 0) {
    lines.push({ kind: 'plain', text: `  ${plural(changing.length, 'bucket')} with changes:` });
    // Several regions: each bucket says its own.
    const several = fleetRegions(fleet).length > 1;
    const items = changing.map(
      (plan) =>
        `${plan.target.bucket} (${several ? `${plan.target.region}, ` : ''}${plural(plan.changes.length, 'change')})`,
    );
    for (const text of wrapList(items, '    ')) lines.push({ kind: 'plain', text });
  }
  if (compliant.length > 0) {
    lines.push({
      kind: 'plain',
      text: `  ${plural(compliant.length, 'bucket')} already compliant:`,
    });
    const names = compliant.map((plan) => plan.target.bucket);
    for (const text of wrapList(names, '    ')) lines.push({ kind: 'plain', text });
  }
  if (fleet.skipped.length > 0) {
    lines.push({ kind: 'warning', text: `  ${plural(fleet.skipped.length, 'bucket')} skipped:` });
    for (const entry of fleet.skipped) {
      for (const text of wrapWords(`${entry.bucket}: ${entry.reason}`, '    ')) {
        lines.push({ kind: 'warning', text });
      }
    }
  }
  lines.push({ kind: 'plain', text: '' });
  if (!fleet.account && changing.length === 0) {
    lines.push({ kind: 'summary', text: 'No changes. Every bucket planned already matches.' });
  } else {
    lines.push({
      kind: 'summary',
      text: summaryLine(fleetCounts(fleet)).replace(/^Plan:/, 'Fleet plan:'),
    });
  }
  return lines;
}
