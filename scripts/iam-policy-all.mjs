#!/usr/bin/env node
/**
 * Prints the IAM policy for using every s3-harden feature on one bucket and
 * its log bucket (src/plan/policy/iam-policy.ts, iamPolicyForEverything). With
 * --write, replaces the README's generated block (between the
 * <!-- iam-policy-all --> markers) with it; test/unit/iam-policy.test.ts
 * fails when the README and the catalogue disagree.
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
  writeFileSync(
    file,
    readme.replace(
      pattern,
      `<!-- iam-policy-all -->\n\`\`\`json\n${json}\`\`\`\n<!-- /iam-policy-all -->`,
    ),
  );
  process.stdout.write('Updated the policy in README.md\n');
}
