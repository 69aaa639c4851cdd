/**
 * No secrets at rest: plan files and journals hold configuration and API
 * calls, never the credentials, session token or MFA code they were made with.
 * The CLI runs with distinctive marker credentials (the emulator accepts any),
 * then every file it wrote is searched for them.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal } from '../../src/plan/apply/journal.js';
import { MFA_NOT_SAVED, PlanFileError, serializePlan } from '../../src/plan/files/plan-file.js';
import type { Posture } from '../../src/plan/model/types.js';
import { buildPlan, STEPS } from '../../src/steps/index.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';

const MARKERS = {
  AWS_ACCESS_KEY_ID: 'AKIAMARKERKEYID7Q3Z',
  AWS_SECRET_ACCESS_KEY: 'marker-secret-Zx81kQvPq0bLw3',
  AWS_SESSION_TOKEN: 'marker-session-token-Jh62Rt9Ww4',
};

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function leaks(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((secret) => text.includes(secret));
}

describe('credentials never reach plan files or journals', () => {
  it('plan, apply and rollback through the CLI with marker credentials', async () => {
    const bucket = uniqueBucket('secrets');
    await createBucket(bucket);
    const dir = mkdtempSync(join(tmpdir(), 's3-harden-secrets-'));
    const state = join(dir, 'state');
    const env = { ...MARKERS, S3_HARDEN_STATE_DIR: state, AWS_PROFILE: '' };
    const endpoint = ['--endpoint-url', emulatorUrl()];
    const only = ['--only', 'public-access-block,encryption,object-ownership,versioning'];
    const planFile = join(dir, 'plan.json');

    const plan = await runCli(
      ['plan', '--bucket', bucket, ...only, '--out', planFile, ...endpoint],
      {
        env,
      },
    );
    expect(plan.code, plan.stderr).toBe(2);
    const applied = await runCli(['apply', planFile, '--yes', ...endpoint], { env });
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    const journals = filesUnder(join(state, 'journals'));
    expect(journals).toHaveLength(1);
    const rolledBack = await runCli(['rollback', journals[0] as string, '--yes', ...endpoint], {
      env,
    });
    expect(rolledBack.code, rolledBack.stderr + rolledBack.stdout).toBe(0);

    const written = filesUnder(dir);
    expect(written).toContain(planFile);
    expect(written.some((file) => file.endsWith('.jsonl'))).toBe(true);
    for (const file of written) {
      expect(leaks(readFileSync(file, 'utf8'), Object.values(MARKERS)), file).toEqual([]);
    }
    // Nor does anything printed.
    for (const result of [plan, applied, rolledBack]) {
      expect(leaks(result.stdout + result.stderr, Object.values(MARKERS))).toEqual([]);
    }
  });
});

describe('MFA codes are never at rest', () => {
  const SERIAL = 'arn:aws:iam::123456789012:mfa/root-account-mfa-device';
  const CODE = '864209';
  const root: Posture = {
    accountId: '123456789012',
    region: 'us-east-1',
    bucket: 'mfa-bucket',
    principalArn: 'arn:aws:iam::123456789012:root',
    observedAt: '2026-11-27T12:00:00.000Z',
    values: { 'bucket.versioning': null, 'bucket.objectLock': null },
    unreadable: {},
  };
  const mfaPlan = () => {
    const answers = {
      ...STEPS.versioning.defaults(root, 'baseline'),
      status: 'Enabled' as const,
      mfaDelete: true,
      mfaSerial: SERIAL,
      mfaCode: CODE,
    };
    return buildPlan(root, 'baseline', ['versioning'], { versioning: answers });
  };

  it('the plan carries the MFA parameter only in memory, and is never saved', () => {
    const plan = mfaPlan();
    expect(plan.changes[0]?.call.input.MFA).toBe(`${SERIAL} ${CODE}`);
    expect(() => serializePlan(plan, 'test')).toThrow(PlanFileError);
    expect(() => serializePlan(plan, 'test')).toThrow(MFA_NOT_SAVED);
  });

  it('applying it (as the wizard does) journals neither the code nor the MFA parameter', async () => {
    const plan = mfaPlan();
    const dir = mkdtempSync(join(tmpdir(), 's3-harden-mfa-'));
    for (const fail of [false, true]) {
      const journal = openJournal(plan.target, join(dir, 'journals'));
      const change = plan.changes[0];
      let written = false;
      const outcome = await executePlan(plan, {
        run: async () => {
          if (fail) throw new Error('AccessDenied: MFA authentication failed');
          written = true;
          return {};
        },
        // As observed until the write, as planned after it.
        read: async () => (written ? change?.after : change?.before) ?? null,
        journal,
      });
      journal.close();
      // A failed irreversible change may have half happened: not "applied" either way.
      if (fail) expect(outcome.status).not.toBe('applied');
      else expect(outcome.status).toBe('applied');
      const text = readFileSync(journal.path, 'utf8');
      expect(text.length).toBeGreaterThan(0);
      expect(leaks(text, [CODE, `${SERIAL} ${CODE}`])).toEqual([]);
      expect(text).not.toMatch(/"MFA"/);
    }
  });
});
