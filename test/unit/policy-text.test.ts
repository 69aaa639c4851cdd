/**
 * Lossless merge (issue 13, item 8): statements s3-harden did not write go
 * back to S3 exactly as they were written, numbers included, and the undo of
 * a policy change writes the exact previous text — through the merge, the
 * write, plan files, verification and drift (src/plan/policy/policy-text.ts).
 */
import { describe, expect, it } from 'vitest';
import { policyValueFromOutput } from '../../src/aws/families/policy.js';
import { parsePlan, serializePlan } from '../../src/plan/files/plan-file.js';
import type { Plan, Posture } from '../../src/plan/model/types.js';
import {
  composePolicy,
  formatPolicy,
  type PolicyDocument,
  policyBytes,
  policyJson,
  statementsOf,
  type ToolStatement,
} from '../../src/plan/policy/document.js';
import { formatJson, scanJson, sourceOf } from '../../src/plan/policy/json-text.js';
import {
  POLICY_TEXT,
  policyTextProblem,
  samePolicy,
  withPolicyText,
} from '../../src/plan/policy/policy-text.js';
import { isBucketPolicySid, NO_INTENT, statementsFor } from '../../src/plan/policy/statements.js';
import { resourceSchema, satisfies, writeCall } from '../../src/plan/resources/index.js';
import { policyDocumentSchema, policyText } from '../../src/plan/resources/policy.js';
import { type BucketPolicyAnswers, bucketPolicyStep } from '../../src/steps/bucket-policy.js';
import { buildPlan, defaultAnswers } from '../../src/steps/index.js';
import { logDeliverySid } from '../../src/steps/logging.js';
import { BUCKET, posture as postureOf, TARGET } from './support.js';

/** Foreign statements as someone typed them: numbers JSON.parse changes, escapes, layout, key order. */
const FOREIGN_1 = `{
        "Effect" : "Deny",   "Sid": "Team\\u0041",
        "Principal": "*",
        "Action": "s3:ListBucket",
        "Resource": "arn:aws:s3:::${BUCKET}",
        "Condition": { "NumericGreaterThan": { "s3:max-keys": 1.0 },
                       "NumericLessThan": { "s3:max-keys": 12345678901234567890 } }
      }`;
const FOREIGN_2 = `{"Condition":{"NumericEquals":{"s3:max-keys":[1e3,-0,9007199254740993]}},"Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Effect":"Deny","Action":"s3:ListBucket","Resource":"arn:aws:s3:::${BUCKET}"}`;
/** The tool's statement as an earlier run wrote it, spaced out by someone since. */
const OLD_TOOL = `{ "Sid": "S3HardenDenyInsecureTransport", "Effect": "Deny", "Principal": "*",
        "Action": [ "s3:*" ], "Resource": [ "arn:aws:s3:::${BUCKET}", "arn:aws:s3:::${BUCKET}/*" ],
        "Condition": { "Bool": { "aws:SecureTransport": "false" } } }`;
const TEXT = `{
  "Id": "team-policy",
  "Version" : "2012-10-17",
  "Statement": [
      ${FOREIGN_1},
      ${OLD_TOOL},
      ${FOREIGN_2}
  ]
}
`;

/** What the reader makes of GetBucketPolicy's answer. */
const read = (text: string) => policyValueFromOutput({ Policy: text }) as PolicyDocument;

const baseline = statementsFor(TARGET, {
  ...NO_INTENT,
  denyInsecureTransport: true,
  denyOldTls: true,
});

/** The source text of each statement of a policy text, in order. */
function statementTexts(text: string): string[] {
  const root = scanJson(text);
  if (root.kind !== 'object') throw new Error('not an object');
  const statement = root.members.find((member) => member.key === 'Statement')?.value;
  if (!statement) return [];
  return (statement.kind === 'array' ? statement.items : [statement]).map((node) =>
    sourceOf(text, node),
  );
}

const withoutText = (document: PolicyDocument | null) => {
  if (document === null) return null;
  const { [POLICY_TEXT]: _, ...rest } = document;
  return rest;
};

