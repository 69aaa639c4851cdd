/**
 * `s3-harden` with no command: the interactive wizard. Refuses without a
 * terminal and points to the scriptable commands instead.
 */
import { writeFileSync } from 'node:fs';
import type { ConnectionOptions } from '../aws/clients.js';
import { openJournal } from '../plan/journal.js';
import type { Preset } from '../plan/types.js';
import { CommandError, type ExitCode } from './exit-codes.js';

export interface WizardCommandOptions {
  readonly connection: ConnectionOptions;
  /** Undefined: the wizard opens with the preset choice. */
  readonly preset?: Preset;
  readonly bucket?: string;
}

/** A new file name in the working directory for a plan the wizard saves. */
export function savePlanFile(bucket: string, text: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const path = `s3-harden-plan-${bucket}-${stamp}.json`;
  writeFileSync(path, text, { flag: 'wx', mode: 0o644 });
  return path;
}

export async function runWizard(options: WizardCommandOptions): Promise<ExitCode> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new CommandError(
      'the wizard needs an interactive terminal. In scripts and CI use: s3-harden plan --bucket B --out plan.json, then s3-harden apply plan.json --yes',
    );
  }
  const { renderWizard } = await import('../screens/render-wizard.js');
  const code = await renderWizard({
    ...(options.preset ? { preset: options.preset } : {}),
    ...(options.bucket ? { bucket: options.bucket } : {}),
    services: {
      connect: () => import('../aws/index.js').then((aws) => aws.connect(options.connection)),
      openJournal: (target) => openJournal(target),
      savePlan: savePlanFile,
    },
  });
  return code as ExitCode;
}
