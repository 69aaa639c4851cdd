/**
 * The posture screen, shown once a bucket is picked and read: every audit
 * control as it stands, and what the chosen preset's plan would do to it,
 * before the first step. Nothing here reads AWS: the posture is already read.
 */
import { Box, Text, useInput, useStdout } from 'ink';
import { useState } from 'react';
import type { PostureRow, PostureSummary } from '../plan/audit/posture-summary.js';
import { BACK, Footer, QUIT } from './footer.js';
import { type ToneName, tone } from './theme.js';

type Props = {
  readonly bucket: string;
  readonly preset: string;
  readonly summary: PostureSummary;
  readonly onNext: () => void;
  readonly onBack: () => void;
};

const SYMBOL = { pass: '✓', fail: '✗', unknown: '?' } as const;
const STATUS_TONE: Record<PostureRow['status'], ToneName> = {
  pass: 'add',
  fail: 'remove',
  unknown: 'warning',
};
const TITLE_WIDTH = 32;
/**
 * Lines around the rows: the wizard's header (2), the title and its line
 * (2), a gap, the selected row's detail (2), a gap, the summary and the
 * footer (3). The rows scroll within what is left, with a line saying how
 * many are out of view, so every control is reachable in 80×24.
 */
const AROUND_ROWS = 11;
/** The longest effect ("→ changed, still ✗"): the column that must never be cut. */
const EFFECT_WIDTH = 18;
/** The symbol, the title and the effect, with their gaps: what every width keeps. */
const KEPT_COLUMNS = 2 + TITLE_WIDTH + 1 + EFFECT_WIDTH + 1;
/** Narrower than this, the detail column is left out: the selected row's shows underneath. */
const MIN_DETAIL = 12;

function effect(row: PostureRow): { text: string; tone: ToneName } | null {
  if (row.planned === 'fixes') return { text: '→ fixed', tone: 'add' };
  if (row.planned === 'changes')
    return row.after === 'pass'
      ? { text: '→ changed', tone: 'change' }
      : { text: `→ changed, still ${SYMBOL[row.after]}`, tone: 'warning' };
  if (row.excepted) return { text: 'excepted', tone: 'muted' };
  if (row.status !== 'pass') return { text: 'left as is', tone: 'muted' };
  return null;
}

/** What the check found, after the exception that keeps it so ("excepted (public website); …"). */
function detailOf(row: PostureRow): string {
  return row.excepted ? `${row.excepted}${row.detail ? `; ${row.detail}` : ''}` : row.detail;
}

/** About how many lines `text` takes when wrapped at `columns` (words move whole, so one spare). */
function linesOf(text: string, columns: number): number {
  if (text.length <= columns) return 1;
  return Math.ceil(text.length / Math.max(1, columns - 8));
}

function pad(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

export function PostureScreen({ bucket, preset, summary, onNext, onBack }: Props) {
  // `i` swaps the detail column for the Security Hub (FSBP) and CIS control IDs.
  const [showIds, setShowIds] = useState(false);
  const { stdout } = useStdout();
  // The effect comes before the detail, so a narrow terminal cuts the detail, never the outcome.
  const detailWidth = (stdout.columns || 80) - KEPT_COLUMNS - 1;
  // ↑↓ pick a control; its whole detail shows under the table (the column cuts it).
  const [cursor, setCursor] = useState(0);
  const count = summary.rows.length;
  useInput((input, key) => {
    if (key.escape) return onBack();
    if (key.return) return onNext();
    if (input === 'i') setShowIds((shown) => !shown);
    if (key.upArrow) setCursor((at) => (at + count - 1) % count);
    if (key.downArrow) setCursor((at) => (at + 1) % count);
  });
  const at = Math.min(cursor, count - 1);
  const selected = summary.rows[at];
  const columns = stdout.columns || 80;
  const subtitle = `The audit's controls, and what ${preset} would do; each change is reviewed first.`;
  const detail = selected
    ? `${selected.title}: ${detailOf(selected)}${selected.ids ? ` (${selected.ids})` : ''}`
    : '';
  const failing = summary.rows.length - summary.holding;
  const excepted = summary.rows.filter((row) => row.excepted).length;
  const totals = `Holds ${summary.holding} of ${summary.rows.length}. ${preset} fixes ${summary.fixed} of ${failing}; ${summary.stillFailing} would not hold after it${excepted > 0 ? ` (${excepted} excepted)` : ''}.`;
  // On a narrow terminal the lines around the rows wrap: the rows give way,
  // so the screen never runs past the terminal's height (the header stays).
  const wrappedExtra =
    linesOf(subtitle, columns) -
    1 +
    linesOf(totals, columns) -
    1 +
    Math.max(0, linesOf(detail, columns) - 2);
  const fits = Math.max(4, (stdout.rows || 24) - AROUND_ROWS - wrappedExtra);
  // All rows when they fit; else a window around the cursor and one line for the rest.
  const shown = count <= fits ? count : fits - 1;
  const start = Math.min(Math.max(0, at - Math.floor(shown / 2)), count - shown);
  const above = start;
  const below = count - start - shown;
  return (
    <Box flexDirection="column">
      <Text {...tone('heading')}>{`Where ${bucket} stands now`}</Text>
      <Text {...tone('muted')}>{subtitle}</Text>
      <Box flexDirection="column" marginTop={1}>
        {summary.rows.slice(start, start + shown).map((row) => {
          const planned = effect(row);
          return (
            <Text key={row.id} wrap="truncate-end">
              <Text {...tone(STATUS_TONE[row.status])}>{`${SYMBOL[row.status]} `}</Text>
              <Text inverse={row === selected}>{pad(row.title, TITLE_WIDTH)}</Text>
              <Text> </Text>
              <Text {...tone(planned?.tone ?? 'muted')}>
                {(planned?.text ?? '').padEnd(EFFECT_WIDTH)}
              </Text>
              {detailWidth >= MIN_DETAIL ? (
                <Text
                  {...tone('muted')}
                >{` ${pad(showIds ? row.ids : detailOf(row), detailWidth)}`}</Text>
              ) : null}
            </Text>
          );
        })}
        {above + below > 0 ? (
          <Text {...tone('muted')}>
            {`  ${[above > 0 ? `↑ ${above} more` : '', below > 0 ? `↓ ${below} more` : ''].filter(Boolean).join('  ')}`}
          </Text>
        ) : null}
      </Box>
      {selected ? (
        <Text {...tone('muted')} wrap="wrap">
          {detail}
        </Text>
      ) : null}
      <Box marginTop={1}>
        <Text {...tone('summary')}>{totals}</Text>
      </Box>
      <Footer
        hints={[
          { keys: 'enter', action: 'to the steps' },
          { keys: '↑↓', action: 'detail' },
          { keys: 'i', action: showIds ? 'details' : 'FSBP/CIS IDs' },
          BACK,
          QUIT,
        ]}
      />
    </Box>
  );
}
