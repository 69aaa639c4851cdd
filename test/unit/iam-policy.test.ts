/**
 * The least-privilege policy: built from the operation catalogue, so the
 * catalogue, the readers and the builder must agree — these tests fail when a
 * reader or writer uses an operation the catalogue (and so the policy) lacks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, READERS } from '../../src/aws/families/index.js';
import { findOperation, iamActionFor } from '../../src/plan/model/operations.js';
import type { ApiCall, Plan, ResourceKey, Target } from '../../src/plan/model/types.js';
import {
  iamPolicyForEverything,
  iamPolicyForPlan,
  READS,
  renderIamPolicy,
} from '../../src/plan/policy/iam-policy.js';
import { trailBucketName } from '../../src/plan/resources/cloudtrail.js';
import { RESOURCE_KEYS } from '../../src/plan/resources/index.js';
import { syntheticPlan } from '../helpers/synthetic-plans.js';

const target: Target & { logBucket: string } = {
  accountId: '123456789012',
  region: 'us-east-1',
  bucket: 'my-bucket',
  logBucket: 'my-bucket-logs',
};

/** Plausible outputs, so query readers go past their first call. */
const OUTPUTS: Record<string, Record<string, unknown>> = {
  'kms:ListAliases': { Aliases: [{ AliasName: 'alias/s3-harden/my-bucket', TargetKeyId: 'k1' }] },
  'kms:DescribeKey': {
    KeyMetadata: {
      KeyId: 'k1',
      Arn: 'arn:aws:kms:us-east-1:123456789012:key/k1',
      KeyManager: 'CUSTOMER',
      KeyState: 'Enabled',
    },
  },
  'kms:GetKeyRotationStatus': { KeyRotationEnabled: true },
  'accessanalyzer:ListAnalyzers': {
    analyzers: [
      {
        arn: 'arn:aws:access-analyzer:us-east-1:123456789012:analyzer/a',
        name: 'a',
        type: 'ACCOUNT',
        status: 'ACTIVE',
      },
    ],
  },
  'accessanalyzer:ListFindingsV2': {
    findings: [{ id: 'f1', status: 'ACTIVE', resource: 'arn:aws:s3:::my-bucket' }],
  },
  'macie2:GetMacieSession': { status: 'ENABLED' },
  'macie2:ListClassificationJobs': {
    items: [{ jobId: 'j1', name: 's3-harden-my-bucket', jobStatus: 'RUNNING' }],
  },
  'macie2:DescribeBuckets': {
    buckets: [{ bucketName: 'my-bucket', objectCount: 1, sizeInBytes: 1 }],
  },
};

async function callsOf(resource: ResourceKey): Promise<string[]> {
  const reader = READERS[resource];
  const sent: string[] = [];
  const send = async (call: ApiCall) => {
    const key = `${call.service}:${call.operation}`;
    sent.push(key);
    return OUTPUTS[key] ?? {};
  };
  if ('query' in reader) {
    await reader.query(target, send).catch(() => undefined);
  } else {
    const call = reader.call(target);
    sent.push(`${call.service}:${call.operation}`);
  }
  return sent;
}

function statementActions(plan: Plan) {
  return iamPolicyForPlan(plan).policy.Statement.flatMap((s) =>
    s.Action.map((action) => `${action} ${JSON.stringify(s.Resource)}`),
  );
}

describe('the catalogue covers every call', () => {
  it('every SDK command a reader or writer can send has a catalogue entry', () => {
    const missing = Object.entries(COMMANDS).flatMap(([service, table]) =>
      Object.keys(table)
        .filter((operation) => !findOperation(service, operation))
        .map((operation) => `${service}:${operation}`),
    );
    expect(missing).toEqual([]);
  });

  it('READS names catalogue reads only, for every resource', () => {
    expect(Object.keys(READS).sort()).toEqual([...RESOURCE_KEYS].sort());
    for (const [resource, keys] of Object.entries(READS)) {
      for (const key of keys) {
        const [service, operation] = key.split(':') as [string, string];
        expect(findOperation(service, operation)?.kind, `${resource}: ${key}`).toBe('read');
      }
    }
  });

  it.each(RESOURCE_KEYS)('the %s reader sends only what READS lists', async (resource) => {
    const sent = await callsOf(resource);
    expect(sent.length).toBeGreaterThan(0);
    for (const key of sent) expect(READS[resource], key).toContain(key);
  });
});

