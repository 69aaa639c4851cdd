/** Commands broken for a narrow screen, the apply-later command, and how s3-harden is invoked from here. */
import { describe, expect, it } from 'vitest';
import { invocation } from '../../src/commands/invocation.js';
import { applyLaterCommand } from '../../src/plan/render/apply-hint.js';
import { commandRows, shellTokens, splitCommand } from '../../src/screens/command-lines.js';

describe('commandRows', () => {
  const command =
    'aws s3api put-bucket-policy --bucket my-bucket --policy \'{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny"},{"Sid":"B","Effect":"Deny"}]}\' --region us-east-1';

  it('leaves a command that fits as it is', () => {
    expect(commandRows('aws sts get-caller-identity', 80, 2)).toEqual([
      '  aws sts get-caller-identity',
    ]);
  });

  it('breaks between arguments with " \\" and never inside a quoted argument but after its commas', () => {
    const rows = commandRows(command, 40, 2);
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(40);
    // Rows inside the quoted JSON carry no backslash: a newline there is JSON whitespace.
    const text = rows.join('\n').replace(/ \\\n\s*/g, ' ');
    expect(text.replace(/\n\s*/g, '')).toBe(`  ${command}`);
    expect(rows.some((row) => row.includes('"Sid":"A"') && !row.endsWith('\\'))).toBe(true);
  });

  it('keeps quoted words together', () => {
    expect(shellTokens('aws s3api x --mfa "SERIAL CODE" --b c')).toEqual([
      'aws',
      's3api',
      'x',
      '--mfa',
      '"SERIAL CODE"',
      '--b',
      'c',
    ]);
  });
});

describe('splitCommand', () => {
  it('finds a command in parentheses and the prose around it', () => {
    expect(
      splitCommand(
        'Remove those grants (aws s3api put-bucket-acl --bucket b --acl private), then plan again.',
      ),
    ).toEqual({
      before: 'Remove those grants (',
      command: 'aws s3api put-bucket-acl --bucket b --acl private',
      after: '), then plan again.',
    });
    expect(splitCommand('No command here.')).toBeNull();
  });
});

describe('applyLaterCommand and invocation', () => {
  it('names the connection used', () => {
    expect(
      applyLaterCommand('npx s3-harden', 'my plan.json', {
        profile: 'ops',
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:4566',
      }),
    ).toBe(
      "npx s3-harden apply 'my plan.json' --profile ops --region eu-west-1 --endpoint-url http://127.0.0.1:4566",
    );
  });

  it('from a clone, installed globally, or as a dependency', () => {
    const env = { npm_config_prefix: '/opt/node' };
    expect(
      invocation(
        '/home/me/s3-harden/bin/s3-harden.js',
        '/home/me/s3-harden',
        env,
        '/opt/node/bin/node',
      ),
    ).toBe('node bin/s3-harden.js');
    expect(
      invocation('/home/me/s3-harden/bin/s3-harden.js', '/tmp', env, '/opt/node/bin/node'),
    ).toBe('node /home/me/s3-harden/bin/s3-harden.js');
    expect(
      invocation(
        '/opt/node/lib/node_modules/s3-harden/bin/s3-harden.js',
        '/tmp',
        env,
        '/opt/node/bin/node',
      ),
    ).toBe('s3-harden');
    expect(
      invocation(
        '/home/me/app/node_modules/s3-harden/bin/s3-harden.js',
        '/home/me/app',
        env,
        '/opt/node/bin/node',
      ),
    ).toBe('npx s3-harden');
  });
});
