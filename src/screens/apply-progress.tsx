import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import type { ChangeResult } from '../plan/executor.js';
import { resultLines, STATUS_MARK } from '../plan/render-outcome.js';
import { tone } from './theme.js';

type Props = {
  readonly results: readonly ChangeResult[];
  /** The operator pressed Ctrl+C: the call in flight finishes, then everything rolls back. */
  readonly cancelling: boolean;
};

/** One line per change: a spinner while its call runs, then ✓ / ✗ / ↶. */
export function ApplyProgress({ results, cancelling }: Props) {
  const done = results.filter(
    (result) => result.status !== 'pending' && result.status !== 'applying',
  ).length;
  return (
    <Box flexDirection="column">
      <Text {...tone('heading')}>{`Applying (${done} of ${results.length})`}</Text>
      {results.map((result) => {
        const busy = result.status === 'applying' || result.status === 'rolling-back';
        const [line] = resultLines(result);
        return (
          <Text key={result.change.id} {...tone(line?.kind ?? 'plain')} wrap="truncate-end">
            {busy ? <Spinner type="dots" /> : STATUS_MARK[result.status]}
            {` ${line?.text.slice(2) ?? result.change.title}`}
          </Text>
        );
      })}
      <Box marginTop={1}>
        {cancelling ? (
          <Text {...tone('warning')}>
            Cancelling: finishing the call in flight, then rolling back what was applied…
          </Text>
        ) : (
          <Text {...tone('muted')}>ctrl+c cancels and rolls back</Text>
        )}
      </Box>
    </Box>
  );
}
