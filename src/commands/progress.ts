/**
 * A one-line progress bar for work over many buckets (`audit --all`, fleet
 * plans). Drawn on stderr, only on a terminal, so stdout stays clean for
 * pipes and `--json`; redrawn at most every REDRAW_MS; erased when done.
 */

export interface Progress {
  /** One more item finished. */
  tick(): void;
  /** Erases the bar (call once, also on failure). */
  done(): void;
}

const REDRAW_MS = 80;
const BAR_WIDTH = 30;

interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/** Columns assumed without a terminal, or from one that reports none. */
const FALLBACK_COLUMNS = 80;

/**
 * The width to draw to: the terminal's, or 80 when there is none or it says
 * 0 (a pty with no size set: `script`, `docker run -t`), which `?? 80` would keep.
 */
export function terminalColumns(stream: {
  readonly isTTY?: boolean;
  readonly columns?: number;
}): number {
  const columns = stream.isTTY ? stream.columns : undefined;
  return columns && columns > 0 ? columns : FALLBACK_COLUMNS;
}

/** `label` names the items, e.g. "buckets". A no-op when `stream` is not a terminal. */
export function createProgress(
  total: number,
  label: string,
  stream: ProgressStream = process.stderr,
  now: () => number = Date.now,
): Progress {
  if (!stream.isTTY || total <= 1) return { tick() {}, done() {} };
  let finished = 0;
  let drawnAt = -Infinity;
  let visible = false;
  const draw = () => {
    const filled = Math.round((finished / total) * BAR_WIDTH);
    const line = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)} ${finished}/${total} ${label}`;
    // Never wider than the terminal: a wrapped line cannot be redrawn in place.
    const width = Math.max(10, terminalColumns(stream) - 1);
    stream.write(`\r${line.slice(0, width)}\u001b[K`);
    visible = true;
    drawnAt = now();
  };
  draw();
  return {
    tick() {
      finished = Math.min(total, finished + 1);
      if (finished === total || now() - drawnAt >= REDRAW_MS) draw();
    },
    done() {
      if (visible) stream.write('\r\u001b[K');
      visible = false;
    },
  };
}