describe('a policy read carries its text', () => {
  it('beside the document JSON.parse makes of it', () => {
    const value = read(TEXT);
    expect(value[POLICY_TEXT]).toBe(TEXT);
    expect(withoutText(value)).toEqual(JSON.parse(TEXT));
    expect(policyJson(value)).toBe(TEXT);
  });

  it('not when JSON readers may read it differently (a key twice): then as before', () => {
    const twice = '{"Statement":[{"Effect":"Deny","Effect":"Allow"}]}';
    const value = read(twice);
    expect(value).not.toHaveProperty(POLICY_TEXT);
    expect(policyJson(value)).toBe(JSON.stringify(JSON.parse(twice)));
  });

  it('not when JSON.stringify writes the same text anyway (what s3-harden wrote)', () => {
    const compact = JSON.stringify(JSON.parse(`{"Statement":[${OLD_TOOL}]}`));
    expect(read(compact)).toEqual(JSON.parse(compact));
    const after = composePolicy(read(compact), baseline, isBucketPolicySid) as PolicyDocument;
    expect(after).not.toHaveProperty(POLICY_TEXT);
    expect(policyJson(after)).toBe(JSON.stringify(after));
  });

  it('a document deeper than the scanner goes is shown and compared as JSON.parse reads it', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 300; level += 1) deep = [deep];
    const document = { Statement: [{ Effect: 'Deny', Condition: deep }] } as PolicyDocument;
    expect(formatPolicy(document)).toBe(JSON.stringify(document, null, 2));
    expect(samePolicy(document, structuredClone(document))).toBe(true);
  });

  it('refuses a policy that has the text key itself', () => {
    expect(() => read(`{"${POLICY_TEXT}":"x","Statement":[]}`)).toThrow(
      `the bucket policy S3 returned: the policy has a top-level "${POLICY_TEXT}"`,
    );
  });
});

describe('the merge keeps foreign statements byte for byte', () => {
  it('replaces the tool statement in place; everything else is the text as read', () => {
    const before = read(TEXT);
    const after = composePolicy(before, baseline, isBucketPolicySid) as PolicyDocument;
    const sent = policyJson(after);
    const texts = statementTexts(sent);
    // The tool statement that already says the same is kept as read too; the new one is appended.
    expect(texts.slice(0, 3)).toEqual([FOREIGN_1, OLD_TOOL, FOREIGN_2]);
    expect(texts).toHaveLength(4);
    expect(JSON.parse(texts[3] as string).Sid).toBe('S3HardenDenyOldTls');
    // Around the Statement array, the text as read.
    expect(sent.startsWith(TEXT.slice(0, TEXT.indexOf('[')))).toBe(true);
    expect(sent.endsWith('\n}\n')).toBe(true);
    // What is sent says exactly what the document says, and is what it carries.
    expect(JSON.parse(sent)).toEqual(withoutText(after));
    expect(after[POLICY_TEXT]).toBe(sent);
    expect(sent).toContain('1.0 }');
    expect(sent).toContain('12345678901234567890');
    expect(sent).toContain('[1e3,-0,9007199254740993]');
    expect(sent).toContain('Team\\u0041');
  });

  it('composed again from what S3 returns: no change, the same text', () => {
    const after = composePolicy(read(TEXT), baseline, isBucketPolicySid) as PolicyDocument;
    const readBack = read(policyJson(after));
    const again = composePolicy(readBack, baseline, isBucketPolicySid);
    expect(again).toBe(readBack);
    expect(policyJson(again as PolicyDocument)).toBe(policyJson(after));
  });

  it('a tool statement replaced or removed; the foreign texts stay, in order', () => {
    const after = composePolicy(read(TEXT), [], isBucketPolicySid) as PolicyDocument;
    expect(statementTexts(policyJson(after))).toEqual([FOREIGN_1, FOREIGN_2]);
    // Cut with its separator: the rest of the text as it was.
    expect(policyJson(after)).toBe(TEXT.replace(`,\n      ${OLD_TOOL}`, ''));
    const narrower = statementsFor(
      { ...TARGET, bucket: 'other-bucket' },
      {
        ...NO_INTENT,
        denyInsecureTransport: true,
      },
    ).map((statement) => ({ ...statement }));
    const replaced = composePolicy(read(TEXT), narrower, isBucketPolicySid) as PolicyDocument;
    const texts = statementTexts(policyJson(replaced));
    expect([texts[0], texts[2]]).toEqual([FOREIGN_1, FOREIGN_2]);
    expect(texts[1]).toBe(JSON.stringify(narrower[0]));
    expect(composePolicy(read(`{"Statement":[${OLD_TOOL}]}`), [], isBucketPolicySid)).toBeNull();
  });

  it('turning the tool statements on and off again gives back the text as it was', () => {
    const original = TEXT.replace(`,\n      ${OLD_TOOL}`, '');
    const on = composePolicy(read(original), baseline, isBucketPolicySid) as PolicyDocument;
    // Appended with the list's own separator.
    expect(policyJson(on)).toBe(
      original.replace(
        `${FOREIGN_2}\n`,
        `${FOREIGN_2},\n      ${JSON.stringify(baseline[0])},\n      ${JSON.stringify(baseline[1])}\n`,
      ),
    );
    const off = composePolicy(read(policyJson(on)), [], isBucketPolicySid) as PolicyDocument;
    expect(policyJson(off)).toBe(original);
    // A list of one: the new ones follow the layout before its first statement.
    const one = `{"Statement": [ ${FOREIGN_2} ]}`;
    const added = composePolicy(read(one), baseline.slice(0, 1), isBucketPolicySid);
    expect(policyJson(added as PolicyDocument)).toBe(
      `{"Statement": [ ${FOREIGN_2}, ${JSON.stringify(baseline[0])} ]}`,
    );
  });

  it('a lone Statement object becomes a list that starts with its text', () => {
    const text = `{ "Version": "2012-10-17", "Statement": ${FOREIGN_1} }`;
    const after = composePolicy(read(text), baseline, isBucketPolicySid) as PolicyDocument;
    const sent = policyJson(after);
    expect(statementTexts(sent)[0]).toBe(FOREIGN_1);
    expect(sent.startsWith('{ "Version": "2012-10-17", "Statement": [')).toBe(true);
    expect(JSON.parse(sent)).toEqual(withoutText(after));
  });

  it('a policy with no Statement gets one, the rest as written', () => {
    for (const text of ['{ "Version": "2012-10-17" }', '{ }']) {
      const after = composePolicy(read(text), baseline, isBucketPolicySid) as PolicyDocument;
      const sent = policyJson(after);
      expect(JSON.parse(sent)).toEqual(withoutText(after));
      expect(sent.startsWith(text.slice(0, -1))).toBe(true);
    }
  });

  it('other writers keep them too: a log-delivery grant into a log bucket policy', () => {
    const grant: ToolStatement = {
      Sid: logDeliverySid('source-bucket'),
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: ['s3:PutObject'],
      Resource: 'arn:aws:s3:::logs-bucket/logs/*',
    };
    const after = composePolicy(read(TEXT), [grant], (sid) => sid === grant.Sid) as PolicyDocument;
    expect(statementTexts(policyJson(after))).toEqual([
      FOREIGN_1,
      OLD_TOOL,
      FOREIGN_2,
      JSON.stringify(grant),
    ]);
  });

  it('a document changed without the merge is written as JSON.stringify makes it, never with a stale text', () => {
    const before = read(TEXT);
    const changed = { ...before, Statement: statementsOf(before).slice(0, 1) } as PolicyDocument;
    expect(policyJson(changed)).toBe(JSON.stringify(withoutText(changed)));
  });

  it('the size limit counts the bytes sent', () => {
    const padded = `{"Statement":[${FOREIGN_2}${' '.repeat(20_480)}]}`;
    expect(policyBytes(read(padded))).toBe(padded.length);
    expect(policyText.safeParse(padded).success).toBe(false);
    expect(policyText.safeParse(padded.replace(/ {2,}/, '')).success).toBe(true);
  });

  it('the review shows the numbers as written', () => {
    const shown = formatPolicy(read(TEXT));
    expect(shown).toContain('"s3:max-keys": 1.0\n');
    expect(shown).toContain('12345678901234567890');
    expect(shown).toContain('    "Sid": "Team\\u0041",');
    expect(formatPolicy(JSON.parse(TEXT))).toBe(JSON.stringify(JSON.parse(TEXT), null, 2));
  });
});

