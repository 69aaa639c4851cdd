/**
 * Mutated plan files: generated from real plans (buildPlan over synthetic
 * postures, several presets and steps), each mutated once — byte flips,
 * truncation, wrong types, unknown versions, hostile values (another bucket or
 * account, an operation outside the catalogue), control characters, huge
 * numbers, deep nesting. Each one is either rejected by `apply` with one
 * line and exit 1 before any request, or accepted only if it is still a safe
 * plan (same target, catalogue writes, calls and undos matching its before and
 * after, each change after the changes it depends on). The endpoint is a
 * loopback server counting requests.
 *
 * In process through runApply (the apply command's loading and validation
 * path) for speed, and a sample through the built CLI.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedPlan } from '../../src/commands/apply-checks.js';
import { CommandError } from '../../src/commands/exit-codes.js';
import { parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import { deepEqual } from '../../src/plan/model/diff.js';
import { findOperation } from '../../src/plan/model/operations.js';
import type { Plan } from '../../src/plan/model/types.js';
import { renderPlan } from '../../src/plan/render/render.js';
import { writeCall } from '../../src/plan/resources/index.js';
import { runCli } from '../helpers/cli.js';
import { pick, type Random, seededRandom } from '../helpers/random.js';
import {
  applyUnattended,
  type CountingEndpoint,
  countingEndpoint,
} from '../helpers/refusal-probe.js';
import { syntheticPlan } from '../helpers/synthetic-plans.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value in `value`, parents before children. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push(...paths(item, [...prefix, i]));
    });
  } else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...prefix, key]));
  return out;
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const copy = structuredClone(root) as Record<string | number, Json>;
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = value;
  return copy as Json;
}

function getAt(root: Json, path: (string | number)[]): Json {
  let node = root;
  for (const key of path) node = (node as Record<string | number, Json>)[key] as Json;
  return node;
}

const leafPaths = (value: Json) =>
  paths(value).filter((path) => {
    const leaf = getAt(value, path);
    return path.length > 0 && (leaf === null || typeof leaf !== 'object');
  });

const FOREIGN_OPERATIONS: [string, string][] = [
  ['s3', 'DeleteObject'],
  ['s3', 'PutObject'],
  ['s3', 'GetObject'],
  ['s3', 'PutBucketAcl'],
  ['s3', 'PutBucketCors'],
  ['s3', 'DeleteObjects'],
  ['s3', 'GetBucketPolicy'],
  ['iam', 'CreateUser'],
  ['iam', 'AttachUserPolicy'],
  ['kms', 'PutKeyPolicy'],
  ['kms', 'Decrypt'],
  ['sts', 'AssumeRole'],
  ['s3control', 'PutAccessPointPolicyForObjectLambda'],
  ['lambda', 'Invoke'],
  ['s3', '__proto__'],
  ['s3', 'constructor'],
];

const HOSTILE_STRINGS = [
  'someone-elses-bucket',
  '999999999999',
  'arn:aws:iam::999999999999:root',
  '*',
  '',
  '../../etc/passwd',
  '\u001b[2J\u001b[31mPWNED',
  'a\nb',
  'a\u0000b',
  '\u202eevil',
  'x'.repeat(70000),
  '__proto__',
];

const DIFFERENT_TYPES: Json[] = [null, true, 0, -1, 1.5, '', 'x', [], {}, [1, 2], { a: 1 }];

/** One mutation: its kind, and the file's bytes. */
interface Mutant {
  readonly kind: string;
  readonly bytes: Buffer;
}

