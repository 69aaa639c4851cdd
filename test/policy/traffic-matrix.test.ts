/**
 * The traffic matrix, judged by a real IAM policy simulator: every bucket
 * policy, log-bucket policy, access point policy and KMS key policy the plans
 * write — every preset, each bucket-policy option alone and combined, fixture
 * buckets with statements someone else wrote — against every request of
 * ./traffic.ts. One test per row, so a broken statement fails a named row;
 * the message prints the whole matrix (rows × fixtures) and the failing
 * requests with their legs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { planLockout } from '../../src/plan/policy/lockout.js';
import { decide } from '../helpers/simulator.js';
import { allScenarios, FIXTURES, OPERATOR, PARTNER_ACCOUNT } from './scenarios.js';
import {
  type Expected,
  type Request,
  ROWS,
  type Situation,
  situation,
  type TrafficRow,
} from './traffic.js';

interface Cell {
  readonly situation: Situation;
  readonly expected: Expected | null;
  readonly got: Expected | null;
  /** Why it went as it did: the decisive leg. */
  readonly detail: string;
}

async function judge(request: Request): Promise<{ result: Expected; detail: string }> {
  if (request.refusedByS3) return { result: 'deny', detail: `S3 refuses: ${request.refusedByS3}` };
  for (const leg of request.legs ?? []) {
    const decision = await decide(leg);
    if (decision !== 'Allowed') {
      return {
        result: 'deny',
        detail: `${decision}: ${leg.principal} ${leg.action} on ${leg.resource} ${JSON.stringify(leg.context)}`,
      };
    }
  }
  return { result: 'allow', detail: 'every leg allowed' };
}

/** A row's verdict for a scenario: 'allow' when every request is allowed, 'deny' when every one is refused. */
async function run(row: TrafficRow, s: Situation): Promise<Cell> {
  const expected = row.expected(s);
  if (expected === null) return { situation: s, expected, got: null, detail: 'n/a' };
  const requests = row.requests(s);
  const results = await Promise.all(requests.map(judge));
  const mismatch = results.find((result) => result.result !== expected);
  return {
    situation: s,
    expected,
    got: mismatch ? mismatch.result : expected,
    detail: mismatch ? mismatch.detail : 'as expected',
  };
}

const cells = new Map<string, Cell[]>();

beforeAll(async () => {
  const situations = allScenarios().map(situation);
  for (const row of ROWS) {
    cells.set(row.id, await Promise.all(situations.map((s) => run(row, s))));
  }
}, 120_000);

function mark(list: readonly Cell[]): string {
  const applicable = list.filter((cell) => cell.expected !== null);
  if (applicable.length === 0) return '·';
  const failing = applicable.filter((cell) => cell.got !== cell.expected).length;
  return failing === 0 ? '✓' : `✗${failing}`;
}

/** Rows × fixtures: ✓ every plan as expected, ✗n n plans not, · the row does not apply. */
function matrix(): string {
  const width = Math.max(...ROWS.map((row) => row.id.length));
  const head = `${''.padEnd(width)}  ${FIXTURES.map((f) => f.id.padEnd(11)).join(' ')}`;
  const lines = ROWS.map((row) => {
    const list = cells.get(row.id) ?? [];
    const marks = FIXTURES.map((fixture) =>
      mark(list.filter((cell) => cell.situation.scenario.fixture.id === fixture.id)).padEnd(11),
    );
    return `${row.id.padEnd(width)}  ${marks.join(' ')}`;
  });
  return [head, ...lines].join('\n');
}

function failures(row: TrafficRow): string {
  const list = (cells.get(row.id) ?? []).filter(
    (cell) => cell.expected !== null && cell.got !== cell.expected,
  );
  const shown = list.slice(0, 6).map((cell) => {
    const { scenario } = cell.situation;
    return `  ${scenario.name}: expected ${cell.expected}, got ${cell.got}\n    ${cell.detail}\n    bucket policy: ${JSON.stringify(cell.situation.bucketPolicy)}`;
  });
  const more = list.length > shown.length ? `\n  … and ${list.length - shown.length} more` : '';
  return `${row.id} (${row.who}: ${row.what}) fails in ${list.length} plan(s):\n${shown.join('\n')}${more}\n\n${matrix()}`;
}

describe('traffic matrix: what hardened buckets still serve and refuse (IAM policy simulator)', () => {
  it('judges every preset, option and fixture', () => {
    const judged = [...cells.values()].flat().filter((cell) => cell.expected !== null).length;
    expect(judged).toBeGreaterThan(1000);
  });

  it('warns, with the Sid, wherever a network restriction cuts the partner off', () => {
    const cut = (cells.get('partner-upload') ?? []).filter(
      (cell) => cell.expected === 'deny' && cell.situation.network !== null,
    );
    expect(cut.length).toBeGreaterThan(10);
    const silent = cut.filter((cell) => {
      const change = cell.situation.scenario.plan.changes.find((c) => c.id === 'bucket.policy');
      return !change?.warnings.some(
        (warning) => /cuts? off (Sid|statement)/.test(warning) && warning.includes(PARTNER_ACCOUNT),
      );
    });
    expect(silent.map((cell) => cell.situation.scenario.name)).toEqual([]);
  });

  it('the lockout guard stops exactly the plans whose policy keeps the operator out', () => {
    const disagreements = (cells.get('operator-from-outside') ?? []).filter((cell) => {
      const findings = planLockout(cell.situation.scenario.plan, {
        principalArn: OPERATOR,
        secureTransport: true,
        sourceIp: '198.51.100.7',
      }).filter((finding) => finding.policy === 'bucket');
      return (cell.got === 'deny') !== findings.length > 0;
    });
    expect(disagreements.map((cell) => `${cell.situation.scenario.name}: ${cell.got}`)).toEqual([]);
  });

  for (const row of ROWS) {
    it(`${row.kind === 'allow' ? 'keeps working' : 'refuses'}: ${row.id}`, () => {
      const list = cells.get(row.id) ?? [];
      const bad = list.filter((cell) => cell.expected !== null && cell.got !== cell.expected);
      expect(bad.length, failures(row)).toBe(0);
    });
  }
});
