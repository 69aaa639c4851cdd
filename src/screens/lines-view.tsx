import { Box, Text, useInput, useStdout } from 'ink';
import { useEffect, useMemo, useState } from 'react';
import type { Line } from '../plan/render/render.js';
import { tone } from './theme.js';
import { wrapLines } from './wrap-lines.js';

type Props = {
  readonly lines: readonly Line[];
  /** Rows available; longer content scrolls with ↑↓ / PgUp PgDn. */
  readonly height: number;
  /** Whether this view hears the arrow keys. */
  readonly isActive?: boolean;
};

/** Plan-style lines in a viewport that scrolls when they do not fit. */
export function LinesView({ lines: given, height, isActive = true }: Props) {
  const { stdout } = useStdout();
  const width = stdout.columns || 80;
  const lines = useMemo(() => wrapLines(given, width), [given, width]);
  const rows = Math.max(3, height);
  const scrollable = lines.length > rows;
  const visible = scrollable ? rows - 1 : rows;
  const maxOffset = Math.max(0, lines.length - visible);
  const [offset, setOffset] = useState(0);
  useEffect(() => {
    setOffset((current) => Math.min(current, maxOffset));
  }, [maxOffset]);

  useInput(
    (_input, key) => {
      if (key.upArrow) setOffset((current) => Math.max(0, current - 1));
      if (key.downArrow) setOffset((current) => Math.min(maxOffset, current + 1));
      if (key.pageUp) setOffset((current) => Math.max(0, current - visible));
      if (key.pageDown) setOffset((current) => Math.min(maxOffset, current + visible));
    },
    { isActive: isActive && scrollable },
  );

  const shown = lines.slice(offset, offset + visible);
  return (
    <Box flexDirection="column">
      {shown.map((line, index) => (
        // Lines have no identity beyond their position in the viewport.
        // biome-ignore lint/suspicious/noArrayIndexKey: position is the identity here
        <Text key={offset + index} {...tone(line.kind)} wrap="truncate-end">
          {line.text || ' '}
        </Text>
      ))}
      {scrollable ? (
        <Text {...tone('muted')}>
          {`lines ${offset + 1}–${offset + shown.length} of ${lines.length}  ↑↓ PgUp PgDn scroll`}
        </Text>
      ) : null}
    </Box>
  );
}
