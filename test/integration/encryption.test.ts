/**
 * Default encryption and the KMS key it may create, against the emulator:
 * plan, apply, read back with a fresh observe, and undo (cancel or fault) to
 * the exact prior state.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  KMSClient,
  ListAliasesCommand,
} from '@aws-sdk/client-kms';
import { PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import { executePlan } from '../../src/plan/apply/executor.js';
import { openJournal, readJournal } from '../../src/plan/apply/journal.js';
import { parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import type { ApiCall, Plan, Posture, Preset } from '../../src/plan/model/types.js';
import { keyDescription } from '../../src/plan/resources/kms.js';
import { type EncryptionAnswers, encryptionStep } from '../../src/steps/encryption.js';
import {
  buildPlan,
  defaultAnswers,
  readsFor,
  STEP_ORDER,
  unavailableReason,
} from '../../src/steps/index.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket, rawClients } from '../helpers/fixtures.js';

const READS = readsFor(['encryption']);
const SSE_S3 = {
  Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const } }],
};
/** Every preset blocks SSE-C, as S3 does for new buckets (the emulator returns the field). */
const SSE_C_BLOCKED = { BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } };

function rawKms(): KMSClient {
  return new KMSClient({ endpoint: emulatorUrl(), region: 'us-east-1' });
}

async function createKey(alias: string, rotation = true): Promise<string> {
  const kms = rawKms();
  const created = await kms.send(new CreateKeyCommand({ Description: `test key ${alias}` }));
  const keyId = created.KeyMetadata?.KeyId as string;
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
  if (rotation) await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
  return created.KeyMetadata?.Arn as string;
}

