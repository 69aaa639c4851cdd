import { Box, Text, useInput } from 'ink';
import { diffPlan } from '../plan/diff.js';
import { summaryLine } from '../plan/render.js';
import type { Plan } from '../plan/types.js';
import { Footer, QUIT } from './footer.js';
import { tone } from './theme.js';

type Props = {
  readonly plan: Plan;
  readonly onApply: () => void;
  readonly onBack: () => void;
};

/** The last stop before writes: what will be touched, and where. */
export function Confirm({ plan, onApply, onBack }: Props) {
  const { counts } = diffPlan(plan);
  const accountWide = plan.changes.filter((change) => change.resource.startsWith('account.'));
  const irreversible = plan.changes.filter((change) => change.undo === null);
  useInput((input, key) => {
    if (key.escape || input === 'n') return onBack();
    if (input === 'y') return onApply();
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
      <Footer
        hints={[
          { keys: 'y', action: 'apply now' },
          { keys: 'n/esc', action: 'back to review' },
          QUIT,
        ]}
      />
    </Box>
  );
}
