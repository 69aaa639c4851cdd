/** The footer on a narrow terminal drops whole hints from the end, never cuts one. */
import { describe, expect, it } from 'vitest';
import { fittingHints } from '../../src/screens/footer.js';

const HINTS = [
  { keys: 'enter', action: 'to the steps' },
  { keys: '↑↓', action: 'detail' },
  { keys: 'i', action: 'FSBP/CIS IDs' },
  { keys: 'esc', action: 'back' },
  { keys: 'ctrl+c', action: 'quit' },
];

describe('fittingHints', () => {
  it('keeps every hint in 80 columns', () => {
    expect(fittingHints(HINTS, 80)).toEqual(HINTS);
  });

  it('drops whole hints from the end at 60 columns, where all would take 69', () => {
    const shown = fittingHints(HINTS, 60);
    expect(shown).toEqual(HINTS.slice(0, 4));
    const line = shown.map((hint) => `${hint.keys} ${hint.action}`).join('  ');
    expect(line).toBe('enter to the steps  ↑↓ detail  i FSBP/CIS IDs  esc back');
    expect(line.length).toBeLessThanOrEqual(60);
  });
});