describe('default encryption against the emulator', () => {
  let session: AwsSession;
  let dir: string;

  const observe = (bucket: string): Promise<Posture> => session.observe(bucket, READS);
  const snapshot = async (bucket: string) => (await observe(bucket)).values;
  const planFor = async (
    bucket: string,
    preset: Preset,
    answers?: (posture: Posture) => Partial<EncryptionAnswers>,
  ): Promise<Plan> => {
    const posture = await observe(bucket);
    const defaults = defaultAnswers(posture, preset, ['encryption']);
    return buildPlan(posture, preset, ['encryption'], {
      encryption: {
        ...(defaults.encryption as EncryptionAnswers),
        ...(answers ? answers(posture) : {}),
      },
    });
  };
  /** Applies; `fault` fails that call instead of making it, `cancel` cancels once every call ran. */
  const apply = async (plan: Plan, options: { fault?: string; cancel?: boolean } = {}) => {
    const controller = new AbortController();
    let calls = 0;
    const journal = openJournal(plan.target, join(dir, 'journals'));
    const outcome = await executePlan(plan, {
      run: async (call: ApiCall) => {
        if (call.operation === options.fault) throw new Error('injected fault');
        const output = await session.execute(call);
        calls += 1;
        if (options.cancel && calls === plan.changes.length) controller.abort();
        return output;
      },
      read: (resource, identity) => session.read(plan.target, resource, identity),
      journal,
      signal: controller.signal,
    });
    journal.close();
    return { outcome, journal: readJournal(journal.path) };
  };

  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => session.close());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 's3-harden-encryption-'));
  });

  it('reads a new bucket as not configured (the emulator has no SSE-S3 default, unlike AWS)', async () => {
    const bucket = uniqueBucket('enc-new');
    await createBucket(bucket);
    const listed = session.callCounts()['kms:ListAliases'] ?? 0;
    const values = await snapshot(bucket);
    // The four KMS readings share one scan of the account.
    expect(session.callCounts()['kms:ListAliases']).toBe(listed + 1);
    expect(values['bucket.encryption']).toBeNull();
    expect(values['kms.key']).toBeNull();
    expect(values['kms.alias']).toBeNull();
    expect(values['kms.rotation']).toBeNull();
    expect(values['account.kmsKeys']).toEqual(expect.any(Array));
  });

  it('baseline: SSE-S3 is applied, reads back, and a re-plan has nothing to do', async () => {
    const bucket = uniqueBucket('enc-base');
    await createBucket(bucket);
    const plan = await planFor(bucket, 'baseline');
    expect(plan.changes.map((change) => change.call.operation)).toEqual(['PutBucketEncryption']);

    const { outcome } = await apply(plan);
    expect(outcome.status).toBe('applied');
    expect(outcome.results.map((result) => result.verified)).toEqual([true]);
    expect((await snapshot(bucket))['bucket.encryption']).toEqual({
      Rules: [{ ...SSE_S3.Rules[0], ...SSE_C_BLOCKED }],
    });
    expect((await planFor(bucket, 'baseline')).changes).toEqual([]);
  });

  it('baseline undo (cancel) deletes the configuration again: back to "not configured"', async () => {
    const bucket = uniqueBucket('enc-undo');
    await createBucket(bucket);
    const before = await snapshot(bucket);
    const { outcome } = await apply(await planFor(bucket, 'baseline'), { cancel: true });
    expect(outcome.cancelled).toBe(true);
    expect(outcome.status).toBe('rolled-back');
    expect(await snapshot(bucket)).toEqual(before);
  });

  it('strict: creates a customer-managed key with alias and rotation, encrypts with it, Bucket Key on', async () => {
    const bucket = uniqueBucket('enc-strict');
    await createBucket(bucket);
    const plan = await planFor(bucket, 'strict');
    expect(plan.changes.map((change) => `${change.id}:${change.call.operation}`)).toEqual([
      'kms.key:CreateKey',
      'kms.alias:CreateAlias',
      'kms.rotation:EnableKeyRotation',
      'bucket.encryption:PutBucketEncryption',
    ]);

    const { outcome, journal } = await apply(plan);
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe('applied');
    expect(outcome.results.map((result) => result.verified)).toEqual([true, true, true, true]);

    // A fresh observe shows the key, its alias and rotation, and the bucket using its ARN.
    const alias = `alias/s3-harden-${bucket}`;
    const described = await rawKms().send(new DescribeKeyCommand({ KeyId: alias }));
    const arn = described.KeyMetadata?.Arn as string;
    expect(described.KeyMetadata).toMatchObject({
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Description: keyDescription(bucket),
    });
    const values = await snapshot(bucket);
    expect(values['bucket.encryption']).toEqual({
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arn },
          BucketKeyEnabled: true,
          ...SSE_C_BLOCKED,
        },
      ],
    });
    // Created with its key policy and the bucket tag; both read back as written.
    const planned = plan.changes.find((change) => change.id === 'kms.key')?.after as {
      Policy: { Statement: { Sid: string }[] };
    };
    expect(planned.Policy.Statement.map((statement) => statement.Sid)).toContain(
      'EnableIAMPolicies',
    );
    expect(values['kms.key']).toEqual({
      Description: keyDescription(bucket),
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Policy: planned.Policy,
      // The bucket, and the plan and change that made it: how it is found after a lost answer.
      Tags: [
        { TagKey: 's3-harden:bucket', TagValue: bucket },
        { TagKey: 's3-harden:change', TagValue: 'kms.key' },
        { TagKey: 's3-harden:plan', TagValue: plan.id },
      ],
    });
    expect(values['kms.alias']).toEqual({
      AliasName: alias,
      TargetKeyId: described.KeyMetadata?.KeyId,
    });
    expect(values['kms.rotation']).toEqual({ KeyRotationEnabled: true });
    expect(values['account.kmsKeys']).toContainEqual({
      keyId: described.KeyMetadata?.KeyId,
      arn,
      aliases: [alias],
      state: 'Enabled',
      rotation: true,
      manager: 'CUSTOMER',
      policy: planned.Policy,
    });
    // The journal kept what a later rollback needs: the key's ID and ARN, the alias.
    const outputs = journal.flatMap((entry) =>
      entry.type === 'applied' && entry.output ? [[entry.changeId, entry.output]] : [],
    );
    expect(Object.fromEntries(outputs)).toEqual({
      'kms.key': { 'KeyMetadata.KeyId': described.KeyMetadata?.KeyId, 'KeyMetadata.Arn': arn },
      'kms.alias': { AliasName: alias },
    });

    // Strict again: the customer-managed key is kept; nothing to do.
    expect((await planFor(bucket, 'strict')).changes).toEqual([]);
  });

  it('strict: a failure at the bucket rolls the new key back: alias deleted, rotation off, key pending deletion for 7 days', async () => {
    const bucket = uniqueBucket('enc-fault');
    await createBucket(bucket);
    await rawClients().s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: SSE_S3,
      }),
    );
    const before = await snapshot(bucket);
    const plan = await planFor(bucket, 'strict');
    const started = Date.now();
    const { outcome, journal } = await apply(plan, { fault: 'PutBucketEncryption' });

    expect(outcome.status).toBe('rolled-back');
    expect(outcome.error).toBe('Default encryption: injected fault');
    expect(outcome.results.map((result) => result.status)).toEqual([
      'rolled-back',
      'rolled-back',
      'rolled-back',
      'failed',
    ]);
    expect(await snapshot(bucket)).toEqual(before);
    expect(before['bucket.encryption']).toEqual(SSE_S3);

    const created = journal.find(
      (entry) => entry.type === 'applied' && entry.changeId === 'kms.key',
    );
    const keyId = (created as { output: Record<string, string> }).output['KeyMetadata.KeyId'];
    const key = (await rawKms().send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    expect(key?.KeyState).toBe('PendingDeletion');
    const days = ((key?.DeletionDate?.getTime() ?? 0) - started) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);
    const aliases = await rawKms().send(new ListAliasesCommand({ KeyId: keyId }));
    expect(aliases.Aliases?.map((alias) => alias.AliasName)).not.toContain(
      `alias/s3-harden-${bucket}`,
    );
  });

  it('SSE-KMS with a key picked from the account list: applied, read back, then undone to SSE-S3 exactly', async () => {
    const arn = await createKey(`alias/picked-${Date.now().toString(36)}`);
    for (const cancel of [false, true]) {
      const bucket = uniqueBucket('enc-pick');
      await createBucket(bucket);
      await rawClients().s3.send(
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: SSE_S3,
        }),
      );
      const before = await snapshot(bucket);
      const listed = before['account.kmsKeys']?.find((key) => key.arn === arn);
      expect(listed).toMatchObject({ state: 'Enabled', rotation: true, manager: 'CUSTOMER' });
      const plan = await planFor(bucket, 'custom', () => ({
        algorithm: 'SSE-KMS',
        key: arn,
        bucketKey: false,
      }));
      expect(plan.changes.map((change) => change.id)).toEqual(['bucket.encryption']);

      const { outcome } = await apply(plan, { cancel });
      if (cancel) {
        expect(outcome.status).toBe('rolled-back');
        expect(await snapshot(bucket)).toEqual(before);
      } else {
        expect(outcome.results.map((result) => result.verified)).toEqual([true]);
        expect((await snapshot(bucket))['bucket.encryption']).toEqual({
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arn },
              ...SSE_C_BLOCKED,
            },
          ],
        });
      }
    }
  });

  it('DSSE-KMS never sends a Bucket Key, even when the answer had it on', async () => {
    const bucket = uniqueBucket('enc-dsse');
    await createBucket(bucket);
    const arn = await createKey(`alias/dsse-${Date.now().toString(36)}`, false);
    const plan = await planFor(bucket, 'custom', () => ({
      algorithm: 'DSSE-KMS',
      key: 'type',
      keyId: arn,
      bucketKey: true,
    }));
    const { outcome } = await apply(plan);
    expect(outcome.results.map((result) => result.verified)).toEqual([true]);
    expect((await snapshot(bucket))['bucket.encryption']).toEqual({
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms:dsse', KMSMasterKeyID: arn },
          ...SSE_C_BLOCKED,
        },
      ],
    });
  });

  it('a saved strict plan (with output references) survives the plan file, is applied by the CLI and verified', async () => {
    const bucket = uniqueBucket('enc-cli');
    await createBucket(bucket);
    const file = join(dir, 'plan.json');
    const skip = STEP_ORDER.filter((id) => id !== 'encryption').join(',');
    const endpoint = ['--endpoint-url', emulatorUrl()];
    const planned = await runCli([
      'plan',
      '--bucket',
      bucket,
      '--preset',
      'strict',
      '--skip',
      skip,
      '--out',
      file,
      ...endpoint,
    ]);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain('+ KMS key (new, customer managed)  (kms:CreateKey)');
    expect(planned.stdout).toContain('+ Default encryption  (s3:PutBucketEncryption)');
    expect(planned.stdout).toContain('Plan: 4 to add, 0 to change, 0 to remove (0 irreversible).');
    expect(planned.stdout).toContain('warning: undo schedules this key for deletion');
    const plan = parsePlan(readFileSync(file, 'utf8'));
    expect(plan.changes).toHaveLength(4);
    // What the file holds is what the planner made.
    expect(parsePlan(serializePlan(plan, 'test')).changes).toEqual(plan.changes);

    const applied = await runCli(['apply', file, '--yes', ...endpoint]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('Apply complete: 4 changes applied and verified.');
    expect(applied.code).toBe(0);
    expect((await snapshot(bucket))['kms.alias']?.AliasName).toBe(`alias/s3-harden-${bucket}`);
  });
});

