/**
 * The audit report's JSON Schema (draft 2020-12), generated from its zod
 * schema (./schema.ts), so the file the repository publishes
 * (schema/audit-report.schema.json, written by scripts/audit-schema.mjs)
 * cannot drift from what the CLI emits. Pure; apart from ./schema.ts so the
 * CLI's bundle does not carry zod's JSON Schema converter.
 */
import * as z from 'zod';
import { AUDIT_SCHEMA, AUDIT_VERSION, auditReportSchema } from './schema.js';

/** Where the repository publishes it, from the repository's root. */
export const AUDIT_JSON_SCHEMA_PATH = 'schema/audit-report.schema.json';

export function auditJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(auditReportSchema, { target: 'draft-2020-12' });
  return {
    $schema,
    title: `${AUDIT_SCHEMA} version ${AUDIT_VERSION}`,
    description:
      'The report of `s3-harden audit --json`. Generated from src/plan/audit/schema.ts by scripts/audit-schema.mjs (npm run schema): do not edit by hand.',
    ...rest,
  };
}
