/**
 * Hardening a bucket that receives other buckets' server access logs: its
 * bucket-policy change keeps every log-delivery grant (the logging step's,
 * even one for a source that logs elsewhere now), and its default encryption
 * stays SSE-S3 under the strict preset, with a note saying why — S3 cannot
 * deliver logs into an SSE-KMS bucket. Single plans through the CLI, and a
 * fleet plan where the source's section adds the grant the log bucket's
 * section then keeps.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteBucketEncryptionCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsSession, connect } from '../../src/aws/index.js';
import type { Posture } from '../../src/plan/model/types.js';
import { type PolicyDocument, sidOf, statementsOf } from '../../src/plan/policy/document.js';
import { logDeliverySid, logDeliveryStatement } from '../../src/steps/logging.js';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import {
  ACCOUNT,
  createBucket,
  rawClients,
  setAccountPublicAccessBlock,
} from '../helpers/fixtures.js';

interface SavedChange {
  readonly id: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly warnings: readonly string[];
}
interface SavedPlan {
  readonly target: { readonly bucket: string };
  readonly changes: readonly SavedChange[];
}

/** SSE-S3, with SSE-C blocked as every preset does. */
const SSE_S3 = {
  Rules: [
    {
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
      BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
    },
  ],
};

const sids = (document: unknown) => statementsOf(document as PolicyDocument | null).map(sidOf);

function changeOf(plan: SavedPlan, id: string): SavedChange {
  const change = plan.changes.find((entry) => entry.id === id);
  if (!change) throw new Error(`no change ${id} in the plan for ${plan.target.bucket}`);
  return change;
}

