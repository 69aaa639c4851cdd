/**
 * What the crash-safety tests compare after a fault, a kill or a race: the
 * live value of every resource a plan reads (through src/aws session reads,
 * as the tool itself reads them), and the KMS keys a plan created — none
 * orphaned (each one tagged with the plan's id is pending deletion, or the
 * one the bucket now uses) and no alias left on a key that is gone.
 */

import { readFileSync } from 'node:fs';
import {
  DescribeKeyCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import type { AwsSession } from '../../src/aws/index.js';
import type { Posture, ResourceKey } from '../../src/plan/model/types.js';
import { satisfies } from '../../src/plan/resources/index.js';
import { PLAN_TAG } from '../../src/plan/resources/kms.js';
import {
  defaultAnswers,
  optionalReadsFor,
  readsFor,
  relatedBucketFor,
  stepsForPreset,
} from '../../src/steps/index.js';
import type { StepId } from '../../src/steps/types.js';
import { planToFile } from './cli.js';
import { createBucket } from './fixtures.js';

export type Values = Posture['values'];

/** The resource keys whose values differ (each compared as the plan model compares it). */
export function differences(before: Values, after: Values): ResourceKey[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)] as ResourceKey[]);
  return [...keys].filter((key) => {
    try {
      return !satisfies(key, before[key], after[key]);
    } catch {
      return JSON.stringify(before[key]) !== JSON.stringify(after[key]);
    }
  });
}

export interface PlannedBucket {
  readonly bucket: string;
  readonly file: string;
  readonly planId: string;
  readonly changes: readonly { id: string; resource: ResourceKey; after: unknown }[];
  /** Every resource the plan's steps read, bucket, log target and account. */
  snapshot(): Promise<Values>;
}

/** `s3-harden plan --preset P --bucket B --out file` against the emulator, and how to read what it touches. */
export async function planBucket(
  session: AwsSession,
  endpoint: string,
  bucket: string,
  preset: 'baseline' | 'strict',
  file: string,
): Promise<PlannedBucket> {
  const steps: readonly StepId[] = stepsForPreset(preset);
  const reads = readsFor(steps).filter((resource) => resource !== 'account.kmsKeys');
  const optional = { optional: optionalReadsFor(steps) };
  const first = await session.observe(bucket, reads, optional);
  const logBucket = relatedBucketFor(steps, defaultAnswers(first, preset, steps));
  // Created beforehand: the emulator delivers access logs, and a rollback keeps
  // a created log bucket that has received objects.
  if (logBucket) await createBucket(logBucket);
  const planned = await planToFile(bucket, file, endpoint, ['--preset', preset]);
  if (planned.code !== 0 && planned.code !== 2)
    throw new Error(`plan failed (${planned.code}): ${planned.stdout}${planned.stderr}`);
  const saved = JSON.parse(readFileSync(file, 'utf8')) as {
    id: string;
    changes: { id: string; resource: ResourceKey; after: unknown }[];
  };
  const snapshot = async () => {
    const posture = await session.observe(bucket, reads, optional);
    return (logBucket ? await session.observeLogTarget(posture, logBucket) : posture).values;
  };
  return { bucket, file, planId: saved.id, changes: saved.changes, snapshot };
}

interface KeyState {
  readonly keyId: string;
  readonly state: string;
  readonly planId?: string;
}

/** KMS as it is: every key (state, plan tag) and every alias with its target. */
export async function kmsState(endpoint: string): Promise<{
  keys: KeyState[];
  aliases: { name: string; target: string }[];
}> {
  const kms = new KMSClient({ endpoint, region: 'us-east-1' });
  try {
    const keys: KeyState[] = [];
    const listed = await kms.send(new ListKeysCommand({ Limit: 1000 }));
    for (const { KeyId } of listed.Keys ?? []) {
      if (!KeyId) continue;
      const described = await kms.send(new DescribeKeyCommand({ KeyId }));
      if (described.KeyMetadata?.KeyManager === 'AWS') continue;
      const tags = await kms.send(new ListResourceTagsCommand({ KeyId }));
      const planId = tags.Tags?.find((tag) => tag.TagKey === PLAN_TAG)?.TagValue;
      keys.push({
        keyId: KeyId,
        state: described.KeyMetadata?.KeyState ?? 'unknown',
        ...(planId ? { planId } : {}),
      });
    }
    const aliases = ((await kms.send(new ListAliasesCommand({ Limit: 100 }))).Aliases ?? [])
      .filter((alias) => alias.AliasName && alias.TargetKeyId)
      .map((alias) => ({ name: alias.AliasName as string, target: alias.TargetKeyId as string }));
    return { keys, aliases };
  } finally {
    kms.destroy();
  }
}

/**
 * What is wrong with KMS for a plan: a key tagged with its id that is neither
 * pending deletion nor `inUse` (the key the bucket's state uses now), more
 * than one live key, or an alias (not among `priorAliases`) whose key is
 * pending deletion or gone. Empty: nothing orphaned.
 */
export async function kmsOrphans(
  endpoint: string,
  planId: string,
  inUse: string | null,
  priorAliases: ReadonlySet<string>,
): Promise<string[]> {
  const { keys, aliases } = await kmsState(endpoint);
  const problems: string[] = [];
  const live = keys.filter((key) => key.planId === planId && !key.state.startsWith('Pending'));
  for (const key of live) {
    if (key.keyId !== inUse) problems.push(`orphan key ${key.keyId} (${key.state})`);
  }
  if (live.length > 1) problems.push(`${live.length} live keys for one plan`);
  const states = new Map(keys.map((key) => [key.keyId, key.state]));
  for (const alias of aliases) {
    if (priorAliases.has(alias.name) || alias.name.startsWith('alias/aws/')) continue;
    const state = states.get(alias.target);
    if (!state || state.startsWith('Pending')) {
      problems.push(`alias ${alias.name} points at ${alias.target} (${state ?? 'gone'})`);
    }
  }
  return problems;
}

/** The key ID a live `bucket.encryption` value names (the key the bucket uses), if any. */
export function keyInUse(values: Values, known: readonly { keyId: string }[]): string | null {
  const text = JSON.stringify(values['bucket.encryption'] ?? null);
  return known.find((key) => text.includes(key.keyId))?.keyId ?? null;
}
