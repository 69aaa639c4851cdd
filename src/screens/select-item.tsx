import { Box, Text } from 'ink';
import { tone } from './theme.js';

type Props = {
  readonly isSelected?: boolean;
  readonly label: string;
};

/** ink-select-input items in the project's theme: the pointer carries the selection, colour repeats it. */
export function SelectItem({ isSelected = false, label }: Props) {
  return (
    <Text {...(isSelected ? tone('accent') : {})} wrap="truncate-end">
      {label}
    </Text>
  );
}

/** Never shrunk: on a narrow terminal the label is cut, not the pointer's gap. */
export function SelectIndicator({ isSelected = false }: { readonly isSelected?: boolean }) {
  return (
    <Box flexShrink={0}>
      <Text {...tone('accent')}>{isSelected ? '› ' : '  '}</Text>
    </Box>
  );
}