describe('the writes', () => {
  const logTarget = { ...TARGET, logBucket: 'logs-bucket' };
  it('bucket, log bucket and access point policies are written as their text', () => {
    const value = read(TEXT);
    expect(writeCall('bucket.policy', TARGET, value).input.Policy).toBe(TEXT);
    expect(writeCall('logTarget.policy', logTarget, value).input).toEqual({
      Bucket: 'logs-bucket',
      Policy: TEXT,
    });
    expect(writeCall('bucket.accessPointPolicy', TARGET, value).input.Policy).toBe(TEXT);
  });
});

describe('verification, rollback and drift compare what the policies say, numbers exactly', () => {
  it('layout and key order do not count; a lossy re-serialisation does', () => {
    const value = read(TEXT);
    const reordered = TEXT.replace(
      '"Id": "team-policy",\n  "Version" : "2012-10-17",',
      '"Version":"2012-10-17","Id":"team-policy",',
    );
    expect(reordered).not.toBe(TEXT);
    expect(satisfies('bucket.policy', value, read(reordered))).toBe(true);
    expect(satisfies('bucket.policy', value, read(formatJson(TEXT)))).toBe(true);
    // JSON.stringify(JSON.parse(…)) changes 9007199254740993: not the same policy.
    expect(satisfies('bucket.policy', value, read(JSON.stringify(JSON.parse(TEXT))))).toBe(false);
    expect(satisfies('bucket.policy', value, JSON.parse(TEXT))).toBe(false);
    const plain = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*"}]}';
    expect(satisfies('bucket.policy', JSON.parse(plain), read(plain))).toBe(true);
    expect(samePolicy(null, null)).toBe(true);
    expect(samePolicy(value, null)).toBe(false);
  });

  it('a foreign number that changed counts, even where JSON.parse reads the same double', () => {
    const value = read(TEXT);
    const changed = read(TEXT.replace('9007199254740993', '9007199254740992'));
    expect(withoutText(changed)).toEqual(withoutText(value));
    for (const resource of [
      'bucket.policy',
      'logTarget.policy',
      'bucket.accessPointPolicy',
    ] as const) {
      expect(satisfies(resource, value, changed)).toBe(false);
    }
    // …but the same value written another way does not.
    expect(satisfies('bucket.policy', value, read(TEXT.replace('1.0 }', '1 }')))).toBe(true);
  });
});

