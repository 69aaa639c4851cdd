/**
 * How a fleet apply ended, bucket by bucket: the result of each section, the
 * summary table that ends `apply fleet.json`, and its exit code. Pure.
 */
import type { ApplyOutcome } from './executor.js';
import { plural } from './fleet-render.js';
import type { Line, LineKind } from './render.js';

export type SectionResultStatus =
  | 'applied'
  /** Applied, but a fresh read does not show every planned value. */
  | 'unverified'
  | 'rolled-back'
  | 'rollback-incomplete'
  /** Its drift check failed (or the bucket could not be read): nothing written. */
  | 'stale'
  /** Not attempted: an earlier failure stopped the run, or Ctrl+C. */
  | 'not-run'
  /** The section has no change. */
  | 'unchanged';

export interface SectionResult {
  /** The bucket, or "account 123456789012" for the account section. */
  readonly label: string;
  readonly changes: number;
  readonly status: SectionResultStatus;
  /** Why it is stale, or the error that stopped its apply. */
  readonly detail?: string;
  /** The section's journal, for any result but applied (for `s3-harden rollback`). */
  readonly journalPath?: string;
}

/** The result of a section that was applied (ended by executePlan). */
export function resultOf(label: string, changes: number, outcome: ApplyOutcome): SectionResult {
  const base = { label, changes };
  if (outcome.status === 'applied') {
    return outcome.results.every((result) => result.verified !== false)
      ? { ...base, status: 'applied' }
      : { ...base, status: 'unverified', journalPath: outcome.journalPath };
  }
  return {
    ...base,
    status: outcome.status,
    journalPath: outcome.journalPath,
    ...(outcome.error ? { detail: outcome.error } : {}),
  };
}

/** Whether this result ends the run under --on-error stop. */
export function isFailure(result: SectionResult): boolean {
  return (
    result.status === 'unverified' ||
    result.status === 'rolled-back' ||
    result.status === 'rollback-incomplete'
  );
}

const TEXT: Record<SectionResultStatus, string> = {
  applied: 'applied',
  unverified: 'applied, unverified',
  'rolled-back': 'rolled back',
  'rollback-incomplete': 'ROLLBACK INCOMPLETE',
  stale: 'stale, skipped',
  'not-run': 'not run',
  unchanged: 'no changes',
};

const MARK: Record<SectionResultStatus, string> = {
  applied: '✓',
  unverified: '?',
  'rolled-back': '↶',
  'rollback-incomplete': '‼',
  stale: '≠',
  'not-run': '·',
  unchanged: '=',
};

const KIND: Record<SectionResultStatus, LineKind> = {
  applied: 'add',
  unverified: 'warning',
  'rolled-back': 'change',
  'rollback-incomplete': 'irreversible',
  stale: 'warning',
  'not-run': 'note',
  unchanged: 'note',
};

/** 0 every section applied (or had nothing to do), 3 any rollback incomplete, else 1. */
export function fleetExitCode(results: readonly SectionResult[]): 0 | 1 | 3 {
  if (results.some((result) => result.status === 'rollback-incomplete')) return 3;
  const done = results.every(
    (result) => result.status === 'applied' || result.status === 'unchanged',
  );
  return done ? 0 : 1;
}

/** One line per section (bucket, result, changes), journals under the failures, a verdict. */
export function fleetSummaryTable(results: readonly SectionResult[]): Line[] {
  const width = Math.min(40, Math.max(6, ...results.map((result) => result.label.length)));
  const resultWidth = Math.max(...Object.values(TEXT).map((text) => text.length));
  const lines: Line[] = [
    {
      kind: 'heading',
      text: `  ${'Bucket'.padEnd(width)}  ${'Result'.padEnd(resultWidth)}  Changes`,
    },
  ];
  for (const result of results) {
    const columns = `${TEXT[result.status].padEnd(resultWidth)}  ${result.changes}`;
    const kind = KIND[result.status];
    // A name too long for its column gets a line of its own: names are never cut.
    if (result.label.length > width) {
      lines.push({ kind, text: `${MARK[result.status]} ${result.label}` });
      lines.push({ kind, text: `  ${''.padEnd(width)}  ${columns}` });
    } else {
      lines.push({
        kind,
        text: `${MARK[result.status]} ${result.label.padEnd(width)}  ${columns}`,
      });
    }
    if (result.detail && result.status !== 'applied') {
      lines.push({ kind: 'note', text: `    ${result.detail}` });
    }
    if (result.journalPath)
      lines.push({ kind: 'note', text: `    journal: ${result.journalPath}` });
  }
  lines.push({ kind: 'plain', text: '' });
  lines.push(verdict(results));
  return lines;
}

function verdict(results: readonly SectionResult[]): Line {
  const count = (status: SectionResultStatus) =>
    results.filter((result) => result.status === status).length;
  const applied = count('applied');
  const code = fleetExitCode(results);
  if (code === 0) {
    return {
      kind: 'summary',
      text: `Fleet apply complete: ${plural(applied, 'section')} applied and verified${count('unchanged') > 0 ? `, ${count('unchanged')} without changes` : ''}.`,
    };
  }
  const parts = (
    [
      ['applied', applied],
      ['applied but unverified', count('unverified')],
      ['rolled back', count('rolled-back')],
      ['with an incomplete rollback', count('rollback-incomplete')],
      ['stale and skipped', count('stale')],
      ['not run', count('not-run')],
    ] as const
  )
    .filter(([, n]) => n > 0)
    .map(([what, n]) => `${n} ${what}`);
  return code === 3
    ? {
        kind: 'irreversible',
        text: `Fleet apply failed and a rollback is incomplete (${parts.join(', ')}): run the commands above, then s3-harden rollback JOURNAL.`,
      }
    : { kind: 'warning', text: `Fleet apply incomplete: ${parts.join(', ')}.` };
}
