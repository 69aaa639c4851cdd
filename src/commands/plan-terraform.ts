/**
 * `plan --format terraform`: where the HCL goes. The HCL itself is
 * src/plan/render/terraform.ts (pure); this writes it, never over a file.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UnsafeFileError, writeRegularFile } from '../plan/files/safe-file.js';
import type { Plan } from '../plan/model/types.js';
import { escapeControl } from '../plan/render/sanitise.js';
import { planToTerraform, terraformFileName } from '../plan/render/terraform.js';
import { CommandError } from './exit-codes.js';

/**
 * `--format terraform`: the HCL on stdout, or with --out a directory (made
 * when missing) holding s3-harden-<bucket>.tf; an existing file there is
 * never overwritten.
 */
export function writeTerraform(plan: Plan, dir: string | undefined, stdout: NodeJS.WritableStream) {
  const text = planToTerraform(plan);
  if (dir === undefined) {
    stdout.write(text);
    return;
  }
  const file = join(dir, terraformFileName(plan.target.bucket));
  const shown = escapeControl(file);
  let there = true;
  try {
    lstatSync(file);
  } catch {
    there = false;
  }
  if (there) {
    throw new CommandError(
      `refusing to overwrite ${shown}: it exists already; move it away or choose another --out directory.`,
    );
  }
  try {
    mkdirSync(dir, { recursive: true });
    writeRegularFile(file, text, { mode: 0o644, exclusive: true });
  } catch (error) {
    if (error instanceof UnsafeFileError) throw new CommandError(error.message);
    throw new CommandError(`cannot write ${shown}: ${(error as Error).message}`);
  }
  process.stderr.write(`Wrote the Terraform for ${plan.target.bucket} to ${escapeControl(file)}.
`);
}
