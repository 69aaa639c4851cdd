import { Box, type RenderOptions, render, Text, useInput } from 'ink';
import SelectInput from 'ink-select-input';
import type { JournalSummary } from '../plan/apply/journal-scan.js';
import { escapeControl } from '../plan/render/sanitise.js';
import { Footer } from './footer.js';
import { type KeySource, keyByKeyStdin } from './key-stdin.js';
import { SelectIndicator, SelectItem } from './select-item.js';
import { tone } from './theme.js';

type Props = {
  /** Unfinished journals first, then recent ones, newest first. */
  readonly journals: readonly JournalSummary[];
  readonly onPick: (path: string) => void;
  readonly onCancel: () => void;
};

/** One journal as a row: bucket, when, how many changes, where it stands. Pure, for the list and the plain print. */
export function journalRow(journal: JournalSummary): string {
  const when = journal.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const changes = `${journal.changes} change${journal.changes === 1 ? '' : 's'}`;
  return escapeControl(`${journal.target.bucket}  ${when}  ${changes}  ${journal.state}`);
}

/** `s3-harden rollback` with no journal named, on a terminal: pick one with the keyboard. */
export function JournalPicker({ journals, onPick, onCancel }: Props) {
  useInput((_input, key) => {
    if (key.escape) onCancel();
  });
  const items = journals.map((journal) => ({
    key: journal.path,
    value: journal.path,
    label: journalRow(journal),
  }));
  return (
    <Box flexDirection="column">
      <Text {...tone('heading')}>Which apply should be rolled back?</Text>
      <Text {...tone('muted')}>
        Unfinished first, then the most recent. The changes are shown before anything is undone.
      </Text>
      <Box marginTop={1}>
        <SelectInput
          items={items}
          itemComponent={SelectItem}
          indicatorComponent={SelectIndicator}
          onSelect={(item) => onPick(item.value)}
        />
      </Box>
      <Footer
        hints={[
          { keys: '↑↓', action: 'move' },
          { keys: 'enter', action: 'choose' },
          { keys: 'esc', action: 'cancel' },
        ]}
      />
    </Box>
  );
}

/**
 * Mounts the picker on the terminal (keys one by one, as in the wizard);
 * the chosen journal's path, or null when the operator pressed Esc (or
 * Ctrl+C, which Ink turns into an unmount): the caller says "Nothing rolled
 * back." and exits 1, as when the question that follows is answered no.
 */
export async function pickJournal(
  journals: readonly JournalSummary[],
  stdin: KeySource = process.stdin,
  /** Where it draws (tests): the process's terminal unless told. */
  options: Omit<RenderOptions, 'stdin'> = {},
): Promise<string | null> {
  let chosen: string | null = null;
  const instance = render(
    <JournalPicker
      journals={journals}
      onPick={(path) => {
        chosen = path;
        instance.unmount();
      }}
      onCancel={() => instance.unmount()}
    />,
    { ...options, stdin: keyByKeyStdin(stdin) },
  );
  await instance.waitUntilExit();
  // Ink lets go of stdin when it unmounts (raw mode off, unref'd). A pick is
  // followed by questions read with readline, which needs stdin held; a
  // cancel by nothing, and a stdin held then (still reading the terminal
  // since Ink listened) would keep the process alive after its last line.
  if (chosen !== null) stdin.ref();
  return chosen;
}
