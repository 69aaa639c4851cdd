/**
 * A field's help cut to the width of the terminal can be read in full: ? (where
 * nothing is typed) or F1 (anywhere) shows the focused field's help wrapped
 * under it, and again puts it back; at 80×24 and 60×20.
 */
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { FormStep } from '../../src/screens/form-step.js';
import type { Field } from '../../src/steps/form.js';
import { press, waitFor } from '../helpers/ink.js';
import { renderInTerminal } from '../helpers/ink-keys.js';

const F1 = '\u001bOP';
const LONG =
  'Can never be turned off again once it is on: S3 keeps every version of every object until a lifecycle rule expires them, and suspending only stops new versions.';

const FIELDS: readonly Field[] = [
  { kind: 'toggle', key: 'on', label: 'Versioning', help: LONG },
  {
    kind: 'text',
    key: 'name',
    label: 'Bucket name',
    help: `The log bucket's name. ${LONG}`,
    placeholder: 'logs-example',
  },
];

const SUMMARY =
  'Stops ACLs and bucket policies from making this bucket or its objects public, now and later.';

function Form({ summary = 'Keeps every version.', fields = FIELDS }) {
  const [value, setValue] = useState<Record<string, unknown>>({ on: false, name: '' });
  return (
    <FormStep
      title="Versioning"
      summary={summary}
      controls={[]}
      fields={fields}
      value={value}
      problems={[]}
      onChange={(next) => setValue({ ...next })}
      onNext={() => undefined}
      onBack={() => undefined}
    />
  );
}

/** The frame's rows joined, indentation folded, so wrapped help reads as one text. */
const joined = (shown: string) => shown.replace(/\s+/g, ' ');

describe.each([
  { columns: 80, rows: 24 },
  { columns: 60, rows: 20 },
])('full help at $columns×$rows', (size) => {
  const apps: { unmount(): void }[] = [];
  afterEach(() => {
    for (const app of apps.splice(0)) app.unmount();
  });

  it('? on a toggle shows its whole help wrapped, and hides it again', async () => {
    const app = renderInTerminal(<Form />, size);
    apps.push(app);
    const first = await waitFor(app, '? full help');
    expect(joined(first)).not.toContain('suspending only stops new versions.');
    await press(app, '?');
    const full = await waitFor(app, '? less help');
    expect(joined(full)).toContain(LONG);
    for (const row of full.split('\n')) expect(row.length).toBeLessThanOrEqual(size.columns);
    await press(app, '?');
    await waitFor(app, '? full help');
  });

  it("a step's sentence cut to the width offers ? even when the field's help fits, and shows it whole", async () => {
    const short: Field[] = [{ kind: 'toggle', key: 'on', label: 'Block', help: 'Short.' }];
    const app = renderInTerminal(<Form summary={SUMMARY} fields={short} />, size);
    apps.push(app);
    const first = await waitFor(app, 'Versioning');
    if (SUMMARY.length <= size.columns) {
      expect(first).toContain(SUMMARY);
      expect(first).not.toContain('full help');
      return;
    }
    expect(first).toContain('? full help');
    expect(joined(first)).not.toContain('now and later.');
    await press(app, '?');
    const full = await waitFor(app, '? less help');
    expect(joined(full)).toContain(SUMMARY);
    for (const row of full.split('\n')) expect(row.length).toBeLessThanOrEqual(size.columns);
  });

  it('in a text field ? is typed and F1 shows the help', async () => {
    const app = renderInTerminal(<Form />, size);
    apps.push(app);
    await waitFor(app, '? full help');
    await press(app, '\t');
    await waitFor(app, 'F1 full help');
    await press(app, 'a?');
    await waitFor(app, 'Bucket name: a?');
    await press(app, F1);
    const full = await waitFor(app, 'F1 less help');
    expect(joined(full)).toContain(`The log bucket's name. ${LONG}`);
    expect(full).toContain('Bucket name: a?');
  });
});
