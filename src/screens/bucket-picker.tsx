import { Box, Text, useInput } from 'ink';
import SelectInput from 'ink-select-input';
import Spinner from 'ink-spinner';
import TextInput from 'ink-text-input';
import { useState } from 'react';
import { bucketNameProblem } from '../plan/model/bucket-name.js';
import { BACK, Footer, QUIT } from './footer.js';
import { SelectIndicator, SelectItem } from './select-item.js';
import { tone } from './theme.js';
import type { AsyncState } from './use-async.js';

const TYPE_NAME = '\u0000type';
const CREATE = '\u0000create';

type Props = {
  /** The account's buckets, as they load. */
  readonly buckets: AsyncState<string[]>;
  /** Why the last choice could not be used (missing bucket, access denied…). */
  readonly problem?: string;
  /** Rows available for the list. */
  readonly height: number;
  readonly onPick: (bucket: string) => void;
  /** Start the new-bucket form. */
  readonly onCreate: () => void;
  /** Back to the previous screen (the preset choice), when there is one. */
  readonly onBack?: () => void;
};

/** Choose a bucket from the account's list, or type a name (validated as you type). */
export function BucketPicker({ buckets, problem, height, onPick, onCreate, onBack }: Props) {
  const [typing, setTyping] = useState(buckets.status === 'error');
  const [name, setName] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const nameProblem = bucketNameProblem(name);

  useInput(
    (_input, key) => {
      if (key.escape && buckets.status === 'ready') {
        setTyping(false);
        setSubmitted(false);
      }
    },
    { isActive: typing },
  );
  useInput(
    (_input, key) => {
      if (key.escape) onBack?.();
    },
    { isActive: !typing && Boolean(onBack) },
  );

  if (typing) {
    return (
      <Box flexDirection="column">
        <Text {...tone('heading')}>Which bucket should be hardened?</Text>
        <Box marginTop={1}>
          <Text>Bucket name: </Text>
          <TextInput
            value={name}
            onChange={(value) => {
              setName(value.trim());
              setSubmitted(false);
            }}
            onSubmit={() => {
              setSubmitted(true);
              if (!nameProblem) onPick(name);
            }}
          />
        </Box>
        {!name && !submitted ? (
          <Text {...tone('accent')}>Type the bucket's name, e.g. logs-example, then enter.</Text>
        ) : nameProblem ? (
          <Text {...tone(submitted ? 'error' : 'warning')}>{`✗ ${nameProblem}`}</Text>
        ) : null}
        {buckets.status === 'error' ? (
          <Text {...tone('muted')}>{`Cannot list buckets: ${buckets.message}`}</Text>
        ) : null}
        {problem ? <Text {...tone('error')}>{`✗ ${problem}`}</Text> : null}
        <Footer
          hints={[
            { keys: 'enter', action: 'use this bucket' },
            ...(buckets.status === 'ready' ? [{ keys: 'esc', action: 'back to the list' }] : []),
            QUIT,
          ]}
        />
      </Box>
    );
  }

  if (buckets.status === 'loading') {
    return (
      <Text>
        <Text {...tone('accent')}>
          <Spinner type="dots" />
        </Text>{' '}
        Listing buckets…
      </Text>
    );
  }

  const names = buckets.status === 'ready' ? buckets.value : [];
  const items = [
    { key: TYPE_NAME, label: 'Type a bucket name…', value: TYPE_NAME },
    { key: CREATE, label: 'Create a new bucket…', value: CREATE },
    ...names.map((bucket) => ({ key: bucket, label: bucket, value: bucket })),
  ];
  return (
    <Box flexDirection="column">
      <Text {...tone('heading')}>
        Which bucket should be hardened?{' '}
        <Text {...tone('muted')}>({names.length} in this account)</Text>
      </Text>
      {problem ? <Text {...tone('error')}>{`✗ ${problem}`}</Text> : null}
      <Box marginTop={1}>
        <SelectInput
          items={items}
          limit={Math.max(3, height - 4)}
          itemComponent={SelectItem}
          indicatorComponent={SelectIndicator}
          onSelect={(item) =>
            item.value === TYPE_NAME
              ? setTyping(true)
              : item.value === CREATE
                ? onCreate()
                : onPick(item.value)
          }
        />
      </Box>
      <Footer
        hints={[
          { keys: '↑↓', action: 'move' },
          { keys: 'enter', action: 'choose' },
          ...(onBack ? [BACK] : []),
          QUIT,
        ]}
      />
    </Box>
  );
}
