/**
 * The result screen: however many changes an apply made, the verdict and
 * the journal stay on screen below them (the changes scroll).
 */
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { ApplyOutcome, ChangeResult } from '../../src/plan/apply/executor.js';
import type { Change } from '../../src/plan/model/types.js';
import { Result } from '../../src/screens/result.js';

function change(n: number): Change {
  return {
    id: `change.${n}`,
    step: 'logging',
    title: `Change number ${n}`,
    resource: 'bucket.versioning',
    action: 'update',
    call: { service: 's3', operation: 'PutBucketVersioning', input: {} },
    before: null,
    after: null,
    undo: null,
    dependsOn: [],
    warnings: [],
  };
}

describe('the result screen', () => {
  it('keeps the verdict and the journal in view when the changes do not fit', () => {
    const results: ChangeResult[] = Array.from({ length: 30 }, (_, n) => ({
      change: change(n + 1),
      status: 'applied',
      verified: true,
    }));
    const outcome = {
      status: 'applied',
      cancelled: false,
      results,
      journalPath: '/state/journals/j.jsonl',
    } as unknown as ApplyOutcome;
    const { lastFrame, unmount } = render(
      <Result outcome={outcome} height={20} onExit={() => {}} />,
    );
    const screen = lastFrame() ?? '';
    expect(screen).toContain('Apply complete: 30 changes applied and verified.');
    expect(screen).toContain('Journal: /state/journals/j.jsonl');
    expect(screen).toContain('Change number 1: applied');
    expect(screen).not.toContain('Change number 30: applied');
    expect(screen.split('\n').length).toBeLessThanOrEqual(20);
    unmount();
  });
});
