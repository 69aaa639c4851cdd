/**
 * The audit report's published JSON Schema (schema/audit-report.schema.json):
 * it is what the zod schema generates today (a stale file fails here — run
 * `npm run schema`), it is a valid draft 2020-12 schema, a report the code
 * builds is valid against it, and it refuses what zod refuses.
 * test/integration/audit-asff.test.ts validates a real `audit --json` too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTROLS } from '../../src/plan/audit/controls.js';
import { AUDIT_JSON_SCHEMA_PATH, auditJsonSchema } from '../../src/plan/audit/json-schema.js';
import { buildReport } from '../../src/plan/audit/report.js';
import { schemaProblems } from '../helpers/json-schema.js';

const PATH = join(import.meta.dirname, '..', '..', AUDIT_JSON_SCHEMA_PATH);

function report() {
  return buildReport({
    tool: 's3-harden 0.1.0',
    accountId: '123456789012',
    region: 'us-gov-west-1',
    buckets: [
      {
        bucket: 'a',
        region: 'us-gov-west-1',
        results: CONTROLS.map((control, i) => ({
          id: control.id,
          status: (['pass', 'fail', 'unknown'] as const)[i % 3] ?? 'pass',
          detail: '',
        })),
      },
      { bucket: 'b', region: null, results: [], error: 'Access Denied', errorKind: 'denied' },
    ],
    account: { results: [{ id: 'bpa-account', status: 'fail', detail: 'off' }] },
    calls: { 's3:HeadBucket': 2 },
    durationMs: 12,
  });
}

describe('schema/audit-report.schema.json', () => {
  it('is what the zod schema generates (npm run schema rewrites it)', () => {
    const committed = JSON.parse(readFileSync(PATH, 'utf8'));
    expect(committed).toEqual(auditJsonSchema());
  });

  it('validates a report the code builds, and refuses a broken one', () => {
    expect(schemaProblems(PATH, JSON.stringify(report()))).toBe('');
    const broken = { ...report(), version: 2, extra: true };
    const problems = schemaProblems(PATH, JSON.stringify(broken));
    expect(problems).toContain('1 was expected');
    expect(problems).toContain("'extra' was unexpected");
  });
});
