/**
 * Bad fleet plan files get one line on stderr, exit 1, and not a single
 * request to AWS: named mutations through the built CLI (a duplicated
 * bucket, a section for another account, a hostile section…), then a
 * seeded fuzz of a few hundred random mutations in process through
 * runApply. The endpoint is a loopback server counting what it receives.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedPlan } from '../../src/commands/apply-checks.js';
import { CommandError } from '../../src/commands/exit-codes.js';
import { planFromPosture } from '../../src/commands/plan.js';
import { parseAnyPlan, serializeFleet } from '../../src/plan/files/fleet-file.js';
import { composeFleet, isAccountWide } from '../../src/plan/fleet/fleet.js';
import { deepEqual } from '../../src/plan/model/diff.js';
import type { Posture, PostureValues } from '../../src/plan/model/types.js';
import { writeCall } from '../../src/plan/resources/index.js';
import { stepsForPreset } from '../../src/steps/index.js';
import { runCli } from '../helpers/cli.js';
import { pick, seededRandom } from '../helpers/random.js';
import {
  applyUnattended,
  type CountingEndpoint,
  countingEndpoint,
} from '../helpers/refusal-probe.js';
import { openPosture, SYNTHETIC_ACCOUNT } from '../helpers/synthetic-plans.js';

// biome-ignore lint/suspicious/noExplicitAny: tests mutate the parsed JSON freely.
type Json = any;

const STEPS = stepsForPreset('strict');
const NOW = new Date('2026-11-28T12:00:00.000Z');

/** A strict fleet over three open buckets: the account section and three bucket sections. */
function validFleetText(): string {
  const postures = ['alpha', 'bravo', 'charlie'].map((bucket): Posture => {
    const base = openPosture(STEPS);
    const values: Record<string, unknown> = { ...base.values };
    for (const key of ['exists', 'policy', 'encryption', 'objectLock', 'requestPayment'])
      values[`logTarget.${key}`] = null;
    return {
      ...base,
      bucket,
      logBucket: `${bucket}-logs`,
      values: values as Partial<PostureValues>,
    };
  });
  const fleet = composeFleet(
    {
      accountId: SYNTHETIC_ACCOUNT,
      region: 'us-east-1',
      preset: 'strict',
      postures,
      skipped: [{ bucket: 'delta', reason: 'Access denied: s3:GetBucketPolicy on delta.' }],
      now: NOW,
    },
    (posture) => planFromPosture(posture, 'strict', STEPS, NOW),
  );
  return serializeFleet(fleet, 's3-harden test');
}

const VALID = validFleetText();
const edited = (edit: (file: Json) => void): string => {
  const file = JSON.parse(VALID);
  edit(file);
  return JSON.stringify(file, null, 2);
};

const CASES: [string, string, RegExp][] = [
  [
    'a duplicated bucket',
    edited((file) => file.sections.push(file.sections[1])),
    /sections\[3\]: bucket bravo has two sections/,
  ],
  [
    'a section for another account',
    edited((file) => {
      file.sections[2] = JSON.parse(
        JSON.stringify(file.sections[2]).replaceAll(SYNTHETIC_ACCOUNT, '999999999999'),
      );
    }),
    /sections\[2\] is for account 999999999999, but the fleet plan is for 123456789012/,
  ],
  [
    'a hostile section deleting another bucket’s policy',
    edited((file) => {
      const change = file.sections[0].changes.find(
        (entry: Json) => entry.resource === 'bucket.policy',
      );
      change.undo = { service: 's3', operation: 'DeleteBucketPolicy', input: { Bucket: 'bravo' } };
    }),
    /sections\[0\]: changes\[\d+\]\.undo names bucket "bravo", but the plan is for alpha/,
  ],
  [
    'a section running an operation outside the catalogue',
    edited((file) => {
      file.sections[1].changes[0].call.operation = 'DeleteObjects';
    }),
    /sections\[1\]: changes\[0\]\.call: s3:DeleteObjects is not an operation s3-harden applies/,
  ],
  [
    'an escape sequence in a section’s title',
    edited((file) => {
      file.sections[1].changes[0].title = '\u001b[2J\u001b[31mPWNED';
    }),
    /sections\[1\]: changes\.0\.title|sections\[1\]: changes\[0\]\.title: must not contain control characters/,
  ],
  [
    'the account’s Macie switched on from a bucket section',
    edited((file) => {
      const macie = file.account.changes.find((entry: Json) => entry.resource === 'account.macie');
      file.sections[0].changes.push(macie);
      file.sections[0].observed['account.macie'] = null;
    }),
    /sections\[0\]: Macie \(account and region\) is account-wide; only the account section may change it/,
  ],
  [
    'a fleet format with a single plan’s body',
    JSON.stringify({ ...JSON.parse(VALID).sections[0], format: 's3-harden-fleet-plan' }),
    /fleet\.json: accountId: Invalid input: expected string, received undefined/,
  ],
  [
    'one section’s changes out of dependsOn order (the executor runs them in file order)',
    edited((file) => {
      file.sections[1].changes.reverse();
    }),
    /sections\[1\]: changes\[\d+\]: depends on \S+, which comes after it\n$/,
  ],
  [
    'a section’s change depending on a change the section lacks',
    edited((file) => {
      file.sections[0].changes = file.sections[0].changes.filter(
        (change: Json) => change.id !== 'logTarget.exists',
      );
    }),
    /sections\[0\]: changes\[\d+\]: depends on logTarget\.exists, which is not in the plan\n$/,
  ],
  ['a truncated file', VALID.slice(0, VALID.length / 2), /not valid JSON/],
];

