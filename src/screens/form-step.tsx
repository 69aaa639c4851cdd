/**
 * The one screen every hardening step uses: the step's fields (toggles,
 * choices, text) with their live values, the step's validation messages,
 * and the controls it satisfies.
 */
import { Box, Text, useInput, useStdin, useStdout } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { wrapText } from '../plan/render/wrap-text.js';
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

/** F1 as terminals send it (xterm SS3, VT220, the Linux console). */
const F1 = new Set(['\u001bOP', '\u001b[11~', '\u001b[[A']);

/** Calls `onF1` when F1 arrives: Ink's keys have no name for it. */
function useF1(onF1: () => void): void {
  const { internal_eventEmitter: events } = useStdin();
  const latest = useRef(onF1);
  latest.current = onF1;
  useEffect(() => {
    const listener = (data: string) => {
      if (F1.has(data)) latest.current();
    };
    events?.on('input', listener);
    return () => {
      events?.removeListener('input', listener);
    };
  }, [events]);
}

const HELP_INDENT = '      ';

/** The help of a field as shown under it: the option's for a choice. */
function helpOf(field: InputField, value: unknown): string {
  if (field.kind === 'choice')
    return field.options.find((candidate) => candidate.value === value)?.help ?? field.help;
  return field.help;
}

/** The help's rows: one, cut, or all of it wrapped under the field when `full`. */
function helpRows(help: string, width: number, full: boolean): string[] {
  const line = `${HELP_INDENT}${help}`;
  return full ? wrapText(line, Math.max(26, width - 1)) : [line];
}

function HelpView({ help, width, full }: { help: string; width: number; full: boolean }) {
  return (
    <>
      {helpRows(help, width, full).map((row, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
        <Text key={index} {...tone('muted')} wrap="truncate-end">
          {row}
        </Text>
      ))}
    </>
  );
}

function onOff(on: boolean): string {
  return on ? 'on' : 'off';
}

function FieldView({
  field,
  value,
  focused,
  width,
  fullHelp,
}: {
  field: InputField;
  value: unknown;
  focused: boolean;
  width: number;
  /** The whole help, wrapped, instead of one cut row. */
  fullHelp: boolean;
}) {
  const help = <HelpView help={helpOf(field, value)} width={width} full={fullHelp} />;
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
        {help}
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
        {help}
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
      {help}
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
  // F1 anywhere, or ? where it is not typed: the focused field's whole help.
  const [fullHelp, setFullHelp] = useState(false);
  const focusedHelp = focused ? helpOf(focused, value[focused.key]) : '';
  // The step's own sentence is cut too on a narrow terminal: full help shows it whole.
  const summaryCut = props.summary.length > width;
  const helpCut = HELP_INDENT.length + focusedHelp.length > width || summaryCut;
  const summaryRows =
    fullHelp && summaryCut ? wrapText(props.summary, Math.max(26, width - 1)) : [props.summary];
  useF1(() => setFullHelp((shown) => !shown));
  // A form nothing was typed in yet says what to type in its first empty
  // text field; its ✗ waits for something typed, or for Enter. Once anything
  // is typed, every problem shows (one field's ✗ is never hidden because
  // another field is still empty).
  const [attempted, setAttempted] = useState(false);
  const [touched, setTouched] = useState<readonly string[]>([]);
  const untyped =
    attempted || touched.length > 0
      ? undefined
      : inputs.find(
          (field) =>
            field.kind === 'text' &&
            !touched.includes(field.key) &&
            (typeof value[field.key] !== 'string' || value[field.key] === ''),
        );
  const shownProblems = untyped ? [] : problems;
  const typeHint =
    untyped && problems.length > 0
      ? `Type ${untyped.label.toLowerCase()}${untyped.kind === 'text' && untyped.placeholder ? `, e.g. ${untyped.placeholder}` : ''}, then enter.`
      : undefined;
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
      else setAttempted(true);
      return;
    }
    if (unavailable || !focused) return;
    if (input === '?' && focused.kind !== 'text') return setFullHelp((shown) => !shown);
    if (key.upArrow) return setCursor((at) => (at + inputs.length - 1) % inputs.length);
    if (key.downArrow || key.tab) return setCursor((at) => (at + 1) % inputs.length);
    if (focused.kind === 'text') {
      const current = latest.current[focused.key];
      const text = typeof current === 'string' ? current : '';
      if (key.backspace || key.delete) set(focused.key, text.slice(0, -1));
      else if (input && !key.ctrl && !key.meta) {
        setTouched((keys) => (keys.includes(focused.key) ? keys : [...keys, focused.key]));
        set(focused.key, text + input);
      }
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

  const helpExtra = fullHelp && focused ? helpRows(focusedHelp, width, true).length - 1 : 0;
  const extra =
    shownProblems.length +
    (typeHint ? 1 : 0) +
    (props.error ? 1 : 0) +
    helpExtra +
    (summaryRows.length - 1);
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
        ...(helpCut || fullHelp
          ? [{ keys: editingText ? 'F1' : '?', action: fullHelp ? 'less help' : 'full help' }]
          : []),
        ...(props.onKeep && !editingText ? [{ keys: 'k', action: 'keep current' }] : []),
        { keys: 'enter', action: 'next' },
        BACK,
        QUIT,
      ];

  return (
    <Box flexDirection="column">
      <Text {...tone('heading')}>{props.title}</Text>
      {summaryRows.map((row, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
        <Text key={`summary-${index}`} wrap="truncate-end">
          {row}
        </Text>
      ))}
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
                  width={width}
                  fullHelp={fullHelp && field === focused}
                />
              ) : (
                <NoteView key={field.text} field={field} width={width} />
              ),
            )}
          {window.end < fields.length ? (
            <Text {...tone('muted')}>{`  ↓ ${fields.length - window.end} more below`}</Text>
          ) : null}
          {typeHint ? <Text {...tone('accent')}>{typeHint}</Text> : null}
          {shownProblems.map((problem) => (
            <Text key={problem} {...tone('error')}>{`✗ ${problem}`}</Text>
          ))}
          {props.error ? <Text {...tone('error')}>{`✗ ${props.error}`}</Text> : null}
        </Box>
      )}
      <Footer hints={hints} />
    </Box>
  );
}
