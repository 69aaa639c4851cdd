import { Box, Text, useInput, useStdout } from 'ink';
import Spinner from 'ink-spinner';
import { useEffect, useMemo, useState } from 'react';
import type { Plan } from '../plan/model/types.js';
import { type LockoutFinding, lockoutLines } from '../plan/policy/lockout.js';
import {
  blocksApply,
  findingLines,
  needsConfirmation,
  severityCounts,
  severityName,
  validationHeadline,
  wrap,
} from '../plan/policy/validation.js';
import type { CliContext } from '../plan/render/cli-equivalent.js';
import { cliScriptFile } from '../plan/render/cli-script-file.js';
import { withDigest } from '../plan/render/digest-line.js';
import { type Line, renderCliCommands, renderPlan } from '../plan/render/render.js';
import { commandRows } from './command-lines.js';
import { editName, FilePrompt, type FilePromptState, PROMPT_LABEL } from './file-prompt.js';
import { BACK, Footer, type KeyHint, QUIT } from './footer.js';
import { LinesView } from './lines-view.js';
import { changeAnchors, foldSkipped, summaryLines, WHY_KEY } from './review-lines.js';
import { tone } from './theme.js';
import { useLatestState } from './use-latest-state.js';
import type { ValidationState } from './use-policy-validation.js';

type Props = {
  readonly plan: Plan;
  readonly cli: CliContext;
  /** Rows available for the diff. */
  readonly height: number;
  /** IAM Access Analyzer's checks of the policies the plan writes. */
  readonly validation: ValidationState;
  /** Whether the operator has accepted the security warnings (key `a`). */
  readonly warningsAccepted: boolean;
  readonly onAcceptWarnings: () => void;
  /** Saves the plan file under the name typed; what to show (where it went and how to apply it, or why it failed). */
  readonly onSave: (path: string) => SaveOutcome;
  /** The name `s` offers, editable. */
  readonly planName: string;
  /** Writes the AWS CLI script (`w` in the CLI view) under the name typed. */
  readonly onWrite: (path: string, text: string) => SaveOutcome;
  /** The name `w` offers, editable. */
  readonly scriptName: string;
  readonly onConfirm: () => void;
  readonly onFinish: () => void;
  readonly onBack: () => void;
  /** Deny statements that would lock the operator out: they block Enter like policy errors. */
  readonly lockout?: readonly LockoutFinding[];
  /** Re-plans with the operator's principal exempted (key `e`); absent when the plan cannot. */
  readonly onExempt?: () => void;
  /** What the last check before apply said (the bucket changed, the plan was blocked), above the plan. */
  readonly notice?: string;
  /** What the bucket's exceptions held back and its tags say (./review-lines.ts exceptionNotes). */
  readonly notes?: readonly Line[];
  /** The steps' words for the lockout reasons' flags. */
  readonly terms?: CallerTerms;
};

/** What saving said: a line, and for a saved plan the command that applies it later (and a note). */
export interface SaveOutcome {
  readonly ok: boolean;
  readonly message: string;
  readonly command?: string;
  readonly note?: string;
}

/** summary: one line per change; diff: the whole diff; commands: the AWS CLI equivalents. */
type View = 'summary' | 'diff' | 'commands';

const NO_NOTES: readonly Line[] = [];

export const DIFF_KEY = 'd';
export const WRITE_KEY = 'w';

export const CHECKING = 'Checking the policy with IAM Access Analyzer…';
export const ACCEPT_KEY = 'a';
export const EXEMPT_KEY = 'e';
export const OVERRIDE_KEY = 'o';

/** The lockout reasons name CLI flags; here the same answers are the steps' fields. */
function inWizardTerms(line: Line, terms: CallerTerms): Line {
  let text = line.text;
  if (terms.sourceIp) text = text.replace('(--source-ip)', `(${terms.sourceIp})`);
  if (terms.sourceVpce) text = text.replace('(--vpce)', `(${terms.sourceVpce})`);
  return { ...line, text };
}

/** Where the wizard asks for what the lockout reasons name as flags (the steps' callerContextLabels). */
export interface CallerTerms {
  readonly sourceIp?: string;
  readonly sourceVpce?: string;
}

/** What stands between the plan and apply: the lockout check, then the policy checks. */
function gate(validation: ValidationState, accepted: boolean, lockedOut: boolean) {
  if (lockedOut) return 'lockout' as const;
  if (validation.status === 'checking') return 'checking' as const;
  if (blocksApply(validation.value)) return 'errors' as const;
  if (needsConfirmation(validation.value) && !accepted) return 'warnings' as const;
  return 'open' as const;
}

