import { Box, Text } from 'ink';
import SelectInput from 'ink-select-input';
import { PRESETS, type Preset } from '../plan/model/types.js';
import { PRESET_DESCRIPTIONS } from '../steps/index.js';
import { Footer, QUIT } from './footer.js';
import { SelectIndicator, SelectItem } from './select-item.js';
import { tone } from './theme.js';

type Props = {
  readonly onChoose: (preset: Preset) => void;
};

/** The wizard's first question: which secure defaults to start from. */
export function PresetPicker({ onChoose }: Props) {
  const items = PRESETS.map((preset) => ({
    key: preset,
    value: preset,
    label: `${preset.padEnd(9)} ${PRESET_DESCRIPTIONS[preset]}`,
  }));
  return (
    <Box flexDirection="column">
      <Text {...tone('heading')}>Which defaults should the wizard propose?</Text>
      <Text {...tone('muted')}>Every step still shows its settings; you can change each one.</Text>
      <Box marginTop={1}>
        <SelectInput
          items={items}
          itemComponent={SelectItem}
          indicatorComponent={SelectIndicator}
          onSelect={(item) => onChoose(item.value)}
        />
      </Box>
      <Footer hints={[{ keys: '↑↓', action: 'move' }, { keys: 'enter', action: 'choose' }, QUIT]} />
    </Box>
  );
}
