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
  /** Indices in `lines` that `n` / `p` jump to (a change's header), scrolled to the top. */
  readonly anchors?: readonly number[];
  /** The anchor (its position in `anchors`) to open at; the top when absent. */
  readonly start?: number;
  /** An index in `lines` kept in view (a cursor the caller moves), scrolling as little as it can. */
  readonly focus?: number;
};

/** Plan-style lines in a viewport that scrolls when they do not fit. */
export function LinesView({
  lines: given,
  height,
  isActive = true,
  anchors = [],
  start,
  focus,
}: Props) {
  const { stdout } = useStdout();
  const width = stdout.columns || 80;
  // Each given line's first row once wrapped, so an anchor is found among the rows.
  const { lines, firstRow } = useMemo(() => {
    const rows: Line[] = [];
    const first: number[] = [];
    for (const line of given) {
      first.push(rows.length);
      rows.push(...wrapLines([line], width));
    }
    return { lines: rows, firstRow: first };
  }, [given, width]);
  const rows = Math.max(3, height);
  const scrollable = lines.length > rows;
  const visible = scrollable ? rows - 1 : rows;
  const maxOffset = Math.max(0, lines.length - visible);
  const anchorRows = useMemo(
    () => anchors.map((index) => firstRow[index] ?? 0),
    [anchors, firstRow],
  );
  const [offset, setOffset] = useState(() =>
    start === undefined ? 0 : Math.min(maxOffset, anchorRows[start] ?? 0),
  );
  useEffect(() => {
    setOffset((current) => Math.min(current, maxOffset));
  }, [maxOffset]);

  const focusRow = focus === undefined ? undefined : firstRow[focus];
  useEffect(() => {
    if (focusRow === undefined) return;
    setOffset((current) =>
      focusRow < current
        ? focusRow
        : focusRow >= current + visible
          ? Math.min(maxOffset, focusRow - visible + 1)
          : current,
    );
  }, [focusRow, visible, maxOffset]);

  useInput(
    (input, key) => {
      if (key.upArrow) setOffset((current) => Math.max(0, current - 1));
      if (key.downArrow) setOffset((current) => Math.min(maxOffset, current + 1));
      if (key.pageUp) setOffset((current) => Math.max(0, current - visible));
      if (key.pageDown) setOffset((current) => Math.min(maxOffset, current + visible));
      // The next change whose header is below the top row; the previous one above it.
      if (input === 'n') {
        setOffset((current) => {
          const next = anchorRows.find((row) => row > current);
          return next === undefined ? current : Math.min(maxOffset, next);
        });
      }
      if (input === 'p') {
        setOffset((current) => {
          const previous = anchorRows.filter((row) => row < current).at(-1);
          return previous === undefined ? current : previous;
        });
      }
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
        <Text {...tone('muted')} wrap="truncate-end">
          {`lines ${offset + 1}–${offset + shown.length} of ${lines.length}  ↑↓ PgUp PgDn scroll`}
        </Text>
      ) : null}
    </Box>
  );
}
