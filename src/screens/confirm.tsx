import { Box, Text, useInput } from 'ink';
import { diffPlan } from '../plan/model/diff.js';
import type { Plan } from '../plan/model/types.js';
import { summaryLine } from '../plan/render/render.js';
import { Footer, QUIT } from './footer.js';
import { tone } from './theme.js';
import { useLatestState } from './use-latest-state.js';

type Props = {
  readonly plan: Plan;
  readonly onApply: () => void;
  readonly onBack: () => void;
};

/**
 * The last stop before writes: what will be touched, and where. Changes that
 * cannot be undone are listed together and need the bucket name typed, the
 * way dangerous prompts confirm an exact value; otherwise `y` applies.
 */
export function Confirm({ plan, onApply, onBack }: Props) {
  const { counts } = diffPlan(plan);
  const accountWide = plan.changes.filter((change) => change.resource.startsWith('account.'));
  const irreversible = plan.changes.filter((change) => change.undo === null);
  const needsName = irreversible.length > 0;
  const [typed, latestTyped, setTyped] = useLatestState('');
  useInput((input, key) => {
    if (key.escape) return onBack();
    if (!needsName) {
      if (input === 'n') return onBack();
      if (input === 'y') return onApply();
      return;
    }
    if (key.return) {
      if (latestTyped.current === plan.target.bucket) onApply();
      return;
    }
    if (key.backspace || key.delete) setTyped(latestTyped.current.slice(0, -1));
    else if (input && !key.ctrl && !key.meta) setTyped(latestTyped.current + input);
  });
  const count = plan.changes.length;
  return (
    <Box flexDirection="column">
      <Text {...tone('heading')}>
        {`Apply ${count} change${count === 1 ? '' : 's'} to bucket ${plan.target.bucket} in account ${plan.target.accountId} (${plan.target.region})?`}
      </Text>
      <Text>{summaryLine(counts)}</Text>
      {accountWide.map((change) => (
        <Text key={change.id} {...tone('warning')}>
          {`! ${change.title} affects every bucket in account ${plan.target.accountId}.`}
        </Text>
      ))}
      {irreversible.map((change) => (
        <Text key={`irreversible-${change.id}`} {...tone('irreversible')}>
          {`! ${change.title} cannot be undone: a failure after it cannot roll it back.`}
        </Text>
      ))}
      <Text {...tone('muted')}>
        Each change is journaled before it is made; if any fails, the applied ones are rolled back.
      </Text>
      {needsName ? (
        <Box marginTop={1}>
          <Text>{`Type the bucket name (${plan.target.bucket}) to apply: `}</Text>
          <Text>{typed}</Text>
          <Text inverse> </Text>
        </Box>
      ) : null}
      {needsName && typed.length > 0 && !plan.target.bucket.startsWith(typed) ? (
        <Text {...tone('error')}>✗ That is not the bucket name.</Text>
      ) : null}
      <Footer
        hints={
          needsName
            ? [
                { keys: 'enter', action: 'apply when the name matches' },
                { keys: 'esc', action: 'back to review' },
                QUIT,
              ]
            : [
                { keys: 'y', action: 'apply now' },
                { keys: 'n/esc', action: 'back to review' },
                QUIT,
              ]
        }
      />
    </Box>
  );
}
