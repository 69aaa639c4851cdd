import { Box, Text, useInput } from 'ink';
import Spinner from 'ink-spinner';
import { BACK, Footer, QUIT } from './footer.js';
import { tone } from './theme.js';

export interface JournalCheck {
  /** Journals without an end, oldest first. */
  readonly paths: readonly string[];
  readonly status: 'ask' | 'rolling' | 'done';
  /** The rollback's report, once done. */
  readonly lines: readonly string[];
}

type Props = {
  readonly bucket: string;
  readonly check: JournalCheck;
  readonly onRollBack: () => void;
  readonly onIgnore: () => void;
  readonly onContinue: () => void;
  readonly onBack: () => void;
};

/** An earlier apply to this bucket stopped half-way (a crash, a kill): roll it back before planning anew. */
export function UnfinishedJournal({
  bucket,
  check,
  onRollBack,
  onIgnore,
  onContinue,
  onBack,
}: Props) {
  useInput((input, key) => {
    if (check.status === 'ask') {
      if (input === 'r') onRollBack();
      if (input === 'i') onIgnore();
      if (key.escape) onBack();
    } else if (check.status === 'done' && key.return) {
      onContinue();
    }
  });
  return (
    <Box flexDirection="column">
      <Text {...tone('warning')}>{`! An earlier apply to ${bucket} did not finish.`}</Text>
      {check.paths.map((path) => (
        <Text key={path} {...tone('muted')} wrap="truncate-middle">{`  journal: ${path}`}</Text>
      ))}
      {check.status === 'ask' ? (
        <Text>Its changes may be half-applied. Roll them back before planning again?</Text>
      ) : null}
      {check.status === 'rolling' ? (
        <Text>
          <Text {...tone('accent')}>
            <Spinner type="dots" />
          </Text>{' '}
          Rolling back…
        </Text>
      ) : null}
      {check.lines.map((line) => (
        <Text key={line} wrap="truncate-end">
          {line}
        </Text>
      ))}
      <Footer
        hints={
          check.status === 'ask'
            ? [
                { keys: 'r', action: 'roll it back now' },
                { keys: 'i', action: 'ignore' },
                BACK,
                QUIT,
              ]
            : check.status === 'done'
              ? [{ keys: 'enter', action: 'read the bucket again and continue' }, QUIT]
              : [QUIT]
        }
      />
    </Box>
  );
}
