/**
 * Which steps an exception holds back: the step that would change the
 * excepted control, for that bucket only, until the exception expires; MFA
 * delete holds nothing back (the versioning step never turns it off, and
 * turns it on only when the root user asks).
 */
import { describe, expect, it } from 'vitest';
import type { ControlId } from '../../src/plan/audit/control-types.js';
import { controlLabels } from '../../src/plan/audit/controls.js';
import type { Exception } from '../../src/plan/exceptions/exceptions.js';
import { CONTROL_STEPS, exceptSteps } from '../../src/steps/excepted-steps.js';
import { STEPS } from '../../src/steps/index.js';
import type { StepId } from '../../src/steps/types.js';

const STEP_IDS: readonly StepId[] = ['public-access-block', 'encryption', 'versioning'];
const NOW = new Date('2026-12-06T12:00:00Z');

function exception(controls: Exception['controls'], expires?: string): Exception {
  return {
    bucket: 'site-*',
    controls,
    reason: 'public website',
    ...(expires ? { expires } : {}),
    source: 'file',
  } as Exception;
}

describe('exceptSteps', () => {
  it('holds back the excepted control’s step on the buckets it names, and says why', () => {
    const held = exceptSteps(STEP_IDS, 'site-www', [exception(['bpa-bucket'])], NOW);
    expect(held.stepIds).toEqual(['encryption', 'versioning']);
    expect(held.leftAsIs).toEqual([
      {
        step: 'public-access-block',
        control: 'bpa-bucket',
        reason: 'left as is: excepted (public website)',
      },
    ]);
    expect(exceptSteps(STEP_IDS, 'data', [exception(['bpa-bucket'])], NOW).stepIds).toEqual(
      STEP_IDS,
    );
  });

  it('an expired exception plans the step again and says so', () => {
    const held = exceptSteps(STEP_IDS, 'site-www', [exception(['bpa-bucket'], '2026-12-05')], NOW);
    expect(held.stepIds).toEqual(STEP_IDS);
    expect(held.expired).toEqual([expect.stringContaining('bpa-bucket on site-www')]);
  });

  it('excepting KMS or the SSE-C block keeps that answer: the encryption step is still planned', () => {
    const held = exceptSteps(STEP_IDS, 'site-www', [exception(['encryption-kms'])], NOW);
    expect(held.stepIds).toEqual(STEP_IDS);
    expect(held.kept).toEqual([
      {
        step: 'encryption',
        control: 'encryption-kms',
        reason: 'kept as it is: excepted (public website)',
      },
    ]);
    // Default encryption itself excepted: the whole step waits, nothing is kept inside it.
    const whole = exceptSteps(
      STEP_IDS,
      'site-www',
      [exception(['encryption', 'sse-c-blocked'])],
      NOW,
    );
    expect(whole.stepIds).toEqual(['public-access-block', 'versioning']);
    expect(whole.kept).toEqual([]);
  });

  it('excepting MFA delete still plans versioning', () => {
    const held = exceptSteps(STEP_IDS, 'site-www', [exception(['mfa-delete'])], NOW);
    expect(held.stepIds).toEqual(STEP_IDS);
    expect(held.excepted['mfa-delete']).toBeDefined();
  });

  it('each step an exception holds back claims that control in its header', () => {
    for (const [control, steps] of Object.entries(CONTROL_STEPS) as [ControlId, StepId[]][]) {
      const labels = controlLabels(control);
      for (const step of steps) {
        // A control without an FSBP or CIS number has no label to claim.
        if (labels.length === 0) continue;
        expect(STEPS[step].controls, `${step} for ${control}`).toEqual(
          expect.arrayContaining(labels),
        );
      }
    }
  });
});
