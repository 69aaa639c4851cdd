/**
 * The review screen with IAM Access Analyzer's findings, in the wizard
 * against the emulator. The findings come from a session whose
 * validatePolicies answers what each test needs (the checks themselves are
 * tested at the SDK boundary); the last test uses the real emulator, which
 * has no Access Analyzer.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import type { Plan } from '../../src/plan/model/types.js';
import type { PolicyFinding, PolicyValidation } from '../../src/plan/policy/validation.js';
import { App } from '../../src/screens/app.js';
import { ServicesProvider, type WizardServices } from '../../src/screens/services.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';
import { frame, KEY, pastPosture, press, waitFor } from '../helpers/ink.js';

const finding = (overrides: Partial<PolicyFinding>): PolicyFinding => ({
  severity: 'warning',
  message: 'something',
  change: 'bucket.policy',
  policy: 'Bucket policy',
  check: 'ValidatePolicy',
  ...overrides,
});

const ERROR = finding({
  severity: 'error',
  message: 'The condition key aws:SecureTransprt does not exist.',
  location: 'Statement[0].Condition',
  code: 'INVALID_CONDITION_KEY',
});
const PUBLIC = finding({
  severity: 'security-warning',
  message: 'may allow public access (Sid PublicRead): Public access granted.',
  location: 'Statement[1]',
  check: 'CheckNoPublicAccess',
});
const SUGGESTION = finding({
  severity: 'suggestion',
  message: 'Remove the empty array.',
  location: 'Statement[0].Action',
  code: 'EMPTY_ARRAY_ACTION',
});

const result = (findings: PolicyFinding[]): PolicyValidation => ({
  checked: true,
  policies: ['bucket.policy'],
  findings,
});

const APPLY = 'Apply 1 change to bucket';

/** A frame with wrapped findings joined back (continuations are indented six spaces). */
const unwrapped = (text: string) => text.replace(/\n {6}/g, ' ');

