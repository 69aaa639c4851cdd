/**
 * The baseline for bench/first-frame.mjs: the smallest Ink app with a select
 * (what every wizard screen is made of), bundled exactly like the CLI. The gap
 * between this and s3-harden is start-up cost the wizard adds on top of
 * Ink + React themselves.
 */
import { Box, render, Text } from 'ink';
import SelectInput from 'ink-select-input';

const items = [
  { label: 'Yes', value: 'yes' },
  { label: 'No', value: 'no' },
];

const app = render(
  <Box flexDirection="column">
    <Text>hello-ink</Text>
    <SelectInput items={items} onSelect={() => app.unmount()} />
  </Box>,
);