describe('iamPolicyForPlan', () => {
  it('grants every write and undo of a strict plan, on the right resources', () => {
    const plan = syntheticPlan('strict');
    const result = iamPolicyForPlan(plan);
    const { policy } = result;
    expect(policy.Version).toBe('2012-10-17');
    const sids = policy.Statement.map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);
    for (const statement of policy.Statement) {
      expect(statement.Sid).toMatch(/^[A-Za-z0-9]+$/);
      expect(statement.Effect).toBe('Allow');
      for (const action of statement.Action) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
    }
    const granted = statementActions(plan);
    const bucketArn = JSON.stringify(`arn:aws:s3:::${plan.target.bucket}`);
    const logArn = JSON.stringify(`arn:aws:s3:::${plan.target.logBucket}`);
    // The CloudTrail step's own trail bucket, which strict creates.
    const trailBucket = trailBucketName(plan.target);
    const trailBucketArn = JSON.stringify(`arn:aws:s3:::${trailBucket}`);
    for (const change of plan.changes) {
      for (const call of [change.call, ...(change.undo ? [change.undo] : [])]) {
        const action = iamActionFor(call);
        const expected =
          call.service === 's3' && call.input.Bucket === plan.target.logBucket
            ? logArn
            : call.service === 's3' && call.input.Bucket === trailBucket
              ? trailBucketArn
              : call.service === 's3'
                ? bucketArn
                : call.service === 'cloudtrail'
                  ? JSON.stringify('arn:aws:cloudtrail:us-east-1:123456789012:trail/*')
                  : undefined;
        const matching = granted.filter((line) => line.startsWith(`${action} `));
        expect(matching.length, action).toBeGreaterThan(0);
        if (expected) expect(matching, action).toContain(`${action} ${expected}`);
      }
    }
    // The reads: identity, drift check, read-back, policy checks.
    for (const action of [
      'sts:GetCallerIdentity',
      's3:GetBucketPublicAccessBlock',
      's3:GetAccountPublicAccessBlock',
      's3:GetEncryptionConfiguration',
      'kms:ListAliases',
      'access-analyzer:ValidatePolicy',
    ]) {
      expect(
        granted.some((line) => line.startsWith(`${action} `)),
        action,
      ).toBe(true);
    }
    expect(granted).toContain(`s3:GetBucketRequestPayment ${logArn}`);
    // Bucket actions never on "*".
    expect(
      granted.filter((line) => /^s3:(Put|Get|Delete)Bucket/.test(line) && line.endsWith('"*"')),
    ).toEqual([]);
    expect(result.notes.join('\n')).toMatch(
      /CreateKey takes no resource, so it is allowed only with the tag s3-harden:bucket=open-bucket/,
    );
    const slr = policy.Statement.find((s) => s.Sid === 'ServiceLinkedRoles');
    expect(slr?.Condition).toEqual({
      StringEquals: {
        'iam:AWSServiceName': ['access-analyzer.amazonaws.com', 'macie.amazonaws.com'],
      },
    });
  });

  it('a Block Public Access plan needs only its own actions', () => {
    const plan = syntheticPlan('baseline', ['public-access-block']);
    expect(iamPolicyForPlan(plan)).toEqual({
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Bucket',
            Effect: 'Allow',
            Action: [
              's3:GetBucketPublicAccessBlock',
              's3:ListBucket',
              's3:PutBucketPublicAccessBlock',
            ],
            Resource: 'arn:aws:s3:::open-bucket',
          },
          { Sid: 'AccountWide', Effect: 'Allow', Action: ['sts:GetCallerIdentity'], Resource: '*' },
        ],
      },
      notes: [],
    });
  });

  it('every preset’s plan is covered by the policy for every feature', () => {
    for (const preset of ['baseline', 'strict', 'worm'] as const) {
      const plan = syntheticPlan(preset);
      const all = iamPolicyForEverything({
        ...plan.target,
        logBucket: plan.target.logBucket ?? 'x',
      });
      const allowed = new Set(
        all.policy.Statement.flatMap((s) =>
          s.Action.map((a) => `${a} ${JSON.stringify(s.Resource)}`),
        ),
      );
      for (const line of statementActions(plan)) {
        if (line.startsWith('iam:')) continue;
        expect(allowed.has(line), `${preset}: ${line}`).toBe(true);
      }
    }
  });

  it('prints the document alone with --json, notes as # lines otherwise', () => {
    const result = iamPolicyForPlan(syntheticPlan('strict'));
    expect(JSON.parse(renderIamPolicy(result, true))).toEqual(result.policy);
    const text = renderIamPolicy(result, false);
    expect(text.startsWith('# KMS: CreateKey takes no resource')).toBe(true);
    expect(JSON.parse(text.replace(/^#.*\n/gm, ''))).toEqual(result.policy);
  });
});

describe('the README', () => {
  it('carries the policy for every feature, generated by scripts/iam-policy-all.mjs', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const block = /<!-- iam-policy-all -->\n```json\n([\s\S]*?)```\n<!-- \/iam-policy-all -->/.exec(
      readme,
    );
    expect(block, 'README.md has no generated policy block').not.toBeNull();
    const expected = iamPolicyForEverything(target);
    expect(JSON.parse(block?.[1] ?? '')).toEqual(expected.policy);
  });
});
