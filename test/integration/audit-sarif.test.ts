/**
 * `audit --format sarif` through the built CLI against the emulator: the
 * output is valid against the published SARIF 2.1.0 schema (vendored in
 * test/schemas, checked by Python's jsonschema from the emulator's
 * virtualenv), one result per failing or unknown control, the account-wide
 * control once, a bucket that cannot be audited as its own result, and
 * fingerprints that do not repeat.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';
import { schemaProblems } from '../helpers/json-schema.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SCHEMA = join(ROOT, 'test', 'schemas', 'sarif-2.1.0-rtm.5.json');

/** The schema's complaints about `document`, one per line; empty when it is valid (SARIF's schema is draft-04). */
const sarifProblems = (document: string) => schemaProblems(SCHEMA, document, 'Draft4Validator');

interface SarifResult {
  readonly ruleId: string;
  readonly level: string;
  readonly kind: string;
  readonly message: { readonly text: string };
  readonly locations: {
    readonly physicalLocation: { readonly artifactLocation: { readonly uri: string } };
  }[];
  readonly partialFingerprints: Record<string, string>;
}

describe('audit --format sarif', () => {
  it('is valid SARIF 2.1.0: failing and unknown controls as results, the account once', async () => {
    const bucket = uniqueBucket('sarif-open');
    await createBucket(bucket);
    const missing = uniqueBucket('sarif-missing');
    const audited = await runCli([
      'audit',
      '--bucket',
      `${bucket},${missing}`,
      '--format',
      'sarif',
      '--endpoint-url',
      emulatorUrl(),
    ]);
    expect(audited.code, audited.stderr).toBe(0);
    expect(sarifProblems(audited.stdout)).toBe('');

    const sarif = JSON.parse(audited.stdout);
    expect(sarif.version).toBe('2.1.0');
    const [run] = sarif.runs;
    expect(run.tool.driver.name).toBe('s3-harden');
    const rules = run.tool.driver.rules as { id: string; properties: { tags: string[] } }[];
    expect(rules.find((rule) => rule.id === 'tls')?.properties.tags).toEqual([
      'security',
      'FSBP S3.5',
      'CIS v7.0.0 3.1.1',
    ]);
    // A control outside the FSBP standard is not tagged as an FSBP one.
    expect(rules.find((rule) => rule.id === 'versioning')?.properties.tags).toEqual([
      'security',
      'Security Hub S3.14',
    ]);
    const results = run.results as SarifResult[];
    const on = (uri: string) =>
      results.filter(
        (result) => result.locations[0]?.physicalLocation.artifactLocation.uri === uri,
      );
    // A fresh bucket has no HTTPS-only policy: a failing result, at the bucket.
    expect(on(`s3://${bucket}`).find((result) => result.ruleId === 'tls')).toMatchObject({
      level: 'error',
      kind: 'fail',
      message: { text: 'HTTPS only (bucket policy): no bucket policy: plain HTTP is allowed' },
    });
    // Macie is not at the emulator: unknown is a warning to review, not a failure.
    expect(on(`s3://${bucket}`).find((result) => result.ruleId === 'macie')).toMatchObject({
      level: 'warning',
      kind: 'review',
    });
    // The account-wide control is said on the account, never on a bucket.
    expect(results.filter((result) => result.ruleId === 'bpa-account').length).toBeLessThanOrEqual(
      1,
    );
    for (const result of on(`s3://${bucket}`)) expect(result.ruleId).not.toBe('bpa-account');
    expect(on(`s3://${missing}`)).toEqual([
      expect.objectContaining({ ruleId: 'not-audited', level: 'warning' }),
    ]);
    const prints = results.map((result) => result.partialFingerprints['s3-harden/control/v1']);
    expect(new Set(prints).size).toBe(prints.length);
  });

  it('refuses --json with --format sarif in one line', async () => {
    const result = await runCli(['audit', '--all', '--json', '--format', 'sarif']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      's3-harden: --json and --format sarif ask for two outputs: choose one.\n',
    );
  });
});
