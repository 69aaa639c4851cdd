/**
 * The one screen every hardening step uses: the step's fields (toggles,
 * choices, text) with their live values, the step's validation messages,
 * and the controls it satisfies.
 */
import { Box, Text, useInput, useStdout } from 'ink';
import { useRef, useState } from 'react';
import { type Field, type InputField, isInput } from '../steps/form.js';
import { BACK, Footer, type KeyHint, QUIT } from './footer.js';
import { tone } from './theme.js';
import { commandNoteRows } from './wrap-lines.js';

type Answers = Readonly<Record<string, unknown>>;

type Props = {
  readonly title: string;
  readonly summary: string;
  /** Controls the step satisfies, e.g. "FSBP S3.8". */
  readonly controls: readonly string[];
  readonly fields: readonly Field[];
  readonly value: Answers;
  /** Validation messages for the current answers; Enter waits until there are none. */
  readonly problems: readonly string[];
  /** When set, the step cannot be planned; Enter moves on. */
  readonly unavailable?: string | null;
  readonly onChange: (value: Answers) => void;
  /** Answers that change nothing, for `k`; absent when the step has none. */
  readonly onKeep?: () => void;
  readonly onNext: () => void;
  readonly onBack: () => void;
  /** A problem from outside the form (e.g. the name is taken), shown under it. */
  readonly error?: string;
  /** Rows for the fields; more fields than fit scroll with the cursor. */
  readonly height?: number;
};

/** Rows a field takes at this width: inputs two (value, help), notes as they wrap. */
function rowsOf(field: Field, width: number): number {
  if (isInput(field)) return 2;
  const command = commandNoteRows(noteText(field), width);
  if (command) return command.length;
  return Math.max(1, Math.ceil((field.text.length + 2) / Math.max(20, width)));
}

function noteText(field: Exclude<Field, InputField>): string {
  return `${field.tone === 'warning' ? '! ' : ''}${field.text}`;
}

/** The slice of fields to show: as many as fit, always including the focused one. */
export function visibleWindow(
  fields: readonly Field[],
  focusedIndex: number,
  budget: number,
  width: number,
): { start: number; end: number } {
  let start = Math.max(0, focusedIndex);
  let end = start + 1;
  let used = rowsOf(fields[start] as Field, width);
  // Grow downwards first (what comes next), then upwards (notes above the cursor).
  while (end < fields.length && used + rowsOf(fields[end] as Field, width) <= budget) {
    used += rowsOf(fields[end] as Field, width);
    end += 1;
  }
  while (start > 0 && used + rowsOf(fields[start - 1] as Field, width) <= budget) {
    start -= 1;
    used += rowsOf(fields[start] as Field, width);
  }
  return { start, end };
}

/** A note; one that quotes a command (MFA delete, ACL cleanup) has it on rows of its own, pasteable. */
function NoteView({ field, width }: { field: Exclude<Field, InputField>; width: number }) {
  const style = tone(field.tone === 'warning' ? 'warning' : 'muted');
  const rows = commandNoteRows(noteText(field), width);
  if (!rows) return <Text {...style}>{noteText(field)}</Text>;
  return (
    <Box flexDirection="column">
      {rows.map((row, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
        <Text key={index} {...style} wrap="truncate-end">
          {row || ' '}
        </Text>
      ))}
    </Box>
  );
}

function onOff(on: boolean): string {
  return on ? 'on' : 'off';
}

function FieldView({
  field,
  value,
  focused,
}: {
  field: InputField;
  value: unknown;
  focused: boolean;
}) {
  const pointer = <Text {...(focused ? tone('accent') : {})}>{focused ? '› ' : '  '}</Text>;
  const focusTone = focused ? tone('accent') : {};
  if (field.kind === 'toggle') {
    const on = value === true;
    const changes =
      field.now !== undefined && field.now !== onOff(on) && !(field.now === 'not set' && !on);
    return (
      <Box flexDirection="column">
        <Text wrap="truncate-end">
          {pointer}
          <Text {...focusTone}>{`[${on ? 'x' : ' '}] ${field.label}`}</Text>
          {field.now !== undefined ? (
            <Text
              {...tone(changes ? 'change' : 'muted')}
            >{`  now ${field.now}${changes ? ` → ${onOff(on)}` : ''}`}</Text>
          ) : null}
        </Text>
        <Text {...tone('muted')} wrap="truncate-end">{`      ${field.help}`}</Text>
      </Box>
    );
  }
  if (field.kind === 'choice') {
    const option = field.options.find((candidate) => candidate.value === value);
    return (
      <Box flexDirection="column">
        <Text wrap="truncate-end">
          {pointer}
          <Text {...focusTone}>{`${field.label}: `}</Text>
          <Text {...tone('key')}>
            {focused ? `‹ ${option?.label ?? '?'} ›` : (option?.label ?? '?')}
          </Text>
          {field.now !== undefined ? <Text {...tone('muted')}>{`  now ${field.now}`}</Text> : null}
        </Text>
        <Text {...tone('muted')} wrap="truncate-end">{`      ${option?.help ?? field.help}`}</Text>
      </Box>
    );
  }
  const text = typeof value === 'string' ? value : '';
  return (
    <Box flexDirection="column">
      <Box>
        {pointer}
        <Text {...focusTone}>{`${field.label}: `}</Text>
        <Text {...(text ? {} : tone('muted'))} wrap="truncate-end">
          {text || (focused ? '' : field.placeholder || '(none)')}
        </Text>
        {/* The form handles the keys itself; this is only the cursor. */}
        {focused ? <Text inverse> </Text> : null}
      </Box>
      <Text {...tone('muted')} wrap="truncate-end">{`      ${field.help}`}</Text>
    </Box>
  );
}

