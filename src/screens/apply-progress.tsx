import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import type { ChangeResult } from '../plan/apply/executor.js';
import { applyPhase, resultLines, STATUS_MARK } from '../plan/render/outcome.js';
import { tone } from './theme.js';

type Props = {
  readonly results: readonly ChangeResult[];
  /** What the operator's Ctrl+C does (roll back, or keep what is all applied); null before one. */
  readonly cancelling: string | null;
};

const HINT = {
  writing: 'ctrl+c cancels and rolls back',
  verifying: 'every change applied: reading them back',
  'rolling-back': 'rolling back',
} as const;

/** One line per change: a spinner while its call runs, then ✓ / ✗ / ↶ / !. */
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
          <Text {...tone('warning')}>{cancelling}</Text>
        ) : (
          <Text {...tone('muted')}>{HINT[applyPhase(results)]}</Text>
        )}
      </Box>
    </Box>
  );
}
