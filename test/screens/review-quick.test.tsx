/**
 * The review at 80×24 and 60×20: a summary first (one line per change),
 * Enter or `d` the diff at the change picked (Enter there applies), `n` / `p` between changes, skipped
 * steps folded into one line, `s` and `w` asking for a file name, the CLI
 * view at its top with commands broken only between arguments.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/files/plan-file.js';
import type { Plan } from '../../src/plan/model/types.js';
import { nothingToCheck } from '../../src/plan/policy/validation.js';
import { Review } from '../../src/screens/review.js';
import { reviewFiles } from '../../src/screens/review-files.js';
import type { WizardServices } from '../../src/screens/services.js';
import { frame, KEY, press, waitFor } from '../helpers/ink.js';
import { renderInTerminal } from '../helpers/ink-keys.js';
import { syntheticPlan } from '../helpers/synthetic-plans.js';

const ACL_FIX =
  'aws s3api put-bucket-acl --bucket open-bucket --acl private --expected-bucket-owner 123456789012';

/** strict on an open bucket, two steps skipped, and an ACL note quoting a command. */
function bigPlan(): Plan {
  const plan = syntheticPlan('strict');
  const changes = plan.changes.map((change, index) =>
    index === 0
      ? {
          ...change,
          warnings: [
            ...change.warnings,
            `ACLs stay on because the bucket ACL grants READ to AllUsers (anyone). Remove those grants (${ACL_FIX}), then plan again.`,
          ],
        }
      : change,
  );
  return {
    ...plan,
    changes,
    skipped: [
      ...plan.skipped,
      {
        step: 'Lifecycle',
        reason: 'S3 does not support lifecycle configuration on a bucket with MFA delete.',
      },
      { step: 'Macie', reason: 'Macie is not available at this endpoint.' },
    ],
  } as Plan;
}

const SIZES = [
  { columns: 80, rows: 24 },
  { columns: 60, rows: 20 },
] as const;