describe('the text in a plan file', () => {
  it('must be JSON that says what its document says', () => {
    const value = read(TEXT);
    expect(policyDocumentSchema.safeParse(value).success).toBe(true);
    expect(policyTextProblem(value)).toBeNull();
    const tampered = (text: unknown) => ({ ...value, [POLICY_TEXT]: text });
    expect(policyTextProblem(tampered(42))).toMatch(/must be the policy's JSON text/);
    expect(policyTextProblem(tampered('{'))).toMatch(/not a JSON object/);
    expect(policyTextProblem(tampered('{"a":1,"a":1}'))).toMatch(/repeated keys/);
    expect(policyTextProblem(tampered(TEXT.replace('Deny', 'Allow')))).toMatch(
      /does not say what the document says/,
    );
    expect(resourceSchema('bucket.policy').safeParse(tampered('{}')).success).toBe(false);
    expect(
      policyTextProblem({
        Statement: [],
        [POLICY_TEXT]: `{"Statement":[],"${POLICY_TEXT}":"{}"}`,
      }),
    ).toMatch(/may not hold/);
    expect(() => withPolicyText({ [POLICY_TEXT]: 'x' }, '{}')).toThrow(/S3 does not allow/);
  });

  const planned = (): { plan: Plan; posture: Posture } => {
    const posture = postureOf({ 'bucket.policy': read(TEXT) });
    const answers = defaultAnswers(posture, 'baseline', ['bucket-policy']);
    return { plan: buildPlan(posture, 'baseline', ['bucket-policy'], answers), posture };
  };

  it('round-trips: the saved plan writes the foreign texts and undoes to the exact text', () => {
    const { plan } = planned();
    const change = plan.changes.find((candidate) => candidate.resource === 'bucket.policy');
    if (!change) throw new Error('no policy change');
    const loaded = parsePlan(serializePlan(plan, 's3-harden test'));
    const again = loaded.changes.find((candidate) => candidate.resource === 'bucket.policy');
    expect(again?.call).toEqual(change.call);
    expect(again?.undo?.input.Policy).toBe(TEXT);
    const sent = again?.call.input.Policy as string;
    expect(statementTexts(sent)).toContain(FOREIGN_1);
    expect(statementTexts(sent)).toContain(FOREIGN_2);
    expect(writeCall('bucket.policy', loaded.target, again?.after)).toEqual(again?.call);
  });

  it('a file whose Policy bytes differ from its after-state text is refused', () => {
    const { plan } = planned();
    const file = JSON.parse(serializePlan(plan, 's3-harden test'));
    const index = file.changes.findIndex(
      (candidate: { resource: string }) => candidate.resource === 'bucket.policy',
    );
    const edited = structuredClone(file);
    edited.changes[index].call.input.Policy = edited.changes[index].call.input.Policy.replace(
      '9007199254740993',
      '9007199254740992',
    );
    expect(() => parsePlan(JSON.stringify(edited))).toThrow();
    const undone = structuredClone(file);
    undone.changes[index].undo.input.Policy = undone.changes[index].undo.input.Policy.replace(
      '1.0 }',
      '1 }',
    );
    expect(() => parsePlan(JSON.stringify(undone))).toThrow();
  });

  it('the bucket-policy step: unchanged answers plan nothing, and its undo is the text read', () => {
    const posture = postureOf({ 'bucket.policy': read(TEXT) });
    const keep = bucketPolicyStep.keep?.(posture) as BucketPolicyAnswers;
    expect(bucketPolicyStep.plan(posture, keep)).toEqual([]);
    const [change] = bucketPolicyStep.plan(posture, { ...keep, minimumTls12: true });
    expect(change?.undo?.input.Policy).toBe(TEXT);
    expect(statementTexts(change?.call.input.Policy as string).slice(0, 3)).toEqual([
      FOREIGN_1,
      OLD_TOOL,
      FOREIGN_2,
    ]);
  });
});

it('policyValueFromOutput reads no policy as null', () => {
  expect(policyValueFromOutput({})).toBeNull();
  expect(policyValueFromOutput({ Policy: ' ' })).toBeNull();
});
