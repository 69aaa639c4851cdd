/**
 * `plan --format terraform`'s renderer (src/plan/render/terraform.ts) on
 * real plans over synthetic postures: the HCL parses (python-hcl2), and each
 * resource says what the plan leaves the bucket with.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan, PostureValues } from '../../src/plan/model/types.js';
import { withoutText } from '../../src/plan/policy/policy-text.js';
import { hclString, planToTerraform } from '../../src/plan/render/terraform.js';
import type { LifecycleConfiguration } from '../../src/plan/resources/lifecycle.js';
import { buildPlan, defaultAnswers } from '../../src/steps/index.js';
import { hclImports, hclResources, hclValue, parseHcl } from '../helpers/hcl.js';
import { openPosture, SYNTHETIC_BUCKET, syntheticPlan } from '../helpers/synthetic-plans.js';

/** A reference as python-hcl2 returns it. */
const ref = (expression: string) => `\${${expression}}`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 's3-harden-terraform-'));
});

function parsed(plan: Plan, name: string) {
  const file = join(dir, `${name}.tf`);
  const text = planToTerraform(plan);
  writeFileSync(file, text);
  const json = parseHcl(file);
  return { text, resources: hclResources(json), imports: hclImports(json) };
}

const FOREIGN = {
  Sid: 'TeamHomeDirs "quoted" \\ back',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::123456789012:role/team' },
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${SYNTHETIC_BUCKET}/home/\${aws:username}/%{x}/*`,
};

/** A bucket with a foreign policy statement (an IAM policy variable in it), planned for bucket-policy. */
function policyPlan(): Plan {
  const steps = ['bucket-policy'] as const;
  const base = openPosture(steps);
  const posture = {
    ...base,
    values: {
      ...base.values,
      'bucket.policy': { Version: '2012-10-17', Statement: [FOREIGN] },
    } as Partial<PostureValues>,
  };
  const answers = defaultAnswers(posture, 'strict', steps);
  return buildPlan(posture, 'strict', steps, answers, new Date('2026-11-27T12:00:00.000Z'));
}

describe('hclString', () => {
  it('escapes quotes, backslashes, newlines and template sequences', () => {
    expect(hclString(`a "b" \\ c\n\${d} %{e} $f %g`)).toBe(
      `"a \\"b\\" \\\\ c\\n$\${d} %%{e} $f %g"`,
    );
    expect(hclString('\u0001')).toBe('"\\u0001"');
  });
});

describe('planToTerraform', () => {
  it('the strict plan: every hardened resource, as the plan leaves it', () => {
    const plan = syntheticPlan('strict');
    const { text, resources, imports } = parsed(plan, 'strict');
    expect(text).toContain(`plan ${plan.id}`);
    expect(text).toContain(`bucket ${SYNTHETIC_BUCKET}`);
    expect(text).toContain('account 123456789012, region us-east-1, preset strict');
    // The bucket exists: imported by its name; its sub-resources were absent, so created.
    expect(imports).toEqual({ 'aws_s3_bucket.this': SYNTHETIC_BUCKET });
    expect(hclValue(resources['aws_s3_bucket.this']?.bucket)).toBe(SYNTHETIC_BUCKET);

    const pab = resources['aws_s3_bucket_public_access_block.this'];
    expect(pab).toMatchObject({
      bucket: ref('aws_s3_bucket.this.id'),
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const sse = resources['aws_s3_bucket_server_side_encryption_configuration.this'] as {
      rule: { apply_server_side_encryption_by_default: Record<string, unknown>[] }[];
    };
    const byDefault = sse.rule[0]?.apply_server_side_encryption_by_default[0];
    // S3's SSE-C block, carried over as the plan writes it.
    expect((sse.rule[0] as Record<string, unknown>).blocked_encryption_types).toEqual(['"SSE-C"']);
    expect(hclValue(byDefault?.sse_algorithm)).toBe('aws:kms');
    // The key the plan creates, by reference: no import for it.
    expect(byDefault?.kms_master_key_id).toBe(ref('aws_kms_key.this.arn'));
    expect(resources['aws_kms_key.this']).toMatchObject({ enable_key_rotation: true });
    expect(resources['aws_kms_alias.this']?.target_key_id).toBe(ref('aws_kms_key.this.key_id'));

    const versioning = resources['aws_s3_bucket_versioning.this'] as {
      versioning_configuration: Record<string, unknown>[];
    };
    expect(hclValue(versioning.versioning_configuration[0]?.status)).toBe('Enabled');

    const lifecycle = plan.changes.find((change) => change.resource === 'bucket.lifecycle')
      ?.after as LifecycleConfiguration;
    const rules = (
      resources['aws_s3_bucket_lifecycle_configuration.this'] as {
        rule: Record<string, unknown>[];
      }
    ).rule;
    expect(rules.map((rule) => hclValue(rule.id))).toEqual(lifecycle.Rules.map((rule) => rule.ID));

    const policy = plan.changes.find((change) => change.resource === 'bucket.policy')?.after;
    expect(JSON.parse(hclValue(resources['aws_s3_bucket_policy.this']?.policy))).toEqual(
      withoutText(policy as Record<string, unknown>),
    );
    expect(resources['aws_s3_account_public_access_block.this']).toMatchObject({
      block_public_policy: true,
    });
    // What it cannot say is named, not dropped silently.
    expect(text).toContain('Not expressed here');
    expect(text).toContain('#   Log bucket policy');
    expect(text).not.toContain('logTarget.');
  });

  it('a policy with a foreign statement: imported, the statement kept byte for byte', () => {
    const plan = policyPlan();
    const { resources, imports } = parsed(plan, 'policy');
    expect(imports['aws_s3_bucket_policy.this']).toBe(SYNTHETIC_BUCKET);
    const document = JSON.parse(hclValue(resources['aws_s3_bucket_policy.this']?.policy));
    expect(document.Statement[0]).toEqual(FOREIGN);
    expect(document.Statement.length).toBeGreaterThan(1);
  });

  it('the worm plan: Object Lock on the bucket and its default retention', () => {
    const plan = syntheticPlan('worm');
    const { text, resources } = parsed(plan, 'worm');
    expect(resources['aws_s3_bucket.this']?.object_lock_enabled).toBe(true);
    expect(text).toContain('Run `s3-harden apply` first');
    const lock = resources['aws_s3_bucket_object_lock_configuration.this'] as {
      object_lock_enabled: string;
      rule: { default_retention: Record<string, unknown>[] }[];
    };
    expect(hclValue(lock.object_lock_enabled)).toBe('Enabled');
    const after = plan.changes.find((change) => change.resource === 'bucket.objectLock')?.after as {
      Rule: { DefaultRetention: { Mode: string } };
    };
    const retention = lock.rule[0]?.default_retention[0];
    expect(hclValue(retention?.mode)).toBe(after.Rule.DefaultRetention.Mode);
  });

  it("a one-step plan: the bucket and that step's resource, nothing else", () => {
    const plan = syntheticPlan('baseline', ['versioning']);
    const { resources } = parsed(plan, 'versioning');
    expect(Object.keys(resources).sort()).toEqual([
      'aws_s3_bucket.this',
      'aws_s3_bucket_versioning.this',
    ]);
  });
});
