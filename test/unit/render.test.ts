import { describe, expect, it } from 'vitest';
import type { ApplyOutcome, ChangeResult } from '../../src/plan/apply/executor.js';
import { isSettled, outcomeLines, resultLines, verdict } from '../../src/plan/render/outcome.js';
import {
  formatValue,
  type Line,
  linesToText,
  NO_CHANGES,
  renderCliCommands,
  renderPlan,
  summaryLine,
} from '../../src/plan/render/render.js';
import { accountChange, BUCKET, bucketChange, OFF, ON, pab, planOf } from './support.js';

const text = (lines: readonly Line[]) => linesToText(lines);
const PAB_JSON =
  '{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}';
const SKIPPED = {
  step: 'Block Public Access (account)',
  reason: 'cannot read account.publicAccessBlock: Access denied: s3:GetAccountPublicAccessBlock.',
};

describe('renderPlan', () => {
  it('a create from absent lists every field added', () => {
    const lines = renderPlan(planOf([bucketChange(null, ON)]));
    expect(text(lines)).toBe(
      [
        'Changes to bucket my-bucket (account 123456789012, us-east-1):',
        'Symbols: + add',
        '',
        '+ Block Public Access (bucket)  (s3:PutPublicAccessBlock)',
        '    + BlockPublicAcls        true',
        '    + IgnorePublicAcls       true',
        '    + BlockPublicPolicy      true',
        '    + RestrictPublicBuckets  true',
        '',
        'Plan: 1 to add, 0 to change, 0 to remove (0 irreversible).',
      ].join('\n'),
    );
    expect(lines.map((line) => line.kind)).toEqual([
      'heading',
      'plain',
      'plain',
      'add',
      'add',
      'add',
      'add',
      'add',
      'plain',
      'summary',
    ]);
  });

  it('an update shows only the field that changes, before -> after', () => {
    const lines = renderPlan(planOf([bucketChange(pab({ BlockPublicPolicy: false }), ON)]));
    expect(text(lines)).toBe(
      [
        'Changes to bucket my-bucket (account 123456789012, us-east-1):',
        'Symbols: ~ change',
        '',
        '~ Block Public Access (bucket)  (s3:PutPublicAccessBlock)',
        '    ~ BlockPublicPolicy  false -> true',
        '',
        'Plan: 0 to add, 1 to change, 0 to remove (0 irreversible).',
      ].join('\n'),
    );
    expect(lines[3]?.kind).toBe('change');
    expect(lines[4]?.kind).toBe('change');
  });

  it('an account change carries its warning; two kinds of change share the legend', () => {
    const plan = planOf([
      bucketChange(null, ON),
      accountChange(ON, pab({ RestrictPublicBuckets: false }), {
        warnings: [
          'affects every bucket in account 123456789012, not only my-bucket',
          'turns RestrictPublicBuckets off, which weakens protection',
        ],
      }),
    ]);
    expect(text(renderPlan(plan))).toBe(
      [
        'Changes to bucket my-bucket (account 123456789012, us-east-1):',
        'Symbols: + add  ~ change',
        '',
        '+ Block Public Access (bucket)  (s3:PutPublicAccessBlock)',
        '    + BlockPublicAcls        true',
        '    + IgnorePublicAcls       true',
        '    + BlockPublicPolicy      true',
        '    + RestrictPublicBuckets  true',
        '',
        '~ Block Public Access (account)  (s3control:PutPublicAccessBlock)',
        '    ~ RestrictPublicBuckets  true -> false',
        '    warning: affects every bucket in account 123456789012, not only my-bucket',
        '    warning: turns RestrictPublicBuckets off, which weakens protection',
        '',
        'Plan: 1 to add, 1 to change, 0 to remove (0 irreversible).',
      ].join('\n'),
    );
  });

  it('no changes → the single "already matches" line', () => {
    const lines = renderPlan(planOf([]));
    expect(lines).toEqual([{ kind: 'summary', text: 'No changes. The bucket already matches.' }]);
    expect(NO_CHANGES).toBe('No changes. The bucket already matches.');
  });

  it('an irreversible change (undo null) is marked "!" and counted', () => {
    const lines = renderPlan(
      planOf([bucketChange(pab({ BlockPublicPolicy: false }), ON, { undo: null })]),
    );
    expect(text(lines)).toBe(
      [
        'Changes to bucket my-bucket (account 123456789012, us-east-1):',
        'Symbols: ! irreversible',
        '',
        '! Block Public Access (bucket)  (s3:PutPublicAccessBlock)',
        '    ~ BlockPublicPolicy  false -> true',
        '    ! cannot be undone by s3-harden',
        '',
        'Plan: 0 to add, 1 to change, 0 to remove (1 irreversible).',
      ].join('\n'),
    );
    expect(lines[3]?.kind).toBe('irreversible');
    expect(lines[5]?.kind).toBe('irreversible');
  });

  it('a delete lists every field removed', () => {
    const change = bucketChange(ON, ON, {
      action: 'delete',
      after: null,
      call: { service: 's3', operation: 'DeletePublicAccessBlock', input: { Bucket: BUCKET } },
    });
    const lines = renderPlan(planOf([change]));
    expect(text(lines)).toContain(
      [
        '- Block Public Access (bucket)  (s3:DeletePublicAccessBlock)',
        '    - BlockPublicAcls        true',
      ].join('\n'),
    );
    expect(text(lines)).toContain('Plan: 0 to add, 0 to change, 1 to remove (0 irreversible).');
  });

  it('a change with no field-level difference shows before -> after on one line', () => {
    const lines = renderPlan(planOf([bucketChange(null, ON, { after: null })]));
    expect(text(lines)).toContain(
      [
        '+ Block Public Access (bucket)  (s3:PutPublicAccessBlock)',
        '    (absent) -> (absent)',
      ].join('\n'),
    );
  });

  it('skipped steps are notes, before the changes', () => {
    const lines = renderPlan(planOf([bucketChange(null, ON)], { skipped: [SKIPPED] }));
    expect(lines[0]).toEqual({
      kind: 'note',
      text: 'Skipped Block Public Access (account): cannot read account.publicAccessBlock: Access denied: s3:GetAccountPublicAccessBlock.',
    });
    expect(lines[1]?.kind).toBe('heading');
  });

  it('text from the plan is escaped: skipped steps, titles, warnings cannot drive the terminal', () => {
    const hostile = 'a\u001b[8m\u009b2J\u202e\u2066\u2028b';
    const escaped = 'a\\u001b[8m\\u009b2J\\u202e\\u2066\\u2028b';
    const lines = renderPlan(
      planOf([bucketChange(null, ON, { title: hostile, warnings: [hostile] })], {
        skipped: [{ step: hostile, reason: hostile }],
      }),
    );
    const all = text(lines);
    expect(all.replace(/\n/g, '')).not.toMatch(/[\p{Cc}\p{Bidi_Control}\p{Zl}\p{Zp}]/u);
    expect(lines[0]?.text).toBe(`Skipped ${escaped}: ${escaped}`);
    expect(all).toContain(`+ ${escaped}  (s3:PutPublicAccessBlock)`);
    expect(all).toContain(`    warning: ${escaped}`);
  });

  it('skipped steps with no changes: the notes, then "No changes."', () => {
    expect(renderPlan(planOf([], { skipped: [SKIPPED] }))).toEqual([
      {
        kind: 'note',
        text: 'Skipped Block Public Access (account): cannot read account.publicAccessBlock: Access denied: s3:GetAccountPublicAccessBlock.',
      },
      { kind: 'summary', text: NO_CHANGES },
    ]);
  });

  it.each<[Parameters<typeof summaryLine>[0], string]>([
    [
      { add: 0, change: 0, remove: 0, irreversible: 0 },
      'Plan: 0 to add, 0 to change, 0 to remove (0 irreversible).',
    ],
    [
      { add: 2, change: 1, remove: 3, irreversible: 1 },
      'Plan: 2 to add, 1 to change, 3 to remove (1 irreversible).',
    ],
  ])('summaryLine %j', (counts, expected) => {
    expect(summaryLine(counts)).toBe(expected);
  });

  it.each<[unknown, string]>([
    [null, '(absent)'],
    [undefined, '(absent)'],
    [true, 'true'],
    [false, 'false'],
    ['x', '"x"'],
    [3, '3'],
    [
      OFF,
      '{"BlockPublicAcls":false,"IgnorePublicAcls":false,"BlockPublicPolicy":false,"RestrictPublicBuckets":false}',
    ],
  ])('formatValue(%j)', (value, expected) => {
    expect(formatValue(value)).toBe(expected);
  });
});

