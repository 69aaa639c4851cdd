import { Box, Text, useInput } from 'ink';
import type { ApplyOutcome } from '../plan/apply/executor.js';
import { outcomeLines } from '../plan/render/outcome.js';
import { Footer } from './footer.js';
import { LinesView } from './lines-view.js';
import { tone } from './theme.js';

type Props = {
  readonly outcome: ApplyOutcome;
  readonly height: number;
  readonly onExit: () => void;
};

/** What holds now: every change's fate, one verdict, and where the journal is. */
export function Result({ outcome, height, onExit }: Props) {
  useInput((input, key) => {
    if (key.return || input === 'q' || key.escape) onExit();
  });
  return (
    <Box flexDirection="column">
      <Text {...tone('heading')}>Result</Text>
      <LinesView lines={outcomeLines(outcome)} height={height - 2} />
      <Text {...tone('muted')} wrap="truncate-end">{`Journal: ${outcome.journalPath}`}</Text>
      <Footer hints={[{ keys: 'enter/q', action: 'exit' }]} />
    </Box>
  );
}
