// Part (b): the `baseline` preset on one fresh bucket — `s3-harden plan --out`
// then `apply --yes` — against the guide's AWS CLI commands for the same
// settings typed one after another. Each repetition starts from an emptied
// emulator (the account's Block Public Access is part of baseline), and the
// two sides alternate so the machine's slow phases hit both.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { ROOT, resetEmulator } from '../scripts/emulator.mjs';
import { runAwsSequence } from './aws-cli.mjs';
import { benchS3Client } from './fleet.mjs';
import { median } from './format.mjs';
import { baselineCommands, operationOf } from './guide-commands.mjs';
import { timedRun } from './timed-run.mjs';

const CLI = join(ROOT, 'bin', 's3-harden.js');
const EXIT_CHANGES = 2; // `plan`: there are changes to apply (README, exit codes)

async function freshBucket(endpoint, bucket) {
  await resetEmulator(endpoint);
  const s3 = benchS3Client(endpoint);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    s3.destroy();
  }
}

function expectExit(result, codes, what) {
  if (!codes.includes(result.code)) {
    const output = (result.stderr || result.stdout).trim().slice(-800);
    throw new Error(`${what} exited ${result.code}: ${output}`);
  }
}

async function s3Harden({ endpoint, env, dir }, bucket) {
  const planFile = join(dir, `${bucket}.plan.json`);
  const base = [process.execPath, CLI];
  const plan = await timedRun(
    [
      ...base,
      'plan',
      '--bucket',
      bucket,
      '--preset',
      'baseline',
      '--out',
      planFile,
      '--endpoint-url',
      endpoint,
    ],
    { env, cwd: dir },
  );
  expectExit(plan, [EXIT_CHANGES], `s3-harden plan --bucket ${bucket}`);
  const apply = await timedRun([...base, 'apply', planFile, '--yes', '--endpoint-url', endpoint], {
    env,
    cwd: dir,
  });
  expectExit(apply, [0], `s3-harden apply ${planFile}`);
  return { planMs: plan.ms, applyMs: apply.ms, planFile };
}

/** "s3:PutBucketPolicy" for each change of a saved plan, sorted: what apply will send. */
function planOperations(planFile) {
  const { changes } = JSON.parse(readFileSync(planFile, 'utf8'));
  return changes.map(({ call }) => `${call.service}:${call.operation}`).sort();
}

/**
 * After the guide's commands, baseline must have nothing left to do: proof
 * that both sides reached the same settings. Returns a problem or null.
 */
async function leftToDo({ endpoint, env, dir }, bucket) {
  const result = await timedRun(
    [
      process.execPath,
      CLI,
      'plan',
      '--bucket',
      bucket,
      '--preset',
      'baseline',
      '--json',
      '--endpoint-url',
      endpoint,
    ],
    { env, cwd: dir },
  );
  if (result.code === 0) return null;
  try {
    const { changes } = JSON.parse(result.stdout);
    const titles = changes.map((change) => `${change.action} ${change.title}`).join('; ');
    return `after the guide's commands, baseline still plans: ${titles}`;
  } catch {
    return `s3-harden plan exited ${result.code}: ${result.stderr.trim().slice(0, 300)}`;
  }
}

export async function applyVsCli({ endpoint, env, dir, runs, log }) {
  const ours = [];
  const cli = [];
  const problems = [];
  let commandCount = 0;
  // One warm-up round first (not counted): the first start of each program
  // reads its files from disk, later ones from the page cache.
  for (let run = -1; run < runs; run++) {
    const harden = `bench-apply-${run + 1}-s3h`;
    await freshBucket(endpoint, harden);
    const timing = await s3Harden({ endpoint, env, dir }, harden);

    const manual = `bench-apply-${run + 1}-cli`;
    await freshBucket(endpoint, manual);
    const commands = baselineCommands(manual, dir);
    commandCount = commands.length;
    const result = await runAwsSequence(commands, { endpoint, env });

    if (run === -1) {
      const planned = planOperations(timing.planFile);
      const typed = commands.map(operationOf).sort();
      if (planned.join() !== typed.join())
        problems.push(
          `baseline plans [${planned.join(', ')}], the guide's commands are [${typed.join(', ')}]`,
        );
      const left = await leftToDo({ endpoint, env, dir }, manual);
      if (left) problems.push(left);
    }
    if (run >= 0) {
      ours.push(timing);
      cli.push(result.ms);
    }
    log(
      `bench: baseline ${run < 0 ? 'warm-up' : `run ${run + 1}/${runs}`}: s3-harden ${Math.round(timing.planMs + timing.applyMs)} ms,` +
        ` aws CLI ${Math.round(result.ms)} ms`,
    );
  }
  return {
    runs,
    commands: commandCount,
    ours: {
      totalMs: median(ours.map(({ planMs, applyMs }) => planMs + applyMs)),
      planMs: median(ours.map(({ planMs }) => planMs)),
      applyMs: median(ours.map(({ applyMs }) => applyMs)),
    },
    cli: { totalMs: median(cli), perCommandMs: median(cli) / commandCount },
    problems,
  };
}
