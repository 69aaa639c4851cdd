/**
 * How a fleet apply ended, bucket by bucket: the result of each section, the
 * summary table that ends `apply fleet.json`, and its exit code. Pure.
 */
import type { driftDetails } from '../apply/drift.js';
import type { ApplyOutcome } from '../apply/executor.js';
import type { Line, LineKind } from '../render/render.js';
import { plural, wrapWords } from './render.js';

export type SectionResultStatus =
  | 'applied'
  /** Applied, but a fresh read does not show every planned value. */
  | 'unverified'
  | 'rolled-back'
  | 'rollback-incomplete'
  /** Its drift check failed (or the bucket could not be read): nothing written. */
  | 'stale'
  /** Everything it writes already reads as it leaves it (an earlier run): nothing to do. */
  | 'already-applied'
  /** Not attempted: an earlier failure stopped the run, or Ctrl+C. */
  | 'not-run'
  /** Not started: another run holds the bucket, or an earlier apply to it never finished. */
  | 'refused'
  /** The section has no change. */
  | 'unchanged';

export interface SectionResult {
  /** The bucket, or "account 123456789012" for the account section. */
  readonly label: string;
  readonly changes: number;
  readonly status: SectionResultStatus;
  /** Why it is stale (one short line), or the error that stopped its apply. */
  readonly detail?: string;
  /** Why it is stale, resource by resource with the values: for the JSON view only. */
  readonly drift?: ReturnType<typeof driftDetails>;
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
    result.status === 'rollback-incomplete' ||
    result.status === 'refused'
  );
}

const TEXT: Record<SectionResultStatus, string> = {
  applied: 'applied',
  unverified: 'applied, unverified',
  'rolled-back': 'rolled back',
  'rollback-incomplete': 'ROLLBACK INCOMPLETE',
  stale: 'stale, skipped',
  'already-applied': 'already applied',
  'not-run': 'not run',
  refused: 'refused, skipped',
  unchanged: 'no changes',
};

const MARK: Record<SectionResultStatus, string> = {
  applied: '✓',
  unverified: '?',
  'rolled-back': '↶',
  'rollback-incomplete': '‼',
  stale: '≠',
  'already-applied': '✓',
  'not-run': '·',
  refused: '×',
  unchanged: '=',
};

const KIND: Record<SectionResultStatus, LineKind> = {
  applied: 'add',
  unverified: 'warning',
  'rolled-back': 'change',
  'rollback-incomplete': 'irreversible',
  stale: 'warning',
  'already-applied': 'note',
  'not-run': 'note',
  refused: 'warning',
  unchanged: 'note',
};

/** Applied now or by an earlier run, or nothing to do: what a retry leaves alone. */
const DONE: readonly SectionResultStatus[] = ['applied', 'already-applied', 'unchanged'];

/** 0 every section applied (now or before, or had nothing to do), 3 any rollback incomplete, else 1. */
export function fleetExitCode(results: readonly SectionResult[]): 0 | 1 | 3 {
  if (results.some((result) => result.status === 'rollback-incomplete')) return 3;
  return results.every((result) => DONE.includes(result.status)) ? 0 : 1;
}

/** The machine view of one section's result (`apply --json`), less its label. */
export function resultJson(result: SectionResult) {
  return {
    status: result.status,
    changes: result.changes,
    ...(result.detail ? { detail: result.detail } : {}),
    ...(result.drift ? { drift: result.drift } : {}),
    ...(result.journalPath ? { journal: result.journalPath } : {}),
  };
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
      const detail = result.status === 'stale' ? `stale: ${result.detail}` : result.detail;
      for (const text of wrapWords(detail, '    ')) lines.push({ kind: 'note', text });
    }
    if (result.journalPath)
      lines.push({ kind: 'note', text: `    journal: ${result.journalPath}` });
  }
  lines.push({ kind: 'plain', text: '' });
  const { kind, text } = verdict(results);
  for (const line of wrapWords(text, '', '')) lines.push({ kind, text: line });
  return lines;
}

function verdict(results: readonly SectionResult[]): Line {
  const count = (status: SectionResultStatus) =>
    results.filter((result) => result.status === status).length;
  const applied = count('applied');
  const code = fleetExitCode(results);
  if (code === 0) {
    const others = [
      ...(count('already-applied') > 0 ? [`${count('already-applied')} already applied`] : []),
      ...(count('unchanged') > 0 ? [`${count('unchanged')} without changes`] : []),
    ].join(', ');
    return {
      kind: 'summary',
      text:
        applied > 0
          ? `Fleet apply complete: ${plural(applied, 'section')} applied and verified${others ? `, ${others}` : ''}.`
          : `Fleet apply complete: nothing to do (${others}).`,
    };
  }
  const parts = (
    [
      ['applied', applied],
      ['already applied', count('already-applied')],
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
