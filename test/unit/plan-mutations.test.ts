/**
 * A saved plan cannot be edited into something the tool would not have
 * proposed (issue 13): structure-aware mutations of real plan files — `after`
 * values (alone, and with the call and undo rewritten to match, as a careful
 * forger would), added and duplicated changes, changes from another preset,
 * targets, regions, log buckets, titles, a public statement slipped into a
 * policy, edited readings — each go through the loader `apply` uses
 * (checkedPlan: the file's checks, the weakening rules, the derivation from
 * the recorded inputs). Every mutant is refused with one line, or performs
 * no write (no call, no undo) that the unmodified plan would not have made.
 */
import { describe, expect, it } from 'vitest';
import { checkedPlan } from '../../src/commands/apply-checks.js';
import type { LoadedPlan } from '../../src/plan/files/accounts-file.js';
import { PlanFileError, serializePlan } from '../../src/plan/files/plan-file.js';
import { accountSections, type FleetPlan } from '../../src/plan/fleet/fleet.js';
import { canonicalJson } from '../../src/plan/model/digest.js';
import type { Plan, ResourceKey } from '../../src/plan/model/types.js';
import { writeCall } from '../../src/plan/resources/index.js';
import { pick, type Random, seededRandom } from '../helpers/random.js';
import { SYNTHETIC_BUCKET, syntheticPlan } from '../helpers/synthetic-plans.js';

// biome-ignore lint/suspicious/noExplicitAny: mutations edit the parsed JSON freely.
type Json = any;

const PER_PRESET = Number(process.env.MUTATION_RUNS ?? 400);
const PRESETS = ['baseline', 'strict', 'worm'] as const;

const PUBLIC_READ = {
  Sid: 'AllowEveryone',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${SYNTHETIC_BUCKET}/*`,
};

/** Every write a plan can make: its calls and its undos. */
function writesOf(plan: Plan): Set<string> {
  return new Set(
    plan.changes.flatMap((change) => [
      canonicalJson(change.call),
      ...(change.undo ? [canonicalJson(change.undo)] : []),
    ]),
  );
}

function plansOfFleet(fleet: FleetPlan): Plan[] {
  return [...accountSections(fleet), ...fleet.sections];
}

function plansOf(loaded: LoadedPlan): Plan[] {
  if (loaded.kind === 'accounts') return loaded.accounts.accounts.flatMap(plansOfFleet);
  return loaded.kind === 'plan' ? [loaded.plan] : plansOfFleet(loaded.fleet);
}

/** The call and undo a change's after and before make, as a forger would rewrite them. */
function rewrite(file: Json, change: Json): void {
  try {
    change.call = writeCall(change.resource as ResourceKey, file.target, change.after);
    if (change.undo) {
      change.undo = writeCall(change.resource as ResourceKey, file.target, change.before);
    }
  } catch {
    // A value the resource cannot write: left inconsistent, which the loader refuses.
  }
}

/** A leaf-level edit of a JSON value: a flag flipped, a string changed, a number moved, or gone. */
function editValue(value: Json, random: Random): Json {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'boolean') return !value;
    if (typeof value === 'number') return value + 1;
    if (typeof value === 'string') return pick(random, ['', `${value}x`, 'aws:kms', '*']);
    return pick(random, [true, {}, 'x']);
  }
  const copy = structuredClone(value);
  const keys = Object.keys(copy);
  if (keys.length === 0 || random() < 0.15) return pick(random, [null, {}, []]);
  const key = pick(random, keys);
  if (random() < 0.2) delete copy[key];
  else copy[key] = editValue(copy[key], random);
  return copy;
}

type Mutation = (file: Json, random: Random, others: readonly Json[]) => void;

const changeOf = (file: Json, random: Random): Json => pick(random, file.changes);

