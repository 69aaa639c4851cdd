import { Box, Text } from 'ink';
import { tone } from './theme.js';

export interface KeyHint {
  readonly keys: string;
  readonly action: string;
}

type Props = {
  /** The keys this screen listens to, most useful first. */
  readonly hints: readonly KeyHint[];
};

export function Footer({ hints }: Props) {
  return (
    <Box marginTop={1}>
      <Text wrap="truncate-end">
        {hints.map((hint, index) => (
          <Text key={hint.keys}>
            {index > 0 ? '  ' : ''}
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
