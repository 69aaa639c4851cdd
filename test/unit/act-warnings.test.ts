import { describe, expect, it } from 'vitest';
import { collectActWarnings, isActWarning } from '../setup/act-warnings.js';

describe('act(...) warnings fail screen tests', () => {
  it("tells React's act warnings from other errors", () => {
    expect(
      isActWarning(
        'Warning: An update to App inside a test was not wrapped in act(...).\n\nWhen testing, code that causes React state updates should be wrapped into act(...)',
      ),
    ).toBe(true);
    expect(isActWarning('s3-harden: the plan is stale')).toBe(false);
  });

  it('collects them from console.error and still prints them', () => {
    const printed: unknown[][] = [];
    const target = { error: (...args: unknown[]) => printed.push(args) };
    const act = collectActWarnings(target);
    target.error('An update to X inside a test was not wrapped in act(...).');
    target.error('something else');
    act.restore();
    expect(act.warnings).toEqual(['An update to X inside a test was not wrapped in act(...).']);
    expect(printed).toHaveLength(2);
  });
});
