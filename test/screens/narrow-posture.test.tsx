/**
 * The posture screen at 80×24 and 60×20: every outcome (→ fixed, → changed,
 * still ✗, left as is) whole, never "→ f…"; at 60 columns the detail column
 * gives way and the selected control's detail shows whole under the table;
 * with the header above it the screen stays within the terminal's height.
 */
import { Box } from 'ink';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROLS } from '../../src/plan/audit/controls.js';
import type { PostureRow, PostureSummary } from '../../src/plan/audit/posture-summary.js';
import { Header } from '../../src/screens/header.js';
import { PostureScreen } from '../../src/screens/posture.js';
import { waitFor } from '../helpers/ink.js';
import { renderInTerminal } from '../helpers/ink-keys.js';

const EFFECTS: Pick<PostureRow, 'status' | 'planned' | 'after'>[] = [
  { status: 'fail', planned: 'fixes', after: 'pass' },
  { status: 'fail', planned: 'changes', after: 'fail' },
  { status: 'fail', planned: 'none', after: 'fail' },
  { status: 'pass', planned: 'none', after: 'pass' },
];

const rows: PostureRow[] = CONTROLS.map((control, at) => ({
  id: control.id,
  title: control.title,
  detail: `the detail of ${control.title}, long enough that no narrow column could show it whole`,
  ids: 'FSBP S3.8 · CIS 2.1.4',
  ...(EFFECTS[at % EFFECTS.length] as (typeof EFFECTS)[number]),
}));
const summary: PostureSummary = {
  rows,
  holding: rows.filter((row) => row.status === 'pass').length,
  fixed: rows.filter((row) => row.planned === 'fixes').length,
  stillFailing: rows.filter((row) => row.after !== 'pass').length,
};
const BUCKET = 'demo-ab12cd-app-logs';

describe.each([
  { columns: 80, rows: 24 },
  { columns: 60, rows: 20 },
])('the posture screen at $columns×$rows', (size) => {
  const apps: { unmount(): void }[] = [];
  afterEach(() => {
    for (const app of apps.splice(0)) app.unmount();
  });

  it('shows every outcome whole, the detail of the selected control under the table', async () => {
    const app = renderInTerminal(
      <Box flexDirection="column">
        <Header account="123456789012" region="eu-west-1" bucket={BUCKET} progress="posture" />
        <PostureScreen
          bucket={BUCKET}
          preset="baseline"
          summary={summary}
          onNext={() => undefined}
          onBack={() => undefined}
        />
      </Box>,
      size,
    );
    apps.push(app);
    const shown = await waitFor(app, `Where ${BUCKET} stands now`);
    const lines = shown.split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(size.columns);
    expect(lines.length).toBeLessThanOrEqual(size.rows);
    expect(shown).toContain(`bucket ${BUCKET}`);
    expect(shown).not.toMatch(/→ [a-z]*…/);
    expect(shown).toMatch(/✗ Block Public Access \(account\) +→ fixed/);
    expect(shown).toMatch(/✗ Block Public Access \(bucket\) +→ changed, still ✗/);
    expect(shown).toMatch(/✗ ACLs disabled \(Object Ownership\) +left as is/);
    // The selected (first) control's detail, whole, wrapped under the table.
    const flat = lines.map((line) => line.trim()).join(' ');
    expect(flat).toContain(`Block Public Access (account): ${rows[0]?.detail}`);
    if (size.columns === 60)
      expect(shown).not.toContain('the detail of Block Public Access (bucket)');
  });
});