function mutate(text: string, rng: Random, kind: string): Mutant {
  const data = JSON.parse(text) as Json;
  const done = (value: Json | string): Mutant => ({
    kind,
    bytes: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value, null, 2)),
  });
  const allPaths = paths(data).filter((path) => path.length > 0);
  const changePaths = allPaths.filter((p) => p[0] === 'changes' && p.length >= 3);
  switch (kind) {
    case 'byte flip': {
      const bytes = Buffer.from(text);
      const flips = 1 + Math.floor(rng() * 3);
      for (let i = 0; i < flips; i++) {
        const at = Math.floor(rng() * bytes.length);
        bytes[at] =
          rng() < 0.5 ? (bytes[at] ?? 0) ^ (1 << Math.floor(rng() * 8)) : Math.floor(rng() * 256);
      }
      return { kind, bytes };
    }
    case 'truncation':
      return done(text.slice(0, Math.floor(rng() * text.length)));
    case 'wrong type': {
      const path = pick(rng, allPaths);
      const current = getAt(data, path);
      const options = DIFFERENT_TYPES.filter(
        (value) =>
          typeof value !== typeof current || Array.isArray(value) !== Array.isArray(current),
      );
      return done(setAt(data, path, pick(rng, options)));
    }
    case 'unknown version':
      return done(
        setAt(
          data,
          ['version'],
          pick(rng, [0, 2, 3, 1.0000001, -1, '1', '2', null, true, 1e308, [1], { v: 1 }]),
        ),
      );
    case 'missing field':
      return done(setAt(data, pick(rng, allPaths), undefined));
    case 'unknown field': {
      const objects = paths(data).filter((path) => {
        const node = getAt(data, path);
        return node !== null && typeof node === 'object' && !Array.isArray(node);
      });
      const path = pick(rng, objects);
      return done(
        setAt(
          data,
          [...path, pick(rng, ['extra', 'MFA', '__proto__', 'Policy', 'x-admin'])],
          pick(rng, DIFFERENT_TYPES),
        ),
      );
    }
    case 'other bucket': {
      const buckets = leafPaths(data).filter(
        (path) =>
          path[path.length - 1] === 'Bucket' ||
          path[path.length - 1] === 'bucket' ||
          path[path.length - 1] === 'logBucket',
      );
      return done(
        setAt(
          data,
          pick(rng, buckets),
          pick(rng, [
            'someone-elses-bucket',
            'open-bucket-logs',
            'open-bucket',
            'OPEN-BUCKET',
            'open-bucket ',
            'arn:aws:s3:::other',
          ]),
        ),
      );
    }
    case 'other account': {
      const accounts = leafPaths(data).filter((path) =>
        /accountId|AccountId/.test(String(path[path.length - 1])),
      );
      return done(
        setAt(
          data,
          pick(rng, accounts),
          pick(rng, ['999999999999', '12345678901', '123456789012 ', 123456789012]),
        ),
      );
    }
    case 'foreign operation': {
      const calls = paths(data).filter(
        (path) => path[path.length - 1] === 'call' || path[path.length - 1] === 'undo',
      );
      const path = pick(rng, calls);
      if (getAt(data, path) === null)
        return done(
          setAt(data, path, {
            service: 's3',
            operation: 'DeleteBucket',
            input: { Bucket: 'open-bucket' },
          }),
        );
      const [service, operation] = pick(rng, FOREIGN_OPERATIONS);
      let next = setAt(data, [...path, 'operation'], operation);
      if (rng() < 0.5) next = setAt(next, [...path, 'service'], service);
      return done(next);
    }
    case 'swapped call': {
      // A real catalogue write, but not the one that writes this change's after-state.
      const calls = paths(data).filter(
        (path) => path[path.length - 1] === 'call' || path[path.length - 1] === 'undo',
      );
      const from = getAt(data, pick(rng, calls));
      return done(setAt(data, pick(rng, calls), from));
    }
    case 'hostile string': {
      const strings = leafPaths(data).filter((path) => typeof getAt(data, path) === 'string');
      return done(setAt(data, pick(rng, strings), pick(rng, HOSTILE_STRINGS)));
    }
    case 'control characters': {
      const strings = leafPaths(data).filter((path) => typeof getAt(data, path) === 'string');
      const path = pick(rng, strings);
      const value = getAt(data, path) as string;
      const at = Math.floor(rng() * (value.length + 1));
      const control = String.fromCharCode(pick(rng, [0, 7, 8, 10, 13, 27, 127, 0x9b]));
      return done(setAt(data, path, `${value.slice(0, at)}${control}[31m${value.slice(at)}`));
    }
    case 'huge number': {
      const path = pick(rng, leafPaths(data));
      const huge = pick(rng, [
        '1e999',
        '-1e999',
        '9007199254740993',
        '1e308',
        '-0',
        '123456789012345678901234567890',
        '0.0000000000000000000001',
      ]);
      const marker = '"__HUGE__"';
      return done(JSON.stringify(setAt(data, path, '__HUGE__'), null, 2).replace(marker, huge));
    }
    case 'deep nesting': {
      const path = pick(rng, allPaths);
      const depth = pick(rng, [100, 1000, 10000, 200000]);
      const marker = '"__DEEP__"';
      const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const deepObject = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      return done(
        JSON.stringify(setAt(data, path, '__DEEP__'), null, 2).replace(
          marker,
          rng() < 0.5 ? deep : deepObject,
        ),
      );
    }
    case 'before/after mismatch': {
      const path = pick(
        rng,
        changePaths.filter((p) => p[2] === 'before' || p[2] === 'after' || p[0] === 'observed'),
      );
      return done(setAt(data, path ?? ['observed'], pick(rng, DIFFERENT_TYPES)));
    }
    case 'duplicate or reorder': {
      const changes = (data as { changes: Json[] }).changes;
      const copy = [...changes];
      if (rng() < 0.5 && copy.length > 0) copy.push(pick(rng, copy));
      else copy.reverse();
      return done(setAt(data, ['changes'], copy));
    }
    case 'oversized':
      return done(setAt(data, ['createdBy'], 'x'.repeat(5 * 1024 * 1024)));
    default:
      throw new Error(kind);
  }
}

