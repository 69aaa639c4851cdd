import { Box, Text, useStdout } from 'ink';
import { tone } from './theme.js';

export interface KeyHint {
  readonly keys: string;
  readonly action: string;
}

type Props = {
  /** The keys this screen listens to, most useful first. */
  readonly hints: readonly KeyHint[];
};

const GAP = '  ';

/**
 * The hints that fit on one line of `columns`, most useful first: a hint is
 * shown whole or not at all, never cut in the middle ("ctrl+c q…"), and the
 * line stays one line, so screens can count on its height.
 */
export function fittingHints(hints: readonly KeyHint[], columns: number): KeyHint[] {
  const shown: KeyHint[] = [];
  let used = 0;
  for (const hint of hints) {
    const width = (shown.length > 0 ? GAP.length : 0) + hint.keys.length + 1 + hint.action.length;
    if (used + width > columns) break;
    shown.push(hint);
    used += width;
  }
  return shown;
}

export function Footer({ hints }: Props) {
  const { stdout } = useStdout();
  const shown = fittingHints(hints, stdout.columns || 80);
  return (
    <Box marginTop={1}>
      <Text wrap="truncate-end">
        {shown.map((hint, index) => (
          <Text key={hint.keys}>
            {index > 0 ? GAP : ''}
            <Text {...tone('key')}>{hint.keys}</Text>
            <Text {...tone('muted')}> {hint.action}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}

export const QUIT: KeyHint = { keys: 'ctrl+c', action: 'quit' };
export const BACK: KeyHint = { keys: 'esc', action: 'back' };