/**
 * The plan before anything is written: first a summary (one line per
 * change), Enter (or `d`) the whole diff at the change picked (`n` / `p` jump
 * between changes) — Enter there goes on to apply, so the diff is always
 * in front of the operator before the confirmation, `c` the same plan as AWS CLI commands (`w` writes them as a
 * script); IAM Access Analyzer's findings on its policies above: errors
 * block apply, security warnings must be accepted with `a` before Enter
 * applies.
 */
export function Review({
  plan,
  cli,
  height,
  validation,
  warningsAccepted,
  onAcceptWarnings,
  onSave,
  planName,
  onWrite,
  scriptName,
  onConfirm,
  onFinish,
  onBack,
  lockout = [],
  onExempt,
  notice,
  notes = NO_NOTES,
  terms = {},
}: Props) {
  const { stdout } = useStdout();
  const width = stdout.columns || 80;
  const [view, setView] = useState<View>('summary');
  // The view `c` goes back to.
  const [before, setBefore] = useState<Exclude<View, 'commands'>>('summary');
  const [picked, latestPicked, setPicked] = useLatestState(0);
  const [why, setWhy] = useState(false);
  const [prompt, latestPrompt, setPrompt] = useLatestState<FilePromptState | null>(null);
  const [saved, setSaved] = useState<SaveOutcome | null>(null);
  const hasChanges = plan.changes.length > 0;
  const result = validation.status === 'done' ? validation.value : undefined;
  // Overriding the lockout: the bucket name typed after `o`, for these findings only.
  const [typing, latestTyping, setTyping] = useLatestState<string | null>(null);
  const [overridden, setOverridden] = useState<string | undefined>();
  const lockoutKey = JSON.stringify(lockout);
  const lockedOut = lockout.length > 0 && overridden !== lockoutKey;
  const changeCount = summaryLines(plan).length;
  const { lines, anchors, focus, lead } = useMemo(() => {
    if (view === 'commands')
      return { lines: renderCliCommands(plan, cli), anchors: [], focus: undefined, lead: 0 };
    // The findings first: they decide whether the plan can be applied.
    const findings = [
      ...lockoutLines(lockout).map((line) => inWizardTerms(line, terms)),
      ...(result ? findingLines(result, { width: width - 1 }) : []),
      ...notes,
    ];
    const lead = findings.length > 0 ? [...findings, { kind: 'plain', text: '' } as Line] : [];
    const diff = foldSkipped(plan, withDigest(renderPlan(plan), plan), why);
    if (view === 'diff' || !hasChanges) {
      const anchored = changeAnchors(diff).map((index) => index + lead.length);
      return { lines: [...lead, ...diff], anchors: anchored, focus: undefined, lead: lead.length };
    }
    // The summary: the diff's lines down to its first change, then one line per change.
    const first = changeAnchors(diff)[0] ?? diff.length;
    // What comes before the diff's heading and legend (the skipped line): the header names the bucket.
    const top = diff
      .slice(0, first)
      .filter(
        (line) =>
          line.text !== '' &&
          !line.text.startsWith('Changes to bucket ') &&
          !line.text.startsWith('Symbols: '),
      );
    const rows = summaryLines(plan).map(
      (line, index): Line => ({
        ...line,
        text: `${index === picked ? '›' : ' '} ${line.text}`,
      }),
    );
    const all = [...lead, ...top, ...rows, ...diff.slice(-1)];
    return { lines: all, anchors: [], focus: lead.length + top.length + picked, lead: lead.length };
  }, [plan, cli, view, result, width, lockout, notes, terms, why, picked, hasChanges]);
  const last = lines.at(-1);
  const summary = last?.kind === 'summary' && lines.length > 1 ? last : undefined;
  const body = summary ? lines.slice(0, -1) : lines;
  const state = gate(validation, warningsAccepted, lockedOut);
  const counts = result ? severityCounts(result) : undefined;
  const headline = result ? validationHeadline(result) : null;
  // Enter pressed while the check runs: go on once it is done, if it allows.
  const [queued, setQueued] = useState(false);
  useEffect(() => {
    if (!queued || state === 'checking') return;
    setQueued(false);
    if (state === 'open') onConfirm();
  }, [queued, state, onConfirm]);

  const ask = (purpose: FilePromptState['purpose']) => {
    setSaved(null);
    setPrompt({ purpose, value: purpose === 'plan' ? planName : scriptName });
  };

  useInput((input, key) => {
    const asking = latestPrompt.current;
    if (asking !== null) {
      if (key.escape) return setPrompt(null);
      if (key.return) {
        setPrompt(null);
        const name = asking.value.trim();
        if (!name) return;
        return setSaved(
          asking.purpose === 'plan' ? onSave(name) : onWrite(name, cliScriptFile(plan, cli)),
        );
      }
      return setPrompt({ ...asking, value: editName(asking.value, input, key) });
    }
    const typed = latestTyping.current;
    if (typed !== null) {
      if (key.escape) return setTyping(null);
      if (key.return) {
        if (typed === plan.target.bucket) setOverridden(lockoutKey);
        return setTyping(null);
      }
      if (key.backspace || key.delete) return setTyping(typed.slice(0, -1));
      if (!key.ctrl && !key.meta) setTyping(typed + input);
      return;
    }
    if (key.escape) return onBack();
    // Enter on the summary expands it: the whole diff at the change picked, read before apply.
    if (key.return && view === 'summary' && hasChanges) return setView('diff');
    if (key.return) {
      if (!hasChanges) return onFinish();
      if (state === 'open') return onConfirm();
      if (state === 'checking') setQueued(true);
      return;
    }
    if (view === 'summary' && hasChanges) {
      if (key.upArrow) setPicked(Math.max(0, latestPicked.current - 1));
      if (key.downArrow) setPicked(Math.min(changeCount - 1, latestPicked.current + 1));
    }
    if ((input === DIFF_KEY || key.rightArrow) && view === 'summary' && hasChanges) setView('diff');
    else if ((input === DIFF_KEY || key.leftArrow) && view === 'diff') setView('summary');
    if (input === WHY_KEY && view !== 'commands') setWhy((shown) => !shown);
    if (input === ACCEPT_KEY && hasChanges && state === 'warnings') onAcceptWarnings();
    if (input === EXEMPT_KEY && state === 'lockout' && onExempt) onExempt();
    if (input === OVERRIDE_KEY && state === 'lockout') setTyping('');
    if (input === 's' && hasChanges) ask('plan');
    if (input === WRITE_KEY && view === 'commands') ask('script');
    if (input === 'c' && hasChanges) {
      if (view === 'commands') setView(before);
      else {
        setBefore(view);
        setView('commands');
      }
    }
  });

  // Below the diff, always in view: the checks' progress or verdict, and what it asks of the operator.
  const status: { tone: Parameters<typeof tone>[0]; text: string }[] = [];
  if (hasChanges && result && headline) {
    status.push({ tone: result.findings.length > 0 ? 'heading' : 'muted', text: headline });
  }
  if (hasChanges && state === 'lockout') {
    status.push({
      tone: 'error',
      text:
        typing !== null
          ? `Type the bucket name (${plan.target.bucket}) to apply anyway, then enter (esc: cancel): ${typing}`
          : `✗ Apply is blocked: a Deny would lock you out.${onExempt ? ` ${EXEMPT_KEY}: exempt your principal;` : ''} ${OVERRIDE_KEY}: override by typing the bucket name.`,
    });
  } else if (hasChanges && lockout.length > 0) {
    status.push({ tone: 'warning', text: '! Lockout overridden: applying may lock you out.' });
  }
  if (hasChanges && counts && state === 'errors') {
    status.push({
      tone: 'error',
      text: `✗ Apply is blocked by ${counts.error} policy ${severityName('error', counts.error)}: change the answers (esc) or fix the policy.`,
    });
  } else if (hasChanges && counts && state === 'warnings') {
    const count = counts['security-warning'];
    status.push({
      tone: 'warning',
      text: `! Press ${ACCEPT_KEY} to accept ${count === 1 ? 'the security warning' : `the ${count} security warnings`} before applying.`,
    });
  } else if (hasChanges && counts && counts['security-warning'] > 0 && warningsAccepted) {
    status.push({ tone: 'muted', text: '✓ Security warnings accepted.' });
  }
  const room = Math.max(20, width - 1);
  // Wrapped to the width (a skip reason can be long), each piece one row.
  const statusRows = status.flatMap((line) =>
    wrap(line.text, room).map((text) => ({ tone: line.tone, text })),
  );
  // What saving said, and the command to apply the plan later on rows of its own, pasteable.
  if (saved) {
    const savedTone = saved.ok ? ('success' as const) : ('error' as const);
    statusRows.push(...wrap(saved.message, room).map((text) => ({ tone: savedTone, text })));
    if (saved.command) {
      statusRows.push(
        ...commandRows(saved.command, room, 2).map((text) => ({ tone: 'command' as const, text })),
      );
    }
    if (saved.note)
      statusRows.push(
        ...wrap(saved.note, room).map((text) => ({ tone: 'warning' as const, text })),
      );
  }
  const checking = hasChanges && validation.status === 'checking';
  const noticeRows = notice ? wrap(notice, room) : [];
  const promptRows = prompt
    ? Math.ceil(
        (PROMPT_LABEL[prompt.purpose].length + prompt.value.length + 32) / Math.max(1, width),
      )
    : 0;
  const rows =
    statusRows.length + noticeRows.length + (checking ? 1 : 0) + promptRows + (summary ? 1 : 0);

  const inSummary = view === 'summary' && hasChanges;
  const hints: KeyHint[] = prompt
    ? [
        { keys: 'enter', action: 'save' },
        { keys: 'esc', action: 'cancel' },
      ]
    : !hasChanges
      ? [
          { keys: 'enter', action: 'finish' },
          ...(plan.skipped.length > 0
            ? [{ keys: WHY_KEY, action: why ? 'hide why skipped' : 'why skipped' }]
            : []),
          BACK,
          QUIT,
        ]
      : [
          ...(inSummary ? [{ keys: `↑↓ enter`, action: 'diff at change' }] : []),
          ...(state === 'open' && !inSummary ? [{ keys: 'enter', action: 'apply…' }] : []),
          ...(state === 'checking' && !inSummary
            ? [{ keys: 'enter', action: 'apply… (once checked)' }]
            : []),
          ...(state === 'warnings'
            ? [{ keys: ACCEPT_KEY, action: 'accept security warnings' }]
            : []),
          ...(state === 'lockout' && onExempt ? [{ keys: EXEMPT_KEY, action: 'exempt me' }] : []),
          ...(state === 'lockout' ? [{ keys: OVERRIDE_KEY, action: 'override' }] : []),
          ...(view === 'diff' ? [{ keys: 'n/p', action: 'next/prev change' }] : []),
          ...(view === 'diff' ? [{ keys: DIFF_KEY, action: 'summary' }] : []),
          ...(view === 'commands' ? [{ keys: WRITE_KEY, action: 'write to file' }] : []),
          { keys: 's', action: 'save plan' },
          { keys: 'c', action: view === 'commands' ? 'back' : 'show CLI' },
          ...(plan.skipped.length > 0 && view !== 'commands'
            ? [{ keys: WHY_KEY, action: why ? 'hide why skipped' : 'why skipped' }]
            : []),
          BACK,
          QUIT,
        ];

  const title =
    view === 'commands'
      ? 'Review: the same plan as AWS CLI commands'
      : inSummary
        ? 'Review the plan: summary'
        : 'Review the plan';
  return (
    <Box flexDirection="column">
      <Text {...tone('heading')}>{title}</Text>
      {noticeRows.map((text, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
        <Text key={`notice-${index}`} {...tone('warning')}>
          {text}
        </Text>
      ))}
      {/* Each view opens at its top (the diff at the change picked; at the first, with findings, the very top so they show — and again when findings arrive while it is open); the summary stays in view however far it scrolls. */}
      <LinesView
        key={`${view}-${lead > 0}`}
        lines={body}
        height={height - 1 - rows}
        isActive={prompt === null && typing === null && view !== 'summary'}
        anchors={anchors}
        {...(view === 'diff' && (picked > 0 || lead === 0) ? { start: picked } : {})}
        {...(focus !== undefined ? { focus } : {})}
      />
      {summary ? <Text {...tone('summary')}>{summary.text}</Text> : null}
      {checking ? (
        <Text>
          <Text {...tone('accent')}>
            <Spinner type="dots" />
          </Text>{' '}
          {CHECKING}
          {queued ? <Text {...tone('muted')}> (enter: goes on once checked)</Text> : null}
        </Text>
      ) : null}
      {statusRows.map((line, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
        <Text key={index} {...tone(line.tone)} wrap="truncate-end">
          {line.text}
        </Text>
      ))}
      {prompt ? <FilePrompt prompt={prompt} /> : null}
      <Footer hints={hints} />
    </Box>
  );
}