const KINDS = [
  'byte flip',
  'truncation',
  'wrong type',
  'unknown version',
  'missing field',
  'unknown field',
  'other bucket',
  'other account',
  'foreign operation',
  'swapped call',
  'hostile string',
  'control characters',
  'huge number',
  'deep nesting',
  'before/after mismatch',
  'duplicate or reorder',
];

/** The plans mutated: different steps, with and without a log bucket, a created key, Object Lock. */
function basePlans(): Plan[] {
  return [
    syntheticPlan('baseline', ['public-access-block']),
    syntheticPlan('baseline'),
    syntheticPlan('strict'),
    syntheticPlan('worm', ['versioning', 'object-lock', 'encryption']),
  ];
}

/** A plan that loaded is safe if it still is exactly what its review shows, on the same target. */
function unsafeReason(original: Plan, loaded: Plan): string | null {
  if (!deepEqual(loaded.target, original.target))
    return `target changed: ${JSON.stringify(loaded.target)}`;
  for (const change of loaded.changes) {
    for (const call of [change.call, ...(change.undo ? [change.undo] : [])]) {
      if (findOperation(call.service, call.operation)?.kind !== 'write')
        return `${change.id}: ${call.service}:${call.operation} is not a catalogue write`;
    }
    if (!deepEqual(change.call, writeCall(change.resource, loaded.target, change.after)))
      return `${change.id}: call does not write after`;
    if (
      change.undo &&
      !deepEqual(change.undo, writeCall(change.resource, loaded.target, change.before))
    )
      return `${change.id}: undo does not restore before`;
    if (!deepEqual(loaded.observed[change.resource], change.before))
      return `${change.id}: before is not observed`;
  }
  // The executor runs changes in file order: each after every change it depends on.
  const ran = new Set<string>();
  for (const change of loaded.changes) {
    const waiting = change.dependsOn.find((id) => !ran.has(id));
    if (waiting !== undefined) return `${change.id} runs before ${waiting}, which it depends on`;
    ran.add(change.id);
  }
  // What the operator reviews must not drive the terminal.
  const control = renderPlan(loaded).find(({ text: line }) => /\p{Cc}/u.test(line));
  if (control !== undefined) return `review shows a control character: ${JSON.stringify(control)}`;
  return null;
}

const CALLER_IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/operator</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;