describe('the review screen with policy checks', () => {
  let dir: string;
  let sessions: AwsSession[];
  let checked: Plan[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-review-'));
    sessions = [];
    checked = [];
  });
  afterEach(() => {
    for (const session of sessions) session.close();
  });

  /** The wizard on the bucket-policy step; `validate` stands in for Access Analyzer when given. */
  const start = (bucket: string, validate?: (plan: Plan) => Promise<PolicyValidation>) => {
    const services: WizardServices = {
      connect: async () => {
        const session = await connect({ endpoint: emulatorUrl() });
        sessions.push(session);
        if (!validate) return session;
        return {
          ...session,
          validatePolicies: (plan: Plan) => {
            checked.push(plan);
            return validate(plan);
          },
        };
      },
      openJournal: (target) => openJournal(target, join(dir, 'journals')),
      savePlan: (name, text) => {
        const path = join(dir, `${name}.json`);
        writeFileSync(path, text);
        return path;
      },
    };
    return render(
      <ServicesProvider services={services}>
        <App preset="baseline" steps={['bucket-policy']} bucket={bucket} onExit={() => undefined} />
      </ServicesProvider>,
    );
  };

  /** To the review's summary, then (unless told not to) Enter expands it to the diff, where Enter applies. */
  const toReview = async (app: ReturnType<typeof start>, expand = true) => {
    await pastPosture(app);
    await waitFor(app, 'step 1 of 1');
    await press(app, KEY.enter);
    await waitFor(app, 'Review the plan: summary');
    if (!expand) return;
    await press(app, KEY.enter);
    await waitFor(app, 'n/p next/prev change');
  };

  /** Enter is heard but goes nowhere: a key that is heard afterwards proves it. */
  const enterIsBlocked = async (app: ReturnType<typeof start>) => {
    await press(app, KEY.enter, 'c');
    await waitFor(app, 'Review: the same plan as AWS CLI commands');
    expect(frame(app)).not.toContain(APPLY);
    await press(app, 'c');
    await waitFor(app, 'Review the plan');
  };

  /** Review with Access Analyzer's answer held back until the test gives it. */
  const held = () => {
    let answer: (value: PolicyValidation) => void = () => undefined;
    const pending = new Promise<PolicyValidation>((resolve) => {
      answer = resolve;
    });
    return { pending, answer: (value: PolicyValidation) => answer(value) };
  };

  it('shows progress without waiting, then errors with their location; Enter stays blocked', async () => {
    const bucket = uniqueBucket('review-error');
    await createBucket(bucket);
    const { pending, answer } = held();
    const app = start(bucket, () => pending);
    await toReview(app, false);
    // The plan's summary is up while Access Analyzer is asked; Enter there expands it, never applies.
    const summary = await waitFor(app, 'Checking the policy with IAM Access Analyzer…');
    expect(summary).toContain('› + Bucket policy');
    expect(summary).toContain('↑↓ enter diff at change');
    expect(summary).not.toContain('apply…');
    await press(app, KEY.enter);
    const checking = await waitFor(app, 'n/p next/prev change');
    expect(checking).toContain('Checking the policy with IAM Access Analyzer…');
    expect(checking).toContain('enter apply… (once checked)');
    // Enter now only says it will go on once the check allows it.
    await press(app, KEY.enter);
    await waitFor(
      app,
      'Checking the policy with IAM Access Analyzer… (enter: goes on once checked)',
    );
    expect(frame(app)).not.toContain(APPLY);
    expect(checked).toHaveLength(1);
    expect(checked[0]?.changes.map((change) => change.id)).toEqual(['bucket.policy']);

    answer(result([SUGGESTION, ERROR]));
    const shown = unwrapped(
      await waitFor(
        app,
        '✗ Apply is blocked by 1 policy error: change the answers (esc) or fix the policy.',
      ),
    );
    expect(shown).toContain('Policy checks (IAM Access Analyzer): 1 error, 1 suggestion.');
    expect(shown).toContain(
      '  error: Bucket policy, Statement[0].Condition: The condition key aws:SecureTransprt does not exist. [INVALID_CONDITION_KEY]',
    );
    expect(shown).toContain(
      '  suggestion: Bucket policy, Statement[0].Action: Remove the empty array. [EMPTY_ARRAY_ACTION]',
    );
    // Errors first: above the diff.
    expect(shown.indexOf('error: Bucket policy')).toBeLessThan(shown.indexOf('+ Bucket policy'));
    expect(shown).not.toContain('Checking the policy');
    expect(shown).not.toContain('enter apply…');
    expect(shown).toContain('s save plan');
    await enterIsBlocked(app);
    // `a` accepts nothing here: errors are not warnings.
    await press(app, 'a', KEY.enter, 'c');
    await waitFor(app, 'Review: the same plan as AWS CLI commands');
    expect(frame(app)).not.toContain(APPLY);
  });

  it('Enter pressed while checking goes on to the confirmation once the check passes', async () => {
    const bucket = uniqueBucket('review-queued');
    await createBucket(bucket);
    const { pending, answer } = held();
    const app = start(bucket, () => pending);
    await toReview(app);
    await waitFor(app, 'Checking the policy with IAM Access Analyzer…');
    await press(app, KEY.enter);
    await waitFor(app, '(enter: goes on once checked)');
    answer(result([]));
    await waitFor(app, APPLY);
    // The confirmation still asks: nothing is applied without `y`.
    expect(frame(app)).toContain('y apply now');
  });

  it('a security warning needs the key shown in the footer before Enter applies', async () => {
    const bucket = uniqueBucket('review-warning');
    await createBucket(bucket);
    const app = start(bucket, async () => result([PUBLIC]));
    await toReview(app);
    const shown = await waitFor(app, '! Press a to accept the security warning before applying.');
    // Wrapped to the terminal's width (100 columns here), continued under the finding.
    expect(shown).toContain(
      [
        '  security warning: Bucket policy, Statement[1]: may allow public access (Sid PublicRead): Public',
        '      access granted.',
      ].join('\n'),
    );
    expect(shown).toContain('a accept security warnings');
    expect(shown).not.toContain('enter apply…');
    await enterIsBlocked(app);

    await press(app, 'a');
    const accepted = await waitFor(app, '✓ Security warnings accepted.');
    expect(accepted).toContain('enter apply…');
    expect(accepted).not.toContain('a accept security warnings');
    await press(app, KEY.enter);
    await waitFor(app, APPLY);
    // Back on the review, the acceptance still holds for the same findings.
    await press(app, KEY.escape);
    await waitFor(app, '✓ Security warnings accepted.');
    await press(app, KEY.enter);
    await waitFor(app, 'n/p next/prev change');
    await press(app, KEY.enter);
    await waitFor(app, APPLY);
  });

  it('suggestions are shown and ask nothing', async () => {
    const bucket = uniqueBucket('review-suggestion');
    await createBucket(bucket);
    const app = start(bucket, async () => result([SUGGESTION]));
    await toReview(app);
    const shown = await waitFor(app, 'Policy checks (IAM Access Analyzer): 1 suggestion.');
    expect(shown).toContain(
      '  suggestion: Bucket policy, Statement[0].Action: Remove the empty array. [EMPTY_ARRAY_ACTION]',
    );
    expect(shown).toContain('enter apply…');
    expect(shown).not.toContain('Apply is blocked');
    await press(app, KEY.enter);
    await waitFor(app, APPLY);
  });

  it('at the emulator, which has no Access Analyzer, the review says the checks were skipped', async () => {
    const bucket = uniqueBucket('review-skipped');
    await createBucket(bucket);
    const app = start(bucket);
    await toReview(app);
    const shown = await waitFor(
      app,
      'Policy checks skipped: IAM Access Analyzer is not available at this endpoint',
    );
    expect(shown).toContain('enter apply…');
    await press(app, KEY.enter);
    await waitFor(app, APPLY);
  });
});