export function FormStep(props: Props) {
  const { fields, value, problems, unavailable } = props;
  const { stdout } = useStdout();
  const width = stdout.columns || 80;
  const inputs = fields.filter(isInput);
  const [cursor, setCursor] = useState(0);
  const focused = inputs[Math.min(cursor, inputs.length - 1)];
  const editingText = focused?.kind === 'text' && !unavailable;
  // The answers as of the last key: keys typed faster than the screen redraws
  // each build on the one before (the handler below is from the last render).
  const latest = useRef(value);
  latest.current = value;
  const set = (key: string, next: unknown) => {
    latest.current = { ...latest.current, [key]: next };
    props.onChange(latest.current);
  };

  useInput((input, key) => {
    if (key.escape) return props.onBack();
    if (key.return) {
      if (unavailable || problems.length === 0) props.onNext();
      return;
    }
    if (unavailable || !focused) return;
    if (key.upArrow) return setCursor((at) => (at + inputs.length - 1) % inputs.length);
    if (key.downArrow || key.tab) return setCursor((at) => (at + 1) % inputs.length);
    if (focused.kind === 'text') {
      const current = latest.current[focused.key];
      const text = typeof current === 'string' ? current : '';
      if (key.backspace || key.delete) set(focused.key, text.slice(0, -1));
      else if (input && !key.ctrl && !key.meta) set(focused.key, text + input);
      return;
    }
    if (focused.kind === 'toggle' && input === ' ')
      set(focused.key, latest.current[focused.key] !== true);
    if (focused.kind === 'choice' && (key.leftArrow || key.rightArrow || input === ' ')) {
      const index = focused.options.findIndex(
        (option) => option.value === latest.current[focused.key],
      );
      const step = key.leftArrow ? -1 : 1;
      const next =
        focused.options[(index + step + focused.options.length) % focused.options.length];
      if (next) set(focused.key, next.value);
    }
    if (input === 'k' && props.onKeep) props.onKeep();
  });

  const extra = problems.length + (props.error ? 1 : 0);
  const budget = Math.max(4, (props.height ?? 100) - extra - 2);
  const focusedIndex = focused ? fields.indexOf(focused) : 0;
  const window = visibleWindow(fields, focusedIndex, budget, width);

  const hints: KeyHint[] = unavailable
    ? [{ keys: 'enter', action: 'continue' }, BACK, QUIT]
    : [
        ...(inputs.length > 1 ? [{ keys: '↑↓', action: 'move' }] : []),
        ...(focused?.kind === 'toggle' ? [{ keys: 'space', action: 'toggle' }] : []),
        ...(focused?.kind === 'choice' ? [{ keys: '←→', action: 'choose' }] : []),
        ...(focused?.kind === 'text' ? [{ keys: 'type', action: 'edit' }] : []),
        ...(props.onKeep && !editingText ? [{ keys: 'k', action: 'keep current' }] : []),
        { keys: 'enter', action: 'next' },
        BACK,
        QUIT,
      ];

  return (
    <Box flexDirection="column">
      <Text {...tone('heading')}>{props.title}</Text>
      <Text wrap="truncate-end">{props.summary}</Text>
      {props.controls.length > 0 ? (
        <Text {...tone('muted')}>Satisfies {props.controls.join(', ')}</Text>
      ) : null}
      {unavailable ? (
        <Box marginTop={1}>
          <Text {...tone('warning')}>{`Skipped: ${unavailable}`}</Text>
        </Box>
      ) : (
        <Box flexDirection="column" marginTop={1}>
          {window.start > 0 ? (
            <Text {...tone('muted')}>{`  ↑ ${window.start} more above`}</Text>
          ) : null}
          {fields
            .slice(window.start, window.end)
            .map((field) =>
              isInput(field) ? (
                <FieldView
                  key={field.key}
                  field={field}
                  value={value[field.key]}
                  focused={field === focused}
                />
              ) : (
                <NoteView key={field.text} field={field} width={width} />
              ),
            )}
          {window.end < fields.length ? (
            <Text {...tone('muted')}>{`  ↓ ${fields.length - window.end} more below`}</Text>
          ) : null}
          {problems.map((problem) => (
            <Text key={problem} {...tone('error')}>{`✗ ${problem}`}</Text>
          ))}
          {props.error ? <Text {...tone('error')}>{`✗ ${props.error}`}</Text> : null}
        </Box>
      )}
      <Footer hints={hints} />
    </Box>
  );
}
