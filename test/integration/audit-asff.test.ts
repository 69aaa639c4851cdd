/**
 * `audit --format asff` and `audit --json` through the built CLI against the
 * emulator: the ASFF output is valid against test/schemas/asff-2018-10-08.json
 * and ready for BatchImportFindings (`{ "Findings": [...] }`), the
 * account-wide control once, a bucket that cannot be audited as its own
 * finding, Ids unique and the same on a second run; the `--json` report is
 * valid against the published schema/audit-report.schema.json.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { emulatorUrl, uniqueBucket } from '../helpers/emulator.js';
import { createBucket } from '../helpers/fixtures.js';
import { schemaProblems } from '../helpers/json-schema.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ASFF = join(ROOT, 'test', 'schemas', 'asff-2018-10-08.json');
const REPORT = join(ROOT, 'schema', 'audit-report.schema.json');

interface Finding {
  readonly Id: string;
  readonly GeneratorId: string;
  readonly ProductArn: string;
  readonly Resources: { readonly Type: string; readonly Id: string }[];
  readonly Compliance: { readonly Status: string };
}

describe('audit --format asff', () => {
  it('is valid ASFF for batch-import-findings, with stable Ids; --json matches its schema', async () => {
    const bucket = uniqueBucket('asff-open');
    await createBucket(bucket);
    const missing = uniqueBucket('asff-missing');
    const args = ['audit', '--bucket', `${bucket},${missing}`, '--endpoint-url', emulatorUrl()];
    const audited = await runCli([...args, '--format', 'asff']);
    expect(audited.code, audited.stderr).toBe(0);
    expect(schemaProblems(ASFF, audited.stdout)).toBe('');

    const { Findings } = JSON.parse(audited.stdout) as { Findings: Finding[] };
    const on = (id: string) => Findings.filter((finding) => finding.Resources[0]?.Id === id);
    expect(
      on(`arn:aws:s3:::${bucket}`).find((f) => f.GeneratorId === 's3-harden/tls'),
    ).toMatchObject({ Compliance: { Status: 'FAILED' } });
    expect(Findings.filter((f) => f.GeneratorId === 's3-harden/bpa-account')).toHaveLength(1);
    expect(on(`arn:aws:s3:::${missing}`)).toEqual([
      expect.objectContaining({ GeneratorId: 's3-harden/not-audited' }),
    ]);
    for (const finding of Findings) expect(finding.ProductArn).toMatch(/^arn:aws:securityhub:/);
    const ids = Findings.map((finding) => finding.Id);
    expect(new Set(ids).size).toBe(ids.length);

    const again = await runCli([...args, '--format', 'asff']);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { Findings: Finding[] }).Findings.map((f) => f.Id)).toEqual(
      ids,
    );

    const json = await runCli([...args, '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(schemaProblems(REPORT, json.stdout)).toBe('');
  });

  it('refuses --json with --format asff in one line', async () => {
    const result = await runCli(['audit', '--all', '--json', '--format', 'asff']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      's3-harden: --json and --format asff ask for two outputs: choose one.\n',
    );
  });
});