type Path = (string | number)[];
function leafPaths(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries: [string | number, Json][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  return entries.flatMap(([key, item]) => leafPaths(item, [...prefix, key]));
}
function setAt(root: Json, path: Path, value: Json): Json {
  const copy = structuredClone(root);
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  node[path[path.length - 1] as string | number] = value;
  return copy;
}

const HOSTILE: Json[] = [
  'bravo',
  'someone-elses-bucket',
  '999999999999',
  '*',
  '',
  '\u001b[31mred',
  'a\nb',
  null,
  true,
  -1,
  [],
  {},
  'x'.repeat(3000),
];

describe('bad fleet plan files', () => {
  let endpoint: CountingEndpoint;
  let dir: string;

  beforeAll(async () => {
    endpoint = await countingEndpoint();
    dir = mkdtempSync(join(tmpdir(), 's3-harden-bad-fleets-'));
  });
  afterAll(() => endpoint.close());

  it('the valid fleet file itself is accepted (the mutations below are what is refused)', () => {
    const parsed = parseAnyPlan(VALID);
    expect(parsed.kind).toBe('fleet');
    expect(parsed.kind === 'fleet' && parsed.fleet.sections.length).toBe(3);
  });

  it.each(CASES)('%s: one line, exit 1, no API call', async (_name, content, message) => {
    const file = join(dir, 'fleet.json');
    writeFileSync(file, content);
    const result = await runCli(['apply', file, '--yes', '--endpoint-url', endpoint.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^s3-harden: .*fleet\.json: /);
    expect(result.stderr).toMatch(message);
    expect(/\p{Cc}/u.test(result.stderr.trimEnd())).toBe(false);
    expect(endpoint.requests).toBe(0);
  });

  it('400 random mutations: each refused in one line before any request, or still a safe fleet', async () => {
    const rng = seededRandom(20261128);
    const original = JSON.parse(VALID);
    const leaves = leafPaths(original);
    const problems: string[] = [];
    let rejected = 0;
    for (let i = 0; i < 400; i++) {
      const path = pick(rng, leaves);
      const value = pick(rng, HOSTILE);
      const text = JSON.stringify(setAt(original, path, value), null, 2);
      let accepted: ReturnType<typeof checkedPlan> | undefined;
      try {
        // The loader apply uses: the file's checks, then each section derived again.
        accepted = checkedPlan(text);
      } catch {
        accepted = undefined;
      }
      if (accepted) {
        // Still a fleet whose every call is the write its before/after shows, on its own bucket.
        if (accepted.kind !== 'fleet') {
          problems.push(`#${i} ${path.join('.')}: became a single plan`);
          continue;
        }
        const { fleet } = accepted;
        for (const plan of [...(fleet.account ? [fleet.account] : []), ...fleet.sections]) {
          if (plan.target.accountId !== SYNTHETIC_ACCOUNT)
            problems.push(`#${i} ${path.join('.')}: another account accepted`);
          for (const change of plan.changes) {
            if (!deepEqual(change.call, writeCall(change.resource, plan.target, change.after)))
              problems.push(`#${i} ${path.join('.')}: a call that does not write its after`);
            if (plan !== fleet.account && isAccountWide(change.resource))
              problems.push(`#${i} ${path.join('.')}: account change in a bucket section`);
          }
        }
        continue;
      }
      rejected += 1;
      const file = join(dir, `mutant-${i}.json`);
      writeFileSync(file, text);
      const before = endpoint.requests;
      try {
        await applyUnattended(file, endpoint.url);
        problems.push(`#${i} ${path.join('.')}: apply did not refuse`);
      } catch (error) {
        if (!(error instanceof CommandError)) problems.push(`#${i}: ${(error as Error).name}`);
        else if (error.exitCode !== 1 || /\p{Cc}/u.test(error.message))
          problems.push(`#${i} ${path.join('.')}: ${JSON.stringify(error.message.slice(0, 200))}`);
      }
      if (endpoint.requests !== before) problems.push(`#${i} ${path.join('.')}: made a request`);
    }
    expect(problems).toEqual([]);
    expect(rejected).toBeGreaterThan(300);
    expect(endpoint.requests).toBe(0);
  }, 120_000);
});
