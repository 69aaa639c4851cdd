import { describe, expect, it } from 'vitest';
import {
  composePolicy,
  EVERY_TOOL_SID,
  foreignStatements,
  isToolStatement,
  MAX_POLICY_BYTES,
  mayGrantPublicAccess,
  type PolicyDocument,
  policyBytes,
  policySizeProblem,
  sidOf,
  statementsNotOwned,
  statementsOf,
  type ToolStatement,
} from '../../src/plan/policy/document.js';
import {
  isBucketPolicySid,
  NO_INTENT,
  type PolicyIntent,
  statementsFor,
} from '../../src/plan/policy/statements.js';
import { type Random, seededRandom } from '../helpers/random.js';
import { isOneLine } from './support.js';

const WHERE = { bucket: 'my-bucket', region: 'us-east-1', accountId: '123456789012' };
const BASELINE: PolicyIntent = { ...NO_INTENT, denyInsecureTransport: true, denyOldTls: true };
const baseline = statementsFor(WHERE, BASELINE);

/** Parsed the way the reader parses S3's answer. */
const read = (text: string) => JSON.parse(text) as PolicyDocument;

const FOREIGN_WITH_SID = {
  Sid: 'AllowAnalytics',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:role/analytics' },
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::my-bucket/*',
};
const FOREIGN_NO_SID = {
  Effect: 'Deny',
  Principal: '*',
  Action: ['s3:DeleteObject'],
  Resource: 'arn:aws:s3:::my-bucket/*',
  Condition: { StringNotEquals: { 'aws:PrincipalAccount': '123456789012' } },
};

function sids(document: PolicyDocument | null): (string | undefined)[] {
  return statementsOf(document).map(sidOf);
}

describe('composePolicy', () => {
  it('creates a policy with the tool statements when there is none', () => {
    expect(composePolicy(null, baseline)).toEqual({ Version: '2012-10-17', Statement: baseline });
  });

  it('nothing wanted and no policy: still no policy', () => {
    expect(composePolicy(null, [])).toBeNull();
  });

  it('appends after foreign statements, with and without Sids, and keeps them as they were', () => {
    const text = JSON.stringify({
      Version: '2012-10-17',
      Id: 'keep-me',
      Statement: [FOREIGN_WITH_SID, FOREIGN_NO_SID],
    });
    const after = composePolicy(read(text), baseline) as PolicyDocument;
    expect(Object.keys(after)).toEqual(['Version', 'Id', 'Statement']);
    expect(after.Id).toBe('keep-me');
    expect(sids(after)).toEqual([
      'AllowAnalytics',
      undefined,
      'S3HardenDenyInsecureTransport',
      'S3HardenDenyOldTls',
    ]);
    const statements = statementsOf(after);
    expect(JSON.stringify(statements[0])).toBe(JSON.stringify(FOREIGN_WITH_SID));
    expect(JSON.stringify(statements[1])).toBe(JSON.stringify(FOREIGN_NO_SID));
  });

  it('keeps a single Statement object as it is, and adds beside it in a list', () => {
    const single = read(
      JSON.stringify({ Version: '2012-10-17', Statement: { ...FOREIGN_NO_SID, Principal: '*' } }),
    );
    expect(composePolicy(single, [])).toBe(single);
    const after = composePolicy(single, baseline) as PolicyDocument;
    expect(Array.isArray(after.Statement)).toBe(true);
    expect(statementsOf(after)[0]).toBe(single.Statement);
    expect(sids(after)).toEqual([undefined, 'S3HardenDenyInsecureTransport', 'S3HardenDenyOldTls']);
  });

  it('leaves a missing Version missing and adds a missing Statement', () => {
    const noVersion = read(JSON.stringify({ Statement: [FOREIGN_WITH_SID] }));
    const after = composePolicy(noVersion, baseline) as PolicyDocument;
    expect('Version' in after).toBe(false);
    expect(statementsOf(after)).toHaveLength(3);
    const empty = read(JSON.stringify({ Version: '2012-10-17', Id: 'x' }));
    expect(composePolicy(empty, baseline)).toEqual({
      Version: '2012-10-17',
      Id: 'x',
      Statement: baseline,
    });
  });

  it('composing again changes nothing: the very same document comes back', () => {
    const first = composePolicy(
      read(JSON.stringify({ Statement: [FOREIGN_WITH_SID, FOREIGN_NO_SID] })),
      baseline,
    );
    const second = composePolicy(read(JSON.stringify(first)), baseline);
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it('turning one answer off removes only that statement', () => {
    const all = composePolicy(read(JSON.stringify({ Statement: [FOREIGN_WITH_SID] })), baseline);
    const httpsOnly = statementsFor(WHERE, { ...BASELINE, denyOldTls: false });
    expect(sids(composePolicy(all, httpsOnly))).toEqual([
      'AllowAnalytics',
      'S3HardenDenyInsecureTransport',
    ]);
  });

  it('rewrites an edited tool statement where it stands, and drops duplicates and stale ones', () => {
    const [https, tls] = baseline as [ToolStatement, ToolStatement];
    const existing = read(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { ...https, Resource: 'arn:aws:s3:::my-bucket/*' },
          FOREIGN_WITH_SID,
          https,
          { Sid: 'S3HardenReadOnly3', Effect: 'Allow', Principal: '*', Action: 's3:GetObject' },
          tls,
        ],
      }),
    );
    const after = composePolicy(existing, baseline);
    expect(statementsOf(after)).toEqual([https, FOREIGN_WITH_SID, tls]);
  });

  it('no statement left means no policy', () => {
    expect(composePolicy(composePolicy(null, baseline), [])).toBeNull();
  });

  it('keeps a statement whose Sid is not a string, and odd statements, as foreign', () => {
    const odd = read(
      JSON.stringify({ Statement: [{ Sid: 7, Effect: 'Deny' }, 'not-a-statement', null] }),
    );
    expect(foreignStatements(composePolicy(odd, baseline))).toEqual(statementsOf(odd));
  });

  it('refuses tool statements it does not own or that repeat a Sid', () => {
    const https = baseline[0] as ToolStatement;
    expect(() => composePolicy(null, [{ ...https, Sid: 'Mine' }])).toThrow(
      'statement Sid Mine does not start with S3Harden',
    );
    expect(() => composePolicy(null, [https, https])).toThrow(
      'two statements share the Sid S3HardenDenyInsecureTransport',
    );
  });
});

describe('policy size', () => {
  const padded = (bytes: number): PolicyDocument => {
    const base = { Version: '2012-10-17', Statement: [{ Sid: 'Pad', Effect: 'Deny', X: '' }] };
    const missing = bytes - policyBytes(base);
    return { ...base, Statement: [{ Sid: 'Pad', Effect: 'Deny', X: 'x'.repeat(missing) }] };
  };

  it('counts UTF-8 bytes of the JSON as sent', () => {
    expect(policyBytes({ Statement: [{ Sid: 'é' }] })).toBe(
      '{"Statement":[{"Sid":"é"}]}'.length + 1,
    );
    expect(policyBytes(null)).toBe(0);
  });

  it('accepts exactly 20,480 bytes and refuses one more, showing the size', () => {
    expect(policyBytes(padded(MAX_POLICY_BYTES))).toBe(MAX_POLICY_BYTES);
    expect(policySizeProblem(padded(MAX_POLICY_BYTES))).toBeNull();
    const problem = policySizeProblem(padded(MAX_POLICY_BYTES + 1));
    expect(problem).toBe(
      "the policy would be 20,481 bytes, over S3's limit of 20,480 bytes (20 KB): remove statements or shorten the lists",
    );
    expect(isOneLine(problem as string)).toBe(true);
  });
});

describe('mayGrantPublicAccess', () => {
  it.each([
    [{ Effect: 'Allow', Principal: '*' }, true],
    [{ Effect: 'Allow', Principal: { AWS: '*' } }, true],
    [{ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111122223333:root', '*'] } }, true],
    [{ Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' } }, true],
    [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' } }, false],
    [{ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' } }, false],
    [{ Effect: 'Deny', Principal: '*' }, false],
    ['not a statement', false],
  ])('%j → %s', (statement, expected) => {
    expect(mayGrantPublicAccess(statement)).toBe(expected);
  });

  it('is false for every statement the tool writes', () => {
    const everything = statementsFor(WHERE, {
      denyInsecureTransport: true,
      denyOldTls: true,
      vpceIds: ['vpce-0123456789abcdef0'],
      sourceCidrs: ['203.0.113.0/24'],
      uploadEncryption: { algorithm: 'aws:kms' },
      readOnlyRoles: ['arn:aws:iam::111122223333:role/reader'],
      crossAccounts: ['111122223333'],
    });
    expect(everything.filter(mayGrantPublicAccess)).toEqual([]);
  });
});

// ------------------------------------------------------------ property test

function generators(next: Random) {
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const maybe = (p = 0.5) => next() < p;
  const oneOrMany = (items: readonly string[]) =>
    maybe() ? pick(items) : items.slice(0, 1 + int(items.length));
  const ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:*', 's3:ListBucket', 's3:DeleteObject'];
  const RESOURCES = ['arn:aws:s3:::my-bucket', 'arn:aws:s3:::my-bucket/*', '*'];
  const PRINCIPALS = [
    '*',
    { AWS: '*' },
    { AWS: 'arn:aws:iam::111122223333:root' },
    { AWS: ['arn:aws:iam::111122223333:role/a', 'arn:aws:iam::444455556666:root'] },
    { Service: 'logging.s3.amazonaws.com' },
  ];
  const foreign = (): Record<string, unknown> => {
    const statement: Record<string, unknown> = {};
    if (maybe(0.6))
      statement.Sid = pick(['A', 'Allow1', 'EnforceHTTPS', 'S3Hard', 'Xs3harden', '']);
    statement.Effect = pick(['Allow', 'Deny']);
    if (maybe(0.9)) statement.Principal = pick(PRINCIPALS);
    statement[maybe(0.9) ? 'Action' : 'NotAction'] = oneOrMany(ACTIONS);
    statement.Resource = oneOrMany(RESOURCES);
    if (maybe(0.4)) {
      statement.Condition = pick([
        { Bool: { 'aws:SecureTransport': 'false' } },
        { NumericLessThan: { 's3:TlsVersion': 1.2 } },
        { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } },
      ]);
    }
    // Keys in any order: the composer must not reorder them.
    return maybe(0.3) ? Object.fromEntries(Object.entries(statement).reverse()) : statement;
  };
  const intent = (): PolicyIntent => ({
    denyInsecureTransport: maybe(),
    denyOldTls: maybe(),
    vpceIds: maybe(0.3) ? ['vpce-0123456789abcdef0', 'vpce-1a2b3c4d'].slice(0, 1 + int(2)) : [],
    sourceCidrs: maybe(0.3) ? ['203.0.113.0/24'] : [],
    uploadEncryption: pick([
      null,
      { algorithm: 'AES256' as const },
      { kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef' },
    ]),
    readOnlyRoles: ['arn:aws:iam::111122223333:role/r1', 'arn:aws:iam::111122223333:role/r2'].slice(
      0,
      int(3),
    ),
    crossAccounts: ['111122223333', '444455556666'].slice(0, int(3)),
  });
  const existing = (): PolicyDocument | null => {
    if (maybe(0.1)) return null;
    const statements: unknown[] = [];
    const count = int(6);
    for (let index = 0; index < count; index++) statements.push(foreign());
    // Earlier runs of the tool, edits, duplicates and stale numbered Sids.
    const tool = statementsFor(WHERE, intent());
    for (const statement of tool) {
      if (maybe(0.7)) statements.splice(int(statements.length + 1), 0, statement);
      if (maybe(0.15)) statements.splice(int(statements.length + 1), 0, statement);
    }
    if (maybe(0.2)) statements.push({ Sid: 'S3HardenReadOnly9', Effect: 'Allow' });
    if (maybe(0.1)) statements.push({ ...(tool[0] ?? baseline[0]), Resource: ['*'] });
    const document: Record<string, unknown> = {};
    if (maybe(0.8)) document.Version = pick(['2012-10-17', '2008-10-17']);
    if (maybe(0.2)) document.Id = 'policy-id';
    if (statements.length === 1 && maybe()) document.Statement = statements[0];
    else if (statements.length > 0 || maybe()) document.Statement = statements;
    // As the reader sees it: parsed from S3's JSON text.
    return read(JSON.stringify(document));
  };
  return { intent, existing };
}

describe('composePolicy property: foreign statements survive, a second merge changes nothing', () => {
  const SEEDS = 400;
  it(`holds for ${SEEDS} seeded random policies`, () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const generate = generators(seededRandom(seed));
      const before = generate.existing();
      const wanted = statementsFor(WHERE, generate.intent());
      const after = composePolicy(before, wanted);
      const context = `seed ${seed}`;

      // Every foreign statement kept, in order, serialised byte for byte the same.
      const foreignBefore = foreignStatements(before).map((statement) => JSON.stringify(statement));
      const foreignAfter = foreignStatements(after).map((statement) => JSON.stringify(statement));
      expect(foreignAfter, context).toEqual(foreignBefore);

      // Exactly the wanted tool statements, once each.
      const toolAfter = statementsOf(after).filter(isToolStatement);
      expect(toolAfter.map(sidOf).sort(), context).toEqual(
        wanted.map((statement) => statement.Sid).sort(),
      );
      for (const statement of wanted) {
        expect(toolAfter, context).toContainEqual(statement);
      }

      // Other top-level keys untouched.
      for (const key of ['Version', 'Id'] as const) {
        if (before && after) expect(after[key], context).toEqual(before[key]);
      }

      // Idempotent: composing the read-back again yields a deep-equal document.
      const again = composePolicy(after === null ? null : read(JSON.stringify(after)), wanted);
      expect(again, context).toEqual(after);
    }
  });
});

// ------------------------------------------------- ownership between steps

/** A log-delivery grant as the logging step writes it on a log bucket (another step's Sid). */
const logGrant = (source: string) => ({
  Sid: `S3HardenAccessLogsFrom${source}`,
  Effect: 'Allow',
  Principal: { Service: 'logging.s3.amazonaws.com' },
  Action: ['s3:PutObject'],
  Resource: 'arn:aws:s3:::my-bucket/s3-access-logs/*',
  Condition: {
    ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${source}` },
    StringEquals: { 'aws:SourceAccount': '123456789012' },
  },
});

describe('composePolicy with an owner: each step manages only its own Sids', () => {
  it('keeps another step’s tool statements where they stand, and replaces only owned ones', () => {
    const [https] = baseline as [ToolStatement];
    const existing = read(
      JSON.stringify({
        Statement: [logGrant('appa'), { ...https, Resource: ['*'] }, logGrant('appb')],
      }),
    );
    const after = composePolicy(existing, baseline, isBucketPolicySid);
    expect(statementsOf(after)).toEqual([logGrant('appa'), https, logGrant('appb'), baseline[1]]);
    // Without an owner every tool Sid is the writer's: the grants would be dropped.
    expect(sids(composePolicy(existing, baseline))).toEqual([
      'S3HardenDenyInsecureTransport',
      'S3HardenDenyOldTls',
    ]);
  });

  it('nothing wanted leaves the other step’s statements, not an empty policy', () => {
    const existing = read(JSON.stringify({ Statement: [logGrant('appa'), ...baseline] }));
    expect(composePolicy(existing, [], isBucketPolicySid)).toEqual({
      Statement: [logGrant('appa')],
    });
  });

  it('refuses to write a statement the writer does not own', () => {
    expect(() =>
      composePolicy(null, [logGrant('appa') as ToolStatement], isBucketPolicySid),
    ).toThrow("statement Sid S3HardenAccessLogsFromappa is not this writer's");
  });

  it('statementsNotOwned: foreign statements and other steps’ ones, in order', () => {
    const document = read(
      JSON.stringify({ Statement: [FOREIGN_WITH_SID, ...baseline, logGrant('appa')] }),
    );
    expect(statementsNotOwned(document, isBucketPolicySid)).toEqual([
      FOREIGN_WITH_SID,
      logGrant('appa'),
    ]);
    expect(statementsNotOwned(document, EVERY_TOOL_SID)).toEqual([FOREIGN_WITH_SID]);
  });
});

describe('composePolicy property: the bucket-policy step keeps other steps’ statements', () => {
  const SEEDS = 400;
  it(`holds for ${SEEDS} seeded random policies holding log-delivery grants`, () => {
    const sources = ['appa', 'appb', 'oldapp', 'x'];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const next = seededRandom(seed * 7919);
      const generate = generators(next);
      const base = generate.existing();
      // Other steps' statements anywhere: log grants (some duplicated), and a
      // tool Sid of a step this version does not know.
      const statements = [...statementsOf(base)];
      for (const source of sources) {
        if (next() < 0.5) {
          statements.splice(Math.floor(next() * (statements.length + 1)), 0, logGrant(source));
        }
      }
      if (next() < 0.1) statements.push(logGrant('appa'));
      if (next() < 0.2) statements.push({ Sid: 'S3HardenFutureThing', Effect: 'Deny' });
      const before =
        statements.length === 0 && next() < 0.5
          ? base
          : read(JSON.stringify({ ...(base ?? { Version: '2012-10-17' }), Statement: statements }));
      const wanted = statementsFor(WHERE, generate.intent());
      const after = composePolicy(before, wanted, isBucketPolicySid);
      const context = `seed ${seed}`;

      // Every statement the step does not own kept, in order, byte for byte.
      const kept = (document: PolicyDocument | null) =>
        statementsNotOwned(document, isBucketPolicySid).map((statement) =>
          JSON.stringify(statement),
        );
      expect(kept(after), context).toEqual(kept(before));
      // Exactly the wanted owned statements, once each.
      const owned = statementsOf(after).filter((statement) => {
        const sid = sidOf(statement);
        return sid !== undefined && isBucketPolicySid(sid);
      });
      expect(owned.map(sidOf).sort(), context).toEqual(wanted.map((s) => s.Sid).sort());

      // A second merge changes nothing, and neither does the logging step
      // re-writing one of its grants in between.
      const again = composePolicy(
        after === null ? null : read(JSON.stringify(after)),
        wanted,
        isBucketPolicySid,
      );
      expect(again, context).toEqual(after);
      const grant = logGrant('appa') as ToolStatement;
      const logged = composePolicy(after, [grant], (sid) => sid === grant.Sid);
      expect(composePolicy(logged, wanted, isBucketPolicySid), context).toEqual(logged);
    }
  });
});