describe('bad plan files (fuzz)', () => {
  let endpoint: CountingEndpoint;
  let stsRequests = 0;
  let dir: string;

  beforeAll(async () => {
    // Who the caller is: the one answer given, so a plan for another
    // account can be seen refused by the identity check.
    endpoint = await countingEndpoint((body) => {
      if (!body.includes('GetCallerIdentity')) return undefined;
      stsRequests += 1;
      return CALLER_IDENTITY;
    });
    dir = mkdtempSync(join(tmpdir(), 's3-harden-fuzz-'));
  });
  afterAll(() => endpoint.close());

  const rejectedSamples: { kind: string; file: string }[] = [];

  it('1,200 mutations: each rejected in one line before any request, or still a safe plan', async () => {
    const rng = seededRandom(20261128);
    const bases = basePlans();
    const figures = {
      tried: 0,
      rejected: 0,
      acceptedSafe: 0,
      retargetedRefusedAtIdentity: 0,
      unchanged: 0,
    };
    const byKind: Record<string, { tried: number; rejected: number; accepted: number }> = {};
    const problems: string[] = [];
    for (let i = 0; i < 1200; i++) {
      const original = bases[i % bases.length] as Plan;
      const text = serializePlan(original, 's3-harden fuzz');
      const kind = KINDS[Math.floor(i / bases.length) % KINDS.length] as string;
      const mutant = i === 1199 ? mutate(text, rng, 'oversized') : mutate(text, rng, kind);
      const stats = byKind[mutant.kind] ?? { tried: 0, rejected: 0, accepted: 0 };
      byKind[mutant.kind] = stats;
      stats.tried += 1;
      figures.tried += 1;
      const file = join(dir, `mutant-${i}.json`);
      writeFileSync(file, mutant.bytes);
      let loaded: Plan | undefined;
      try {
        // The loader apply uses: the file's checks, then the plan derived again.
        const checked = checkedPlan(mutant.bytes.toString('utf8'));
        loaded = checked.kind === 'plan' ? checked.plan : undefined;
      } catch {
        loaded = undefined;
      }
      if (loaded) {
        stats.accepted += 1;
        if (mutant.bytes.toString('utf8') === text) figures.unchanged += 1;
        const retargeted =
          loaded.target.accountId !== original.target.accountId &&
          deepEqual({ ...loaded.target, accountId: original.target.accountId }, original.target);
        const reason = unsafeReason(
          original,
          retargeted ? { ...loaded, target: original.target } : loaded,
        );
        if (reason) problems.push(`#${i} ${mutant.kind}: accepted but unsafe: ${reason}`);
        if (!retargeted) {
          figures.acceptedSafe += 1;
          continue;
        }
        // A plan consistently about another account (no call names the
        // account): nothing in the file can tell; apply asks STS who the
        // caller is and refuses before any other request.
        figures.retargetedRefusedAtIdentity += 1;
        const [all, sts] = [endpoint.requests, stsRequests];
        await expect(applyUnattended(file, endpoint.url)).rejects.toThrow(
          /these credentials are for account 123456789012/,
        );
        if (endpoint.requests - all !== 1 || stsRequests - sts !== 1)
          problems.push(
            `#${i} ${mutant.kind}: retargeted plan made ${endpoint.requests - all} request(s)`,
          );
        continue;
      }
      // Rejected: through the apply command, with the counting endpoint.
      const before = endpoint.requests;
      try {
        await applyUnattended(file, endpoint.url);
        problems.push(`#${i} ${mutant.kind}: apply did not refuse`);
      } catch (error) {
        if (!(error instanceof CommandError)) {
          problems.push(
            `#${i} ${mutant.kind}: ${(error as Error).name}: ${(error as Error).message.slice(0, 200)}`,
          );
        } else {
          if (/\p{Cc}/u.test(error.message))
            problems.push(
              `#${i} ${mutant.kind}: message is not one plain line: ${JSON.stringify(error.message.slice(0, 200))}`,
            );
          if (error.exitCode !== 1) problems.push(`#${i} ${mutant.kind}: exit ${error.exitCode}`);
          if (error.message.length > 2000)
            problems.push(`#${i} ${mutant.kind}: message is ${error.message.length} characters`);
        }
      }
      if (endpoint.requests !== before)
        problems.push(`#${i} ${mutant.kind}: made ${endpoint.requests - before} request(s)`);
      figures.rejected += 1;
      stats.rejected += 1;
      if (rejectedSamples.filter((s) => s.kind === mutant.kind).length < 2)
        rejectedSamples.push({ kind: mutant.kind, file });
    }
    console.info(`bad plan files: ${JSON.stringify(figures)}\n${JSON.stringify(byKind)}`);
    expect(problems).toEqual([]);
    expect(figures.tried).toBeGreaterThanOrEqual(1000);
    expect(figures.rejected).toBeGreaterThan(900);
    expect(endpoint.requests).toBe(stsRequests);
    expect(figures.rejected + figures.acceptedSafe + figures.retargetedRefusedAtIdentity).toBe(
      figures.tried,
    );
  }, 120_000);

  it('deep nesting is refused before parsing, in one short line', () => {
    const text = serializePlan(syntheticPlan('baseline', ['public-access-block']), 'test');
    const deep = text.replace(
      '"skipped": []',
      `"skipped": ${'['.repeat(100000)}${']'.repeat(100000)}`,
    );
    expect(() => parsePlan(deep)).toThrow(/^nested more than 64 levels deep; not a plan file$/);
    // Brackets inside strings do not count.
    const quoted = text.replace('"createdBy": "test"', `"createdBy": "${'['.repeat(100)}"`);
    expect(() => parsePlan(quoted)).not.toThrow();
  });

  it('a sample of 20 rejected mutants through the built CLI: one line, exit 1, no request', async () => {
    const sample = rejectedSamples.slice(0, 20);
    expect(sample.length).toBe(20);
    const before = endpoint.requests;
    const results = await Promise.all(
      sample.map(({ file }) => runCli(['apply', file, '--yes', '--endpoint-url', endpoint.url])),
    );
    results.forEach((result, index) => {
      const what = `${sample[index]?.kind}: ${result.stderr}`;
      expect(result.code, what).toBe(1);
      expect(result.stdout, what).toBe('');
      expect(result.stderr.trimEnd().split('\n'), what).toHaveLength(1);
      expect(result.stderr, what).toMatch(/^s3-harden: /);
    });
    expect(endpoint.requests).toBe(before);
  }, 60_000);
});
