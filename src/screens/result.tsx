import { Box, Text, useInput, useStdout } from 'ink';
import type { ApplyOutcome } from '../plan/apply/executor.js';
import type { CliContext } from '../plan/render/cli-equivalent.js';
import { outcomeLines } from '../plan/render/outcome.js';
import type { Line } from '../plan/render/render.js';
import { escapeControl } from '../plan/render/sanitise.js';
import { rollbackCommand, undoLabel } from '../plan/render/undo-hint.js';
import { Footer } from './footer.js';
import { LinesView } from './lines-view.js';
import { tone } from './theme.js';
import { wrapLines } from './wrap-lines.js';

type Props = {
  readonly outcome: ApplyOutcome;
  readonly height: number;
  /** The endpoint and profile the apply used, for the undo command. */
  readonly cli?: Pick<CliContext, 'endpoint' | 'profile'>;
  readonly onExit: () => void;
};

/** `text` in rows of at most `width` characters, cut anywhere (a path has no spaces to break at). */
function chunk(text: string, width: number): string[] {
  const rows: string[] = [];
  for (let start = 0; start < text.length; start += width)
    rows.push(text.slice(start, start + width));
  return rows.length > 0 ? rows : [''];
}

/**
 * Where the journal is and the command that undoes it, each under its label
 * on rows of its own, whole however narrow the terminal: no indent and no
 * character left out, so the rows joined are exactly the path and the command.
 */
export function undoRows(
  outcome: Pick<ApplyOutcome, 'status' | 'journalPath'>,
  cli: Pick<CliContext, 'endpoint' | 'profile'>,
  width: number,
): Line[] {
  const usable = Math.max(20, width);
  return [
    { kind: 'note', text: 'Journal:' },
    ...chunk(escapeControl(outcome.journalPath), usable).map(
      (text): Line => ({ kind: 'note', text }),
    ),
    { kind: 'note', text: `${undoLabel(outcome)}:` },
    ...chunk(rollbackCommand(outcome.journalPath, cli), usable).map(
      (text): Line => ({ kind: 'command', text }),
    ),
  ];
}

/**
 * What holds now: every change's fate, one verdict, where the journal is and
 * how to undo it. The verdict and the undo stay in view below the changes,
 * however many scroll.
 */
export function Result({ outcome, height, cli = {}, onExit }: Props) {
  const { stdout } = useStdout();
  const width = stdout.columns || 80;
  useInput((input, key) => {
    if (key.return || input === 'q' || key.escape) onExit();
  });
  const lines = outcomeLines(outcome);
  const verdict = wrapLines(lines.slice(-1), width);
  const undo = undoRows(outcome, cli, width);
  // The heading, the verdict, the journal and undo rows and the footer (two rows) take their rows; the changes scroll in the rest.
  const body = lines.slice(0, -2);
  const tail = [...verdict, ...undo];
  return (
    <Box flexDirection="column">
      <Text {...tone('heading')}>Result</Text>
      <LinesView lines={body} height={height - 3 - tail.length} />
      {tail.map((line, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows of a few lines, never reordered
        <Text key={index} {...tone(line.kind)} wrap="truncate-end">
          {line.text}
        </Text>
      ))}
      <Footer hints={[{ keys: 'enter/q', action: 'exit' }]} />
    </Box>
  );
}