describe('hardening a log bucket keeps log delivery working', () => {
  let session: AwsSession;
  let dir: string;
  const endpoint = () => ['--endpoint-url', emulatorUrl()];
  beforeAll(async () => {
    session = await connect({ endpoint: emulatorUrl() });
    dir = mkdtempSync(join(tmpdir(), 's3-harden-log-target-'));
  });
  afterAll(() => session.close());
  beforeEach(async () => {
    await setAccountPublicAccessBlock(null);
  });

  /** `plan` for `buckets` (several: a fleet plan) with `extra` flags, saved: the file, parsed, and what was printed. */
  const planSaved = async (buckets: readonly string[], name: string, extra: string[] = []) => {
    const file = join(dir, `${name}.json`);
    const args = ['plan', '--bucket', buckets.join(','), '--out', file, ...extra, ...endpoint()];
    const result = await runCli(args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(2);
    return {
      file,
      stdout: result.stdout,
      saved: JSON.parse(readFileSync(file, 'utf8')) as unknown,
    };
  };
  const applySaved = async (file: string) => {
    const result = await runCli(['apply', file, '--yes', ...endpoint()]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  };
  const policyOf = async (bucket: string) =>
    (await session.observe(bucket, ['bucket.policy'])).values['bucket.policy'] ?? null;

  it('plan --preset strict on the log bucket keeps every grant and proposes SSE-S3 with the note; applied, the grants read back', async () => {
    const appA = uniqueBucket('app-a');
    // The log bucket app-a's logging step proposes (and creates): its central log bucket.
    const central = `${appA}-logs`;
    await createBucket(appA);
    const logging = await planSaved([appA], 'app-a', ['--only', 'logging']);
    await applySaved(logging.file);
    // A grant for a source that logs elsewhere now: not the bucket-policy step's to remove.
    const stale = logDeliveryStatement(
      { accountId: ACCOUNT, region: 'us-east-1', bucket: 'old-app' } as Posture,
      { enabled: true, target: central, prefix: 'old/', format: 'simple' },
    );
    const granted = (await policyOf(central)) as PolicyDocument;
    await rawClients().s3.send(
      new PutBucketPolicyCommand({
        Bucket: central,
        Policy: JSON.stringify({ ...granted, Statement: [...statementsOf(granted), stale] }),
      }),
    );
    // Default encryption removed by hand since: strict must bring back SSE-S3, not a KMS key.
    await rawClients().s3.send(new DeleteBucketEncryptionCommand({ Bucket: central }));
    const grants = [logDeliverySid(appA), logDeliverySid('old-app')];
    // The logging step also made the log bucket HTTPS-only, with the bucket-policy step's own Sid.
    const existing = [grants[0], 'S3HardenDenyInsecureTransport', grants[1]];
    expect(sids(await policyOf(central))).toEqual(existing);

    const planned = await planSaved([central], 'central', ['--preset', 'strict']);
    const plan = planned.saved as SavedPlan;
    // The grants stay where they were; the step finds its HTTPS-only Deny there, and adds the rest.
    const policy = changeOf(plan, 'bucket.policy');
    expect(sids(policy.after)).toEqual([...existing, 'S3HardenDenyOldTls']);
    expect(statementsOf(policy.after as PolicyDocument).slice(0, 3)).toEqual(
      statementsOf(policy.before as PolicyDocument),
    );
    // SSE-S3, not a KMS key, and the review says why.
    const encryption = changeOf(plan, 'bucket.encryption');
    expect(encryption.after).toEqual(SSE_S3);
    expect(plan.changes.map((change) => change.id)).not.toContain('kms.key');
    expect(encryption.warnings).toContain(
      `SSE-S3, not KMS: ${central} receives server access logs (its policy allows logging.s3.amazonaws.com: ${grants.map((sid) => `Sid "${sid}"`).join(', ')}), and S3 delivers them only into SSE-S3 buckets`,
    );
    expect(planned.stdout).toContain(
      `warning: SSE-S3, not KMS: ${central} receives server access logs`,
    );
    expect(planned.stdout).not.toContain(`- "Sid": "${grants[0]}"`);

    await applySaved(planned.file);
    const after = await session.observe(central, ['bucket.policy', 'bucket.encryption']);
    expect(sids(after.values['bucket.policy'])).toEqual(sids(policy.after));
    expect(statementsOf(after.values['bucket.policy'] ?? null).slice(0, 3)).toEqual(
      statementsOf(policy.before as PolicyDocument),
    );
    expect(after.values['bucket.encryption']).toEqual(encryption.after);

    // A second plan has nothing left to do: the policy and the encryption stay.
    const again = await runCli(['plan', '--bucket', central, '--preset', 'strict', ...endpoint()]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes. The bucket already matches.');
  });

  it('a fleet plan of a bucket and its log bucket: the log bucket section keeps the grant the first adds, and stays SSE-S3', async () => {
    const app = uniqueBucket('app-b');
    // The name the logging step proposes, so the default plan logs into it.
    const logs = `${app}-logs`;
    await createBucket(app);
    await createBucket(logs);
    const planned = await planSaved([app, logs], 'fleet', ['--preset', 'strict']);
    const fleet = planned.saved as { sections: SavedPlan[] };
    const [source, target] = fleet.sections as [SavedPlan, SavedPlan];
    expect(target.target.bucket).toBe(logs);
    const grant = changeOf(source, 'logTarget.policy');
    expect(sids(grant.after)).toEqual([logDeliverySid(app), 'S3HardenDenyInsecureTransport']);
    // The log bucket's section starts from the policy the source's section leaves, and keeps its grant.
    const policy = changeOf(target, 'bucket.policy');
    expect(policy.before).toEqual(grant.after);
    expect(sids(policy.after)).toEqual([
      logDeliverySid(app),
      'S3HardenDenyInsecureTransport',
      'S3HardenDenyOldTls',
    ]);
    // The source's section already left the log bucket SSE-S3 (SSE-C blocked): strict keeps it, no KMS key.
    expect(target.changes.map((change) => change.id)).not.toContain('bucket.encryption');
    expect(target.changes.map((change) => change.id)).not.toContain('kms.key');

    await applySaved(planned.file);
    const after = await session.observe(logs, ['bucket.policy', 'bucket.encryption']);
    expect(sids(after.values['bucket.policy'])).toEqual(sids(policy.after));
    expect(after.values['bucket.encryption']).toEqual(SSE_S3);
    const logging = await session.observe(app, ['bucket.logging']);
    expect(logging.values['bucket.logging']).toMatchObject({ TargetBucket: logs });
  });
});
