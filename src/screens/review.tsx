import { Box, Text, useInput } from 'ink';
import { useMemo, useState } from 'react';
import type { CliContext } from '../plan/cli-equivalent.js';
import { renderCliCommands, renderPlan } from '../plan/render.js';
import type { Plan } from '../plan/types.js';
import { BACK, Footer, QUIT } from './footer.js';
import { LinesView } from './lines-view.js';
import { tone } from './theme.js';

type Props = {
  readonly plan: Plan;
  readonly cli: CliContext;
  /** Rows available for the diff. */
  readonly height: number;
  /** Saves the plan file; returns a line to show (where it went, or why it failed). */
  readonly onSave: () => { ok: boolean; message: string };
  readonly onConfirm: () => void;
  readonly onFinish: () => void;
  readonly onBack: () => void;
};

/** The plan as a diff (or as AWS CLI commands), before anything is written. */
export function Review({ plan, cli, height, onSave, onConfirm, onFinish, onBack }: Props) {
  const [showCommands, setShowCommands] = useState(false);
  const [saved, setSaved] = useState<{ ok: boolean; message: string } | null>(null);
  const hasChanges = plan.changes.length > 0;
  const lines = useMemo(
    () => (showCommands ? renderCliCommands(plan, cli) : renderPlan(plan)),
    [plan, cli, showCommands],
  );
  const last = lines.at(-1);
  const summary = last?.kind === 'summary' && lines.length > 1 ? last : undefined;
  const body = summary ? lines.slice(0, -1) : lines;

  useInput((input, key) => {
    if (key.escape) return onBack();
    if (key.return) return hasChanges ? onConfirm() : onFinish();
    if (input === 's' && hasChanges) setSaved(onSave());
    if (input === 'c' && hasChanges) setShowCommands((shown) => !shown);
  });

  return (
    <Box flexDirection="column">
      <Text {...tone('heading')}>
        {showCommands ? 'Review: the same plan as AWS CLI commands' : 'Review the plan'}
      </Text>
      {/* The summary stays in view however far the diff scrolls. */}
      <LinesView lines={body} height={height - (saved ? 2 : 1) - (summary ? 1 : 0)} />
      {summary ? <Text {...tone('summary')}>{summary.text}</Text> : null}
      {saved ? <Text {...tone(saved.ok ? 'success' : 'error')}>{saved.message}</Text> : null}
      <Footer
        hints={
          hasChanges
            ? [
                { keys: 'enter', action: 'apply…' },
                { keys: 's', action: 'save plan' },
                { keys: 'c', action: showCommands ? 'show diff' : 'show CLI' },
                BACK,
                QUIT,
              ]
            : [{ keys: 'enter', action: 'finish' }, BACK, QUIT]
        }
      />
    </Box>
  );
}
