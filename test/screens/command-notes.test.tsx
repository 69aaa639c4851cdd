/**
 * A step's note that quotes a command (MFA delete as root, ACL cleanup) at
 * 80×24 and 60×20: the command on rows of its own, broken only between
 * arguments with a trailing " \", so it pastes as shown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FormStep } from '../../src/screens/form-step.js';
import { mfaDeleteCommand } from '../../src/steps/versioning.js';
import { waitFor } from '../helpers/ink.js';
import { renderInTerminal } from '../helpers/ink-keys.js';

const BUCKET = 'payments-ledger-archive-eu-west-1-production';
const COMMAND = mfaDeleteCommand(BUCKET);

/** The command as the rows show it, continuations joined: what a paste gives the shell. */
function pasted(frame: string): string {
  const rows = frame.split('\n');
  const start = rows.findIndex((row) => row.includes('aws s3api put-bucket-versioning'));
  const parts: string[] = [];
  for (const row of rows.slice(start)) {
    parts.push(row.trim().replace(/ \\$/, ''));
    if (!row.endsWith(' \\')) break;
  }
  return parts.join(' ');
}

describe.each([
  { columns: 80, rows: 24 },
  { columns: 60, rows: 20 },
])('a note with a command at $columns×$rows', (size) => {
  const apps: { unmount(): void }[] = [];
  afterEach(() => {
    for (const app of apps.splice(0)) app.unmount();
  });

  it('shows the MFA delete command whole, on rows of its own', async () => {
    const app = renderInTerminal(
      <FormStep
        title="Versioning and MFA delete"
        summary="Keeps every version of every object."
        controls={[]}
        fields={[
          {
            kind: 'note',
            tone: 'info',
            text: `MFA delete can be turned on only by the root user with its MFA device, never in the console. As root, run: ${COMMAND}`,
          },
        ]}
        value={{}}
        problems={[]}
        onChange={() => undefined}
        onNext={() => undefined}
        onBack={() => undefined}
      />,
      size,
    );
    apps.push(app);
    const shown = await waitFor(app, 'aws s3api put-bucket-versioning');
    expect(shown).toContain('As root, run:');
    expect(pasted(shown)).toBe(COMMAND);
    expect(shown).toMatch(/ \\\n/);
    for (const row of shown.split('\n')) expect(row.length).toBeLessThanOrEqual(size.columns);
  });
});