describe.each(SIZES)('the review at $columns×$rows', (size) => {
  const apps: { unmount(): void }[] = [];
  afterEach(() => {
    for (const app of apps.splice(0)) app.unmount();
  });

  const start = (plan: Plan, dir = mkdtempSync(join(tmpdir(), 's3-harden-review-'))) => {
    const services: WizardServices = {
      connect: async () => {
        throw new Error('unused');
      },
      openJournal: () => {
        throw new Error('unused');
      },
      savePlan: (_bucket, text, path) => {
        writeFileSync(join(dir, path ?? 'plan.json'), text, { flag: 'wx' });
        return path ?? 'plan.json';
      },
      writeFile: (path, text) => {
        writeFileSync(join(dir, path), text, { flag: 'wx' });
        return path;
      },
      invocation: 'npx s3-harden',
      demo: true,
    };
    const files = reviewFiles(services);
    const cli = { region: 'us-east-1', endpoint: 'http://127.0.0.1:4566', profile: 'ops' };
    const events: string[] = [];
    const app = renderInTerminal(
      <Review
        plan={plan}
        cli={cli}
        height={size.rows - 3}
        validation={{ status: 'done', value: nothingToCheck() }}
        warningsAccepted={false}
        onAcceptWarnings={() => undefined}
        onSave={(name) => files.save(plan, name, cli)}
        planName="plan-open-bucket.json"
        onWrite={(name, text) => files.write(name, text)}
        scriptName="harden-open-bucket.sh"
        onConfirm={() => events.push('confirm')}
        onFinish={() => events.push('finish')}
        onBack={() => events.push('back')}
      />,
      size,
    );
    apps.push(app);
    return { app, dir, events };
  };

  const rows = (text: string) => text.split('\n');

  it('opens on a one-screen summary with the skipped steps on one line; i shows why', async () => {
    const plan = bigPlan();
    const { app } = start(plan);
    const shown = await waitFor(app, 'Review the plan: summary');
    expect(shown).toMatch(/Skipped: .*Lifecycle, Macie \(i: why\)/);
    expect(shown).not.toContain('Skipped Lifecycle:');
    expect(shown).toMatch(/Plan: \d+ to add/);
    // One line per change, with its symbol, as many as fit; the cursor scrolls to the rest.
    for (const change of plan.changes.slice(0, 3)) expect(shown).toContain(`+ ${change.title}`);
    expect(shown).toContain(`› + ${plan.changes[0]?.title}`);
    expect(rows(shown).length).toBeLessThanOrEqual(size.rows);
    await press(app, 'i');
    const why = await waitFor(app, 'Skipped Lifecycle: S3 does not support');
    expect(why).toContain('(i: hide why)');
    const last = plan.changes.at(-1);
    await press(app, KEY.down.repeat(plan.changes.length));
    await waitFor(app, `› + ${last?.title}`);
  });

  it('d opens the diff at the picked change, n / p jump between changes, d returns', async () => {
    const plan = bigPlan();
    const { app } = start(plan);
    await waitFor(app, 'Review the plan: summary');
    await press(app, KEY.down, KEY.down);
    await waitFor(app, `› + ${plan.changes[2]?.title}`);
    await press(app, 'd');
    // The picked change's header is the first row of the diff.
    const header = (index: number) => {
      const change = plan.changes[index];
      return `+ ${change?.title}  (${change?.call.service}:${change?.call.operation})`;
    };
    const topRow = () => rows(frame(app))[1] ?? '';
    await waitFor(app, () => topRow().startsWith(header(2)));
    expect(frame(app)).toContain('n/p next/prev change');
    await press(app, 'n');
    await waitFor(app, () => topRow().startsWith(header(3)));
    await press(app, 'p', 'p');
    await waitFor(app, () => topRow().startsWith(header(1)));
    await press(app, 'd');
    await waitFor(app, `› + ${plan.changes[2]?.title}`);
  });

  it('Enter on the summary expands it at the picked change; only Enter on the diff goes on to apply', async () => {
    const plan = bigPlan();
    const { app, events } = start(plan);
    const summary = await waitFor(app, 'Review the plan: summary');
    expect(summary).toContain('↑↓ enter diff at change');
    expect(summary).not.toContain('apply…');
    // A held Down and Enter in one read: the cursor moves twice, then the summary expands.
    app.stdin.write(`${KEY.down}${KEY.down}${KEY.enter}`);
    const change = plan.changes[2];
    const header = `+ ${change?.title}  (${change?.call.service}:${change?.call.operation})`;
    const diff = await waitFor(app, () => (rows(frame(app))[1] ?? '').startsWith(header));
    expect(diff).toContain('enter apply…');
    expect(events).toEqual([]);
    await press(app, KEY.enter);
    await waitFor(app, () => events.includes('confirm'));
    expect(events).toEqual(['confirm']);
  });

  it('a note quoting a command shows it on rows of its own, broken only between arguments', async () => {
    const plan = bigPlan();
    const { app } = start(plan);
    await waitFor(app, 'Review the plan: summary');
    await press(app, 'd');
    const shown = await waitFor(app, 'aws s3api put-bucket-acl');
    const commandRows = rows(shown)
      .slice(rows(shown).findIndex((row) => row.includes('aws s3api put-bucket-acl')))
      .slice(0, 4);
    const joined: string[] = [];
    for (const row of commandRows) {
      joined.push(row.trim().replace(/ \\$/, ''));
      if (!row.endsWith(' \\')) break;
    }
    expect(joined.join(' ')).toBe(ACL_FIX);
    for (const row of rows(shown)) expect(row.length).toBeLessThanOrEqual(size.columns);
  });

  it('s asks for a file name with the default shown; a typed name is saved, with the command to apply it', async () => {
    const plan = bigPlan();
    const { app, dir } = start(plan);
    await waitFor(app, 'Review the plan: summary');
    await press(app, 's');
    await waitFor(app, 'Save the plan as: plan-open-bucket.json');
    // Backspace edits the default; the name typed is taken.
    await press(app, ...Array(5).fill('\u007f'));
    await waitFor(app, 'Save the plan as: plan-open-bucket█');
    await press(app, ...'-mine.json');
    await waitFor(app, 'Save the plan as: plan-open-bucket-mine.json');
    await press(app, KEY.enter);
    const shown = (await waitFor(app, 'Saved to')).replace(/ \\\n\s*/g, ' ');
    const path = join(dir, 'plan-open-bucket-mine.json');
    expect(existsSync(path)).toBe(true);
    expect(parsePlan(readFileSync(path, 'utf8')).changes).toHaveLength(plan.changes.length);
    expect(shown).toContain(
      `npx s3-harden apply plan-open-bucket-mine.json --profile ops --region us-east-1 --endpoint-url http://127.0.0.1:4566`,
    );
    expect(shown).toMatch(/Demo: the emulator and its buckets are gone when the demo\s+quits/);
  });

  it('c opens the CLI view at its top, commands pasteable; w writes them as a bash script', async () => {
    const plan = bigPlan();
    const { app, dir } = start(plan);
    await waitFor(app, 'Review the plan: summary');
    await press(app, 'd', 'n', 'n');
    await waitFor(app, (text) => !text.includes('Changes to bucket'));
    await press(app, 'c');
    const shown = await waitFor(app, 'Review: the same plan as AWS CLI commands');
    expect(rows(shown)[1]).toBe('Equivalent AWS CLI commands:');
    expect(shown).toContain('w write to file');
    for (const row of rows(shown)) expect(row.length).toBeLessThanOrEqual(size.columns);
    // A command too wide for a row continues with " \": no row breaks an argument.
    expect(shown).toMatch(/ \\\n {6}--/);
    await press(app, 'w');
    await waitFor(app, 'Write the commands to: harden-open-bucket.sh');
    await press(app, KEY.enter);
    await waitFor(app, 'Wrote the commands to');
    const script = readFileSync(join(dir, 'harden-open-bucket.sh'), 'utf8');
    expect(script).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(script).toContain('set -euo pipefail');
    expect(script).toContain(`# ${plan.changes[0]?.id}: ${plan.changes[0]?.title}`);
    expect(script).toContain('aws s3api put-public-access-block --bucket open-bucket');
    // c returns to where it was opened from.
    await press(app, 'c');
    await waitFor(app, 'n/p next/prev change');
  });
});