const MUTATIONS: Record<string, Mutation> = {
  'after edited': (file, random) => {
    const change = changeOf(file, random);
    change.after = editValue(change.after, random);
  },
  'after edited, call and undo rewritten to match': (file, random) => {
    const change = changeOf(file, random);
    change.after = editValue(change.after, random);
    rewrite(file, change);
  },
  'a public statement added to a policy, call rewritten': (file, random) => {
    const policies = file.changes.filter((c: Json) => /policy$/i.test(c.resource));
    const change = policies.length > 0 ? pick(random, policies) : changeOf(file, random);
    const after = change.after && typeof change.after === 'object' ? change.after : {};
    const statements = Array.isArray(after.Statement) ? after.Statement : [];
    change.after = { Version: '2012-10-17', ...after, Statement: [...statements, PUBLIC_READ] };
    delete change.after['s3-harden:text'];
    rewrite(file, change);
  },
  'a change duplicated': (file, random) => {
    file.changes.push(structuredClone(changeOf(file, random)));
  },
  'a change duplicated under a new id': (file, random) => {
    const copy = structuredClone(changeOf(file, random));
    copy.id = `${copy.id}.again`;
    file.changes.push(copy);
  },
  'a change dropped': (file, random) => {
    file.changes.splice(Math.floor(random() * file.changes.length), 1);
  },
  'a change from another preset added': (file, random, others) => {
    const other = pick(random, others);
    const change = structuredClone(pick(random, other.changes as Json[]));
    if (file.changes.some((c: Json) => c.id === change.id)) change.id = `${change.id}.other`;
    file.observed[change.resource] = change.before;
    file.changes.push(change);
  },
  'changes reordered': (file, random) => {
    const i = Math.floor(random() * file.changes.length);
    const j = Math.floor(random() * file.changes.length);
    [file.changes[i], file.changes[j]] = [file.changes[j], file.changes[i]];
  },
  'target bucket': (file, random) => {
    file.target.bucket = pick(random, ['victim-bucket', `${file.target.bucket}-2`]);
  },
  'target bucket, and every call naming it': (file, random) => {
    const name = pick(random, ['victim-bucket', `${file.target.bucket}-2`]);
    const text = JSON.stringify(file.changes).replaceAll(`"${file.target.bucket}"`, `"${name}"`);
    file.target.bucket = name;
    file.changes = JSON.parse(text);
  },
  'target region': (file, random) => {
    file.target.region = pick(random, ['eu-west-1', 'us-west-2', 'ap-south-1']);
  },
  'target region, the recorded reading too': (file, random) => {
    const region = pick(random, ['eu-west-1', 'us-west-2']);
    file.target.region = region;
    file.provenance.posture.region = region;
  },
  'target log bucket': (file, random) => {
    file.target.logBucket = pick(random, ['victim-bucket', `${file.target.bucket}-logs2`]);
  },
  'target log bucket, and every call naming it': (file, random) => {
    const old = file.target.logBucket ?? `${file.target.bucket}-logs`;
    const name = pick(random, ['victim-bucket', 'other-logs-bucket']);
    file.target.logBucket = name;
    file.changes = JSON.parse(JSON.stringify(file.changes).replaceAll(old, name));
  },
  'a title': (file, random) => {
    changeOf(file, random).title = pick(random, ['allow log delivery', 'Block Public Access']);
  },
  'a step name': (file, random) => {
    changeOf(file, random).step = pick(random, ['logging', 'bucket-policy', 'versioning']);
  },
  'a before value, and the observed one with it': (file, random) => {
    const change = changeOf(file, random);
    change.before = editValue(change.before, random);
    file.observed[change.resource] = change.before;
    rewrite(file, change);
  },
  'a recorded reading': (file, random) => {
    const values = file.provenance.posture.values;
    const key = pick(random, Object.keys(values));
    values[key] = editValue(values[key], random);
  },
  'the recorded steps': (file, random) => {
    const steps: string[] = file.provenance.steps;
    if (random() < 0.5) steps.splice(Math.floor(random() * steps.length), 1);
    else steps.push(pick(random, ['public-access-block', 'no-such-step', 'bucket-policy']));
  },
  'the preset': (file, random) => {
    file.preset = pick(random, ['baseline', 'strict', 'worm']);
  },
};

describe('structure-aware mutations of saved plans', () => {
  const originals = PRESETS.map((preset) => syntheticPlan(preset));
  const texts = originals.map((plan) => serializePlan(plan, 's3-harden test'));

  it('the unmodified plans load and derive again to themselves', () => {
    for (const text of texts) expect(plansOf(checkedPlan(text))).toHaveLength(1);
  });

  it(`${PER_PRESET * PRESETS.length} mutants: each refused in one line, or no write the original would not make`, () => {
    const random = seededRandom(20261204);
    const kinds = Object.keys(MUTATIONS);
    const figures = { mutants: 0, refused: 0, accepted: 0, byKind: {} as Record<string, number> };
    PRESETS.forEach((preset, index) => {
      const allowed = writesOf(originals[index] as Plan);
      const others = texts.filter((_, i) => i !== index).map((text) => JSON.parse(text));
      for (let n = 0; n < PER_PRESET; n++) {
        const kind = kinds[n % kinds.length] as string;
        const file = JSON.parse(texts[index] as string);
        (MUTATIONS[kind] as Mutation)(file, random, others);
        const text = JSON.stringify(file, null, 2);
        figures.mutants += 1;
        let loaded: LoadedPlan;
        try {
          loaded = checkedPlan(text);
        } catch (error) {
          expect(error, `${preset}: ${kind}`).toBeInstanceOf(PlanFileError);
          expect((error as Error).message.split('\n'), kind).toHaveLength(1);
          figures.refused += 1;
          continue;
        }
        figures.accepted += 1;
        figures.byKind[kind] = (figures.byKind[kind] ?? 0) + 1;
        for (const plan of plansOf(loaded)) {
          for (const write of writesOf(plan)) {
            expect(allowed.has(write), `${preset}: ${kind} made a new write ${write}`).toBe(true);
          }
        }
      }
    });
    expect(figures.mutants).toBeGreaterThanOrEqual(1000);
    // Most edits are caught; the few accepted (a no-op reorder of equal changes…) write nothing new.
    expect(figures.refused).toBeGreaterThan(figures.mutants * 0.9);
    console.info(`plan mutations: ${JSON.stringify(figures)}`);
  });
});
