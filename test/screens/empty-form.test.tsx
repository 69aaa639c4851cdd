/**
 * An empty form says what to type before it says ✗: the new-bucket form and
 * the bucket picker's typed name show a hint first; the ✗ comes with
 * something invalid typed, or Enter on the empty field; at 80×24 and 60×20.
 */
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { BucketPicker } from '../../src/screens/bucket-picker.js';
import { FormStep } from '../../src/screens/form-step.js';
import {
  type NewBucketAnswers,
  newBucketFields,
  validateNewBucket,
} from '../../src/steps/new-bucket.js';
import { KEY, press, waitFor } from '../helpers/ink.js';
import { renderInTerminal } from '../helpers/ink-keys.js';

function NewBucket() {
  const [answers, setAnswers] = useState<NewBucketAnswers>({
    name: '',
    region: 'eu-west-1',
    objectLock: false,
  } as NewBucketAnswers);
  return (
    <FormStep
      title="Create a new bucket"
      summary="The wizard creates it."
      controls={[]}
      fields={newBucketFields(answers)}
      value={answers as unknown as Record<string, unknown>}
      problems={validateNewBucket(answers)}
      onChange={(next) => setAnswers({ ...(next as unknown as NewBucketAnswers) })}
      onNext={() => undefined}
      onBack={() => undefined}
    />
  );
}

describe.each([
  { columns: 80, rows: 24 },
  { columns: 60, rows: 20 },
])('an empty form at $columns×$rows', (size) => {
  const apps: { unmount(): void }[] = [];
  afterEach(() => {
    for (const app of apps.splice(0)) app.unmount();
  });

  it('the new-bucket form hints the name first, ✗ after Enter or a bad name', async () => {
    const app = renderInTerminal(<NewBucket />, size);
    apps.push(app);
    const first = await waitFor(app, 'Type bucket name, e.g. my-new-bucket');
    expect(first).not.toContain('✗');
    await press(app, KEY.enter);
    await waitFor(app, '✗ Bucket name: enter a bucket name');
  });

  it('typing something invalid says ✗ at once', async () => {
    const app = renderInTerminal(<NewBucket />, size);
    apps.push(app);
    await waitFor(app, 'Type bucket name');
    await press(app, 'A');
    const shown = await waitFor(app, '✗ Bucket name:');
    expect(shown).not.toContain('Type bucket name');
  });

  it("the bucket picker's typed name hints first, ✗ after Enter", async () => {
    const app = renderInTerminal(
      <BucketPicker
        buckets={{ status: 'error', message: 'AccessDenied' }}
        height={size.rows}
        onPick={() => undefined}
        onCreate={() => undefined}
      />,
      size,
    );
    apps.push(app);
    const first = await waitFor(app, "Type the bucket's name, e.g. logs-example");
    expect(first).not.toContain('✗');
    await press(app, KEY.enter);
    await waitFor(app, '✗ enter a bucket name');
  });
});