describe('renderCliCommands', () => {
  it('no changes → no lines', () => {
    expect(renderCliCommands(planOf([]))).toEqual([]);
  });

  it('one command per change, in plan order, with the connection flags', () => {
    const plan = planOf([bucketChange(null, ON), accountChange(null, ON)]);
    const lines = renderCliCommands(plan, { region: 'us-east-1' });
    expect(text(lines)).toBe(
      [
        'Equivalent AWS CLI commands:',
        `  aws s3api put-public-access-block --bucket my-bucket --public-access-block-configuration '${PAB_JSON}' --region us-east-1`,
        `  aws s3control put-public-access-block --account-id 123456789012 --public-access-block-configuration '${PAB_JSON}' --region us-east-1`,
      ].join('\n'),
    );
    expect(lines.map((line) => line.kind)).toEqual(['heading', 'command', 'command']);
  });

  it('without a context, no --region/--endpoint-url/--profile', () => {
    const [, command] = renderCliCommands(planOf([bucketChange(null, ON)]));
    expect(command?.text).toBe(
      `  aws s3api put-public-access-block --bucket my-bucket --public-access-block-configuration '${PAB_JSON}'`,
    );
  });
});

describe('outcome lines', () => {
  const bucket = bucketChange(null, ON);
  const account = accountChange(null, ON);
  const outcome = (o: Partial<ApplyOutcome> & Pick<ApplyOutcome, 'status' | 'results'>) => ({
    cancelled: false,
    journalPath: '/state/journals/j.jsonl',
    ...o,
  });

  it('applied and verified', () => {
    const result = outcome({
      status: 'applied',
      results: [
        { change: bucket, status: 'applied', verified: true },
        { change: account, status: 'applied', verified: true },
      ],
    });
    expect(outcomeLines(result)).toEqual([
      { kind: 'add', text: '✓ Block Public Access (bucket): applied, verified' },
      { kind: 'add', text: '✓ Block Public Access (account): applied, verified' },
      { kind: 'plain', text: '' },
      { kind: 'summary', text: 'Apply complete: 2 changes applied and verified.' },
    ]);
  });

  it('applied but one did not verify → a warning verdict', () => {
    const result = outcome({
      status: 'applied',
      results: [
        {
          change: bucket,
          status: 'applied',
          verified: false,
          verifyDetail: 'reads back as (absent)',
        },
      ],
    });
    expect(text(outcomeLines(result))).toBe(
      [
        '✓ Block Public Access (bucket): applied, but reads back as (absent)',
        '',
        'Applied 1 change, but 1 did not read back as planned.',
      ].join('\n'),
    );
    expect(verdict(result).kind).toBe('warning');
  });

  it('rolled back after a failure', () => {
    const result = outcome({
      status: 'rolled-back',
      error: 'Block Public Access (account): Access denied: s3:PutAccountPublicAccessBlock.',
      results: [
        { change: bucket, status: 'rolled-back' },
        {
          change: account,
          status: 'failed',
          error: 'Access denied: s3:PutAccountPublicAccessBlock on account 123456789012.',
        },
      ],
    });
    expect(outcomeLines(result)).toEqual([
      { kind: 'change', text: '↶ Block Public Access (bucket): rolled back' },
      {
        kind: 'remove',
        text: '✗ Block Public Access (account): failed (Access denied: s3:PutAccountPublicAccessBlock on account 123456789012.)',
      },
      { kind: 'plain', text: '' },
      {
        kind: 'warning',
        text: 'Apply failed; 1 change rolled back. The bucket is as it was.',
      },
    ]);
  });

  it('a failed key creation says where to look if its lost answer created the key after all', () => {
    const key = { ...bucket, id: 'kms.key', resource: 'kms.key' as const, title: 'Create KMS key' };
    const result = outcome({
      status: 'rolled-back',
      results: [
        { change: bucket, status: 'rolled-back' },
        { change: key, status: 'failed', error: 'socket hang up' },
      ],
    });
    expect(text(outcomeLines(result)).split('\n').at(-1)).toBe(
      `Apply failed; 1 change rolled back. The bucket is as it was. If Create KMS key did run after all, s3-harden rollback ${result.journalPath} finds it by its tag and undoes it.`,
    );
  });

  it('cancelled says so', () => {
    const result = outcome({
      status: 'rolled-back',
      cancelled: true,
      results: [
        { change: bucket, status: 'rolled-back' },
        { change: account, status: 'pending' },
      ],
    });
    expect(text(outcomeLines(result))).toBe(
      [
        '↶ Block Public Access (bucket): rolled back',
        '· Block Public Access (account): not applied',
        '',
        'Apply cancelled; 1 change rolled back. The bucket is as it was.',
      ].join('\n'),
    );
  });

  it('rollback incomplete: the failed undo, the command to fix it by hand, and the journal', () => {
    const results: ChangeResult[] = [
      {
        change: bucket,
        status: 'rollback-failed',
        error: 'Access denied: s3:PutBucketPublicAccessBlock on bucket my-bucket.',
        manualCommand: 'aws s3api delete-public-access-block --bucket my-bucket',
      },
      { change: account, status: 'failed', error: 'connection reset' },
    ];
    const result = outcome({ status: 'rollback-incomplete', results });
    expect(outcomeLines(result)).toEqual([
      {
        kind: 'irreversible',
        text: '‼ Block Public Access (bucket): ROLLBACK FAILED (Access denied: s3:PutBucketPublicAccessBlock on bucket my-bucket.)',
      },
      {
        kind: 'command',
        text: '    fix by hand: aws s3api delete-public-access-block --bucket my-bucket',
      },
      { kind: 'remove', text: '✗ Block Public Access (account): failed (connection reset)' },
      { kind: 'plain', text: '' },
      {
        kind: 'irreversible',
        text: 'Apply failed and 1 change could not be rolled back: run the commands above. Journal: /state/journals/j.jsonl',
      },
    ]);
  });

  it('a title from the plan file and a quoted error are escaped', () => {
    const change = bucketChange(null, ON, { title: 'T\u001b]0;x\u0007\u202e' });
    expect(
      resultLines({
        change,
        status: 'rollback-failed',
        error: 'denied\u2028\u009b',
        manualCommand: 'aws \u001b[2J',
      }),
    ).toEqual([
      {
        kind: 'irreversible',
        text: '‼ T\\u001b]0;x\\u0007\\u202e: ROLLBACK FAILED (denied\\u2028\\u009b)',
      },
      { kind: 'command', text: '    fix by hand: aws \\u001b[2J' },
    ]);
  });

  it('an irreversible change that could not be rolled back has no command to offer', () => {
    expect(
      resultLines({ change: bucket, status: 'rollback-failed', error: 'cannot be undone' }),
    ).toEqual([
      {
        kind: 'irreversible',
        text: '‼ Block Public Access (bucket): ROLLBACK FAILED (cannot be undone)',
      },
    ]);
  });

  it.each([
    ['pending', false],
    ['applying', false],
    ['rolling-back', false],
    ['applied', true],
    ['failed', true],
    ['rolled-back', true],
    ['rollback-failed', true],
  ] as const)('isSettled(%s) = %s', (status, settled) => {
    expect(isSettled(status)).toBe(settled);
  });
});
