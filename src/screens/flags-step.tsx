import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import type { FlagInfo } from '../steps/types.js';
import { BACK, Footer, QUIT } from './footer.js';
import { tone } from './theme.js';

type Flags<F> = { readonly [K in keyof F]: boolean };

type Props<F extends Flags<F>> = {
  readonly title: string;
  readonly summary: string;
  /** Controls the step satisfies, e.g. "FSBP S3.8". */
  readonly controls: readonly string[];
  /** Shown prominently: e.g. the account-wide scope of the setting. */
  readonly warning?: string;
  readonly flags: readonly FlagInfo<Extract<keyof F, string>>[];
  /** The live configuration; null = none set (all off). */
  readonly current: F | null;
  readonly value: F;
  /** When set, the step cannot be planned; Enter moves on. */
  readonly unavailable?: string | null;
  readonly onChange: (value: F) => void;
  readonly onNext: () => void;
  readonly onBack: () => void;
};

function state(on: boolean | undefined): string {
  return on ? 'on' : 'off';
}

/** A step made of on/off switches, each with its live value and a one-line explanation. */
export function FlagsStep<F extends Flags<F>>(props: Props<F>) {
  const { flags, current, value, unavailable } = props;
  const [cursor, setCursor] = useState(0);

  useInput((input, key) => {
    if (key.escape) return props.onBack();
    if (key.return) return props.onNext();
    if (unavailable) return;
    if (key.upArrow || input === 'k') setCursor((at) => (at + flags.length - 1) % flags.length);
    if (key.downArrow || input === 'j') setCursor((at) => (at + 1) % flags.length);
    const focused = flags[cursor];
    if (input === ' ' && focused) props.onChange({ ...value, [focused.key]: !value[focused.key] });
    if (input === 'a')
      props.onChange(Object.fromEntries(flags.map((flag) => [flag.key, true])) as F);
    if (input === 'c')
      props.onChange(
        Object.fromEntries(flags.map((flag) => [flag.key, Boolean(current?.[flag.key])])) as F,
      );
  });

  return (
    <Box flexDirection="column">
      <Text {...tone('heading')}>{props.title}</Text>
      <Text>{props.summary}</Text>
      <Text {...tone('muted')}>Satisfies {props.controls.join(', ')}</Text>
      {props.warning ? <Text {...tone('warning')}>{`! ${props.warning}`}</Text> : null}
      {unavailable ? (
        <Box marginTop={1}>
          <Text {...tone('warning')}>{`Skipped: ${unavailable}`}</Text>
        </Box>
      ) : (
        <Box flexDirection="column" marginTop={1}>
          {flags.map((flag, index) => {
            const focused = index === cursor;
            const on = Boolean(value[flag.key]);
            const changes = on !== Boolean(current?.[flag.key]);
            return (
              <Box key={flag.key} flexDirection="column">
                <Text wrap="truncate-end">
                  <Text {...(focused ? tone('accent') : {})}>{focused ? '› ' : '  '}</Text>
                  <Text
                    {...(focused ? tone('accent') : {})}
                  >{`[${on ? 'x' : ' '}] ${flag.label}`}</Text>
                  <Text {...tone(changes ? 'change' : 'muted')}>
                    {`  now ${current === null ? 'not set' : state(current[flag.key])}${changes ? ` → ${state(on)}` : ''}`}
                  </Text>
                </Text>
                <Text {...tone('muted')} wrap="truncate-end">{`      ${flag.help}`}</Text>
              </Box>
            );
          })}
        </Box>
      )}
      <Footer
        hints={
          unavailable
            ? [{ keys: 'enter', action: 'continue' }, BACK, QUIT]
            : [
                { keys: '↑↓', action: 'move' },
                { keys: 'space', action: 'toggle' },
                { keys: 'a', action: 'all on' },
                { keys: 'c', action: 'current' },
                { keys: 'enter', action: 'next' },
                BACK,
                QUIT,
              ]
        }
      />
    </Box>
  );
}
