import { Box, Text, useInput, useStdout } from 'ink';
import type { ApplyOutcome } from '../plan/apply/executor.js';
import { outcomeLines } from '../plan/render/outcome.js';
import { Footer } from './footer.js';
import { LinesView } from './lines-view.js';
import { tone } from './theme.js';
import { wrapLines } from './wrap-lines.js';

type Props = {
  readonly outcome: ApplyOutcome;
  readonly height: number;
  readonly onExit: () => void;
};

/**
 * What holds now: every change's fate, one verdict, and where the journal
 * is. The verdict stays in view below the changes, however many scroll.
 */
export function Result({ outcome, height, onExit }: Props) {
  const { stdout } = useStdout();
  const width = stdout.columns || 80;
  useInput((input, key) => {
    if (key.return || input === 'q' || key.escape) onExit();
  });
  const lines = outcomeLines(outcome);
  const verdict = wrapLines(lines.slice(-1), width);
  // The heading, the verdict, the journal line and the footer (two rows) take their rows; the changes scroll in the rest.
  const body = lines.slice(0, -2);
  return (
    <Box flexDirection="column">
      <Text {...tone('heading')}>Result</Text>
      <LinesView lines={body} height={height - 4 - verdict.length} />
      {verdict.map((line, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: wrapped rows of one line
        <Text key={index} {...tone(line.kind)}>
          {line.text}
        </Text>
      ))}
      <Text {...tone('muted')} wrap="truncate-end">{`Journal: ${outcome.journalPath}`}</Text>
      <Footer hints={[{ keys: 'enter/q', action: 'exit' }]} />
    </Box>
  );
}
