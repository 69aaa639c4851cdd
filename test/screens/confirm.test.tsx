/**
 * The confirm screen: changes that cannot be undone are listed together and
 * need the bucket name typed; otherwise `y` applies.
 */
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { Change, Plan } from '../../src/plan/model/types.js';
import { Confirm } from '../../src/screens/confirm.js';
import { frame, KEY, press, waitFor } from '../helpers/ink.js';

const change = (id: string, title: string, undo: Change['undo']): Change => ({
  id,
  step: 'test',
  title,
  resource: 'bucket.publicAccessBlock',
  action: 'create',
  call: { service: 's3', operation: 'PutPublicAccessBlock', input: { Bucket: 'vault' } },
  before: null,
  after: {},
  undo,
  dependsOn: [],
  warnings: [],
});

const plan = (changes: Change[]): Plan => ({
  target: { accountId: '123456789012', region: 'us-east-1', bucket: 'vault' },
  preset: 'worm',
  createdAt: '2026-11-27T12:00:00.000Z',
  observed: {},
  changes,
  skipped: [],
});

const undo = {
  service: 's3' as const,
  operation: 'DeletePublicAccessBlock',
  input: { Bucket: 'vault' },
};

describe('confirm', () => {
  it('applies with y when everything can be undone', async () => {
    let applied = 0;
    const app = render(
      <Confirm
        plan={plan([change('a', 'Block Public Access (bucket)', undo)])}
        onApply={() => applied++}
        onBack={() => undefined}
      />,
    );
    await waitFor(app, 'y apply now');
    await press(app, 'y');
    await waitFor(app, () => applied === 1);
  });

  it('lists irreversible changes and applies only once the bucket name is typed', async () => {
    let applied = 0;
    let back = 0;
    const app = render(
      <Confirm
        plan={plan([
          change('a', 'Block Public Access (bucket)', undo),
          change('b', 'Object Lock', null),
        ])}
        onApply={() => applied++}
        onBack={() => back++}
      />,
    );
    await waitFor(app, '! Object Lock cannot be undone: a failure after it cannot roll it back.');
    expect(frame(app)).toContain('Type the bucket name (vault) to apply:');
    await press(app, 'y');
    await press(app, KEY.enter);
    await waitFor(app, '✗ That is not the bucket name.');
    expect(applied).toBe(0);
    await press(app, '\u007F');
    await press(app, ...'vau'.split(''));
    await press(app, KEY.enter);
    expect(applied).toBe(0);
    await press(app, 'l', 't');
    await waitFor(app, 'to apply: vault');
    await press(app, KEY.enter);
    await waitFor(app, () => applied === 1);
    await press(app, KEY.escape);
    await waitFor(app, () => back === 1);
  });
});
