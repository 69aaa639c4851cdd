/**
 * The pure and small parts of `audit --accounts` and per-region reads: the
 * role ARN in the caller's partition, where each call is sent and memoised
 * (account-wide once, regional once per region, HeadBucket once whatever
 * region asks), a multi-account report in text, SARIF and ASFF, and the
 * README's generated member-role, caller and trust policies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listActiveAccounts, partitionOfArn, roleArn } from '../../src/aws/accounts.js';
import type { AwsSession } from '../../src/aws/index.js';
import { readMemo, routeRegion } from '../../src/aws/read-memo.js';
import { auditToAsff } from '../../src/plan/audit/asff.js';
import { CONTROLS } from '../../src/plan/audit/controls.js';
import {
  iamPolicyForAuditCaller,
  iamPolicyForAuditRole,
  trustPolicyForAuditRole,
} from '../../src/plan/audit/iam.js';
import { lineText, renderAudit } from '../../src/plan/audit/render.js';
import { buildReport } from '../../src/plan/audit/report.js';
import { auditToSarif } from '../../src/plan/audit/sarif.js';
import { auditReportSchema, type BucketAudit } from '../../src/plan/audit/schema.js';
import type { ApiCall } from '../../src/plan/model/types.js';
import { schemaProblems } from '../helpers/json-schema.js';

const SCHEMAS = join(import.meta.dirname, '..', 'schemas');

describe('role ARNs follow the caller’s partition', () => {
  it.each([
    ['arn:aws:sts::111122223333:assumed-role/admin/me', 'aws'],
    ['arn:aws-us-gov:iam::111122223333:user/me', 'aws-us-gov'],
    ['arn:aws-cn:sts::111122223333:assumed-role/admin/me', 'aws-cn'],
  ])('%s → %s', (caller, partition) => {
    expect(partitionOfArn(caller)).toBe(partition);
    expect(roleArn(caller, '444455556666', 'audit')).toBe(
      `arn:${partition}:iam::444455556666:role/audit`,
    );
  });

  it('the member role policy and the caller policy take the partition', () => {
    const gov = JSON.stringify(iamPolicyForAuditRole('aws-us-gov').policy);
    expect(gov).not.toMatch(/"arn:aws:/);
    expect(gov).toContain('"arn:aws-us-gov:s3:::*"');
    expect(iamPolicyForAuditCaller('audit', 'aws-cn').policy.Statement[1]?.Resource).toBe(
      'arn:aws-cn:iam::*:role/audit',
    );
  });
});

describe('--accounts all', () => {
  it('reads every page of ListAccounts and keeps the ACTIVE accounts (State, else the deprecated Status)', async () => {
    const pages: Record<string, Record<string, unknown>> = {
      first: {
        Accounts: [
          { Id: '333333333333', Name: 'c', State: 'ACTIVE', Status: 'ACTIVE' },
          { Id: '222222222222', Name: 'suspended', State: 'SUSPENDED', Status: 'SUSPENDED' },
          // State says it is closing, though the old Status still says ACTIVE.
          { Id: '444444444444', Name: 'closing', State: 'PENDING_CLOSURE', Status: 'ACTIVE' },
        ],
        NextToken: 'next',
      },
      next: { Accounts: [{ Id: '111111111111', Name: 'a', Status: 'ACTIVE' }] },
    };
    const inputs: unknown[] = [];
    const session = {
      request: async (apiCall: ApiCall) => {
        inputs.push(apiCall.input);
        const token = (apiCall.input as { NextToken?: string }).NextToken ?? 'first';
        return pages[token] ?? {};
      },
    } as unknown as AwsSession;
    expect(await listActiveAccounts(session)).toEqual([
      { id: '111111111111', name: 'a' },
      { id: '333333333333', name: 'c' },
    ]);
    expect(inputs).toEqual([{}, { NextToken: 'next' }]);
  });
});

describe('where a call goes in a multi-region run', () => {
  const call = (service: string, operation: string, input = {}) =>
    ({ service, operation, input }) as ApiCall;

  it('account-wide calls go to the session’s region, regional ones to the bucket’s', () => {
    expect(routeRegion(call('s3control', 'GetPublicAccessBlock'), 'eu-west-1', 'us-east-1')).toBe(
      'us-east-1',
    );
    expect(routeRegion(call('s3', 'ListBuckets'), 'eu-west-1', 'us-east-1')).toBe('us-east-1');
    expect(routeRegion(call('macie2', 'GetMacieSession'), 'eu-west-1', 'us-east-1')).toBe(
      'eu-west-1',
    );
    expect(routeRegion(call('s3', 'GetBucketPolicy'), 'eu-west-1', 'us-east-1')).toBe('eu-west-1');
  });

  it('memoises per region, and HeadBucket once whichever region asks', async () => {
    const sent: string[] = [];
    const memo = readMemo(async (apiCall, region) => {
      sent.push(`${region} ${apiCall.operation}`);
      return {};
    });
    await Promise.all([
      memo.read(call('macie2', 'GetMacieSession'), 'us-east-1'),
      memo.read(call('macie2', 'GetMacieSession'), 'us-east-1'),
      memo.read(call('macie2', 'GetMacieSession'), 'eu-west-1'),
      memo.read(call('s3', 'HeadBucket', { Bucket: 'b' }), 'us-east-1'),
      memo.read(call('s3', 'HeadBucket', { Bucket: 'b' }), 'eu-west-1'),
    ]);
    expect(sent.sort()).toEqual([
      'eu-west-1 GetMacieSession',
      'us-east-1 GetMacieSession',
      'us-east-1 HeadBucket',
    ]);
  });
});

const HOME = '111122223333';
const MEMBER = '444455556666';
const DENIED = '777788889999';

function row(bucket: string, accountId: string, region: string): BucketAudit {
  return {
    bucket,
    accountId,
    region,
    results: CONTROLS.map((control) => ({ id: control.id, status: 'fail', detail: 'off' })),
  };
}

const fleet = buildReport({
  tool: 's3-harden 0.1.0',
  accountId: HOME,
  region: 'us-east-1',
  buckets: [row('home-a', HOME, 'us-east-1'), row('member-eu', MEMBER, 'eu-west-1')],
  accounts: [
    { accountId: HOME, name: 'management', status: 'audited', buckets: 1 },
    {
      accountId: MEMBER,
      name: 'data',
      roleArn: `arn:aws:iam::${MEMBER}:role/audit`,
      status: 'audited',
      buckets: 1,
    },
    {
      accountId: DENIED,
      roleArn: `arn:aws:iam::${DENIED}:role/audit`,
      status: 'failed',
      error: `cannot assume arn:aws:iam::${DENIED}:role/audit: access denied`,
      buckets: 0,
    },
  ],
  calls: {},
  durationMs: 1,
  generatedAt: new Date('2026-12-06T20:00:00.000Z'),
});

describe('a multi-account report', () => {
  it('is valid against the schema and counts its accounts', () => {
    expect(auditReportSchema.parse(fleet).summary).toMatchObject({
      accounts: 3,
      accountErrors: 1,
      buckets: 2,
    });
  });

  it('text: a section per account, the one not audited in one line, the run’s summary', () => {
    const lines = renderAudit(fleet, 80).map(lineText);
    expect(lines).toContain(`══ Account ${HOME} (management) ══`);
    expect(lines).toContain(`══ Account ${MEMBER} (data) ══`);
    // One entry, wrapped to the width with a hanging indent.
    const at = lines.findIndex((line) => line.startsWith(`✗ Account ${DENIED}`));
    expect(lines.slice(at, at + 2)).toEqual([
      `✗ Account ${DENIED}: not audited: cannot assume`,
      `  arn:aws:iam::${DENIED}:role/audit: access denied`,
    ]);
    expect(lines.join('\n')).toMatch(/3 accounts \(1 could not be audited\); 2 buckets: /);
    expect(lines).toContain(`member-eu (eu-west-1) · account ${MEMBER}`);
  });

  it('ASFF: each finding in its own account, the account not audited one finding', () => {
    const { Findings } = auditToAsff(fleet, { now: '2026-12-06T20:00:00.000Z' });
    const accounts = new Set(Findings.map((finding) => finding.AwsAccountId));
    expect([...accounts].sort()).toEqual([HOME, MEMBER, DENIED].sort());
    const denied = Findings.filter((finding) => finding.AwsAccountId === DENIED);
    expect(denied.map((finding) => finding.Title)).toEqual(['Account not audited']);
    const member = Findings.filter((finding) => finding.Resources[0]?.Id.endsWith('member-eu'));
    expect(member.every((finding) => finding.AwsAccountId === MEMBER)).toBe(true);
    expect(new Set(Findings.map((finding) => finding.Id)).size).toBe(Findings.length);
    const document = JSON.stringify({ Findings });
    expect(schemaProblems(join(SCHEMAS, 'asff-2018-10-08.json'), document)).toBe('');
  });

  it('SARIF: one run per account; the one not audited a failed invocation', () => {
    const { runs } = auditToSarif(fleet);
    expect(runs.map((run) => run.properties.accountId)).toEqual([HOME, MEMBER, DENIED]);
    expect(runs[2]?.invocations[0]?.executionSuccessful).toBe(false);
    expect(runs[2]?.invocations[0]?.toolExecutionNotifications?.[0]?.message.text).toMatch(
      /^not audited: cannot assume/,
    );
    const document = JSON.stringify(auditToSarif(fleet));
    expect(
      schemaProblems(join(SCHEMAS, 'sarif-2.1.0-rtm.5.json'), document, 'Draft4Validator'),
    ).toBe('');
  });
});

describe('the README', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const block = (marker: string) => {
    const match = new RegExp(
      `<!-- ${marker} -->\\n\`\`\`json\\n([\\s\\S]*?)\`\`\`\\n<!-- /${marker} -->`,
    ).exec(readme);
    return JSON.parse(match?.[1] ?? 'null');
  };

  it('carries the member role, caller and trust policies as generated (node scripts/iam-policy-all.mjs --write)', () => {
    expect(block('iam-policy-audit-role')).toEqual(iamPolicyForAuditRole().policy);
    expect(block('iam-policy-audit-caller')).toEqual(
      iamPolicyForAuditCaller('s3-harden-audit').policy,
    );
    expect(block('trust-policy-audit-role')).toEqual(
      trustPolicyForAuditRole({
        principalArn: 'arn:aws:iam::111122223333:role/security-audit',
        externalId: 'REPLACE-WITH-YOUR-EXTERNAL-ID',
      }),
    );
  });
});
