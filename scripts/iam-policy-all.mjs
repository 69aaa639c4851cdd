#!/usr/bin/env node
/**
 * Prints the IAM policy for using every s3-harden feature on one bucket and
 * its log bucket (src/plan/policy/iam-policy.ts, iamPolicyForEverything). With
 * --write, replaces the README's generated block (between the
 * <!-- iam-policy-all --> markers) with it, and the multi-account audit's
 * blocks (the member role's policy, the caller's, the role's trust policy:
 * src/plan/audit/iam.ts) between theirs; test/unit/iam-policy.test.ts and
 * test/unit/audit-accounts.test.ts fail when the README and the catalogue disagree.
 *
 *   node scripts/iam-policy-all.mjs [--write] [--bucket B --log-bucket L --account A --region R]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { ROOT } from './emulator.mjs';

const { values } = parseArgs({
  options: {
    write: { type: 'boolean', default: false },
    bucket: { type: 'string', default: 'my-bucket' },
    'log-bucket': { type: 'string', default: 'my-bucket-logs' },
    account: { type: 'string', default: '123456789012' },
    region: { type: 'string', default: 'us-east-1' },
  },
});

const bundle = await build({
  entryPoints: [join(ROOT, 'src', 'plan', 'policy', 'iam-policy.ts')],
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
  logLevel: 'error',
});
const source = bundle.outputFiles[0].text;
const { iamPolicyForEverything } = await import(
  `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`
);
const { policy } = iamPolicyForEverything({
  accountId: values.account,
  region: values.region,
  bucket: values.bucket,
  logBucket: values['log-bucket'],
});
const json = `${JSON.stringify(policy, null, 2)}\n`;

if (!values.write) {
  process.stdout.write(json);
} else {
  const file = join(ROOT, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const pattern = /<!-- iam-policy-all -->\n```json\n[\s\S]*?```\n<!-- \/iam-policy-all -->/;
  if (!pattern.test(readme)) {
    process.stderr.write('README.md has no <!-- iam-policy-all --> block\n');
    process.exit(1);
  }
  let updated = readme.replace(
    pattern,
    `<!-- iam-policy-all -->\n\`\`\`json\n${json}\`\`\`\n<!-- /iam-policy-all -->`,
  );
  const audit = await build({
    entryPoints: [join(ROOT, 'src', 'plan', 'audit', 'iam.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'error',
  });
  const iam = await import(
    `data:text/javascript;base64,${Buffer.from(audit.outputFiles[0].text).toString('base64')}`
  );
  const blocks = {
    'iam-policy-audit-role': iam.iamPolicyForAuditRole().policy,
    'iam-policy-audit-caller': iam.iamPolicyForAuditCaller('s3-harden-audit').policy,
    'trust-policy-audit-role': iam.trustPolicyForAuditRole({
      principalArn: 'arn:aws:iam::111122223333:role/security-audit',
      externalId: 'REPLACE-WITH-YOUR-EXTERNAL-ID',
    }),
  };
  for (const [marker, document] of Object.entries(blocks)) {
    const block = new RegExp(
      `<!-- ${marker} -->\\n\`\`\`json\\n[\\s\\S]*?\`\`\`\\n<!-- /${marker} -->`,
    );
    if (!block.test(updated)) {
      process.stderr.write(`README.md has no <!-- ${marker} --> block\n`);
      process.exit(1);
    }
    const text = `${JSON.stringify(document, null, 2)}\n`;
    updated = updated.replace(
      block,
      () => `<!-- ${marker} -->\n\`\`\`json\n${text}\`\`\`\n<!-- /${marker} -->`,
    );
  }
  writeFileSync(file, updated);
  process.stdout.write('Updated the policies in README.md\n');
}