describe('default encryption when the KMS keys cannot be listed', () => {
  let restore: () => void;
  let session: AwsSession;

  beforeAll(async () => {
    // Every KMS client in this describe block: ListAliases is denied.
    const kms = mockClient(KMSClient);
    kms.on(ListAliasesCommand).rejects(
      Object.assign(new Error('not allowed'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    restore = () => kms.restore();
    session = await connect({ endpoint: emulatorUrl() });
  });
  afterAll(() => {
    restore();
    session.close();
  });

  it('marks the list unreadable and still offers the step, with typing a key as the fallback', async () => {
    const bucket = uniqueBucket('enc-denied');
    await createBucket(bucket);
    const posture = await session.observe(bucket, READS);
    expect(posture.unreadable['account.kmsKeys']).toBe('Access denied: kms:ListAliases.');
    expect(unavailableReason('encryption', posture)).toBeNull();

    const answers = encryptionStep.defaults(posture, 'strict');
    expect(answers).toMatchObject({ algorithm: 'SSE-KMS', key: 'create' });
    const fields = encryptionStep.fields(posture, { ...answers, key: 'type' });
    const keyField = fields.find((field) => field.kind === 'choice' && field.key === 'key');
    expect(
      keyField && 'options' in keyField && keyField.options.map((option) => option.value),
    ).toEqual(['create', 'type']);
    expect(fields).toContainEqual({
      kind: 'note',
      tone: 'warning',
      text: 'KMS keys not listed (Access denied: kms:ListAliases.); type a key or create one.',
    });
    expect(fields.some((field) => field.kind === 'text' && field.key === 'keyId')).toBe(true);
    // Baseline needs no KMS at all.
    const plan = buildPlan(
      posture,
      'baseline',
      ['encryption'],
      defaultAnswers(posture, 'baseline', ['encryption']),
    );
    expect(plan.skipped).toEqual([]);
    expect(plan.changes.map((change) => change.call.operation)).toEqual(['PutBucketEncryption']);
  });
});
