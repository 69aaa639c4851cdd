/** The README's "What keeps working" tables are the traffic matrix's rows (scripts/traffic-table.mjs). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trafficTables } from './traffic.js';

describe('the README', () => {
  it('shows what keeps working as the traffic matrix judges it (node scripts/traffic-table.mjs --write)', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const block = /<!-- traffic-table -->\n([\s\S]*?)<!-- \/traffic-table -->/.exec(readme);
    expect(block, 'README.md has no traffic-table block').not.toBeNull();
    expect(block?.[1]).toBe(trafficTables());
  });
});
