/**
 * "Save the plan as: NAME" under the review: the default shown and
 * editable, Enter accepts, Esc cancels. The keys are the review's to route
 * (one handler hears them all); this is the line and the editing rule.
 */
import { Text } from 'ink';
import { tone } from './theme.js';

export interface FilePromptState {
  readonly purpose: 'plan' | 'script';
  readonly value: string;
}

export const PROMPT_LABEL: Record<FilePromptState['purpose'], string> = {
  plan: 'Save the plan as',
  script: 'Write the commands to',
};

/** The name after one key: Backspace deletes, printable input is typed; null for Enter/Esc (the caller's). */
export function editName(
  value: string,
  input: string,
  key: {
    readonly backspace?: boolean;
    readonly delete?: boolean;
    readonly ctrl?: boolean;
    readonly meta?: boolean;
  },
): string {
  if (key.backspace || key.delete) return value.slice(0, -1);
  if (key.ctrl || key.meta) return value;
  // Control characters never reach a file name.
  return value + [...input].filter((char) => char >= ' ' && char !== '\u007f').join('');
}

export function FilePrompt({ prompt }: { readonly prompt: FilePromptState }) {
  return (
    <Text wrap="wrap">
      <Text {...tone('accent')}>{`${PROMPT_LABEL[prompt.purpose]}: `}</Text>
      {prompt.value}
      <Text {...tone('muted')}>█ (enter: save, esc: cancel)</Text>
    </Text>
  );
}
