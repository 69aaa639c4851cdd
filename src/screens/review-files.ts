/**
 * The files the review writes through the services: the plan (`s`), with
 * the command that applies it later from where the operator is, and the
 * AWS CLI script (`w`). What each says back is a SaveOutcome to show.
 */
import { savedPlanText } from '../plan/files/plan-file.js';
import type { Plan } from '../plan/model/types.js';
import { applyLaterCommand, DEMO_GONE } from '../plan/render/apply-hint.js';
import type { CliContext } from '../plan/render/cli-equivalent.js';
import { escapeControl } from '../plan/render/sanitise.js';
import { TOOL } from '../version.js';
import type { SaveOutcome } from './review.js';
import type { WizardServices } from './services.js';

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

export function reviewFiles(services: WizardServices, now: () => Date = () => new Date()) {
  return {
    planName: (bucket: string) =>
      services.planName?.(bucket) ?? `s3-harden-plan-${bucket}-${stamp(now())}.json`,
    scriptName: (bucket: string) => `s3-harden-${bucket}-${stamp(now())}.sh`,
    save(plan: Plan, name: string, cli: CliContext): SaveOutcome {
      try {
        const path = services.savePlan(plan.target.bucket, savedPlanText(plan, TOOL), name);
        return {
          ok: true,
          message: `✓ Saved to ${escapeControl(path)}. Apply later:`,
          command: applyLaterCommand(services.invocation ?? 's3-harden', path, cli),
          ...(services.demo ? { note: DEMO_GONE } : {}),
        };
      } catch (error) {
        return { ok: false, message: `✗ Could not save the plan: ${(error as Error).message}` };
      }
    },
    write(name: string, text: string): SaveOutcome {
      try {
        if (!services.writeFile) throw new Error('writing files is not available here');
        const path = services.writeFile(name, text);
        return {
          ok: true,
          message: `✓ Wrote the commands to ${escapeControl(path)}; run: bash ${escapeControl(path)}`,
        };
      } catch (error) {
        return {
          ok: false,
          message: `✗ Could not write the commands: ${(error as Error).message}`,
        };
      }
    },
  };
}
