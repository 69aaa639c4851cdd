/**
 * The header keeps the bucket's name at 80 and 60 columns: the account and
 * region are cut first, then the tool's own name; a name too long even alone
 * is cut in its middle with its end kept; preset rows keep the gap between name and description.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Header } from '../../src/screens/header.js';
import { PresetPicker } from '../../src/screens/preset-picker.js';
import { waitFor } from '../helpers/ink.js';
import { renderInTerminal } from '../helpers/ink-keys.js';

describe.each([
  { columns: 80, rows: 24 },
  { columns: 60, rows: 20 },
])('at $columns×$rows', (size) => {
  const apps: { unmount(): void }[] = [];
  afterEach(() => {
    for (const app of apps.splice(0)) app.unmount();
  });

  it('the header keeps a bucket name whole, the account cut first', async () => {
    const app = renderInTerminal(
      <Header
        account="123456789012"
        region="eu-west-1"
        bucket="demo-ab12cd-app-logs"
        progress="step 3 of 12"
      />,
      size,
    );
    apps.push(app);
    const shown = await waitFor(app, 's3-harden');
    expect(shown).toContain('bucket demo-ab12cd-app-logs');
    expect(shown).toContain('step 3 of 12');
    for (const row of shown.split('\n')) expect(row.length).toBeLessThanOrEqual(size.columns);
  });

  it('a very long name is cut in its middle, its end kept', async () => {
    const name = `demo-ab12cd-${'x'.repeat(60)}-logs-2026`;
    const app = renderInTerminal(
      <Header account="123456789012" bucket={name} progress="step 3 of 12" />,
      size,
    );
    apps.push(app);
    const shown = await waitFor(app, 'step 3 of 12');
    expect(shown).toMatch(/bucket demo-ab12cd-x+…x*-logs-2026/);
    expect(shown).not.toContain('s3-harden');
  });

  it("a name that fits only without the tool's own name is shown whole, the brand given up", async () => {
    const name = 'narrow-wizard-16185-4-mxc6dovr-ab';
    const app = renderInTerminal(
      <Header account="123456789012" bucket={name} progress="step 1 of 13" />,
      size,
    );
    apps.push(app);
    const shown = await waitFor(app, 'step 1 of 13');
    expect(shown).toContain(`bucket ${name}`);
    // Room for the brand at 80 columns, not at 60.
    if (size.columns === 80) expect(shown).toContain(`s3-harden · bucket ${name}`);
    else expect(shown).not.toContain('s3-harden');
    for (const row of shown.split('\n')) expect(row.length).toBeLessThanOrEqual(size.columns);
  });

  it('preset rows keep the space between name and description', async () => {
    const app = renderInTerminal(<PresetPicker onChoose={() => undefined} />, size);
    apps.push(app);
    const shown = await waitFor(app, 'Which defaults');
    expect(shown).toMatch(/› baseline {2}The /);
    expect(shown).toMatch(/ {2}strict {4}Baseline/);
    for (const row of shown.split('\n')) expect(row.length).toBeLessThanOrEqual(size.columns);
  });
});
