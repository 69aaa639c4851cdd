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
import { withDigest } from '../plan/render/digest-line.js';
import { type Line, renderCliCommands, renderPlan } from '../plan/render/render.js';
import { BACK, Footer, type KeyHint, QUIT } from './footer.js';
import { LinesView } from './lines-view.js';
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
  /** Saves the plan file; returns a line to show (where it went, or why it failed). */
  readonly onSave: () => { ok: boolean; message: string };
  readonly onConfirm: () => void;
  readonly onFinish: () => void;
  readonly onBack: () => void;
  /** Deny statements that would lock the operator out: they block Enter like policy errors. */
  readonly lockout?: readonly LockoutFinding[];
  /** Re-plans with the operator's principal exempted (key `e`); absent when the plan cannot. */
  readonly onExempt?: () => void;
  /** What the last check before apply said (the bucket changed, the plan was blocked), above the plan. */
  readonly notice?: string;
  /** The steps' words for the lockout reasons' flags. */
  readonly terms?: CallerTerms;
};

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
 * The plan as a diff (or as AWS CLI commands), before anything is written,
 * with IAM Access Analyzer's findings on its policies: errors block apply,
 * security warnings must be accepted with `a` before Enter applies.
 */
export function Review({
  plan,
  cli,
  height,
  validation,
  warningsAccepted,
  onAcceptWarnings,
  onSave,
  onConfirm,
  onFinish,
  onBack,
  lockout = [],
  onExempt,
  notice,
  terms = {},
}: Props) {
  const { stdout } = useStdout();
  const width = stdout.columns || 80;
  const [showCommands, setShowCommands] = useState(false);
  const [saved, setSaved] = useState<{ ok: boolean; message: string } | null>(null);
  const hasChanges = plan.changes.length > 0;
  const result = validation.status === 'done' ? validation.value : undefined;
  // Overriding the lockout: the bucket name typed after `o`, for these findings only.
  const [typing, latestTyping, setTyping] = useLatestState<string | null>(null);
  const [overridden, setOverridden] = useState<string | undefined>();
  const lockoutKey = JSON.stringify(lockout);
  const lockedOut = lockout.length > 0 && overridden !== lockoutKey;
  const lines = useMemo(() => {
    if (showCommands) return renderCliCommands(plan, cli);
    // The findings first: they decide whether the plan can be applied.
    const findings = [
      ...lockoutLines(lockout).map((line) => inWizardTerms(line, terms)),
      ...(result ? findingLines(result, { width: width - 1 }) : []),
    ];
    const diff = withDigest(renderPlan(plan), plan);
    return findings.length > 0 ? [...findings, { kind: 'plain', text: '' } as Line, ...diff] : diff;
  }, [plan, cli, showCommands, result, width, lockout, terms]);
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

  useInput((input, key) => {
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
    if (key.return) {
      if (!hasChanges) return onFinish();
      if (state === 'open') return onConfirm();
      if (state === 'checking') setQueued(true);
      return;
    }
    if (input === ACCEPT_KEY && hasChanges && state === 'warnings') onAcceptWarnings();
    if (input === EXEMPT_KEY && state === 'lockout' && onExempt) onExempt();
    if (input === OVERRIDE_KEY && state === 'lockout') setTyping('');
    if (input === 's' && hasChanges) setSaved(onSave());
    if (input === 'c' && hasChanges) setShowCommands((shown) => !shown);
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
  // Wrapped to the width (a skip reason can be long), each piece one row.
  const statusRows = status.flatMap((line) =>
    wrap(line.text, Math.max(20, width - 1)).map((text) => ({ tone: line.tone, text })),
  );
  const checking = hasChanges && validation.status === 'checking';
  const noticeRows = notice ? wrap(notice, Math.max(20, width - 1)) : [];
  const rows =
    statusRows.length +
    noticeRows.length +
    (checking ? 1 : 0) +
    (saved ? 1 : 0) +
    (summary ? 1 : 0);

  const hints: KeyHint[] = !hasChanges
    ? [{ keys: 'enter', action: 'finish' }, BACK, QUIT]
    : [
        ...(state === 'open' ? [{ keys: 'enter', action: 'apply…' }] : []),
        ...(state === 'checking' ? [{ keys: 'enter', action: 'apply… (once checked)' }] : []),
        ...(state === 'warnings' ? [{ keys: ACCEPT_KEY, action: 'accept security warnings' }] : []),
        ...(state === 'lockout' && onExempt ? [{ keys: EXEMPT_KEY, action: 'exempt me' }] : []),
        ...(state === 'lockout' ? [{ keys: OVERRIDE_KEY, action: 'override' }] : []),
        { keys: 's', action: 'save plan' },
        { keys: 'c', action: showCommands ? 'show diff' : 'show CLI' },
        BACK,
        QUIT,
      ];

  return (
    <Box flexDirection="column">
      <Text {...tone('heading')}>
        {showCommands ? 'Review: the same plan as AWS CLI commands' : 'Review the plan'}
      </Text>
      {noticeRows.map((text, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
        <Text key={`notice-${index}`} {...tone('warning')}>
          {text}
        </Text>
      ))}
      {/* The summary stays in view however far the diff scrolls. */}
      <LinesView lines={body} height={height - 1 - rows} />
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
      {saved ? <Text {...tone(saved.ok ? 'success' : 'error')}>{saved.message}</Text> : null}
      <Footer hints={hints} />
    </Box>
  );
}
